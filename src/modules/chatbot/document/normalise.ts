/**
 * Turns an authoring document (already valid against the JSON Schema) into the normalised
 * `FlowDocument` the engine runs: every default filled in, shorthands expanded (options as plain
 * titles, `keywords: oi`, durations as `30m`, `send: {text}`), ids given to steps and options
 * that have none. Things only this pass can see (a duration out of range, a send step with two
 * messages) come back as findings; the reference and limit rules run on its result.
 */
import { DEFAULT_TEXTS } from './default-texts.js';
import { formatDuration, parseDuration } from './duration.js';
import { error, type Finding, type PathSegments } from './problem.js';
import type { CatalogItem, FlowDocument, FlowLanguage, FlowSettings, Intent, MenuOption, OutboundSpec, Step, Trigger } from './types.js';

type Raw = Record<string, unknown>;

const SEND_SHORTHANDS = ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'message'] as const;

const DEFAULTS = { session_timeout_ms: 30 * 60_000, nlu_threshold: 0.7, max_misses: 2, default_queue: 'support', max_tries: 3, timeout_ms: 10_000, retries: 0, max_results: 5 };

/** Limits of the duration fields, in ms. */
export const DURATION_LIMITS = {
  session_timeout: { min: 60_000, max: 30 * 86_400_000 },
  timeout: { min: 100, max: 30_000 },
  duration: { min: 1_000, max: 30 * 86_400_000 },
} as const;

/** The normalised document, and what normalising found wrong. */
export function normaliseFlow(source: Raw): { document: FlowDocument; findings: Finding[] } {
  const findings: Finding[] = [];
  const language = (source.language as FlowLanguage | undefined) ?? 'pt';
  const rawSteps = source.steps as Raw[];
  const ids = stepIds(rawSteps);
  const steps = rawSteps.map((raw, index) => normaliseStep(raw, index, ids, findings));
  const document: FlowDocument = {
    format: 1,
    name: source.name as string,
    ...(source.description !== undefined ? { description: source.description as string } : {}),
    language,
    triggers: ((source.triggers as Raw[] | undefined) ?? []).map(normaliseTrigger),
    variables: { ...((source.variables as Raw | undefined) ?? {}) },
    settings: normaliseSettings((source.settings as Raw | undefined) ?? {}, language, findings),
    intents: ((source.intents as Raw[] | undefined) ?? []).map((intent) => normaliseIntent(intent, language)),
    catalogs: Object.fromEntries(Object.entries((source.catalogs as Record<string, Raw[]> | undefined) ?? {}).map(([name, items]) => [name, items.map(normaliseItem)])),
    start: (source.start as string | undefined) ?? steps[0]?.id ?? '',
    steps,
  };
  return { document, findings };
}

/** Each step's id: its own, or `step_<n>` (n its position from 1), never one another step has. */
function stepIds(raw: Raw[]): string[] {
  const taken = new Set(raw.map((step) => step.id).filter((id): id is string => typeof id === 'string'));
  const ids = raw.map((step, index) => {
    if (typeof step.id === 'string') return step.id;
    let id = `step_${index + 1}`;
    while (taken.has(id)) id = `${id}_`;
    taken.add(id);
    return id;
  });
  return ids;
}

