import type { LocationObject, TemplateComponentDefinition, TemplateParameter, TemplateRecord, TemplateSendComponent, TemplateSendObject } from '../whatsapp/wire.js';
import { metaFailure, type MetaFailure } from './meta-errors.js';
import { renderButtons } from './template-send-buttons.js';
import { bindParameters, failed, type Matched } from './template-send-params.js';
import { charLength, parameterKeys, scanVariables, substituteVariables } from './template-variables.js';

/** A template message as the recipient sees it once its parameters are filled in. */
export interface RenderedTemplate {
  header?: { format: string; text?: string; media?: { id?: string; link?: string; filename?: string }; location?: LocationObject };
  body: string;
  footer?: string;
  buttons: RenderedButton[];
}

export interface RenderedButton {
  /** The template's button type: `QUICK_REPLY`, `URL`, `COPY_CODE`, `OTP`, `PHONE_NUMBER`… */
  type: string;
  /** The label shown on the button. */
  text: string;
  /** URL buttons: the target with its `{{1}}` filled in. */
  url?: string;
  /** QUICK_REPLY buttons: what comes back in the inbound `button.payload` (the label when none was sent). */
  payload?: string;
  /** COPY_CODE and OTP buttons: the code copied. */
  coupon_code?: string;
}

export type TemplateSendCheck = { ok: true; rendered: RenderedTemplate } | { ok: false; failure: MetaFailure };

/** Meta's limits on filled-in template text (cloud-api-facts.md §1.1, §5.4). */
export const TEMPLATE_SEND_LIMITS = {
  headerText: 60,
  /** Body text, and each body parameter, when the template has a header, footer or buttons. */
  bodyText: 1024,
  /** Body text, and each body parameter, when the template is a body and nothing else. */
  bodyOnlyText: 32768,
  /** One-time passcodes and coupon codes. */
  code: 15,
} as const;

/**
 * The status gate of a template send, kept in one place: PAUSED → 132015, DISABLED → 132016,
 * anything else not sendable (PENDING, REJECTED, IN_APPEAL, ARCHIVED…) → 132001, as Meta treats
 * an unapproved template as absent. APPROVED and FLAGGED (a quality warning, still sendable)
 * pass.
 */
export function templateStatusFailure(t: TemplateRecord): MetaFailure | undefined {
  switch (t.status) {
    case 'APPROVED':
    case 'FLAGGED':
      return undefined;
    case 'PAUSED':
      return metaFailure(132015, `Template ${t.name} (${t.language}) is paused because of low quality; it can be sent again when the pause ends.`);
    case 'DISABLED':
      return metaFailure(132016, `Template ${t.name} (${t.language}) is disabled after being paused too many times; create a new template.`);
    default:
      return metaFailure(132001, `template name (${t.name}) does not exist in ${t.language} (status ${t.status}, not APPROVED)`);
  }
}

/**
 * Checks the `template` object of `POST /{phone-number-id}/messages` against the stored
 * template it names, and renders the message. The caller has already found the template by
 * name and language and checked its status ({@link templateStatusFailure}); the shape of the
 * send object is checked by `validate-send-template.ts`.
 *
 * Errors (all synchronous, HTTP 400): 132000 parameter count or names differ per component,
 * 132012 a parameter of the wrong format (`header: Format mismatch, expected IMAGE, received
 * UNKNOWN`), 131008 a required value missing, 132018 whitespace in a value, 131009 a value too
 * long, 132005 filled-in text too long. Named templates bind by `parameter_name`, positional ones
 * by order.
 *
 * @example checkTemplateSend(helloWorld, { name: 'hello_world', language: { code: 'en_US' } })
 *   // → { ok: true, rendered: { header: { format: 'TEXT', text: 'Hello World' }, body: 'Welcome…', … } }
 */
export function checkTemplateSend(template: TemplateRecord, send: TemplateSendObject): TemplateSendCheck {
  const parts = groupComponents(send.components ?? []);
  if (!parts.ok) return parts;
  const header = renderHeader(template, parts.value.header);
  if (!header.ok) return header;
  const body = renderBody(template, parts.value.body);
  if (!body.ok) return body;
  const buttons = renderButtons(template, parts.value.buttons);
  if (!buttons.ok) return buttons;
  const footer = renderFooter(template);
  return {
    ok: true,
    rendered: {
      ...(header.value === undefined ? {} : { header: header.value }),
      body: body.value,
      ...(footer === undefined ? {} : { footer }),
      buttons: buttons.value,
    },
  };
}

interface SendParts {
  header?: TemplateSendComponent;
  body?: TemplateSendComponent;
  buttons: Map<number, TemplateSendComponent>;
}

function groupComponents(components: readonly TemplateSendComponent[]): Matched<SendParts> {
  const parts: SendParts = { buttons: new Map() };
  for (const [i, component] of components.entries()) {
    const type = String(component.type ?? '').toLowerCase();
    const params = component.parameters ?? [];
    if (type === 'header' || type === 'body') {
      if (parts[type] !== undefined) return failed(131009, `components[${i}]: more than one ${type} component`);
      parts[type] = component;
    } else if (type === 'footer') {
      if (params.length > 0) return failed(132000, `footer: number of localizable_params (${params.length}) does not match the expected number of params (0)`);
    } else if (type === 'button') {
      const index = typeof component.index === 'number' ? component.index : /^[0-9]$/.test(String(component.index ?? '')) ? Number(component.index) : NaN;
      if (!Number.isInteger(index) || index < 0 || index > 9) return failed(131009, `components[${i}].index: must be a button position from 0 to 9`);
      if (parts.buttons.has(index)) return failed(131009, `components[${i}]: more than one button component for index ${index}`);
      parts.buttons.set(index, component);
    } else {
      return failed(131009, `components[${i}].type: must be header, body, footer or button, got ${JSON.stringify(component.type)}`);
    }
  }
  return { ok: true, value: parts };
}

