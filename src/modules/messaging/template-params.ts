import type {
  TemplateComponentDefinition,
  TemplateParameter,
  TemplateSendComponent,
  TemplateSendObject,
} from '../../whatsapp/wire.js';

/** A template as the platform knows it (synced from the WABA): one name in one language. */
export interface LocalTemplate {
  name: string;
  language: string;
  status: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  parameter_format?: 'POSITIONAL' | 'NAMED';
  components: TemplateComponentDefinition[];
}

/** One mismatch between a template's definition and the parameters a send gives it. */
export interface TemplateParamsProblem {
  /** `header`, `body`, `footer` or `button[<index>]`. */
  component: string;
  expected: number | string | string[];
  received: number | string | string[];
  message: string;
}

export type TemplateParamsCheck = { ok: true } | ({ ok: false } & TemplateParamsProblem);

/**
 * Checks that a template send gives the template the right number and kind of parameters:
 * one per `{{n}}`/`{{name}}` variable in a TEXT header and the body, the media (or location)
 * a media header needs, a text suffix for each URL button whose url has a variable, a
 * coupon_code for each copy-code button and, for AUTHENTICATION templates, the code as the one
 * body parameter plus a url button parameter. NAMED templates need `parameter_name` on every
 * parameter, matching the variables exactly. Returns the first problem found.
 *
 * @example
 * checkTemplateParameters(orderUpdate, { name: 'order_update', language: { code: 'pt_BR' },
 *   components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }] });
 * // { ok: false, component: 'body', expected: 2, received: 1, message: '...' }
 */
export function checkTemplateParameters(template: LocalTemplate, send: TemplateSendObject): TemplateParamsCheck {
  const problem = findProblem(template, send.components ?? []);
  return problem ? { ok: false, ...problem } : { ok: true };
}