function normaliseStep(raw: Raw, index: number, ids: string[], findings: Finding[]): Step {
  const at: PathSegments = ['steps', index];
  const base = { id: ids[index] as string, ...(raw.next !== undefined ? { next: raw.next as string } : {}) };
  const optional = (...keys: string[]): Raw => Object.fromEntries(keys.filter((key) => raw[key] !== undefined).map((key) => [key, raw[key]]));
  switch (raw.type) {
    case 'send':
      return { ...base, type: 'send', message: sendMessage(raw, at, findings) };
    case 'send_template':
      return { ...base, type: 'send_template', template: { ...(raw.template as { name: string; language: string; components?: unknown[] }) } };
    case 'menu':
      return {
        ...base,
        type: 'menu',
        text: raw.text as string,
        ...optional('header', 'footer'),
        options: (raw.options as unknown[]).map(normaliseOption),
        ...optional('var'),
        max_tries: (raw.max_tries as number | undefined) ?? DEFAULTS.max_tries,
        ...optional('on_fail'),
      } as Step;
    case 'ask':
      return {
        ...base,
        type: 'ask',
        text: raw.text as string,
        input: (raw.input as Extract<Step, { type: 'ask' }>['input'] | undefined) ?? 'text',
        var: raw.var as string,
        ...optional('choices', 'min', 'max', 'media_types'),
        max_tries: (raw.max_tries as number | undefined) ?? DEFAULTS.max_tries,
        ...optional('on_fail', 'retry_text'),
      } as Step;
    case 'set':
      return { ...base, type: 'set', values: Object.fromEntries(Object.entries(raw.values as Raw).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)])) };
    case 'condition':
      return { ...base, type: 'condition', branches: (raw.branches as Array<{ if: string; goto: string }>).map((branch) => ({ if: branch.if, goto: branch.goto })), ...optional('else') } as Step;
    case 'http':
      return {
        ...base,
        type: 'http',
        method: (raw.method as Extract<Step, { type: 'http' }>['method'] | undefined) ?? 'GET',
        url: raw.url as string,
        headers: { ...((raw.headers as Record<string, string> | undefined) ?? {}) },
        ...optional('body'),
        timeout_ms: durationField(raw, at, 'timeout', DEFAULTS.timeout_ms, findings),
        retries: (raw.retries as number | undefined) ?? DEFAULTS.retries,
        save: { ...((raw.save as Record<string, string> | undefined) ?? {}) },
        ...optional('on_error'),
      } as Step;
    case 'search':
      return {
        ...base,
        type: 'search',
        catalog: raw.catalog as string,
        query: (raw.query as string | undefined) ?? '{{input}}',
        text: raw.text as string,
        var: raw.var as string,
        max_results: (raw.max_results as number | undefined) ?? DEFAULTS.max_results,
        ...optional('on_empty'),
      } as Step;
    case 'intent':
      return { ...base, type: 'intent', ...optional('text'), routes: { ...(raw.routes as Record<string, string>) }, ...optional('fallback') } as Step;
    case 'wait':
      return { ...base, type: 'wait', duration_ms: durationField(raw, at, 'duration', undefined, findings) };
    case 'goto':
      if ((raw.step === undefined) === (raw.flow === undefined)) {
        findings.push(error('step.goto-target', at, raw.step === undefined ? 'A goto step needs "step" or "flow".' : 'A goto step has both "step" and "flow".', 'Write step: STEP_ID to jump inside this flow, or flow: FLOW_NAME to start another flow, not both.'));
      }
      return { ...base, type: 'goto', ...optional('step', 'flow') } as Step;
    case 'handoff':
      return { ...base, type: 'handoff', ...optional('queue', 'text', 'summary') } as Step;
    case 'form':
      return { ...base, type: 'form', form: raw.form as string, fields: [...(raw.fields as string[])] };
    case 'survey':
      return { ...base, type: 'survey', kind: raw.kind as 'csat' | 'nps', text: raw.text as string, comment: (raw.comment as boolean | undefined) ?? false, ...optional('comment_text', 'thanks') } as Step;
    default:
      return { ...base, type: 'end', ...optional('text') } as Step;
  }
}

function sendMessage(raw: Raw, at: PathSegments, findings: Finding[]): OutboundSpec {
  const given = SEND_SHORTHANDS.filter((key) => raw[key] !== undefined);
  if (given.length !== 1) {
    findings.push(
      error(
        'step.send-content',
        given.length === 0 ? at : [...at, given[1] as string],
        given.length === 0 ? 'A send step needs what to send.' : `A send step sends one message; this one has ${given.join(' and ')}.`,
        given.length === 0 ? 'Add text: "…" (or image, video, audio, document, sticker, location, or message for any Cloud API message).' : 'Keep one, and put the other in a send step of its own (an image caption goes in image.caption).',
      ),
    );
  }
  const kind = given[0] ?? 'text';
  if (kind === 'message') return { ...(raw.message as OutboundSpec) };
  if (kind === 'text') return { type: 'text', text: { body: (raw.text as string | undefined) ?? '' } };
  return { type: kind, [kind]: { ...(raw[kind] as Raw) } };
}

function normaliseOption(raw: unknown, index: number): MenuOption {
  const id = `opt_${index + 1}`;
  if (typeof raw === 'string') return { id, title: raw, synonyms: [] };
  const option = raw as Raw;
  return {
    id: (option.id as string | undefined) ?? id,
    title: option.title as string,
    ...(option.description !== undefined ? { description: option.description as string } : {}),
    synonyms: list(option.synonyms),
    ...(option.goto !== undefined ? { goto: option.goto as string } : {}),
    ...(option.value !== undefined ? { value: option.value } : {}),
  };
}

