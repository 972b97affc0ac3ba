import type { CreateTemplateRequest, TemplateCategory, TemplateComponentDefinition } from '../whatsapp/wire.js';
import { metaFailure, type MetaFailure } from './meta-errors.js';
import {
  SUBCODE_DANGLING_PARAMETER,
  SUBCODE_PARAMS_RATIO,
  charLength,
  danglingVariableProblem,
  scanVariables,
  variableRatioProblem,
} from './template-variables.js';

export type CreateValidation = { ok: true; template: CreateTemplateRequest } | { ok: false; failure: MetaFailure };

/** Meta's published size limits for template definitions (cloud-api-facts.md §4.4, §5.4). */
export const TEMPLATE_LIMITS = {
  name: 512,
  headerText: 60,
  bodyText: 1024,
  footerText: 60,
  buttonText: 25,
  buttons: 10,
  phoneNumberButtons: 1,
  urlButtons: 2,
  copyCodeButtons: 1,
  otpButtons: 1,
  /** URL button target (Meta: 2000 characters). */
  url: 2000,
  /** PHONE_NUMBER button number (Meta: 20 characters). */
  phoneNumber: 20,
  /** COPY_CODE coupon / OTP code (Meta: 15 characters). */
  code: 15,
  /** AUTHENTICATION footer `code_expiration_minutes` (Meta: 1–90). */
  codeExpirationMinutes: 90,
} as const;

/**
 * The synchronous checks Meta makes on `POST /{waba-id}/message_templates` before a template
 * goes to review: every failure is HTTP 400, code 100, with `details` naming the field (e.g.
 * `components[1].text`) and the rule. Enum values (category, component and button types,
 * header format, parameter_format, otp_type) are accepted in any case, as Meta's own examples
 * send `"type": "body"`, and come back upper-cased in `template`.
 *
 * Two content rules are also enforced here because Meta enforces them at creation, with their
 * own error subcodes (cloud-api-facts.md §3.2), not during review: a body that starts or ends
 * with a variable (2388299) and a body with too many variables for its length (2388293).
 * Everything else about content is {@link reviewTemplate}'s job.
 *
 * @example validateTemplateCreate({ name: 'x', language: 'en', category: 'UTILITY', components: [] })
 *   // → { ok: false, failure: { code: 100, details: 'components: must be a non-empty array' } }
 */
export function validateTemplateCreate(body: unknown): CreateValidation {
  const read = readTemplate(body);
  if (!read.ok) return { ok: false, failure: metaFailure(100, read.details, read.subcode) };
  return { ok: true, template: read.value };
}

type Step<T> = { ok: true; value: T } | { ok: false; details: string; subcode?: number };
type Example = NonNullable<TemplateComponentDefinition['example']>;
type Button = NonNullable<TemplateComponentDefinition['buttons']>[number];
type Json = Record<string, unknown>;

const CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
const COMPONENT_TYPES = ['HEADER', 'BODY', 'FOOTER', 'BUTTONS'] as const;
const HEADER_FORMATS = ['TEXT', 'IMAGE', 'VIDEO', 'GIF', 'DOCUMENT', 'LOCATION'] as const;
const PARAMETER_FORMATS = ['POSITIONAL', 'NAMED'] as const;
const BUTTON_TYPES = ['QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'OTP', 'FLOW', 'MPM', 'CATALOG', 'COPY_CODE', 'VOICE_CALL', 'APP'] as const;
const OTP_TYPES = ['COPY_CODE', 'ONE_TAP', 'ZERO_TAP'] as const;
/** Buttons whose label Meta fixes itself, so `text` may be left out. */
const LABEL_OPTIONAL = new Set<string>(['OTP', 'COPY_CODE', 'APP']);

function readTemplate(body: unknown): Step<CreateTemplateRequest> {
  if (!isRecord(body)) return fail('request body must be a JSON object');
  const name = readText(body.name, 'name', TEMPLATE_LIMITS.name);
  if (!name.ok) return name;
  if (!/^[a-z0-9_]+$/.test(name.value)) return fail('name: may contain only lowercase letters, digits and underscores (^[a-z0-9_]+$)');
  const language = readText(body.language, 'language');
  if (!language.ok) return language;
  if (!/^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/.test(language.value)) return fail(`language: "${language.value}" is not a language code such as en or en_US`);
  const category = readEnum(body.category, 'category', CATEGORIES);
  if (!category.ok) return category;
  const parameterFormat = body.parameter_format === undefined ? ok(undefined) : readEnum(body.parameter_format, 'parameter_format', PARAMETER_FORMATS);
  if (!parameterFormat.ok) return parameterFormat;
  if (body.allow_category_change !== undefined && typeof body.allow_category_change !== 'boolean') {
    return fail('allow_category_change: must be a boolean');
  }
  if (!Array.isArray(body.components) || body.components.length === 0) return fail('components: must be a non-empty array');

  const components: TemplateComponentDefinition[] = [];
  for (const [i, raw] of body.components.entries()) {
    const component = readComponent(raw, i, category.value);
    if (!component.ok) return component;
    if (components.some((c) => c.type === component.value.type)) {
      return fail(`components[${i}].type: a template can have only one ${component.value.type} component`);
    }
    components.push(component.value);
  }
  const bodyComponent = components.find((c) => c.type === 'BODY');
  if (bodyComponent === undefined && category.value !== 'AUTHENTICATION') return fail('components: a BODY component is required');

  if (bodyComponent?.text !== undefined && category.value !== 'AUTHENTICATION') {
    const where = `components[${components.indexOf(bodyComponent)}].text`;
    const dangling = danglingVariableProblem(bodyComponent.text);
    if (dangling !== undefined) return fail(`${where}: BODY: ${dangling}`, SUBCODE_DANGLING_PARAMETER);
    const ratio = variableRatioProblem(bodyComponent.text);
    if (ratio !== undefined) return fail(`${where}: BODY: ${ratio}`, SUBCODE_PARAMS_RATIO);
  }

  return ok({
    name: name.value,
    language: language.value,
    category: category.value,
    ...(parameterFormat.value === undefined ? {} : { parameter_format: parameterFormat.value }),
    ...(typeof body.allow_category_change === 'boolean' ? { allow_category_change: body.allow_category_change } : {}),
    components,
  });
}

function readComponent(raw: unknown, i: number, category: TemplateCategory): Step<TemplateComponentDefinition> {
  const at = `components[${i}]`;
  if (!isRecord(raw)) return fail(`${at}: must be an object`);
  const type = readEnum(raw.type, `${at}.type`, COMPONENT_TYPES);
  if (!type.ok) return type;
  const example = raw.example === undefined ? ok(undefined) : readExample(raw.example, `${at}.example`);
  if (!example.ok) return example;
  const withExample = example.value === undefined ? {} : { example: example.value };
  const auth = category === 'AUTHENTICATION';

  switch (type.value) {
    case 'HEADER': {
      const format = readEnum(raw.format, `${at}.format`, HEADER_FORMATS);
      if (!format.ok) return format;
      if (format.value !== 'TEXT') return ok({ type: 'HEADER', format: format.value, ...withExample });
      const text = readText(raw.text, `${at}.text`, TEMPLATE_LIMITS.headerText);
      if (!text.ok) return text;
      return ok({ type: 'HEADER', format: 'TEXT', text: text.value, ...withExample });
    }
    case 'BODY': {
      if (raw.add_security_recommendation !== undefined && typeof raw.add_security_recommendation !== 'boolean') {
        return fail(`${at}.add_security_recommendation: must be a boolean`);
      }
      const security = typeof raw.add_security_recommendation === 'boolean' ? { add_security_recommendation: raw.add_security_recommendation } : {};
      if (auth && raw.text === undefined) return ok({ type: 'BODY', ...security, ...withExample });
      const text = readText(raw.text, `${at}.text`, TEMPLATE_LIMITS.bodyText);
      if (!text.ok) return text;
      return ok({ type: 'BODY', text: text.value, ...security, ...withExample });
    }
    case 'FOOTER': {
      const minutes = raw.code_expiration_minutes;
      if (minutes !== undefined && (!Number.isInteger(minutes) || (minutes as number) < 1 || (minutes as number) > TEMPLATE_LIMITS.codeExpirationMinutes)) {
        return fail(`${at}.code_expiration_minutes: must be an integer from 1 to ${TEMPLATE_LIMITS.codeExpirationMinutes}`);
      }
      const expiry = typeof minutes === 'number' ? { code_expiration_minutes: minutes } : {};
      if (auth && raw.text === undefined) return ok({ type: 'FOOTER', ...expiry });
      const text = readText(raw.text, `${at}.text`, TEMPLATE_LIMITS.footerText);
      if (!text.ok) return text;
      return ok({ type: 'FOOTER', text: text.value, ...expiry });
    }
    case 'BUTTONS': {
      const buttons = readButtons(raw.buttons, `${at}.buttons`);
      if (!buttons.ok) return buttons;
      return ok({ type: 'BUTTONS', buttons: buttons.value });
    }
  }
}

function readButtons(raw: unknown, at: string): Step<Button[]> {
  if (!Array.isArray(raw) || raw.length === 0) return fail(`${at}: must be a non-empty array`);
  if (raw.length > TEMPLATE_LIMITS.buttons) return fail(`${at}: at most ${TEMPLATE_LIMITS.buttons} buttons, got ${raw.length}`);
  const buttons: Button[] = [];
  for (const [j, item] of raw.entries()) {
    const button = readButton(item, `${at}[${j}]`);
    if (!button.ok) return button;
    buttons.push(button.value);
  }
  const caps: Array<[string, number]> = [
    ['PHONE_NUMBER', TEMPLATE_LIMITS.phoneNumberButtons],
    ['URL', TEMPLATE_LIMITS.urlButtons],
    ['COPY_CODE', TEMPLATE_LIMITS.copyCodeButtons],
    ['OTP', TEMPLATE_LIMITS.otpButtons],
  ];
  for (const [type, cap] of caps) {
    const count = buttons.filter((b) => b.type === type).length;
    if (count > cap) return fail(`${at}: at most ${cap} ${type} button(s) per template, got ${count}`);
  }
  // Meta: "quick reply buttons must be grouped together" (QUICK_REPLY, URL, QUICK_REPLY is invalid).
  const quick = buttons.flatMap((b, j) => (b.type === 'QUICK_REPLY' ? [j] : []));
  const firstQuick = quick[0];
  const lastQuick = quick[quick.length - 1];
  if (firstQuick !== undefined && lastQuick !== undefined && lastQuick - firstQuick + 1 !== quick.length) {
    return fail(`${at}: QUICK_REPLY buttons must be grouped together, not mixed between other button types`);
  }
  return ok(buttons);
}

function readButton(raw: unknown, at: string): Step<Button> {
  if (!isRecord(raw)) return fail(`${at}: must be an object`);
  const type = readEnum(raw.type, `${at}.type`, BUTTON_TYPES);
  if (!type.ok) return type;
  const button: Button = { ...raw, type: type.value };
  if (raw.text !== undefined || !LABEL_OPTIONAL.has(type.value)) {
    const text = readText(raw.text, `${at}.text`, TEMPLATE_LIMITS.buttonText);
    if (!text.ok) return text;
  }
  switch (type.value) {
    case 'URL': {
      const url = readText(raw.url, `${at}.url`, TEMPLATE_LIMITS.url);
      if (!url.ok) return url;
      if (!/^https?:\/\/[^\s/?#]+\S*$/i.test(url.value)) return fail(`${at}.url: must be an http:// or https:// URL`);
      const scan = scanVariables(url.value);
      if (scan.strayBraces.length > 0) return fail(`${at}.url: mismatched curly braces at position ${scan.strayBraces[0]}`);
      if (scan.variables.length > 1) return fail(`${at}.url: at most one variable ({{1}}) is allowed, found ${scan.variables.length}`);
      if (scan.variables.length === 1 && !url.value.endsWith('{{1}}')) return fail(`${at}.url: the only variable allowed is {{1}}, at the end of the URL`);
      const example = raw.example;
      if (example !== undefined && typeof example !== 'string' && !isStringArray(example)) return fail(`${at}.example: must be a string or an array of strings`);
      return ok(button);
    }
    case 'PHONE_NUMBER': {
      const phone = readText(raw.phone_number, `${at}.phone_number`, TEMPLATE_LIMITS.phoneNumber);
      if (!phone.ok) return phone;
      if (!/^\+?[0-9][0-9 ()-]*$/.test(phone.value)) return fail(`${at}.phone_number: must be a phone number (digits, optional leading +)`);
      return ok(button);
    }
    case 'OTP': {
      const otpType = readEnum(raw.otp_type, `${at}.otp_type`, OTP_TYPES);
      if (!otpType.ok) return otpType;
      if (raw.autofill_text !== undefined) {
        const autofill = readText(raw.autofill_text, `${at}.autofill_text`, TEMPLATE_LIMITS.buttonText);
        if (!autofill.ok) return autofill;
      }
      const appGiven = (typeof raw.package_name === 'string' && typeof raw.signature_hash === 'string') || (Array.isArray(raw.supported_apps) && raw.supported_apps.length > 0);
      if (otpType.value !== 'COPY_CODE' && !appGiven) {
        return fail(`${at}: ${otpType.value} buttons need package_name and signature_hash (or supported_apps)`);
      }
      return ok({ ...button, otp_type: otpType.value });
    }
    case 'FLOW': {
      if (![raw.flow_id, raw.flow_name, raw.flow_json].some((v) => typeof v === 'string' && v !== '')) {
        return fail(`${at}: FLOW buttons need one of flow_id, flow_name or flow_json`);
      }
      return ok(button);
    }
    case 'COPY_CODE': {
      const example = raw.example;
      const code = Array.isArray(example) ? example[0] : example;
      if (code !== undefined && (typeof code !== 'string' || charLength(code) > TEMPLATE_LIMITS.code)) {
        return fail(`${at}.example: the sample coupon code must be a string of at most ${TEMPLATE_LIMITS.code} characters`);
      }
      return ok(button);
    }
    default:
      return ok(button);
  }
}

function readExample(raw: unknown, at: string): Step<Example> {
  if (!isRecord(raw)) return fail(`${at}: must be an object`);
  const example: Example = {};
  for (const key of ['header_text', 'header_handle'] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (!isStringArray(value)) return fail(`${at}.${key}: must be an array of strings`);
    example[key] = value;
  }
  if (raw.body_text !== undefined) {
    if (!Array.isArray(raw.body_text) || !raw.body_text.every(isStringArray)) {
      return fail(`${at}.body_text: must be an array of arrays of strings, e.g. [["Mark", "FALL25"]]`);
    }
    example.body_text = raw.body_text;
  }
  for (const key of ['header_text_named_params', 'body_text_named_params'] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    const valid = Array.isArray(value) && value.every((p) => isRecord(p) && typeof p.param_name === 'string' && typeof p.example === 'string');
    if (!valid) return fail(`${at}.${key}: must be an array of { param_name, example } string pairs`);
    example[key] = (value as Array<{ param_name: string; example: string }>).map((p) => ({ param_name: p.param_name, example: p.example }));
  }
  return ok(example);
}

// ---------------------------------------------------------------------------------------------

function readText(raw: unknown, at: string, max?: number): Step<string> {
  if (raw === undefined || raw === null || raw === '') return fail(`${at}: required`);
  if (typeof raw !== 'string') return fail(`${at}: must be a string`);
  if (raw.trim() === '') return fail(`${at}: must not be blank`);
  const length = charLength(raw);
  if (max !== undefined && length > max) return fail(`${at}: must be at most ${max} characters, got ${length}`);
  return ok(raw);
}

function readEnum<T extends string>(raw: unknown, at: string, allowed: readonly T[]): Step<T> {
  if (raw === undefined || raw === null || raw === '') return fail(`${at}: required, one of ${allowed.join(', ')}`);
  const upper = typeof raw === 'string' ? raw.toUpperCase() : undefined;
  const found = allowed.find((a) => a === upper);
  if (found === undefined) return fail(`${at}: must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  return ok(found);
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function ok<T>(value: T): Step<T> {
  return { ok: true, value };
}

function fail(details: string, subcode?: number): { ok: false; details: string; subcode?: number } {
  return subcode === undefined ? { ok: false, details } : { ok: false, details, subcode };
}
