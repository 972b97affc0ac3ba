/** The limits on what a flow may store per submission or survey answer (docs/forms.md). */
export const FORM_LIMITS = {
  /** Keys of one submission's `fields`. */
  maxFields: 100,
  /** `fields` as JSON, in UTF-8 bytes. */
  maxFieldsBytes: 16 * 1024,
  /** A field name, a form or flow name, an agent or queue (characters). */
  maxNameLength: 100,
  /** A survey comment (characters): WhatsApp's own limit on a text message. */
  maxCommentLength: 4096,
} as const;

/** The score range of each survey kind: CSAT 1–5, NPS 0–10. */
export const SURVEY_SCORES = { csat: { min: 1, max: 5 }, nps: { min: 0, max: 10 } } as const;
export type SurveyKind = keyof typeof SURVEY_SCORES;
export const SURVEY_KINDS = Object.keys(SURVEY_SCORES) as SurveyKind[];

/** A refusal: the input's field and the rule it breaks (`fields`, "at most 100 keys"). */
export interface InputRefusal {
  ok: false;
  field: string;
  rule: string;
}

/**
 * Checks a submission's fields: a plain object of at most 100 keys (each 1–100 characters)
 * whose JSON is at most 16 KB. Answers the fields as they will be stored (the JSON read back:
 * `undefined` values dropped, non-finite numbers null), that JSON, and the keys in order.
 *
 * @example checkFields({ nome: 'Ana', idade: 31 }) // { ok: true, fields, json: '{"nome":"Ana","idade":31}', names: ['nome', 'idade'] }
 */
export function checkFields(fields: unknown): { ok: true; fields: Record<string, unknown>; json: string; names: string[] } | InputRefusal {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return { ok: false, field: 'fields', rule: 'must be an object of field name → value' };
  const keys = Object.keys(fields);
  if (keys.length > FORM_LIMITS.maxFields) return { ok: false, field: 'fields', rule: `must have at most ${FORM_LIMITS.maxFields} fields (has ${keys.length})` };
  for (const key of keys) {
    if (checkName('field', key)) return { ok: false, field: `fields.${key.slice(0, FORM_LIMITS.maxNameLength)}`, rule: `a field name must be 1 to ${FORM_LIMITS.maxNameLength} characters without control characters` };
  }
  let json: string;
  try {
    json = JSON.stringify(fields);
  } catch (error) {
    return { ok: false, field: 'fields', rule: `must be JSON-serialisable (${(error as Error).message})` };
  }
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > FORM_LIMITS.maxFieldsBytes) return { ok: false, field: 'fields', rule: `must be at most ${FORM_LIMITS.maxFieldsBytes} bytes as JSON (is ${bytes})` };
  const stored = JSON.parse(json) as Record<string, unknown>;
  return { ok: true, fields: stored, json, names: Object.keys(stored) };
}

/** A name (form, flow, field, agent, queue): 1–100 characters, no control characters. Undefined when it is fine. */
export function checkName(field: string, value: unknown): InputRefusal | undefined {
  if (typeof value !== 'string' || value.length === 0) return { ok: false, field, rule: 'must be a non-empty string' };
  if (value.length > FORM_LIMITS.maxNameLength) return { ok: false, field, rule: `must be at most ${FORM_LIMITS.maxNameLength} characters` };
  if (/[\u0000-\u001f\u007f]/.test(value)) return { ok: false, field, rule: 'must not contain control characters' };
  return undefined;
}

/** A survey score: an integer in the kind's range. Undefined when it is fine. */
export function checkScore(kind: unknown, score: unknown): InputRefusal | undefined {
  if (kind !== 'csat' && kind !== 'nps') return { ok: false, field: 'kind', rule: 'must be csat or nps' };
  const { min, max } = SURVEY_SCORES[kind];
  if (typeof score !== 'number' || !Number.isInteger(score) || score < min || score > max) return { ok: false, field: 'score', rule: `must be an integer from ${min} to ${max} for ${kind.toUpperCase()}` };
  return undefined;
}

/** A survey comment: null, or text up to 4,096 characters; NUL characters (which PostgreSQL refuses) are dropped. */
export function checkComment(comment: unknown): { ok: true; comment: string | null } | InputRefusal {
  if (comment === null || comment === undefined) return { ok: true, comment: null };
  if (typeof comment !== 'string') return { ok: false, field: 'comment', rule: 'must be a string or null' };
  if (comment.length > FORM_LIMITS.maxCommentLength) return { ok: false, field: 'comment', rule: `must be at most ${FORM_LIMITS.maxCommentLength} characters` };
  const text = comment.replace(/\u0000/g, '');
  return { ok: true, comment: text.trim() === '' ? null : text };
}
