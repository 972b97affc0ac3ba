/**
 * A flow document as the platform runs it: what `parseFlowDocument` (./parse.ts) answers after
 * reading YAML or JSON, checking it against the JSON Schema (./schema.ts, served at
 * `/api/v1/flows/schema.json`) and linting it (references, limits). Defaults are filled in, so
 * the engine never guesses. Shared contract between the document layer, the engine, the
 * runtime and the CLI: change it in one place.
 */

/** Languages a flow can be written and trained in (nlp.js packages pt, es, en). */
export type FlowLanguage = 'pt' | 'en' | 'es';

export interface FlowDocument {
  /** Format version of the document; 1 today. */
  format: 1;
  /** Unique in a workspace; `[a-z0-9][a-z0-9_-]{0,63}`. */
  name: string;
  description?: string;
  /** The flow's main language (default `pt`); intents may carry phrases in others. */
  language: FlowLanguage;
  triggers: Trigger[];
  /** Variables and their initial values (`vars.NAME` in expressions, `{{vars.NAME}}` in text). */
  variables: Record<string, unknown>;
  settings: FlowSettings;
  intents: Intent[];
  /** Catalogues and FAQs that `search` steps look in. */
  catalogs: Record<string, CatalogItem[]>;
  /** The first step's id (default: the first of `steps`). */
  start: string;
  /** In order: a step without `next` continues with the one after it. */
  steps: Step[];
}

export interface FlowSettings {
  /** A session idle this long ends (default 30 min; `30m`, `2h`, `1d`, `45s` parsed to ms). */
  session_timeout_ms: number;
  /** Intent confidence below this counts as not understood (default 0.7). */
  nlu_threshold: number;
  /** After this many misses in a row the conversation is handed off (default 2; 0 = never). */
  max_misses: number;
  /** Where `handoff` steps and automatic handoffs go when they name no queue (default `support`). */
  default_queue: string;
  /** Texts the engine says by itself (defaults in the flow's language). */
  texts: {
    /** Re-prompt prefix when an answer is invalid: `{{reason}}` is the validator's reason. */
    invalid: string;
    /** "Did you mean…?" before the top intents as buttons. */
    did_you_mean: string;
    /** Said when handing off after too many misses. */
    handoff: string;
    /** Said when the session times out (empty: say nothing). */
    timeout: string;
    /** The list button label (≤ 20 chars). */
    list_button: string;
    /** The "more options" row of a paged list (≤ 24 chars). */
    more: string;
  };
}

export type Trigger =
  /** A message whose text equals one of these (case and accents folded, trimmed). */
  | { type: 'keyword'; keywords: string[] }
  /** A message whose text matches this regular expression (flags `i` and `u`). */
  | { type: 'pattern'; pattern: string }
  /** A message classified as one of these intents (names of `intents`) above the threshold. */
  | { type: 'intent'; intents: string[] }
  /** Any message from a contact with no running session: the number's default flow. */
  | { type: 'any' }
  /** A button or list reply whose id equals one of these. */
  | { type: 'payload'; payloads: string[] }
  /** A click-to-WhatsApp ad (`referral`); `source_ids` restricts it to those ads (empty: any). */
  | { type: 'referral'; source_ids: string[] }
  /** The first message of a contact the platform did not know. */
  | { type: 'new_contact' }
  /** The customer opened the chat for the first time and the number's welcome message is on (Meta's `request_welcome`). */
  | { type: 'welcome' }
  /** Started by `POST /api/v1/flows/{id}/runs` only. */
  | { type: 'api' }
  /** A person resolved the conversation asking for the survey (`POST …/resolve {"survey": true}`): e.g. a CSAT flow. */
  | { type: 'resolved' };

export interface Intent {
  /** `[a-z0-9][a-z0-9._-]{0,63}` */
  name: string;
  /** Training phrases per language (at least one language, each at least one phrase). */
  phrases: Partial<Record<FlowLanguage, string[]>>;
  /** Works from any step: goes to `goto` (a step id) or does `action`. */
  global: boolean;
  goto?: string;
  /** `menu`: back to `start`; `back`: the previous waiting step; `handoff`; `end`. */
  action?: 'menu' | 'back' | 'handoff' | 'end';
  /** The title of its button in "did you mean…?" (≤ 20 chars; default: the name). */
  title?: string;
}

export interface CatalogItem {
  id: string;
  title: string;
  description?: string;
  /** Said when the customer picks this result (`{{item.*}}` available). */
  answer?: string;
  keywords?: string[];
  /** Anything else (price, url…), reachable as `vars.<var>.data.*` after a pick. */
  data?: Record<string, unknown>;
}

