import { request as httpRequest } from 'node:http';

/**
 * Malformed requests derived from the OpenAPI document, for test/api-bad-input.test.ts.
 *
 * Fastify validates with Ajv in `coerceTypes: 'array'` mode, so a "wrong type" here is a value
 * Ajv cannot coerce: an object for a string, letters for a number, "maybe" for a boolean, a
 * string for an object, an object for an array. `must` marks a probe that breaks a rule the
 * schema declares (the answer has to be a 4xx); the others only must not be a 5xx.
 */
export type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  then?: { required?: string[] };
};

export interface Operation {
  method: string;
  /** As documented: `/api/v1/contacts/{id}`. */
  path: string;
  pathParams: string[];
  query: Record<string, Schema>;
  headers: Record<string, Schema>;
  /** The application/json request body, when the operation takes one. */
  body?: Schema;
}

export interface Probe {
  /** What is wrong, for the failure report. */
  name: string;
  method: string;
  /** Concrete, already encoded, with the query string. */
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The input breaks a declared rule: anything but a 4xx is a failure. */
  must: boolean;
}

/** Every operation of an OpenAPI 3 document. */
export function operationsOf(document: { paths: Record<string, Record<string, OpenApiOperation>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const parameters = operation.parameters ?? [];
      const byPlace = (place: string) => Object.fromEntries(parameters.filter((p) => p.in === place).map((p) => [p.name, p.schema ?? {}]));
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: byPlace('query'),
        headers: byPlace('header'),
        ...(operation.requestBody?.content?.['application/json']?.schema ? { body: operation.requestBody.content['application/json'].schema } : {}),
      });
    }
  }
  return operations;
}

interface OpenApiOperation {
  parameters?: Array<{ in: string; name: string; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

/** Fills `{name}` placeholders, percent-encoding the values unless `raw`. */
export function fillPath(path: string, values: Record<string, string>, raw = false): string {
  return path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = values[name] ?? 'x';
    return raw ? value : encodeURIComponent(value);
  });
}

const PATTERN_SAMPLES = ['BR', 'br', '123', '1', 'v23.0', 'https://example.com/hook', '+5511988887777', 'abc', 'sample'];

/** A value `schema` accepts, built from its declared constraints (enum, pattern, minimum...). */
export function sampleOf(schema: Schema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const branch = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (branch) return sampleOf(branch);
  switch (typeOf(schema)) {
    case 'object': {
      const required = [...(schema.required ?? []), ...(schema.then?.required ?? [])];
      return Object.fromEntries(required.map((name) => [name, sampleOf(schema.properties?.[name] ?? {})]));
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sampleOf(schema.items ?? {}));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    default: {
      if (schema.pattern) {
        const pattern = new RegExp(schema.pattern);
        const fit = PATTERN_SAMPLES.find((candidate) => pattern.test(candidate));
        if (fit) return fit;
      }
      return 'x'.repeat(Math.max(schema.minLength ?? 1, 1));
    }
  }
}

function typeOf(schema: Schema): string | undefined {
  return Array.isArray(schema.type) ? (schema.type.length === 1 ? schema.type[0] : undefined) : schema.type;
}

const HUGE = 'x'.repeat(100_000);
const ODD_TEXT = 'nul\u0000 ação 😀 \u202e rtl \ud800';

/**
 * Body probes for a JSON operation: the body as the wrong JSON type, invalid JSON, wrong
 * content types, then per declared property (to depth 3, at most `maxSlots`): a wrong type,
 * an unknown enum value, a huge string, negative / fractional / huge numbers, odd text,
 * and each required property left out.
 */
