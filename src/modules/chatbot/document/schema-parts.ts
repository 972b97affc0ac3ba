/**
 * Building blocks of the flow JSON Schema: the name patterns (each with the words the problems
 * use to explain it), and small schema makers shared by the top level (./schema.ts) and the
 * steps (./schema-steps.ts).
 */

/** A JSON Schema object, as plain data (it is served as JSON at /api/v1/flows/schema.json). */
export type JsonSchema = Record<string, unknown>;

export interface NamePattern {
  source: string;
  /** What the name is, in a problem: "variable name". */
  noun: string;
  /** How a problem says what the rule is. */
  says: string;
  example: string;
}

export const PATTERNS = {
  flowName: { noun: 'flow name', source: '^[a-z0-9][a-z0-9_-]{0,63}$', says: 'lowercase letters, digits, _ and -, starting with a letter or digit, at most 64 characters', example: 'support-bot' },
  stepId: { noun: 'step id', source: '^[A-Za-z0-9_.-]{1,64}$', says: 'letters, digits, _, . and -, at most 64 characters', example: 'ask_email' },
  varName: { noun: 'variable name', source: '^(?!__)[A-Za-z_][A-Za-z0-9_]{0,63}$', says: 'letters, digits and _, starting with a letter, at most 64 characters', example: 'customer_email' },
  intentName: { noun: 'intent name', source: '^[a-z0-9][a-z0-9._-]{0,63}$', says: 'lowercase letters, digits, ., _ and -, starting with a letter or digit, at most 64 characters', example: 'order.status' },
  catalogName: { noun: 'catalogue name', source: '^[a-z0-9][a-z0-9_-]{0,63}$', says: 'lowercase letters, digits, _ and -, starting with a letter or digit, at most 64 characters', example: 'faq' },
  queueName: { noun: 'queue name', source: '^[a-z0-9][a-z0-9_-]{0,63}$', says: 'lowercase letters, digits, _ and -, starting with a letter or digit, at most 64 characters', example: 'support' },
  headerName: { noun: 'header name', source: "^[A-Za-z0-9][A-Za-z0-9!#$%&'*+.^_`|~-]{0,127}$", says: 'letters, digits and - (an HTTP header name), at most 128 characters', example: 'Authorization' },
  duration: { noun: 'duration', source: '^([0-9]+(ms|s|m|h|d))+$', says: 'a duration such as 45s, 30m, 2h, 1d or 1h30m (or a number of milliseconds)', example: '30m' },
  templateLanguage: { noun: 'language code', source: '^[a-z]{2,3}(_[A-Za-z]{2,4})?$', says: 'a template language code such as pt_BR, en_US or es', example: 'pt_BR' },
} as const satisfies Record<string, NamePattern>;

/** The pattern a schema names, by its source (ajv reports the source of the pattern that failed). */
export function patternBySource(source: string): NamePattern | undefined {
  return Object.values(PATTERNS).find((pattern) => pattern.source === source);
}

/** The step types, in the order the docs present them. */
export const STEP_TYPES = ['send', 'send_template', 'menu', 'ask', 'set', 'condition', 'http', 'search', 'intent', 'wait', 'goto', 'handoff', 'form', 'survey', 'end'] as const;

export const TRIGGER_TYPES = ['keyword', 'pattern', 'intent', 'any', 'payload', 'referral', 'new_contact', 'welcome', 'api', 'resolved'] as const;

export const ASK_INPUTS = ['text', 'number', 'email', 'phone', 'cpf', 'cnpj', 'cep', 'date', 'time', 'yes_no', 'choice', 'media', 'location'] as const;

export const MEDIA_KINDS = ['image', 'document', 'audio', 'video', 'sticker'] as const;

/** A string matching one of PATTERNS, documented. */
export function named(pattern: NamePattern, title: string, description: string): JsonSchema {
  return { title, description: `${description} ${capitalise(pattern.says)}.`, type: 'string', pattern: pattern.source, examples: [pattern.example] };
}

/** A reference to a step of this flow by its id. */
export function stepRef(title: string, description: string): JsonSchema {
  return { title, description: `${description} The id of a step of this flow.`, type: 'string', pattern: PATTERNS.stepId.source, examples: ['main_menu'] };
}

/** Text the customer reads, with `{{expression}}` placeholders. */
export function text(title: string, description: string, maxLength = 4096): JsonSchema {
  return { title, description: `${description} May hold {{expression}} placeholders (JSONata), e.g. {{vars.name}}.`, type: 'string', minLength: 1, maxLength };
}

/** A JSONata expression, or a literal value when it is not a string (numbers, true/false, lists, objects). */
export function expression(title: string, description: string): JsonSchema {
  return {
    title,
    description: `${description} A JSONata expression as text (e.g. "vars.count + 1", "'Maria'" for a text), or a plain number, true/false, list or object taken as is.`,
    if: { type: 'string' },
    then: { type: 'string', minLength: 1, maxLength: 2000 },
  };
}

/** A duration: `45s`, `30m`, `2h`, `1d`, `1h30m`, or milliseconds as a number. */
export function duration(title: string, description: string): JsonSchema {
  return {
    title,
    description: `${description} Written as 45s, 30m, 2h, 1d or 1h30m, or as a number of milliseconds.`,
    type: ['string', 'integer'],
    if: { type: 'string' },
    then: { type: 'string', pattern: PATTERNS.duration.source, maxLength: 20 },
    else: { type: 'integer', minimum: 0 },
    examples: ['30m', 45000],
  };
}

/** One string, or a list of them (`keywords: oi` is `keywords: [oi]`). */
export function oneOrMany(title: string, description: string, item: JsonSchema, { minItems = 1, maxItems = 100 } = {}): JsonSchema {
  return {
    title,
    description: `${description} One value or a list.`,
    type: ['string', 'array'],
    if: { type: 'string' },
    then: item,
    else: { type: 'array', minItems, maxItems, items: item },
  };
}

/** An object with exactly these fields (typos are problems, not silently ignored). */
export function strictObject(title: string, description: string, properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  return { title, description, type: 'object', additionalProperties: false, ...(required.length > 0 ? { required } : {}), properties };
}

function capitalise(words: string): string {
  return words.charAt(0).toUpperCase() + words.slice(1);
}