/** The distinct variable names of a template text, in order of first use: `['1', '2']` or `['first_name']`. */
export function templateVariables(text: string | undefined): string[] {
  const names: string[] = [];
  for (const match of (text ?? '').matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) {
    const name = match[1] as string;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

// Meta's limits on parameter values (cloud-api-facts §1.1, §5.4).
const HEADER_TEXT_MAX = 60;
const BODY_TEXT_MAX = 1024;
const BODY_ONLY_TEXT_MAX = 32768;
/** Copy-code (coupon) buttons copy at most 15 characters (Meta's coupon code templates guide). */
const COUPON_CODE_MAX = 15;

const MEDIA_PARAM_KINDS: Record<string, readonly string[]> = {
  IMAGE: ['image'],
  VIDEO: ['video'],
  // GIF headers carry an MP4; accept the video parameter (and a `gif` one should Meta name it so).
  GIF: ['video', 'gif'],
  DOCUMENT: ['document'],
};

/** The `sub_type` a send component uses for each button type of a definition. */
const BUTTON_SUB_TYPES: Record<string, string> = {
  URL: 'url',
  OTP: 'url',
  QUICK_REPLY: 'quick_reply',
  COPY_CODE: 'copy_code',
  FLOW: 'flow',
  CATALOG: 'catalog',
  MPM: 'mpm',
};

type ButtonDefinition = NonNullable<TemplateComponentDefinition['buttons']>[number];

function findProblem(template: LocalTemplate, given: TemplateSendComponent[]): TemplateParamsProblem | undefined {
  for (const type of ['header', 'body', 'footer'] as const) {
    const count = given.filter((c) => c.type === type).length;
    if (count > 1) return { component: type, expected: 1, received: count, message: `The ${type} component is given ${count} times; give it once with all its parameters.` };
  }
  const params = (type: 'header' | 'body' | 'footer'): TemplateParameter[] => given.find((c) => c.type === type)?.parameters ?? [];
  const definition = (type: TemplateComponentDefinition['type']) => template.components.find((c) => c.type === type);
  const named = usesNamedParameters(template);
  const bodyOnly = template.components.every((c) => c.type === 'BODY');
  return (
    checkHeader(definition('HEADER'), params('header'), named) ??
    checkBody(template, definition('BODY'), params('body'), named, bodyOnly) ??
    checkButtons(template, definition('BUTTONS')?.buttons ?? [], given.filter((c) => c.type === 'button')) ??
    checkNoParameters('footer', params('footer'), 'A footer has no variables, so it takes no parameters.')
  );
}

function usesNamedParameters(template: LocalTemplate): boolean {
  if (template.parameter_format) return template.parameter_format === 'NAMED';
  return template.components.some((c) => templateVariables(c.text).some((name) => !/^\d+$/.test(name)));
}

function checkHeader(definition: TemplateComponentDefinition | undefined, params: TemplateParameter[], named: boolean): TemplateParamsProblem | undefined {
  if (!definition) return checkNoParameters('header', params, 'The template has no header, so the header takes no parameters.');
  const format = definition.format ?? 'TEXT';
  if (format === 'TEXT') return checkTextParameters('header', templateVariables(definition.text), params, named, ['text'], HEADER_TEXT_MAX);
  if (format === 'LOCATION') {
    return checkSingleParameter('header', ['location'], params, (p) => Number.isFinite(p.location?.latitude) && Number.isFinite(p.location?.longitude), 'a location with latitude and longitude');
  }
  const kinds = MEDIA_PARAM_KINDS[format];
  if (!kinds) return undefined;
  return checkSingleParameter('header', kinds, params, (p) => hasMedia(p), `an ${kinds[0]} with an id or a link`);
}

function checkBody(
  template: LocalTemplate,
  definition: TemplateComponentDefinition | undefined,
  params: TemplateParameter[],
  named: boolean,
  bodyOnly: boolean,
): TemplateParamsProblem | undefined {
  if (template.category === 'AUTHENTICATION') {
    // Meta fixes the body text of an OTP template; the one parameter is the code itself.
    return checkTextParameters('body', ['1'], params, false, ['text'], BODY_TEXT_MAX, 'An authentication template takes exactly one body parameter: the code.');
  }
  return checkTextParameters('body', templateVariables(definition?.text), params, named, ['text', 'currency', 'date_time'], bodyOnly ? BODY_ONLY_TEXT_MAX : BODY_TEXT_MAX);
}

function checkTextParameters(
  component: string,
  variables: string[],
  params: TemplateParameter[],
  named: boolean,
  kinds: readonly string[],
  maxLength: number,
  countHint?: string,
): TemplateParamsProblem | undefined {
  if (params.length !== variables.length) {
    const listed = variables.length > 0 ? ` (${variables.map((v) => `{{${v}}}`).join(', ')})` : '';
    return {
      component,
      expected: variables.length,
      received: params.length,
      message: countHint ?? `The ${component} has ${variables.length} variable(s)${listed} but ${params.length} parameter(s) were given.`,
    };
  }
  for (const [i, param] of params.entries()) {
    if (!kinds.includes(param.type)) {
      return { component, expected: kinds.join(' | '), received: param.type, message: `Parameter ${i + 1} of the ${component} must be of type ${kinds.join(' or ')}, not ${param.type}.` };
    }
    const invalid = describeInvalidValue(param, maxLength);
    if (invalid) return { component, expected: invalid.expected, received: invalid.received, message: `Parameter ${i + 1} of the ${component}: ${invalid.message}` };
  }
  if (named) return checkParameterNames(component, variables, params);
  return undefined;
}

function describeInvalidValue(param: TemplateParameter, maxLength: number): { expected: string; received: string | number; message: string } | undefined {
  if (param.type === 'text') {
    if (typeof param.text !== 'string' || param.text.trim() === '') return { expected: 'non-empty text', received: JSON.stringify(param.text ?? null), message: 'text must be a non-empty string.' };
    if (param.text.length > maxLength) return { expected: `at most ${maxLength} characters`, received: param.text.length, message: `text is ${param.text.length} characters long; the limit is ${maxLength}.` };
  }
  if (param.type === 'currency' && !(param.currency?.fallback_value && param.currency.code && Number.isInteger(param.currency.amount_1000))) {
    return { expected: 'currency {fallback_value, code, amount_1000}', received: JSON.stringify(param.currency ?? null), message: 'currency needs fallback_value, code and an integer amount_1000.' };
  }
  if (param.type === 'date_time' && !param.date_time?.fallback_value) {
    return { expected: 'date_time {fallback_value}', received: JSON.stringify(param.date_time ?? null), message: 'date_time needs a fallback_value.' };
  }
  return undefined;
}

function checkParameterNames(component: string, variables: string[], params: TemplateParameter[]): TemplateParamsProblem | undefined {
  const given = params.map((p) => p.parameter_name ?? '');
  const missing = variables.filter((v) => !given.includes(v));
  const unknown = given.filter((g) => !variables.includes(g));
  const duplicated = given.filter((g, i) => given.indexOf(g) !== i);
  if (missing.length === 0 && unknown.length === 0 && duplicated.length === 0) return undefined;
  const parts = [
    missing.length > 0 ? `missing ${missing.join(', ')}` : '',
    unknown.length > 0 ? `unknown ${unknown.map((u) => u || '(no parameter_name)').join(', ')}` : '',
    duplicated.length > 0 ? `repeated ${duplicated.join(', ')}` : '',
  ].filter(Boolean);
  return {
    component,
    expected: variables,
    received: given,
    message: `This template uses named parameters: each ${component} parameter needs a parameter_name matching a variable (${parts.join('; ')}).`,
  };
}

function checkSingleParameter(
  component: string,
  kinds: readonly string[],
  params: TemplateParameter[],
  valid: (p: TemplateParameter) => boolean,
  description: string,
): TemplateParamsProblem | undefined {
  if (params.length !== 1) return { component, expected: 1, received: params.length, message: `The ${component} needs exactly one parameter: ${description}.` };
  const [param] = params as [TemplateParameter];
  if (!kinds.includes(param.type)) return { component, expected: kinds.join(' | '), received: param.type, message: `The ${component} needs ${description}, not a ${param.type} parameter.` };
  if (!valid(param)) return { component, expected: description, received: JSON.stringify(param[param.type as keyof TemplateParameter] ?? null), message: `The ${component} needs ${description}.` };
  return undefined;
}

function checkNoParameters(component: string, params: TemplateParameter[], message: string): TemplateParamsProblem | undefined {
  return params.length > 0 ? { component, expected: 0, received: params.length, message } : undefined;
}

function hasMedia(param: TemplateParameter): boolean {
  const media = (param as unknown as Record<string, { id?: string; link?: string } | undefined>)[param.type];
  return Boolean(media?.id || media?.link);
}

/** What a definition button requires from the send: a url suffix, a coupon code, or nothing. */
function buttonRequirement(button: ButtonDefinition, category: LocalTemplate['category']): 'url_text' | 'coupon_code' | undefined {
  if (button.type === 'OTP' || (category === 'AUTHENTICATION' && button.type === 'URL')) return 'url_text';
  if (button.type === 'URL' && typeof button.url === 'string' && templateVariables(button.url).length > 0) return 'url_text';
  if (button.type === 'COPY_CODE') return 'coupon_code';
  return undefined;
}

function checkButtons(template: LocalTemplate, definitions: ButtonDefinition[], given: TemplateSendComponent[]): TemplateParamsProblem | undefined {
  // Every OTP template has a code button; tolerate a stored definition that lost its BUTTONS.
  const buttons = template.category === 'AUTHENTICATION' && definitions.length === 0 ? [{ type: 'OTP' }] : definitions;
  const byIndex = new Map<number, TemplateSendComponent>();
  for (const component of given) {
    const index = Number(component.index);
    const label = `button[${String(component.index ?? '?')}]`;
    const definition = Number.isInteger(index) ? buttons[index] : undefined;
    if (!definition) return { component: label, expected: `an index from 0 to ${buttons.length - 1}`, received: String(component.index ?? 'none'), message: `The template has no button at index ${String(component.index ?? '(none)')}.` };
    if (byIndex.has(index)) return { component: label, expected: 1, received: 2, message: `Button ${index} is given twice.` };
    byIndex.set(index, component);
    const subType = BUTTON_SUB_TYPES[definition.type];
    if (subType && component.sub_type !== undefined && component.sub_type !== subType) {
      return { component: label, expected: subType, received: component.sub_type, message: `Button ${index} is a ${definition.type} button: send it with sub_type "${subType}".` };
    }
  }
  for (const [index, definition] of buttons.entries()) {
    const problem = checkButton(index, definition, template.category, byIndex.get(index)?.parameters ?? []);
    if (problem) return problem;
  }
  return undefined;
}

function checkButton(index: number, definition: ButtonDefinition, category: LocalTemplate['category'], params: TemplateParameter[]): TemplateParamsProblem | undefined {
  const component = `button[${index}]`;
  const requirement = buttonRequirement(definition, category);
  if (requirement === 'url_text') {
    const what = category === 'AUTHENTICATION' ? 'the code again, as its one text parameter' : 'the URL suffix for its {{1}}, as one text parameter';
    return checkSingleParameter(component, ['text'], params, (p) => typeof p.text === 'string' && p.text.trim() !== '', `a text parameter (button ${index} needs ${what}, sub_type "url")`);
  }
  if (requirement === 'coupon_code') {
    const problem = checkSingleParameter(component, ['coupon_code'], params, (p) => typeof p.coupon_code === 'string' && p.coupon_code !== '', `a coupon_code parameter (button ${index} is a copy-code button, sub_type "copy_code")`);
    const length = [...(params[0]?.coupon_code ?? '')].length;
    if (problem || length <= COUPON_CODE_MAX) return problem;
    return {
      component,
      expected: `at most ${COUPON_CODE_MAX} characters`,
      received: length,
      message: `Button ${index}: coupon_code is ${length} characters; Meta's copy-code button copies at most ${COUPON_CODE_MAX}. A Pix "copia e cola" code never fits: send it as a body parameter (see docs/payments.md).`,
    };
  }
  if (definition.type === 'URL' || definition.type === 'PHONE_NUMBER') {
    return checkNoParameters(component, params, `Button ${index} (${definition.type}) has no variable, so it takes no parameters.`);
  }
  const optionalKind = definition.type === 'QUICK_REPLY' ? 'payload' : definition.type === 'FLOW' ? 'action' : undefined;
  const wrong = optionalKind ? params.find((p) => p.type !== optionalKind) : undefined;
  if (optionalKind && wrong) {
    return { component, expected: optionalKind, received: wrong.type, message: `Button ${index} (${definition.type}) takes only an optional ${optionalKind} parameter.` };
  }
  return undefined;
}
