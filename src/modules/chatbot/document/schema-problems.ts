/**
 * Checks data against the flow JSON Schema with ajv and turns ajv's errors into one problem per
 * real mistake: a path people read (`steps[3].options[0].title`, not `/steps/3/options/0/title`),
 * a plain message and a fix taken from the schema's own descriptions. ajv's bookkeeping errors
 * (`if`, the discriminator beside the `type` enum, a union's second type error) are dropped.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { closest, didYouMean, error, listWords, quote, type Finding, type PathSegments } from './problem.js';
import { patternBySource, type JsonSchema } from './schema-parts.js';
import { MAX_STEPS, flowDocumentSchema } from './schema.js';

let compiled: ValidateFunction | undefined;

/** Validates `data` against `flowDocumentSchema`; answers no findings when it conforms. */
export function schemaProblems(data: unknown): Finding[] {
  compiled ??= new Ajv2020({ allErrors: true, discriminator: true, verbose: true, allowUnionTypes: true }).compile(flowDocumentSchema);
  if (compiled(data)) return [];
  return explainErrors(compiled.errors ?? [], data);
}

function explainErrors(errors: ErrorObject[], data: unknown): Finding[] {
  const byPlace = new Map<string, ErrorObject[]>();
  for (const err of errors) byPlace.set(err.instancePath, [...(byPlace.get(err.instancePath) ?? []), err]);
  const kept = errors.filter((err) => !ignored(err, byPlace.get(err.instancePath) ?? []));
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const err of kept) {
    const finding = explain(err, data);
    const key = `${finding.at.join('\u0000')}|${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(finding);
  }
  return findings;
}

/** ajv reports some mistakes several times over; keep the error a person would want. `here`: the errors at the same place. */
function ignored(err: ErrorObject, here: ErrorObject[]): boolean {
  if (err.keyword === 'if' || err.keyword === 'discriminator') return true;
  // The propertyNames error carries the name; its inner pattern error does not.
  if (err.keyword === 'pattern' && err.schemaPath.includes('/propertyNames/')) return true;
  // A value of the wrong type: only the outermost type error at that place.
  const typeErrors = here.filter((other) => other.keyword === 'type');
  if (typeErrors.length > 0) {
    const outermost = typeErrors.reduce((a, b) => (a.schemaPath.length <= b.schemaPath.length ? a : b));
    if (err !== outermost) return true;
  }
  // `optoins` beside a missing `options`: the unknown field's "did you mean" says it all.
  if (err.keyword === 'required') {
    const missing = (err.params as { missingProperty: string }).missingProperty;
    const misspelt = here.some((other) => other.keyword === 'additionalProperties' && closest((other.params as { additionalProperty: string }).additionalProperty, [missing]) === missing);
    if (misspelt) return true;
  }
  return false;
}

function explain(err: ErrorObject, data: unknown): Finding {
  const at = segments(err.instancePath, data);
  const field = fieldSchema(err.schemaPath);
  const name = fieldName(at);
  const value = err.data;
  switch (err.keyword) {
    case 'required': {
      const missing = (err.params as { missingProperty: string }).missingProperty;
      const owner = objectName(err.parentSchema);
      const property = properties(err.parentSchema)[missing];
      const choices = property?.enum as string[] | undefined;
      const fix = choices ? `Add ${missing}: one of ${choices.join(', ')}.` : `Add ${missing}: ${describe(property)}${example(missing, property)}`;
      return error('schema.required', at, `${capitalise(owner)} needs "${missing}".`, fix);
    }
    case 'additionalProperties': {
      const extra = (err.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(properties(err.parentSchema));
      return error('schema.unknown-field', [...at, extra], `${quote(extra)} is not a field of ${objectName(err.parentSchema)}${didYouMean(extra, known)}.`, `Remove it or correct its name. ${capitalise(objectName(err.parentSchema))} has: ${known.join(', ')}.`);
    }
    case 'enum': {
      const allowed = (err.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const isType = at[at.length - 1] === 'type' && (at[0] === 'steps' || at[0] === 'triggers');
      if (isType) {
        const kind = at[0] === 'steps' ? 'step' : 'trigger';
        return error(`schema.unknown-${kind}-type`, at, `Unknown ${kind} type ${quote(value)}${didYouMean(String(value), allowed)}.`, `Use one of: ${allowed.join(', ')} (docs/flows.md describes each).`);
      }
      return error('schema.enum', at, `${name} is ${quote(value)}, which is not allowed here${didYouMean(String(value), allowed)}.`, `Use one of: ${allowed.join(', ')}.`);
    }
    case 'const':
      return error('schema.const', at, `${name} must be ${JSON.stringify((err.params as { allowedValue: unknown }).allowedValue)}.`, `Write ${name}: ${JSON.stringify((err.params as { allowedValue: unknown }).allowedValue)}, or leave it out.`);
    case 'type': {
      const expected = typeWords((err.params as { type: string | string[] }).type);
      if (at.length === 0) return error('schema.type', at, `The document must be a mapping (name:, steps:, …), not ${kindOf(value)}.`, 'Start from the example in docs/flows.md: name: my-flow, then steps: with a list of steps.');
      const quote = expected.includes('text') && (typeof value === 'number' || typeof value === 'boolean') ? ` Put it in quotes to make it text: "${String(value)}".` : '';
      return error('schema.type', at, `${name} must be ${expected}, not ${kindOf(value)}.`, `Write ${expected}.${quote} ${name}: ${describe(field)}${example(name, field)}`.trim());
    }
    case 'pattern': {
      const pattern = patternBySource((err.params as { pattern: string }).pattern);
      const noun = (field?.title as string | undefined)?.toLowerCase() ?? pattern?.noun ?? 'value';
      const sample = (field?.examples as unknown[] | undefined)?.[0] ?? pattern?.example;
      const rule = pattern ? capitalise(pattern.says) : `It must match ${(err.params as { pattern: string }).pattern}`;
      return error('schema.pattern', at, `${quote(value)} is not a valid ${noun}.`, `${rule}${sample !== undefined ? `, e.g. ${String(sample)}` : ''}.`);
    }
    case 'propertyNames': {
      const key = (err.params as { propertyName: string }).propertyName;
      const pattern = patternBySource(String((err.schema as JsonSchema).pattern));
      const noun = ((err.schema as JsonSchema).title as string | undefined)?.toLowerCase() ?? 'name';
      return error('schema.name', [...at, key], `${quote(key)} is not a valid ${noun}.`, `Rename it: ${pattern ? pattern.says : 'see docs/flows.md'}${pattern ? `, e.g. ${pattern.example}` : ''}.`);
    }
    case 'minLength': {
      const limit = (err.params as { limit: number }).limit;
      if (limit === 1) return error('schema.empty', at, `${name} is empty.`, `Write ${describe(field).replace(/\.$/, '')}, or leave ${name} out if it is optional.`);
      return error('schema.too-short', at, `${name} has fewer than ${limit} characters.`, `Write at least ${limit} characters.`);
    }
    case 'maxLength': {
      const limit = (err.params as { limit: number }).limit;
      const length = typeof value === 'string' ? [...value].length : 0;
      return error('schema.too-long', at, `${name} has ${length} characters; at most ${limit} fit.`, `Shorten it to ${limit} characters or fewer. ${describe(field)}`);
    }
    case 'minItems': {
      const limit = (err.params as { limit: number }).limit;
      return error('schema.too-few', at, `${name} needs at least ${limit} ${limit === 1 ? 'item' : 'items'}.`, `Add ${limit === 1 ? 'one' : limit}: ${describe(field)}`);
    }
    case 'maxItems': {
      const limit = (err.params as { limit: number }).limit;
      const count = Array.isArray(value) ? value.length : 0;
      const fix = at.length === 1 && at[0] === 'steps' ? `Split the flow in two (at most ${MAX_STEPS} steps each) and go from one to the other with a goto step ({type: goto, flow: NAME}).` : `Keep at most ${limit}.`;
      return error(at.length === 1 && at[0] === 'steps' ? 'limits.steps' : 'schema.too-many', at, `${name} has ${count} items; at most ${limit} are allowed.`, fix);
    }
    case 'minProperties':
      return error('schema.empty', at, `${name} is empty.`, `Add at least one entry: ${describe(field)}`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const range = rangeOf(field);
      return error('schema.range', at, `${name} is ${String(value)}; ${err.keyword.endsWith('inimum') ? 'too small' : 'too large'}.`, `Use a value ${range}. ${describe(field)}`);
    }
    case 'uniqueItems':
      return error('schema.duplicate', at, `${name} lists the same value twice.`, 'List each value once: remove the repeated one.');
    default:
      return error(`schema.${err.keyword}`, at, `${name} ${err.message ?? 'is not valid'}.`, describe(field) || 'See docs/flows.md.');
  }
}

/** `/steps/3/options/0` → `['steps', 3, 'options', 0]`, indices as numbers where the data is a list. */
function segments(pointer: string, data: unknown): PathSegments {
  if (pointer === '') return [];
  const result: Array<string | number> = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(key);
      result.push(index);
      node = node[index];
    } else {
      result.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return result;
}

/** The nearest schema above the failing keyword that documents a field (has a description). */
function fieldSchema(schemaPath: string): JsonSchema | undefined {
  const parts = schemaPath.replace(/^#\//, '').split('/');
  for (let length = parts.length - 1; length >= 0; length -= 1) {
    const node = resolve(parts.slice(0, length));
    if (node && typeof node.description === 'string') return node;
  }
  return undefined;
}

function resolve(parts: string[]): JsonSchema | undefined {
  let node: unknown = flowDocumentSchema;
  for (const part of parts) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (node !== null && typeof node === 'object' && typeof (node as JsonSchema).$ref === 'string' && !('description' in (node as JsonSchema))) {
      node = resolve(String((node as JsonSchema).$ref).replace(/^#\//, '').split('/'));
    }
  }
  return node !== null && typeof node === 'object' ? (node as JsonSchema) : undefined;
}

/** How a message names the place: `options[2]`, `max_tries`, `the document`. */
function fieldName(at: PathSegments): string {
  let start = at.length - 1;
  while (start > 0 && typeof at[start] === 'number') start -= 1;
  if (start < 0) return 'The document';
  const [head, ...indices] = at.slice(start);
  return `${String(head)}${indices.map((index) => `[${String(index)}]`).join('')}`;
}

function objectName(schema: unknown): string {
  const title = (schema as JsonSchema | undefined)?.title;
  if (title === 'Conversa flow') return 'the flow';
  if (typeof title !== 'string') return 'this mapping';
  return `${/^[AEIOU]/.test(title) ? 'an' : 'a'} ${title.charAt(0).toLowerCase()}${title.slice(1)}`;
}

function properties(schema: unknown): Record<string, JsonSchema> {
  return ((schema as JsonSchema | undefined)?.properties ?? {}) as Record<string, JsonSchema>;
}

function describe(schema: JsonSchema | undefined): string {
  const description = schema?.description;
  return typeof description === 'string' ? description : '';
}

function example(name: string, schema: JsonSchema | undefined): string {
  const sample = (schema?.examples as unknown[] | undefined)?.[0];
  return sample === undefined ? '' : ` E.g. ${name.replace(/\[\d+\]$/, '')}: ${typeof sample === 'string' ? sample : JSON.stringify(sample)}`;
}

function rangeOf(schema: JsonSchema | undefined): string {
  const min = schema?.minimum;
  const max = schema?.maximum;
  if (typeof min === 'number' && typeof max === 'number') return `from ${min} to ${max}`;
  if (typeof min === 'number') return `of at least ${min}`;
  if (typeof max === 'number') return `of at most ${max}`;
  return 'in range';
}

const TYPE_WORDS: Record<string, string> = { string: 'text', integer: 'a whole number', number: 'a number', boolean: 'true or false', array: 'a list', object: 'a mapping (key: value)', null: 'empty' };

function typeWords(type: string | string[]): string {
  return listWords((Array.isArray(type) ? type : [type]).map((one) => TYPE_WORDS[one] ?? one));
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `text (${quote(value, 40)})`;
  if (typeof value === 'number') return Number.isInteger(value) ? `the number ${value}` : `the number ${value}`;
  if (typeof value === 'boolean') return String(value);
  return 'a mapping';
}

function capitalise(words: string): string {
  return words.charAt(0).toUpperCase() + words.slice(1);
}