export function bodyProbes(method: string, url: string, schema: Schema, base: unknown, maxSlots = 24): Probe[] {
  const probes: Probe[] = [];
  const json = (name: string, value: unknown, must: boolean) => probes.push({ name, method, url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value), must });
  const raw = (name: string, contentType: string | undefined, body: string | Buffer) => probes.push({ name, method, url, headers: contentType ? { 'content-type': contentType } : {}, body, must: true });
  const isObject = typeOf(schema) === 'object';
  for (const [name, value] of [['array', [1, 2]], ['string', 'text'], ['number', 42], ['null', null], ['boolean', true]] as const) json(`body is ${name}`, value, isObject);
  raw('invalid JSON', 'application/json', '{"a": ');
  raw('empty JSON body', 'application/json', '');
  raw('__proto__ key', 'application/json', '{"__proto__": {"admin": true}}');
  raw('deeply nested JSON', 'application/json', `${'['.repeat(5000)}${']'.repeat(5000)}`);
  raw('text/plain', 'text/plain', JSON.stringify(base));
  raw('form urlencoded', 'application/x-www-form-urlencoded', 'a=1&b=2');
  raw('multipart', 'multipart/form-data; boundary=XyZ', '--XyZ\r\ncontent-disposition: form-data; name="a"\r\n\r\n1\r\n--XyZ--\r\n');
  raw('xml', 'application/xml', '<a>1</a>');
  raw('no content type', undefined, JSON.stringify(base));

  for (const slot of slotsOf(schema, base).slice(0, maxSlots)) {
    const label = slot.path.join('.');
    for (const variant of variantsFor(slot.schema)) json(`${label}: ${variant.name}`, withValue(base, slot.path, variant.value), variant.must);
    if (slot.required) json(`${label}: missing`, withValue(base, slot.path, undefined), true);
  }
  return probes;
}

interface Slot {
  path: Array<string | number>;
  schema: Schema;
  required: boolean;
}

// Declared properties of the body, and of the objects and first array items present in `base`.
function slotsOf(schema: Schema, base: unknown, path: Array<string | number> = [], depth = 0): Slot[] {
  if (depth > 2) return [];
  const slots: Slot[] = [];
  if (typeOf(schema) === 'array' && Array.isArray(base) && base.length > 0 && schema.items) return slotsOf(schema.items, base[0], [...path, 0], depth);
  if (!schema.properties || base === null || typeof base !== 'object' || Array.isArray(base)) return slots;
  for (const [name, property] of Object.entries(schema.properties)) {
    if (depth > 0 && !(name in base)) continue;
    slots.push({ path: [...path, name], schema: property, required: (schema.required ?? []).includes(name) });
    const present = (base as Record<string, unknown>)[name];
    if (present !== undefined) slots.push(...slotsOf(property, present, [...path, name], depth + 1));
  }
  return slots;
}

function variantsFor(schema: Schema): Array<{ name: string; value: unknown; must: boolean }> {
  const type = typeOf(schema);
  const branches = schema.anyOf ?? schema.oneOf;
  const numeric = type === 'number' || type === 'integer';
  const variants: Array<{ name: string; value: unknown; must: boolean }> = [];
  if (type) variants.push({ name: 'wrong type', value: WRONG_TYPE[type] ?? {}, must: type in WRONG_TYPE });
  else if (branches) {
    const types = branches.map(typeOf);
    variants.push({ name: 'wrong type', value: {}, must: types.every((t) => t !== undefined && t !== 'object' && t !== 'array') });
  } else variants.push({ name: 'anything', value: { odd: [null, { deep: true }] }, must: false });
  if (schema.enum?.every((v) => typeof v === 'string')) variants.push({ name: 'unknown enum value', value: 'surely_not_a_value', must: true });
  variants.push({ name: 'huge string', value: HUGE, must: (type === 'string' && schema.maxLength !== undefined) || type === 'boolean' || type === 'object' || numeric });
  variants.push({ name: 'negative number', value: -1, must: numeric && schema.minimum !== undefined && schema.minimum >= 0 });
  variants.push({ name: 'fractional number', value: 1.5, must: type === 'integer' });
  variants.push({ name: 'huge number', value: 1e21, must: numeric && schema.maximum !== undefined });
  if (type === 'string' || (!type && !branches)) variants.push({ name: 'NUL, emoji, RTL and a lone surrogate', value: ODD_TEXT, must: false });
  return variants;
}

const WRONG_TYPE: Record<string, unknown> = { string: { not: 'a string' }, number: 'NaN-ish', integer: 'NaN-ish', boolean: 'maybe', object: 'not an object', array: { not: 'an array' } };

function withValue(base: unknown, path: Array<string | number>, value: unknown): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) {
    if (target[key] === null || typeof target[key] !== 'object') target[key] = {};
    target = target[key] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1] as string | number;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

