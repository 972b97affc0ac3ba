/**
 * The JSON Schema (draft 2020-12) of the flow AUTHORING format: the YAML or JSON a business
 * writes. It is friendlier than the normalised `FlowDocument` (./types.ts) — durations as `30m`,
 * options as plain titles, ids and defaults left out — and strict (`additionalProperties: false`
 * everywhere a typo could hide). A normalised document is itself a valid authoring document.
 * Served at `/api/v1/flows/schema.json`; editors (VS Code YAML) use it for completion.
 */
import { PATTERNS, STEP_TYPES, TRIGGER_TYPES, duration, named, oneOrMany, stepRef, strictObject, text, type JsonSchema } from './schema-parts.js';
import { stepSchemas } from './schema-steps.js';

/** The most steps a flow may have. */
export const MAX_STEPS = 500;

/** The largest document accepted, in bytes of its source text. */
export const MAX_DOCUMENT_BYTES = 512 * 1024;

export const flowDocumentSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://conversa.local/schemas/flow.json',
  title: 'Conversa flow',
  description: 'A chatbot flow: what starts it (triggers), what it knows (variables, intents, catalogs) and what it does (steps, in order). See docs/flows.md.',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'steps'],
  properties: {
    format: { title: 'Format', description: 'The format version of this document: 1 (the default).', const: 1, default: 1 },
    name: named(PATTERNS.flowName, 'Flow name', 'The flow\'s name, unique in the workspace.'),
    description: { title: 'Description', description: 'What the flow is for, for the people who maintain it.', type: 'string', maxLength: 1000 },
    language: { title: 'Language', description: 'The flow\'s main language: pt (the default), en or es. It picks the default texts and the language of intent phrases written as a plain list.', enum: ['pt', 'en', 'es'], default: 'pt' },
    triggers: { title: 'Triggers', description: 'What starts the flow for a contact with no running session (none: only another flow or the API starts it).', type: 'array', maxItems: 100, items: { $ref: '#/$defs/trigger' } },
    variables: {
      title: 'Variables',
      description: 'Variables and their initial values: vars.NAME in expressions, {{vars.NAME}} in texts.',
      type: 'object',
      propertyNames: { title: 'Variable name', pattern: PATTERNS.varName.source },
    },
    settings: { title: 'Settings', description: 'How the engine behaves for this flow (session timeout, NLU threshold, misses, default queue, texts); everything has a default.', $ref: '#/$defs/settings' },
    intents: { title: 'Intents', description: 'What customers may mean, with training phrases; used by intent triggers, intent steps and global navigation.', type: 'array', maxItems: 200, items: { $ref: '#/$defs/intent' } },
    catalogs: {
      title: 'Catalogues',
      description: 'Catalogues and FAQs that search steps look in: name → items.',
      type: 'object',
      propertyNames: { title: 'Catalogue name', pattern: PATTERNS.catalogName.source },
      additionalProperties: { title: 'Catalogue', description: 'The items of one catalogue.', type: 'array', maxItems: 5000, items: { $ref: '#/$defs/catalog_item' } },
    },
    start: stepRef('Start', 'The first step (default: the first of `steps`).'),
    steps: { title: 'Steps', description: `What the flow does, in order: a step without next goes on with the one after it. At most ${MAX_STEPS}.`, type: 'array', minItems: 1, maxItems: MAX_STEPS, items: { $ref: '#/$defs/step' } },
  },
  $defs: {
    trigger: {
      title: 'Trigger',
      description: `What starts the flow: ${TRIGGER_TYPES.join(', ')}.`,
      type: 'object',
      required: ['type'],
      properties: { type: { title: 'Trigger type', description: 'Which kind of trigger.', enum: [...TRIGGER_TYPES] } },
      discriminator: { propertyName: 'type' },
      oneOf: TRIGGER_TYPES.map((type) => ({ $ref: `#/$defs/trigger_${type}` })),
    },
    trigger_keyword: trigger('keyword', 'Keyword trigger', 'A message whose whole text is one of the keywords (case and accents folded, trimmed).', {
      keywords: oneOrMany('Keywords', 'The words or phrases.', { type: 'string', minLength: 1, maxLength: 100 }),
    }, ['keywords']),
    trigger_pattern: trigger('pattern', 'Pattern trigger', 'A message whose text matches a regular expression (flags i and u).', {
      pattern: { title: 'Pattern', description: 'A JavaScript regular expression, at most 200 characters, without nested repetition such as (a+)+.', type: 'string', minLength: 1, maxLength: 200, examples: ['^pedido\\s*#?\\d+$'] },
    }, ['pattern']),
    trigger_intent: trigger('intent', 'Intent trigger', 'A message classified as one of these intents above settings.nlu_threshold.', {
      intents: oneOrMany('Intents', 'Names of `intents`.', { type: 'string', pattern: PATTERNS.intentName.source }),
    }, ['intents']),
    trigger_any: trigger('any', 'Any-message trigger', 'Any message from a contact with no running session: the number\'s default flow. At most one per flow.', {}, []),
    trigger_payload: trigger('payload', 'Payload trigger', 'A button or list reply whose id is one of these (e.g. a template\'s quick reply).', {
      payloads: oneOrMany('Payloads', 'The reply ids.', { type: 'string', minLength: 1, maxLength: 256 }),
    }, ['payloads']),
    trigger_referral: trigger('referral', 'Referral trigger', 'A first message from a click-to-WhatsApp ad.', {
      source_ids: oneOrMany('Ad ids', 'Only these ads (source_id of the referral); none: any ad.', { type: 'string', minLength: 1, maxLength: 256 }, { minItems: 0 }),
    }, []),
    trigger_new_contact: trigger('new_contact', 'New-contact trigger', 'The first message of a contact the platform did not know.', {}, []),
    trigger_welcome: trigger('welcome', 'Welcome trigger', "The customer opened the chat for the first time (Meta's request_welcome, sent when the number's welcome message is on: PUT /api/v1/phone-numbers/{id}/automation).", {}, []),
    trigger_resolved: trigger('resolved', 'Resolved trigger', 'A person resolved the conversation asking for the survey (POST /api/v1/conversations/{id}/resolve {"survey": true}): e.g. a CSAT flow. vars.resolved_by holds the agent and queue.', {}, []),
    trigger_api: trigger('api', 'API trigger', 'Started only by POST /api/v1/flows/{id}/runs (e.g. an appointment reminder); start with a send_template step, since the window may be closed.', {}, []),
    step: {
      title: 'Step',
      description: `One thing the flow does: ${STEP_TYPES.join(', ')}.`,
      type: 'object',
      required: ['type'],
      properties: { type: { title: 'Step type', description: 'Which kind of step.', enum: [...STEP_TYPES] } },
      discriminator: { propertyName: 'type' },
      oneOf: STEP_TYPES.map((type) => ({ $ref: `#/$defs/step_${type}` })),
    },
    ...stepSchemas(),
    settings: strictObject('Settings', 'How the engine behaves for this flow; everything has a default.', {
      session_timeout: duration('Session timeout', 'A session idle this long ends (default 30m).'),
      session_timeout_ms: { title: 'Session timeout (ms)', description: 'The session timeout in milliseconds (use `session_timeout` or this).', type: 'integer', minimum: 0 },
      nlu_threshold: { title: 'NLU threshold', description: 'An intent\'s confidence below this counts as not understood, 0 to 1 (default 0.7).', type: 'number', minimum: 0, maximum: 1, default: 0.7 },
      max_misses: { title: 'Misses before handoff', description: 'Not-understood answers in a row before handing off, 0 (never) to 10 (default 2).', type: 'integer', minimum: 0, maximum: 10, default: 2 },
      default_queue: named(PATTERNS.queueName, 'Default queue', 'Where handoffs go when they name no queue (default support).'),
      texts: strictObject('Texts', 'What the engine says by itself; defaults in the flow\'s language.', {
        invalid: text('Invalid answer', 'Said before re-asking when an answer is invalid; {{reason}} is why.'),
        did_you_mean: text('Did you mean', 'Said above the best intents offered as buttons.', 1024),
        handoff: text('Handoff', 'Said when handing off after too many misses.'),
        timeout: { title: 'Timeout', description: 'Said when the session times out; empty: say nothing.', type: 'string', maxLength: 4096 },
        list_button: { title: 'List button', description: 'The button that opens a list (at most 20 characters).', type: 'string', minLength: 1, maxLength: 20 },
        more: { title: 'More', description: 'The "more options" row of a paged list (at most 24 characters).', type: 'string', minLength: 1, maxLength: 24 },
      }),
    }),
    intent: strictObject('Intent', 'Something customers may mean, with training phrases (trained with nlp.js at publish).', {
      name: named(PATTERNS.intentName, 'Intent name', 'Unique in the flow.'),
      phrases: {
        title: 'Phrases',
        description: 'Training phrases: a list (in the flow\'s language) or per language {pt: [...], en: [...], es: [...]}.',
        type: ['array', 'object'],
        if: { type: 'array' },
        then: phraseList(),
        else: { title: 'Phrase list by language', description: 'Training phrases per language.', type: 'object', additionalProperties: false, minProperties: 1, properties: { pt: phraseList('Portuguese'), en: phraseList('English'), es: phraseList('Spanish') } },
      },
      global: { title: 'Global', description: 'Works from any step, e.g. "menu", "voltar", "falar com atendente" (default false); needs goto or action.', type: 'boolean', default: false },
      goto: stepRef('Go to', 'Where the intent leads.'),
      action: { title: 'Action', description: 'menu: back to the start; back: the previous question; handoff: to people; end: end the session.', enum: ['menu', 'back', 'handoff', 'end'] },
      title: { title: 'Button title', description: 'Its button in "did you mean…?" (at most 20 characters; default: the name).', type: 'string', minLength: 1, maxLength: 20 },
    }, ['name', 'phrases']),
    catalog_item: strictObject('Catalogue item', 'A product, service or FAQ entry.', {
      id: { title: 'Id', description: 'Unique in its catalogue (at most 200 characters).', type: 'string', minLength: 1, maxLength: 200 },
      title: { title: 'Title', description: 'Shown as a list row (at most 24 characters).', type: 'string', minLength: 1, maxLength: 200 },
      description: { title: 'Description', description: 'The row\'s second line (at most 72 characters).', type: 'string', maxLength: 200 },
      answer: text('Answer', 'Said when the customer picks this item ({{item.title}} and the like available).'),
      keywords: { title: 'Keywords', description: 'More words to find it by.', type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 } },
      data: { title: 'Data', description: 'Anything else (price, url…), as vars.<var>.data.* after a pick.', type: 'object' },
    }, ['id', 'title']),
  },
};

function trigger(type: string, title: string, description: string, properties: Record<string, JsonSchema>, required: string[]): JsonSchema {
  return strictObject(title, description, { type: { title: 'Trigger type', description: `"${type}".`, const: type }, ...properties }, ['type', ...required]);
}

function phraseList(language?: string): JsonSchema {
  const documented = language ? { title: `${language} phrases`, description: `Training phrases in ${language}.` } : {};
  return { ...documented, type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 500 } };
}
