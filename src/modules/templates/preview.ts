import type {
  CreateTemplateRequest,
  LocationObject,
  MediaObject,
  TemplateComponentDefinition,
  TemplateParameter,
  TemplateSendObject,
} from '../../whatsapp/index.js';
import { firstExample } from './lint-rules-buttons.js';
import { distinctVariableNames, scanVariables } from './lint-variables.js';

/** What a preview needs of a template: a definition being written, or one synced from Meta. */
export type PreviewableTemplate = Pick<CreateTemplateRequest, 'components' | 'parameter_format' | 'category'>;

/** Values for a template's variables, as a caller (or a send, via `previewFromSend`) gives them. */
export interface PreviewParams {
  /** The TEXT header's one variable: its value, or `{ name: value }` for a named one. */
  header?: string | Readonly<Record<string, string>>;
  /** The file of an IMAGE, VIDEO, GIF or DOCUMENT header. */
  media?: MediaObject;
  /** The place of a LOCATION header. */
  location?: LocationObject;
  /** Body values: in order (`{{1}}`, `{{2}}`..., or named variables in order of first use), or by name. For AUTHENTICATION, the code. */
  body?: readonly string[] | Readonly<Record<string, string>>;
  /** By button index: the value of a URL button's `{{1}}` (the URL's end), a copy-code button's coupon. */
  buttons?: Readonly<Record<number, string | undefined>>;
}

export interface PreviewButton {
  /** The definition's button type: `QUICK_REPLY`, `URL`, `PHONE_NUMBER`, `COPY_CODE`, `OTP`... */
  type: string;
  /** The label the customer reads. */
  text: string;
  url?: string;
  phone_number?: string;
  /** What a copy-code or OTP button copies. */
  code?: string;
}

export interface TemplatePreview {
  header?: { type: 'text' | 'image' | 'video' | 'gif' | 'document' | 'location'; text?: string; media?: MediaObject; location?: LocationObject };
  body: string;
  footer?: string;
  buttons: PreviewButton[];
  /** Variables without a value, such as `body {{2}}`, `header media`, `buttons[0] {{1}}`; they stay written as `{{2}}` in the text. */
  missing: string[];
}

/**
 * Renders a template as the customer will read it: variables replaced by `params`, or, when
 * `params` is not given at all, by the template's own sample values (`example.*`). When
 * `params` is given, only it is used, so whatever it lacks shows up in `missing` rather than
 * being papered over with a sample.
 *
 * AUTHENTICATION templates render the text Meta writes for them: "<code> is your verification
 * code.", the security line when `add_security_recommendation`, and "This code expires in N
 * minutes." for `code_expiration_minutes`. Meta translates these into the template's language;
 * the preview shows the English wording.
 *
 * @example
 * previewTemplate({ category: 'UTILITY', components: [{ type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} foi enviado.' }] },
 *   { body: ['Ana', '#1234'] });
 * // { body: 'Olá Ana, seu pedido #1234 foi enviado.', buttons: [], missing: [] }
 */
export function previewTemplate(template: PreviewableTemplate, params?: PreviewParams): TemplatePreview {
  const useExamples = params === undefined;
  const given = params ?? {};
  const missing: string[] = [];
  const component = (type: TemplateComponentDefinition['type']) => template.components.find((c) => String(c.type).toUpperCase() === type);
  const named = template.parameter_format === 'NAMED';

  if (template.category === 'AUTHENTICATION') return previewAuthentication(component('BODY'), component('FOOTER'), component('BUTTONS'), useExamples ? { body: [SAMPLE_CODE] } : given, missing);

  const preview: TemplatePreview = { body: '', buttons: [], missing };
  const header = component('HEADER');
  if (header) preview.header = previewHeader(header, given, useExamples, named, missing);
  const body = component('BODY');
  if (body) {
    const values = useExamples ? bodyExamples(body, named) : given.body;
    preview.body = fill(body.text ?? '', lookup(values, body.text ?? ''), 'body', missing);
  }
  const footer = component('FOOTER');
  if (footer?.text !== undefined) preview.footer = footer.text;
  preview.buttons = (component('BUTTONS')?.buttons ?? []).map((button, index) => previewButton(button, index, useExamples ? undefined : given.buttons?.[index], useExamples, missing));
  return preview;
}