/** Absurd values for a path parameter, already encoded for the URL. */
export const ABSURD_IDS: Array<{ name: string; encoded: string }> = [
  { name: 'unknown id', encoded: 'zz_does_not_exist' },
  { name: 'encoded ../../etc', encoded: encodeURIComponent('../../etc/passwd') },
  { name: 'raw ../../etc', encoded: '../../etc' },
  { name: '5,000 characters', encoded: 'a'.repeat(5000) },
  { name: '70 characters', encoded: 'a'.repeat(70) },
  { name: 'unicode', encoded: encodeURIComponent('ação😀') },
  { name: '%00', encoded: '%00' },
  { name: 'id%00', encoded: 'abc%00def' },
  { name: 'invalid percent-encoding', encoded: '%E0%A4%A' },
  { name: 'invalid UTF-8', encoded: '%FF%FE' },
  { name: 'SQL', encoded: encodeURIComponent("' OR '1'='1") },
  { name: 'space', encoded: '%20' },
];

/** Bad values for one query parameter, per its schema. */
export function queryVariants(schema: Schema): Array<{ name: string; encoded: string; must: boolean }> {
  const type = typeOf(schema);
  const numeric = type === 'number' || type === 'integer';
  const variants: Array<{ name: string; encoded: string; must: boolean }> = [
    { name: 'letters', encoded: 'abc', must: numeric || Boolean(schema.enum) || Boolean(schema.pattern && !new RegExp(schema.pattern).test('abc')) },
    { name: 'negative', encoded: '-1', must: numeric && (schema.minimum ?? -Infinity) >= 0 },
    { name: 'fractional', encoded: '1.5', must: type === 'integer' },
    { name: 'huge number', encoded: '99999999999999999999999', must: numeric && schema.maximum !== undefined },
    { name: '5,000 characters', encoded: 'a'.repeat(5000), must: schema.maxLength !== undefined || numeric || Boolean(schema.enum) || Boolean(schema.pattern) },
    { name: 'empty', encoded: '', must: false },
    { name: '%00', encoded: '%00', must: false },
    { name: 'garbage cursor-like', encoded: encodeURIComponent('eyJ4Ijp7fX0=!@#'), must: numeric || Boolean(schema.enum) || Boolean(schema.pattern) },
    { name: 'invalid UTF-8', encoded: '%FF', must: false },
    { name: 'repeated', encoded: 'REPEATED', must: false },
  ];
  return variants;
}

export interface Answer {
  status: number;
  text: string;
  json: unknown;
  contentType: string | undefined;
}

/**
 * Sends one raw HTTP request (no URL normalisation, so `../` and `%00` reach the server as
 * written); rejects after `timeoutMs`, so a hang is a failure, not a stuck test.
 */
export function send(base: string, probe: Pick<Probe, 'method' | 'url' | 'headers' | 'body'>, timeoutMs = 10_000): Promise<Answer> {
  const target = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: target.hostname, port: target.port, method: probe.method, path: probe.url, headers: { ...(probe.body === undefined ? {} : { 'content-length': Buffer.byteLength(probe.body) }), ...probe.headers }, timeout: timeoutMs },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode ?? 0, text, json, contentType: response.headers['content-type'] });
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    if (probe.body !== undefined) request.write(probe.body);
    request.end();
  });
}

/** What is wrong with an answer to a probe, or undefined when it is a proper refusal (or, for a probe that need not fail, a success). */
export function judge(probe: Pick<Probe, 'must'>, answer: Answer): string | undefined {
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (answer.status < 400) return probe.must ? `accepted (${answer.status}) input that breaks a declared rule: ${answer.text.slice(0, 200)}` : undefined;
  return errorShapeProblem(answer);
}

/** Problems with a 4xx's body: the API's error shape, and `details.field` on a validation error. */
export function errorShapeProblem(answer: Answer): string | undefined {
  const error = (answer.json as { error?: { code?: unknown; message?: unknown; details?: { field?: unknown } } } | undefined)?.error;
  if (!error || typeof error.code !== 'string' || typeof error.message !== 'string') return `answered ${answer.status} without {"error":{"code","message"}}: ${answer.text.slice(0, 200)}`;
  if (error.code === 'CONVERSA_ERR_VALIDATION' && (typeof error.details?.field !== 'string' || error.details.field === '')) return `validation error without details.field: ${answer.text.slice(0, 200)}`;
  return undefined;
}
