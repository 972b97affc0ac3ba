import { templateVariables } from '../messaging/index.js';
import type { CachedTemplate } from '../templates/index.js';
import type { TemplateComponentDefinition, TemplateParameter, TemplateSendComponent } from '../../whatsapp/index.js';

/**
 * The friendly parameters of `POST /api/v1/notifications`, as the caller gives them:
 *
 * - `parameters`: the body variables. An array for positional templates (`["Ana", "#123"]`
 *   fills `{{1}}`, `{{2}}`), an object for named ones (`{"customer_name": "Ana"}`); an object
 *   with keys `"1"`, `"2"`... works for positional templates too. A value is a string or a
 *   number (text), or `{currency: {...}}` / `{date_time: {...}}` as in the Cloud API.
 * - `header`: a text header's one variable (`"Ana"`); a media header's file as our media id
 *   (`"med_..."`) or an https link, or `{image|video|document: "med_..." | {id|link, filename?}}`;
 *   a location header's `{latitude, longitude, name?, address?}`.
 * - `buttons`: one entry per template button, by position (`null` skips one): a URL button's
 *   suffix for its `{{1}}`, a copy-code button's code, a quick-reply button's payload.
 *   Authentication templates get their code button filled with the body's code when omitted.
 */
export interface FriendlyParameters {
  parameters?: unknown;
  header?: unknown;
  buttons?: unknown;
}

/** A friendly parameter that cannot be placed in the template, naming the request field. */
export interface PlacementProblem {
  field: string;
  message: string;
}

export type Placement = { ok: true; components: TemplateSendComponent[] } | ({ ok: false } & PlacementProblem);

/**
 * Places friendly parameters into the Cloud API template components, guided by the template's
 * definition (its header format, variable names and button types). Only the shape is checked
 * here; counts and value rules are the policy's (`checkTemplateSend`).
 *
 * @example
 * placeParameters(orderShipped, { parameters: ['Ana', '#123'], buttons: ['123'] });
 * // { ok: true, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, ...] },
 * //   { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '123' }] }] }
 */
export function placeParameters(template: CachedTemplate, input: FriendlyParameters): Placement {
  const components: TemplateSendComponent[] = [];
  const named = usesNamedParameters(template);
  try {
    const header = placeHeader(template.components.find((c) => c.type === 'HEADER'), input.header, named);
    if (header) components.push(header);
    const body = placeBody(template, input.parameters, named);
    if (body.length > 0) components.push({ type: 'body', parameters: body });
    components.push(...placeButtons(template, input.buttons, body));
  } catch (error) {
    if (error instanceof Misplaced) return { ok: false, field: error.field, message: error.message };
    throw error;
  }
  return { ok: true, components };
}

class Misplaced extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

function usesNamedParameters(template: CachedTemplate): boolean {
  if (template.parameter_format) return template.parameter_format === 'NAMED';
  return template.components.some((c) => templateVariables(c.text).some((name) => !/^\d+$/.test(name)));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function textValue(value: unknown, field: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (isObject(value) && typeof value.text === 'string') return value.text;
  throw new Misplaced(field, 'must be a string or a number.');
}

function bodyValue(value: unknown, field: string): TemplateParameter {
  if (isObject(value) && isObject(value.currency)) return { type: 'currency', currency: value.currency as unknown as NonNullable<TemplateParameter['currency']> };
  if (isObject(value) && isObject(value.date_time)) return { type: 'date_time', date_time: value.date_time as unknown as NonNullable<TemplateParameter['date_time']> };
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) || (isObject(value) && typeof value.text === 'string')) return { type: 'text', text: textValue(value, field) };
  throw new Misplaced(field, 'must be a string, a number, {"currency": {fallback_value, code, amount_1000}} or {"date_time": {fallback_value}}.');
}

function placeBody(template: CachedTemplate, given: unknown, named: boolean): TemplateParameter[] {
  if (given === undefined || given === null) return [];
  const variables = template.category === 'AUTHENTICATION' ? ['1'] : templateVariables(template.components.find((c) => c.type === 'BODY')?.text);
  const listed = variables.map((v) => `{{${v}}}`).join(', ') || 'none';
  if (Array.isArray(given)) {
    if (named) throw new Misplaced('parameters', `template "${template.name}" uses named variables (${listed}): give an object such as {"${variables[0] ?? 'name'}": "..."}.`);
    return given.map((value, i) => bodyValue(value, `parameters[${i}]`));
  }
  if (!isObject(given)) throw new Misplaced('parameters', 'must be an array (positional variables) or an object (named variables).');
  const keys = Object.keys(given);
  const unknown = keys.find((key) => !variables.includes(key));
  if (unknown !== undefined) {
    const hint = named ? '' : ' (this template uses positional variables: give an array, or keys "1", "2"...)';
    throw new Misplaced(`parameters.${unknown}`, `template "${template.name}" has no variable {{${unknown}}}; its body variables are ${listed}${hint}.`);
  }
  const missing = variables.find((v) => !keys.includes(v));
  if (missing !== undefined) throw new Misplaced(`parameters.${missing}`, `is required: the body of "${template.name}" uses {{${missing}}}.`);
  return variables.map((name) => ({ ...bodyValue(given[name], `parameters.${name}`), ...(named ? { parameter_name: name } : {}) }));
}

const MEDIA_KINDS: Record<string, 'image' | 'video' | 'document'> = { IMAGE: 'image', VIDEO: 'video', GIF: 'video', DOCUMENT: 'document' };