type RenderedHeader = NonNullable<RenderedTemplate['header']>;

function renderHeader(template: TemplateRecord, sent: TemplateSendComponent | undefined): Matched<RenderedHeader | undefined> {
  const definition = component(template, 'HEADER');
  const params = sent?.parameters ?? [];
  if (definition === undefined) {
    if (params.length === 0) return { ok: true, value: undefined };
    return failed(132000, `header: number of localizable_params (${params.length}) does not match the expected number of params (0)`);
  }
  const format = (definition.format ?? 'TEXT').toUpperCase();
  if (format === 'TEXT') {
    const text = definition.text ?? '';
    const keys = parameterKeys(text);
    const bound = bindParameters(params, { label: 'header', keys, named: isNamed(template, text), maxLength: TEMPLATE_SEND_LIMITS.headerText, types: ['text'] });
    if (!bound.ok) return bound;
    const rendered = substituteVariables(text, (key) => bound.value.get(key));
    const length = charLength(rendered);
    if (length > TEMPLATE_SEND_LIMITS.headerText) {
      return failed(132005, `header: text is ${length} characters once parameters are filled in, more than the ${TEMPLATE_SEND_LIMITS.headerText} allowed`);
    }
    return { ok: true, value: { format, text: rendered } };
  }
  // GIF headers are sent as video (an MP4), the only animated type a send parameter has.
  const expected = format === 'GIF' ? 'video' : format.toLowerCase();
  const param = params[0];
  const received = param === undefined ? 'UNKNOWN' : String(param.type ?? 'UNKNOWN').toUpperCase();
  if (param === undefined || received !== expected.toUpperCase()) return failed(132012, `header: Format mismatch, expected ${format}, received ${received}`);
  if (params.length > 1) return failed(132000, `header: number of localizable_params (${params.length}) does not match the expected number of params (1)`);
  if (format === 'LOCATION') return renderLocation(param);
  const media = expected === 'image' ? param.image : expected === 'video' ? param.video : param.document;
  if (media?.id === undefined && media?.link === undefined) return failed(131008, `header: ${expected} needs an id or a link`);
  return {
    ok: true,
    value: {
      format,
      media: {
        ...(media.id === undefined ? {} : { id: media.id }),
        ...(media.link === undefined ? {} : { link: media.link }),
        ...(media.filename === undefined ? {} : { filename: media.filename }),
      },
    },
  };
}

function renderLocation(param: TemplateParameter): Matched<RenderedHeader> {
  const location = param.location;
  const latitude = Number(location?.latitude);
  const longitude = Number(location?.longitude);
  if (location === undefined || location.latitude === undefined || location.longitude === undefined || Number.isNaN(latitude) || Number.isNaN(longitude)) {
    return failed(131008, 'header: location needs latitude and longitude');
  }
  return {
    ok: true,
    value: {
      format: 'LOCATION',
      location: {
        latitude,
        longitude,
        ...(location.name === undefined ? {} : { name: location.name }),
        ...(location.address === undefined ? {} : { address: location.address }),
      },
    },
  };
}

/** Meta's fixed English text for authentication templates (authentication templates guide). */
const OTP_BODY = '{{1}} is your verification code.';
const OTP_SECURITY = 'For your security, do not share this code.';

function renderBody(template: TemplateRecord, sent: TemplateSendComponent | undefined): Matched<string> {
  const definition = component(template, 'BODY');
  const params = sent?.parameters ?? [];
  if (template.category === 'AUTHENTICATION') {
    const bound = bindParameters(params, { label: 'body', keys: ['1'], named: false, maxLength: TEMPLATE_SEND_LIMITS.code, types: ['text'] });
    if (!bound.ok) return bound;
    const text = definition?.add_security_recommendation === true ? `${OTP_BODY} ${OTP_SECURITY}` : OTP_BODY;
    return { ok: true, value: substituteVariables(text, (key) => bound.value.get(key)) };
  }
  const text = definition?.text ?? '';
  const bodyOnly = template.components.every((c) => c.type.toUpperCase() === 'BODY');
  const max = bodyOnly ? TEMPLATE_SEND_LIMITS.bodyOnlyText : TEMPLATE_SEND_LIMITS.bodyText;
  const bound = bindParameters(params, { label: 'body', keys: parameterKeys(text), named: isNamed(template, text), maxLength: max, types: ['text', 'currency', 'date_time'] });
  if (!bound.ok) return bound;
  const rendered = substituteVariables(text, (key) => bound.value.get(key));
  const length = charLength(rendered);
  if (length > max) return failed(132005, `body: text is ${length} characters once parameters are filled in, more than the ${max} allowed`);
  return { ok: true, value: rendered };
}

function renderFooter(template: TemplateRecord): string | undefined {
  const definition = component(template, 'FOOTER');
  if (definition === undefined) return undefined;
  if (template.category === 'AUTHENTICATION' && definition.code_expiration_minutes !== undefined) {
    return `This code expires in ${definition.code_expiration_minutes} minutes.`;
  }
  return definition.text;
}

function component(template: TemplateRecord, type: TemplateComponentDefinition['type']): TemplateComponentDefinition | undefined {
  return template.components.find((c) => c.type.toUpperCase() === type);
}

function isNamed(template: TemplateRecord, text: string): boolean {
  return template.parameter_format === 'NAMED' || scanVariables(text).variables[0]?.kind === 'named';
}