/**
 * Renders a template as a given send delivers it: the send's parameters become the preview's
 * values (text; `fallback_value` of currency and date_time; media; location; a URL button's
 * suffix; a coupon code). The template's samples are never used, so anything the send leaves
 * out is listed in `missing`.
 *
 * @example previewFromSend(orderShipped, { name: 'order_shipped', language: { code: 'pt_BR' },
 *   components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }] })
 */
export function previewFromSend(template: PreviewableTemplate, send: TemplateSendObject): TemplatePreview {
  const params: PreviewParams = { body: [], buttons: {} };
  const buttons: Record<number, string | undefined> = {};
  for (const component of send.components ?? []) {
    const parameters = component.parameters ?? [];
    if (component.type === 'header') {
      const first = parameters[0];
      if (first?.type === 'location') params.location = first.location;
      else if (first && (first.type === 'image' || first.type === 'video' || first.type === 'document')) params.media = first[first.type];
      else if (first) params.header = first.parameter_name ? { [first.parameter_name]: parameterText(first) ?? '' } : (parameterText(first) ?? '');
    } else if (component.type === 'body') {
      const byName = parameters.every((p) => p.parameter_name);
      params.body = byName && parameters.length > 0 ? Object.fromEntries(parameters.map((p) => [p.parameter_name, parameterText(p) ?? ''])) : parameters.map((p) => parameterText(p) ?? '');
    } else if (component.type === 'button') {
      const first = parameters[0];
      buttons[Number(component.index)] = first ? (first.text ?? first.coupon_code ?? first.payload) : undefined;
    }
  }
  params.buttons = buttons;
  return previewTemplate(template, params);
}

/** The code shown when an authentication template is previewed without a code. */
export const SAMPLE_CODE = '123456';
const COPY_OFFER_CODE_LABEL = 'Copy offer code';

function previewAuthentication(
  body: TemplateComponentDefinition | undefined,
  footer: TemplateComponentDefinition | undefined,
  buttons: TemplateComponentDefinition | undefined,
  params: PreviewParams,
  missing: string[],
): TemplatePreview {
  const values = params.body;
  const given = Array.isArray(values) ? values[0] : values ? Object.values(values)[0] : undefined;
  const code = given === undefined || given === '' ? undefined : given;
  if (code === undefined) missing.push('body code');
  // Meta's fixed wording, in English; Meta localises it to the template's language.
  let text = `${code ?? '{{1}}'} is your verification code.`;
  if (body?.add_security_recommendation) text += ' For your security, do not share this code.';
  const minutes = footer?.code_expiration_minutes;
  const preview: TemplatePreview = { body: text, buttons: [], missing };
  if (minutes !== undefined) preview.footer = `This code expires in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`;
  preview.buttons = (buttons?.buttons ?? []).map((button) => {
    const otpType = String(button.otp_type ?? '').toUpperCase();
    // One-tap and zero-tap show an autofill button when the app handshake works; otherwise a copy-code button with `text`.
    const label = otpType === 'ONE_TAP' || otpType === 'ZERO_TAP' ? stringField(button['autofill_text']) ?? 'Autofill' : (button.text ?? 'Copy code');
    return { type: String(button.type), text: label, ...(code !== undefined ? { code } : {}) };
  });
  return preview;
}

function previewHeader(header: TemplateComponentDefinition, params: PreviewParams, useExamples: boolean, named: boolean, missing: string[]): TemplatePreview['header'] {
  const format = String(header.format ?? 'TEXT').toUpperCase();
  if (format === 'TEXT') {
    const text = header.text ?? '';
    const values = useExamples ? headerExamples(header, named) : typeof params.header === 'string' ? [params.header] : params.header;
    return { type: 'text', text: fill(text, lookup(values, text), 'header', missing) };
  }
  if (format === 'LOCATION') {
    if (params.location) return { type: 'location', location: params.location };
    if (!useExamples) missing.push('header location');
    return { type: 'location' };
  }
  const type = format.toLowerCase() as 'image' | 'video' | 'gif' | 'document';
  if (params.media) return { type, media: params.media };
  // A sample upload handle is not something a preview can show, but it does stand for the file.
  if (!useExamples || !header.example?.header_handle?.length) missing.push('header media');
  return { type };
}

