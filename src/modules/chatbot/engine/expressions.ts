import jsonata from 'jsonata';
import type { FlowDocument } from '../document/index.js';

/** What expressions and `{{ }}` placeholders see (`vars.plan`, `contact.name`, `input`, `item.title`, `now`). */
export interface Scope {
  vars: Record<string, unknown>;
  contact: { wa_id: string; name: string | null; language?: string | null; attributes?: Record<string, unknown> };
  /** The customer's message being handled (its text, button title or caption); null without one. */
  input: string | null;
  /** The catalogue item being answered (search steps). */
  item: unknown;
  /** The event's time, ISO 8601. */
  now: string;
  /** Why an answer was refused (re-prompt texts). */
  reason?: string;
}

export type Evaluation = { ok: true; value: unknown } | { ok: false; error: string };

/** How many JSONata nodes one evaluation may visit before it is stopped (a runaway recursion, a huge loop). */
const MAX_EVALUATION_STEPS = 10_000;
const ENTRY_HOOK = Symbol.for('jsonata.__evaluate_entry');
const BUDGET = '__conversa_budget';

type Compiled = ReturnType<typeof jsonata>;
const cache = new WeakMap<FlowDocument, Map<string, Compiled | Error>>();

/**
 * Evaluates a JSONata expression of `flow` over `input` (a Scope, or an HTTP answer's
 * `{status, body, headers}`). Each expression is compiled once per flow object; `$now()` and
 * `$millis()` answer `now` (the event's time), never the host's clock. Never throws: a syntax
 * or run-time error is `{ ok: false, error }`.
 */
export async function evaluate(flow: FlowDocument, expression: string, input: object, now: string): Promise<Evaluation> {
  const compiled = compile(flow, expression);
  if (compiled instanceof Error) return { ok: false, error: compiled.message };
  const millis = Date.parse(now);
  try {
    const value: unknown = await compiled.evaluate(input, { now: () => now, millis: () => millis, [BUDGET]: { steps: 0 } });
    return { ok: true, value: toJson(value) };
  } catch (error) {
    return { ok: false, error: describe(error) };
  }
}

function compile(flow: FlowDocument, expression: string): Compiled | Error {
  let expressions = cache.get(flow);
  if (!expressions) {
    expressions = new Map();
    cache.set(flow, expressions);
  }
  let compiled = expressions.get(expression);
  if (compiled === undefined) {
    try {
      compiled = jsonata(expression);
      // jsonata 2.x looks its evaluation hooks up by symbol; assign()'s string-only type is too narrow.
      (compiled.assign as (name: string | symbol, value: unknown) => void)(ENTRY_HOOK, (_node: unknown, _input: unknown, environment: { lookup(name: string): unknown }) => {
        const budget = environment.lookup(BUDGET) as { steps: number } | undefined;
        if (budget && ++budget.steps > MAX_EVALUATION_STEPS) throw new Error(`stopped after ${MAX_EVALUATION_STEPS} evaluation steps`);
      });
    } catch (error) {
      compiled = new Error(describe(error));
    }
    expressions.set(expression, compiled);
  }
  return compiled;
}

function describe(error: unknown): string {
  if (error && typeof error === 'object') {
    const { message, position, token } = error as { message?: string; position?: number; token?: string };
    const where = position !== undefined ? ` at ${position}${token ? ` ("${token}")` : ''}` : '';
    if (message) return `${message}${where}`;
  }
  return String(error);
}

/** JSONata answers arrays with extra properties and may answer functions: keep what JSON keeps. */
function toJson(value: unknown): unknown {
  if (value === undefined || typeof value === 'function') return undefined;
  if (value === null || typeof value !== 'object') return value;
  return JSON.parse(JSON.stringify(value)) as unknown;
}

/** JSONata's `$boolean()`: empty strings, 0, empty arrays and objects, null and nothing are false. */
export function truthy(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.some(truthy);
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return false;
}

export interface InterpolateOptions {
  /**
   * In HTTP requests: `{{secrets.NAME}}` stays as written for the runtime to resolve, and `{{`
   * inside values is broken up so a customer's answer cannot smuggle a secret placeholder in.
   * Elsewhere a secret placeholder becomes empty (with a warning): secrets never reach a message.
   */
  secrets: 'keep' | 'drop';
  warn: (message: string) => void;
  /** Escapes a placeholder's text (`at`: where the placeholder starts in the text). */
  escape?: (value: string, at: number) => string;
}

const PLACEHOLDER = /\{\{([\s\S]*?)\}\}/g;
const SECRET = /^\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*$/;

/**
 * Replaces each `{{ expression }}` in `text` by its JSONata value over `scope`: nothing → empty,
 * strings and numbers as they are, objects and arrays as JSON.
 */
export async function interpolate(flow: FlowDocument, text: string, scope: Scope, options: InterpolateOptions): Promise<string> {
  if (!text.includes('{{')) return text;
  let out = '';
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    out += text.slice(last, match.index);
    last = match.index + match[0].length;
    const at = match.index;
    out += await placeholder(flow, match[0], match[1] ?? '', scope, options, (value) => (options.escape ? options.escape(stringify(value), at) : stringify(value)));
  }
  return out + text.slice(last);
}

/**
 * Interpolates every string inside `value` (a message body, an HTTP request's body). A string
 * that is one placeholder and nothing else takes the value's own type (`"{{vars.qty}}"` → 3).
 */
export async function interpolateDeep(flow: FlowDocument, value: unknown, scope: Scope, options: InterpolateOptions): Promise<unknown> {
  if (typeof value === 'string') {
    const sole = /^\{\{([\s\S]*?)\}\}$/.exec(value);
    if (sole && !sole[1]?.includes('}}')) return placeholder(flow, value, sole[1] ?? '', scope, options, (raw) => (raw === undefined ? '' : raw));
    return interpolate(flow, value, scope, options);
  }
  if (Array.isArray(value)) return Promise.all(value.map((item) => interpolateDeep(flow, item, scope, options)));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = await interpolateDeep(flow, item, scope, options);
    return out;
  }
  return value;
}

async function placeholder<T>(flow: FlowDocument, whole: string, expression: string, scope: Scope, options: InterpolateOptions, shape: (value: unknown) => T): Promise<T | string> {
  const secret = SECRET.exec(expression);
  if (secret || /(?:^|[^.\w$])secrets\s*[.[]/.test(expression)) {
    if (options.secrets === 'keep' && secret) return `{{secrets.${secret[1]}}}`;
    options.warn(
      options.secrets === 'keep'
        ? `"${whole}" mixes a secret into an expression; write {{secrets.NAME}} alone (left empty)`
        : `"${whole}": secrets are for HTTP steps only (left empty)`,
    );
    return '';
  }
  const result = await evaluate(flow, expression.trim(), scope, scope.now);
  if (!result.ok) {
    options.warn(`"${whole}": ${result.error} (left empty)`);
    return '';
  }
  const value = options.secrets === 'keep' ? defuse(result.value) : result.value;
  return shape(value);
}

/** Breaks `{{` in values bound for an HTTP request, so only the flow's own placeholders resolve. */
function defuse(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('{{', '{ {');
  if (Array.isArray(value)) return value.map(defuse);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key.replaceAll('{{', '{ {'), defuse(item)]));
  return value;
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
