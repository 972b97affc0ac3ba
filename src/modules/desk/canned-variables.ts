/**
 * The variables a canned reply may use, and its rendering. Pure: a reply's text is split into
 * literal text and `{{variable}}` references once, each reference is looked up in plain data
 * (own properties only); nothing is ever evaluated, and a value is inserted as it is (a value
 * holding `{{...}}` is not expanded again).
 */

/** The variables, as documented in docs/inbox.md; `<key>` is any attribute or bot variable name. */
export const CANNED_VARIABLES = [
  'contact.name',
  'contact.first_name',
  'contact.wa_id',
  'contact.phone',
  'contact.attributes.<key>',
  'agent.name',
  'agent.first_name',
  'agent.email',
  'conversation.queue',
  'bot.vars.<key>',
] as const;

const FIXED = new Set(CANNED_VARIABLES.filter((name) => !name.includes('<')));
const KEYED = /^(contact\.attributes|bot\.vars)\.([A-Za-z0-9_-]{1,64})$/;
const REFERENCE = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** What a reply is rendered with. */
export interface CannedContext {
  contact: { name: string | null; wa_id: string; phone: string; attributes: Readonly<Record<string, string>> };
  agent: { name: string; email: string };
  conversation: { queue: string | null };
  /** The variables of the bot's current session in the conversation ({} without one). */
  botVars: Readonly<Record<string, unknown>>;
}

/**
 * Checks a reply's text: every `{{...}}` must be a known variable, and no `{{` or `}}` may be
 * left unpaired. Answers the first offending variable (as written) or undefined.
 *
 * @example lintCannedText('Olá {{contact.name}}, {{ pedido }}') // → 'pedido'
 */
export function lintCannedText(text: string): string | undefined {
  for (const match of text.matchAll(REFERENCE)) {
    const name = match[1] as string;
    if (!FIXED.has(name as never) && !KEYED.test(name)) return name;
  }
  const rest = text.replace(REFERENCE, '');
  const stray = /\{\{[^]{0,40}|[^]{0,40}\}\}/.exec(rest);
  return stray ? stray[0] : undefined;
}

/**
 * Fills a linted reply's variables from `context`. A variable without a value (a contact without
 * a name, an attribute it does not have, no bot session) becomes '' and is listed in `missing`.
 */
export function renderCannedText(text: string, context: CannedContext): { text: string; missing: string[] } {
  const missing: string[] = [];
  const rendered = text.replace(REFERENCE, (_whole, name: string) => {
    const value = valueOf(name, context);
    if (value === undefined || value === '') {
      if (!missing.includes(name)) missing.push(name);
      return '';
    }
    return value;
  });
  return { text: rendered, missing };
}

function valueOf(name: string, context: CannedContext): string | undefined {
  const keyed = KEYED.exec(name);
  if (keyed) {
    const source: Readonly<Record<string, unknown>> = keyed[1] === 'bot.vars' ? context.botVars : context.contact.attributes;
    const key = keyed[2] as string;
    return Object.hasOwn(source, key) ? scalar(source[key]) : undefined;
  }
  switch (name) {
    case 'contact.name':
      return context.contact.name ?? undefined;
    case 'contact.first_name':
      return firstName(context.contact.name);
    case 'contact.wa_id':
      return context.contact.wa_id;
    case 'contact.phone':
      return context.contact.phone || undefined;
    case 'agent.name':
      return context.agent.name;
    case 'agent.first_name':
      return firstName(context.agent.name);
    case 'agent.email':
      return context.agent.email;
    case 'conversation.queue':
      return context.conversation.queue ?? undefined;
    default:
      return undefined;
  }
}

function firstName(name: string | null): string | undefined {
  return name?.trim().split(/\s+/)[0] || undefined;
}

/** A bot variable as text: strings, numbers and booleans as such; objects and lists as JSON. */
function scalar(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