type ButtonDefinition = NonNullable<TemplateComponentDefinition['buttons']>[number];

function previewButton(button: ButtonDefinition, index: number, value: string | undefined, useExamples: boolean, missing: string[]): PreviewButton {
  const type = String(button.type).toUpperCase();
  const place = `buttons[${index}]`;
  if (type === 'URL') {
    const url = button.url ?? '';
    const token = scanVariables(url).tokens.find((t) => t.defect !== 'unbalanced-braces');
    const sample = useExamples && token ? urlSuffixFromExample(firstExample(button.example), url.slice(0, token.start)) : value;
    return { type, text: button.text ?? '', url: fill(url, () => sample, place, missing) };
  }
  if (type === 'PHONE_NUMBER') return { type, text: button.text ?? '', ...(button.phone_number !== undefined ? { phone_number: button.phone_number } : {}) };
  if (type === 'COPY_CODE') {
    const code = useExamples ? firstExample(button.example) : value;
    if (code === undefined || code === '') missing.push(`${place} code`);
    // Meta writes the label of a coupon button; this is its English wording.
    return { type, text: COPY_OFFER_CODE_LABEL, ...(code ? { code } : {}) };
  }
  return { type, text: button.text ?? type };
}

/** Meta's URL example is the whole URL with a sample filled in; the preview needs the part that replaces `{{1}}`. */
function urlSuffixFromExample(example: string | undefined, prefix: string): string | undefined {
  if (example === undefined) return undefined;
  return example.startsWith(prefix) ? example.slice(prefix.length) : example;
}

function bodyExamples(body: TemplateComponentDefinition, named: boolean): PreviewParams['body'] {
  if (named) return namedExamples(body.example?.body_text_named_params);
  return body.example?.body_text?.[0];
}

function headerExamples(header: TemplateComponentDefinition, named: boolean): PreviewParams['body'] {
  if (named) return namedExamples(header.example?.header_text_named_params);
  return header.example?.header_text;
}

function namedExamples(entries: Array<{ param_name: string; example: string }> | undefined): Record<string, string> | undefined {
  return entries ? Object.fromEntries(entries.map((e) => [e.param_name, e.example])) : undefined;
}

/** How to find the value of each variable of `text`: by position for lists, by name for records. */
function lookup(values: PreviewParams['body'], text: string): (name: string) => string | undefined {
  if (values === undefined) return () => undefined;
  if (Array.isArray(values)) {
    const list = values as readonly string[];
    const order = distinctVariableNames(scanVariables(text).tokens.filter((t) => t.defect !== 'unbalanced-braces'));
    return (name) => (/^\d+$/.test(name) ? list[Number(name) - 1] : list[order.indexOf(name)]);
  }
  const record = values as Readonly<Record<string, string>>;
  return (name) => (Object.hasOwn(record, name) ? record[name] : undefined);
}

/** Replaces each `{{...}}` in `text` with its value; one without a value stays as written and is listed in `missing`. */
function fill(text: string, valueOf: (name: string) => string | undefined, place: string, missing: string[]): string {
  let out = '';
  let last = 0;
  // Braces that do not pair up are not a variable to Meta; the customer would see them as written.
  for (const token of scanVariables(text).tokens.filter((t) => t.defect !== 'unbalanced-braces')) {
    out += text.slice(last, token.start);
    const value = token.name === undefined ? undefined : valueOf(token.name);
    if (value === undefined || value === '') {
      out += text.slice(token.start, token.end);
      const label = `${place} {{${token.raw}}}`;
      if (!missing.includes(label)) missing.push(label);
    } else {
      out += value;
    }
    last = token.end;
  }
  return out + text.slice(last);
}

function parameterText(parameter: TemplateParameter): string | undefined {
  return parameter.text ?? parameter.currency?.fallback_value ?? parameter.date_time?.fallback_value;
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