/** Text with `{{expression}}` placeholders (vars.x, contact.name, item.title, input…). */
export type Text = string;

/** A message as the Cloud API's send body without `to`/`messaging_product` (type + its object), after interpolation. */
export type OutboundSpec = { type: string } & Record<string, unknown>;

interface StepBase {
  /** `[A-Za-z0-9_.-]{1,64}`, unique in the flow. */
  id: string;
  /** The step after this one (default: the next in `steps`; after the last: end). */
  next?: string;
}

export interface MenuOption {
  /** The reply id (≤ 256 chars); default: `opt_<n>`. */
  id: string;
  /** ≤ 20 chars as a button, ≤ 24 as a list row. */
  title: string;
  /** A list row's description (≤ 72 chars). */
  description?: string;
  /** Other words a typed answer may use for this option. */
  synonyms: string[];
  /** Where this option leads (default: the step's `next`). */
  goto?: string;
  /** Stored in `vars[step.var]` when chosen (default: the option's id). */
  value?: unknown;
}

export type AskInput = 'text' | 'number' | 'email' | 'phone' | 'cpf' | 'cnpj' | 'cep' | 'date' | 'time' | 'yes_no' | 'choice' | 'media' | 'location';

export type Step =
  | (StepBase & { type: 'send'; message: OutboundSpec })
  | (StepBase & { type: 'send_template'; template: { name: string; language: string; components?: unknown[] } })
  | (StepBase & {
      type: 'menu';
      text: Text;
      header?: Text;
      footer?: Text;
      options: MenuOption[];
      /** Where the chosen option's value is kept (optional). */
      var?: string;
      /** Re-prompts before `on_fail` (default 3). */
      max_tries: number;
      on_fail?: string;
    })
  | (StepBase & {
      type: 'ask';
      text: Text;
      input: AskInput;
      var: string;
      /** For `choice`: the accepted answers. */
      choices?: string[];
      /** For number: bounds; for text: length bounds. */
      min?: number;
      max?: number;
      /** For media: accepted kinds (image, document, audio, video, sticker). */
      media_types?: string[];
      max_tries: number;
      /** Where to go after `max_tries` invalid answers (default: handoff). */
      on_fail?: string;
      /** Custom re-prompt (default: settings.texts.invalid). */
      retry_text?: Text;
    })
  | (StepBase & { type: 'set'; values: Record<string, string> /* name → JSONata expression */ })
  | (StepBase & { type: 'condition'; branches: Array<{ if: string /* JSONata */; goto: string }>; else?: string })
  | (StepBase & {
      type: 'http';
      method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
      url: Text;
      headers: Record<string, Text>;
      /** JSON body; strings inside are interpolated. */
      body?: unknown;
      timeout_ms: number;
      retries: number;
      /** var name → JSONata over `{status, body, headers}`. */
      save: Record<string, string>;
      /** Where a failure (network, timeout, status ≥ 400 after retries) goes (default: next). */
      on_error?: string;
    })
  | (StepBase & {
      type: 'search';
      catalog: string;
      /** The text searched (default `{{input}}`: the customer's last message). */
      query: Text;
      text: Text;
      /** Where the picked item goes (`vars[var] = {id, title, answer, data}`). */
      var: string;
      max_results: number;
      on_empty?: string;
    })
  | (StepBase & {
      type: 'intent';
      /** Asked first (optional: without it the step classifies the next message). */
      text?: Text;
      /** intent name → step id. */
      routes: Record<string, string>;
      /** Where nothing matched goes after `max_misses` (default: settings). */
      fallback?: string;
    })
  | (StepBase & { type: 'wait'; duration_ms: number })
  | (StepBase & { type: 'goto'; step?: string; flow?: string })
  | (StepBase & { type: 'handoff'; queue?: string; text?: Text; /** var names shown in the summary (default all set). */ summary?: string[] })
  | (StepBase & { type: 'form'; form: string; fields: string[] })
  | (StepBase & { type: 'survey'; kind: 'csat' | 'nps'; text: Text; comment: boolean; comment_text?: Text; thanks?: Text })
  | (StepBase & { type: 'end'; text?: Text });

export type StepType = Step['type'];

/** A problem found in a document: where (a JSON pointer-like path such as `steps[3].options[0].title`), what, and how to fix it. */
export interface FlowProblem {
  path: string;
  message: string;
  fix: string;
  severity: 'error' | 'warning';
  /** A stable id of the rule (`reference.unknown-step`, `limits.button-title`): tests and UIs key on it, never on the wording. */
  rule?: string;
  /** Where in the source text (1-based), when the document was read from YAML or JSON text. */
  line?: number;
  column?: number;
}
