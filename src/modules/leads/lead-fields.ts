import type { Confidence, Extracted } from './extract.js';
import { checkValue, isVerifiable, type CheckedKind } from './lead-checks.js';

/** Where a lead came from; `group` is for the groups of issue 12 (a participant who joined or wrote in a sales group). */
export const LEAD_SOURCE_TYPES = ['form', 'agent', 'api', 'chat', 'group'] as const;
export type LeadSourceType = (typeof LEAD_SOURCE_TYPES)[number];

/** A lead's source: `{type: "form", id: "orcamento"}`, `{type: "agent", id: "usr_…"}`, `{type: "api", id: "site"}`, `{type: "chat", id: <phone_number_id>}`, `{type: "group", id: <group id>}`. */
export interface LeadSource {
  type: LeadSourceType;
  id: string;
}

/** Who gave a field's value. */
export const FIELD_ORIGINS = ['form', 'message', 'agent', 'api'] as const;
export type FieldOrigin = (typeof FIELD_ORIGINS)[number];

/** One field of a lead with its provenance. */
export interface LeadField {
  value: unknown;
  from: FieldOrigin;
  /** The customer's message it was read from (`from: "message"`), else null. */
  message_id: string | null;
  /** The rule that found or checked it (`email`, `phone`, `cpf`, `cnpj`, `cep`, `name`, `keyword`); null for a value taken as given. */
  rule: string | null;
  confidence: Confidence;
  /** When it was found or given. */
  at: string;
}

export const LEAD_LIMITS = {
  /** Fields of one lead. */
  fields: 100,
  /** Characters of a field name. */
  fieldName: 64,
  /** Characters of a text value given through the API or by an agent. */
  value: 1024,
  /** Keywords of one source. */
  keywords: 100,
  /** Characters of one keyword. */
  keyword: 100,
  /** Characters of a source id. */
  sourceId: 100,
} as const;

export const FIELD_NAME_PATTERN = '^[A-Za-z0-9_.-]{1,64}$';

/** The fields Conversa knows, in the order exports show them first. */
export const KNOWN_FIELDS = ['name', 'email', 'phone', 'cpf', 'cnpj', 'cep', 'interest'] as const;

/** Names a form field may have for a known field (compared without accents, case, `-`/`_`/spaces). */
const ALIASES: Record<string, (typeof KNOWN_FIELDS)[number]> = {
  name: 'name', nome: 'name', nomecompleto: 'name', fullname: 'name', seunome: 'name',
  email: 'email', mail: 'email', seuemail: 'email',
  phone: 'phone', telefone: 'phone', celular: 'phone', fone: 'phone', whatsapp: 'phone', tel: 'phone',
  cpf: 'cpf', cnpj: 'cnpj', cep: 'cep', interest: 'interest', interesse: 'interest',
};

/** The known field a name stands for (`Nome completo` → `name`), or undefined. */
export function knownFieldOf(name: string): (typeof KNOWN_FIELDS)[number] | undefined {
  return ALIASES[name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]/g, '')];
}

const CHECKED: ReadonlySet<string> = new Set<CheckedKind>(['email', 'phone', 'cpf', 'cnpj', 'cep']);

const RULES: Record<CheckedKind, string> = {
  email: 'must be an e-mail address such as ana@example.com',
  phone: 'must be a phone number with its area code, such as +5511988887777 or (11) 98888-7777',
  cpf: 'must be a CPF with valid check digits (11 digits, such as 529.982.247-25)',
  cnpj: 'must be a CNPJ with valid check digits (14 characters, such as 11.222.333/0001-81)',
  cep: 'must be a CEP of 8 digits, such as 01310-100',
};

/**
 * The fields of a completed lead form: known names (`nome`, `e-mail`, `telefone`, `cpf`, …)
 * become the known fields, checked by the chatbot's validators: a value that passes is
 * `certain` and normalised, one that fails is kept as the customer wrote it, `possible`. Other
 * fields are the customer's answers to the form's questions, kept as given (`certain`, no rule).
 */
export function fieldsFromForm(fields: Record<string, unknown>, at: string): Record<string, LeadField> {
  const out: Record<string, LeadField> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === null || value === undefined || value === '') continue;
    const known = knownFieldOf(name);
    const key = known ?? name;
    if (known && CHECKED.has(known)) {
      const checked = typeof value === 'string' || typeof value === 'number' ? checkValue(known as CheckedKind, String(value)) : undefined;
      out[key] = { value: checked ?? value, from: 'form', message_id: null, rule: known, confidence: checked !== undefined && isVerifiable(known as CheckedKind) ? 'certain' : 'possible', at };
    } else {
      out[key] = { value, from: 'form', message_id: null, rule: null, confidence: 'certain', at };
    }
  }
  return out;
}