function placeHeader(definition: TemplateComponentDefinition | undefined, given: unknown, named: boolean): TemplateSendComponent | undefined {
  if (given === undefined || given === null) return undefined;
  if (!definition) throw new Misplaced('header', 'the template has no header; leave header out.');
  const format = definition.format ?? 'TEXT';
  if (format === 'TEXT') {
    const [variable] = templateVariables(definition.text);
    if (variable === undefined) throw new Misplaced('header', 'the template header has no variable; leave header out.');
    const value = isObject(given) && variable in given ? given[variable] : given;
    return { type: 'header', parameters: [{ type: 'text', text: textValue(value, 'header'), ...(named ? { parameter_name: variable } : {}) }] };
  }
  if (format === 'LOCATION') {
    const location = isObject(given) && isObject(given.location) ? given.location : given;
    if (!isObject(location) || typeof location.latitude !== 'number' || typeof location.longitude !== 'number') {
      throw new Misplaced('header', 'the template has a LOCATION header: give {"latitude": number, "longitude": number, "name"?, "address"?}.');
    }
    return { type: 'header', parameters: [{ type: 'location', location: location as unknown as NonNullable<TemplateParameter['location']> }] };
  }
  const kind = MEDIA_KINDS[format];
  if (!kind) throw new Misplaced('header', `the template's ${format} header takes no parameter here.`);
  const other = Object.values(MEDIA_KINDS).find((k) => k !== kind && isObject(given) && k in given);
  if (other) throw new Misplaced(`header.${other}`, `the template has an ${format} header: give {"${kind}": ...}.`);
  const source = isObject(given) && kind in given ? given[kind] : given;
  const media = mediaObject(source, `header${isObject(given) && kind in given ? `.${kind}` : ''}`);
  const filename = isObject(given) && typeof given.filename === 'string' ? given.filename : undefined;
  if (kind === 'document' && filename && media.filename === undefined) media.filename = filename;
  return { type: 'header', parameters: [{ type: kind, [kind]: media } as TemplateParameter] };
}

function mediaObject(value: unknown, field: string): { id?: string; link?: string; filename?: string } {
  if (typeof value === 'string' && value.trim() !== '') return /^https?:\/\//i.test(value) ? { link: value } : { id: value };
  if (isObject(value) && (typeof value.id === 'string' || typeof value.link === 'string')) {
    return {
      ...(typeof value.id === 'string' ? { id: value.id } : {}),
      ...(typeof value.link === 'string' ? { link: value.link } : {}),
      ...(typeof value.filename === 'string' ? { filename: value.filename } : {}),
    };
  }
  throw new Misplaced(field, 'must be our media id ("med_..."), an https link, or {"id"|"link": ..., "filename"?}.');
}

type ButtonDefinition = NonNullable<TemplateComponentDefinition['buttons']>[number];

function placeButtons(template: CachedTemplate, given: unknown, body: TemplateParameter[]): TemplateSendComponent[] {
  const defined = template.components.find((c) => c.type === 'BUTTONS')?.buttons ?? [];
  const buttons: ButtonDefinition[] = template.category === 'AUTHENTICATION' && defined.length === 0 ? [{ type: 'OTP' }] : defined;
  if (given === undefined || given === null) {
    // An OTP template's code button repeats the body's code: fill it for the caller.
    const code = body[0]?.text;
    const index = buttons.findIndex((b) => b.type === 'OTP' || b.type === 'URL');
    return template.category === 'AUTHENTICATION' && code !== undefined && index >= 0 ? [{ type: 'button', sub_type: 'url', index: String(index), parameters: [{ type: 'text', text: code }] }] : [];
  }
  if (!Array.isArray(given)) throw new Misplaced('buttons', 'must be an array with one entry per template button, in order (null for a button that takes nothing).');
  if (given.length > buttons.length) throw new Misplaced(`buttons[${buttons.length}]`, `template "${template.name}" has ${buttons.length} button(s).`);
  const components: TemplateSendComponent[] = [];
  for (const [index, value] of given.entries()) {
    if (value === null || value === undefined) continue;
    const placed = placeButton(index, buttons[index] as ButtonDefinition, value, template);
    components.push(placed);
  }
  return components;
}

function placeButton(index: number, button: ButtonDefinition, value: unknown, template: CachedTemplate): TemplateSendComponent {
  const field = `buttons[${index}]`;
  const component = (subType: string, parameter: TemplateParameter): TemplateSendComponent => ({ type: 'button', sub_type: subType, index: String(index), parameters: [parameter] });
  const pick = (key: string) => (isObject(value) && key in value ? value[key] : value);
  const label = `button ${index} ("${button.text ?? button.type}")`;
  const urlHasVariable = typeof button.url === 'string' && templateVariables(button.url).length > 0;
  if (button.type === 'OTP' || (button.type === 'URL' && (urlHasVariable || template.category === 'AUTHENTICATION'))) {
    return component('url', { type: 'text', text: textValue(pick('url_suffix'), field) });
  }
  if (button.type === 'COPY_CODE') return component('copy_code', { type: 'coupon_code', coupon_code: textValue(pick('coupon_code'), field) });
  if (button.type === 'QUICK_REPLY') return component('quick_reply', { type: 'payload', payload: textValue(pick('payload'), field) });
  if (button.type === 'FLOW' && isObject(value)) return component('flow', { type: 'action', action: (isObject(value.action) ? value.action : value) as Record<string, unknown> });
  throw new Misplaced(field, `${label} is a ${button.type} button${button.type === 'URL' ? ' without a variable' : ''}: it takes no parameter, give null.`);
}