function normaliseTrigger(raw: Raw): Trigger {
  switch (raw.type) {
    case 'keyword':
      return { type: 'keyword', keywords: list(raw.keywords) };
    case 'pattern':
      return { type: 'pattern', pattern: raw.pattern as string };
    case 'intent':
      return { type: 'intent', intents: list(raw.intents) };
    case 'payload':
      return { type: 'payload', payloads: list(raw.payloads) };
    case 'referral':
      return { type: 'referral', source_ids: list(raw.source_ids) };
    default:
      return { type: raw.type as 'any' | 'new_contact' | 'welcome' | 'api' | 'resolved' };
  }
}

function normaliseSettings(raw: Raw, language: FlowLanguage, findings: Finding[]): FlowSettings {
  return {
    session_timeout_ms: durationField(raw, ['settings'], 'session_timeout', DEFAULTS.session_timeout_ms, findings),
    nlu_threshold: (raw.nlu_threshold as number | undefined) ?? DEFAULTS.nlu_threshold,
    max_misses: (raw.max_misses as number | undefined) ?? DEFAULTS.max_misses,
    default_queue: (raw.default_queue as string | undefined) ?? DEFAULTS.default_queue,
    texts: { ...DEFAULT_TEXTS[language], ...((raw.texts as Partial<FlowSettings['texts']> | undefined) ?? {}) },
  };
}

function normaliseIntent(raw: Raw, language: FlowLanguage): Intent {
  const phrases = Array.isArray(raw.phrases) ? { [language]: [...(raw.phrases as string[])] } : { ...(raw.phrases as Intent['phrases']) };
  return {
    name: raw.name as string,
    phrases,
    global: (raw.global as boolean | undefined) ?? false,
    ...(raw.goto !== undefined ? { goto: raw.goto as string } : {}),
    ...(raw.action !== undefined ? { action: raw.action as Intent['action'] } : {}),
    ...(raw.title !== undefined ? { title: raw.title as string } : {}),
  };
}

function normaliseItem(raw: Raw): CatalogItem {
  return { ...(raw as unknown as CatalogItem) };
}

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...(value as string[])];
}

/**
 * A duration given as `<key>` (`30m` or ms) or `<key>_ms` (ms): one of them, within the key's
 * limits. Without either, the default (a wait step has none: it needs one).
 */
function durationField(raw: Raw, at: PathSegments, key: keyof typeof DURATION_LIMITS, fallback: number | undefined, findings: Finding[]): number {
  const friendly = raw[key];
  const exact = raw[`${key}_ms`];
  if (friendly !== undefined && exact !== undefined) {
    findings.push(error('duration.twice', [...at, `${key}_ms`], `Both ${key} and ${key}_ms are given.`, `Keep one: ${key}: ${typeof friendly === 'string' ? friendly : formatDuration(Number(friendly))}.`));
  }
  const given = friendly ?? exact;
  if (given === undefined) {
    if (fallback !== undefined) return fallback;
    findings.push(error('schema.required', at, `A wait step needs "${key}".`, `Add ${key}: how long to wait, e.g. ${key}: 2h (1 s to 30 days).`));
    return 0;
  }
  const ms = parseDuration(given) ?? 0;
  const limits = DURATION_LIMITS[key];
  if (ms < limits.min || ms > limits.max) {
    findings.push(
      error(
        'duration.range',
        [...at, friendly !== undefined ? key : `${key}_ms`],
        `${key} is ${formatDuration(ms)}${typeof given === 'number' ? ` (${given} ms)` : ''}; it must be from ${formatDuration(limits.min)} to ${formatDuration(limits.max)}.`,
        `Write a duration from ${formatDuration(limits.min)} to ${formatDuration(limits.max)}, e.g. ${key}: ${formatDuration(Math.min(Math.max(ms, limits.min), limits.max))}.${typeof given === 'number' && ms < 1000 && limits.min >= 1000 ? ' A plain number is milliseconds: write 30s, 5m or 2h for seconds, minutes or hours.' : ''}`,
      ),
    );
  }
  return ms;
}