/**
 * Fields given by an agent or an API client. Known fields must pass their check (a refusal
 * names `fields.<name>` and the rule) and are stored normalised; a CEP stays `possible`
 * (nothing can check that it exists). Other fields: text up to 1,024 characters, numbers,
 * booleans, kept as given (`certain`: a person or a system said so).
 */
export function fieldsGiven(fields: Record<string, unknown>, from: 'agent' | 'api', at: string): { ok: true; fields: Record<string, LeadField> } | { ok: false; field: string; rule: string } {
  const out: Record<string, LeadField> = {};
  const names = Object.keys(fields);
  if (names.length > LEAD_LIMITS.fields) return { ok: false, field: 'fields', rule: `must have at most ${LEAD_LIMITS.fields} fields` };
  for (const name of names) {
    const value = fields[name];
    if (!new RegExp(FIELD_NAME_PATTERN).test(name)) return { ok: false, field: `fields.${name}`, rule: 'a field name has 1-64 letters, digits, _ . or -' };
    if (typeof value === 'string' ? value.length > LEAD_LIMITS.value || value.trim() === '' : typeof value !== 'number' && typeof value !== 'boolean') {
      return { ok: false, field: `fields.${name}`, rule: `must be a non-empty text of at most ${LEAD_LIMITS.value} characters, a number or a boolean` };
    }
    const known = knownFieldOf(name);
    const key = known ?? name;
    if (known && CHECKED.has(known)) {
      const checked = checkValue(known as CheckedKind, String(value));
      if (checked === undefined) return { ok: false, field: `fields.${name}`, rule: RULES[known as CheckedKind] };
      out[key] = { value: checked, from, message_id: null, rule: known, confidence: isVerifiable(known as CheckedKind) ? 'certain' : 'possible', at };
    } else if (known === 'interest' && typeof value === 'string') {
      // Keywords, as the extractor keeps them: a list (comma-separated when given as text).
      out[key] = { value: value.split(',').map((part) => part.trim()).filter((part) => part !== ''), from, message_id: null, rule: null, confidence: 'certain', at };
    } else {
      out[key] = { value: typeof value === 'string' ? value.trim() : value, from, message_id: null, rule: null, confidence: 'certain', at };
    }
  }
  return { ok: true, fields: out };
}

/** What the extractor found in a message, as lead fields. */
export function fieldsFromMessage(found: readonly Extracted[], messageId: string, at: string): Record<string, LeadField> {
  const out: Record<string, LeadField> = {};
  for (const item of found) {
    // The first of a kind in the message wins (a second e-mail in one message is not the customer's own more than the first).
    if (item.field in out) continue;
    out[item.field] = { value: item.value, from: 'message', message_id: messageId, rule: item.rule, confidence: item.confidence, at };
  }
  return out;
}

/**
 * Merges new fields into a lead's. A field not there yet is added; a `possible` value never
 * replaces a `certain` one; the same value (and confidence) keeps its first provenance; a new
 * value replaces the old one otherwise (the customer corrected it, an agent fixed it). Interest
 * keywords accumulate. Answers the merged fields, their order (old names first) and the names
 * that changed.
 */
export function mergeFields(current: Record<string, LeadField>, order: readonly string[], incoming: Record<string, LeadField>): { fields: Record<string, LeadField>; names: string[]; changed: string[] } {
  const fields = { ...current };
  const names = [...order];
  const changed: string[] = [];
  for (const [name, field] of Object.entries(incoming)) {
    const old = Object.hasOwn(fields, name) ? fields[name] : undefined;
    let next: LeadField | undefined = field;
    if (old) {
      if (name === 'interest' && Array.isArray(old.value) && Array.isArray(field.value)) {
        const added = field.value.filter((keyword) => !(old.value as unknown[]).includes(keyword));
        next = added.length === 0 ? undefined : { ...field, value: [...old.value, ...added] };
      } else if (old.confidence === 'certain' && field.confidence === 'possible') {
        next = undefined;
      } else if (JSON.stringify(old.value) === JSON.stringify(field.value) && old.confidence === field.confidence) {
        next = undefined;
      }
    }
    if (!next) continue;
    fields[name] = next;
    if (!names.includes(name)) names.push(name);
    changed.push(name);
  }
  return { fields, names, changed };
}
