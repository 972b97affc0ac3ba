import type { CreateTemplateRequest, TemplateComponentDefinition } from '../whatsapp/wire.js';
import { danglingVariableProblem, parameterKeys, scanVariables, variableRatioProblem, type TemplateVariable } from './template-variables.js';

export { validateTemplateCreate, TEMPLATE_LIMITS, type CreateValidation } from './template-validate.js';

export type RejectionReason = 'INVALID_FORMAT' | 'TAG_CONTENT_MISMATCH' | 'ABUSIVE_CONTENT' | 'PROMOTIONAL' | 'INCORRECT_CATEGORY' | 'SCAM';

export type ReviewDecision = { status: 'APPROVED' } | { status: 'REJECTED'; reason: RejectionReason; details: string };

/**
 * Meta's content review: what decides a PENDING template's fate, by the rules Meta publishes
 * (template review page "Common rejection reasons", components reference, authentication
 * templates guide; cloud-api-facts.md §4.3–§4.4). Expects a template that passed
 * {@link validateTemplateCreate}. Returns the first rule broken, as Meta reports one reason;
 * `details` names the component and the place (`BODY: … (position 0)`).
 *
 * Not emulated: policy judgements (ABUSIVE_CONTENT, SCAM, PROMOTIONAL) and marketing content in
 * UTILITY templates, which Meta re-categorises rather than rejects since April 2025.
 */
export function reviewTemplate(template: CreateTemplateRequest): ReviewDecision {
  for (const rule of RULES) {
    const rejection = rule(template);
    if (rejection !== undefined) return rejection;
  }
  return { status: 'APPROVED' };
}

type Rejection = Extract<ReviewDecision, { status: 'REJECTED' }>;
type Rule = (template: CreateTemplateRequest) => Rejection | undefined;
type Button = NonNullable<TemplateComponentDefinition['buttons']>[number];

/** In the order they are checked; the first rejection wins. */
const RULES: Rule[] = [
  authenticationShape,
  otpOutsideAuthentication,
  textLayout,
  variableSyntax,
  variablePlacement,
  parameterFormat,
  positionalSequence,
  adjacentVariables,
  danglingVariables,
  variableRatio,
  examplesPresent,
];

/** Authentication templates are Meta's preset OTP message: no header, no own text, one OTP button. */
function authenticationShape(t: CreateTemplateRequest): Rejection | undefined {
  if (t.category !== 'AUTHENTICATION') return undefined;
  if (find(t, 'HEADER')) return reject('HEADER: AUTHENTICATION templates cannot have a header');
  if (find(t, 'BODY')?.text !== undefined) {
    return reject('BODY: AUTHENTICATION templates use Meta\'s fixed text ("{{1}} is your verification code."); custom body text is not allowed, only add_security_recommendation');
  }
  if (find(t, 'FOOTER')?.text !== undefined) return reject('FOOTER: AUTHENTICATION templates cannot have footer text, only code_expiration_minutes');
  const buttons = find(t, 'BUTTONS')?.buttons ?? [];
  const other = buttons.findIndex((b) => b.type !== 'OTP');
  if (other >= 0) return reject(`BUTTONS[${other}]: AUTHENTICATION templates allow only an OTP button, found ${buttons[other]?.type ?? 'none'}`);
  if (buttons.length !== 1) return reject('BUTTONS: AUTHENTICATION templates need exactly one OTP button (otp_type COPY_CODE, ONE_TAP or ZERO_TAP)');
  return undefined;
}

function otpOutsideAuthentication(t: CreateTemplateRequest): Rejection | undefined {
  if (t.category === 'AUTHENTICATION') return undefined;
  const j = (find(t, 'BUTTONS')?.buttons ?? []).findIndex((b) => b.type === 'OTP');
  return j < 0 ? undefined : reject(`BUTTONS[${j}]: OTP buttons are only allowed in AUTHENTICATION templates (category is ${t.category})`, 'INCORRECT_CATEGORY');
}

/**
 * Layout rules for the texts themselves. Header: single line, no emoji (components reference;
 * BSP guides: "plain text, no rich formatting or emojis"). Every text: no tabs and no more than
 * 4 consecutive spaces, and the body no more than 3 new lines in a row (the "four consecutive
 * new lines, tabs or spaces" rule BSPs quote from Meta's template guidelines).
 */
function textLayout(t: CreateTemplateRequest): Rejection | undefined {
  const header = find(t, 'HEADER');
  if (header?.text !== undefined) {
    if (/[\r\n]/.test(header.text)) return reject('HEADER: header text cannot contain new lines');
    // ©, ® and ™ are pictographic in Unicode but ordinary header text.
    const emoji = header.text.match(/(?![\u00a9\u00ae\u2122])\p{Extended_Pictographic}/u);
    if (emoji !== null) return reject(`HEADER: header text cannot contain emojis (${emoji[0]})`);
  }
  for (const [label, text] of texts(t)) {
    if (text.includes('\t')) return reject(`${label}: text cannot contain tab characters`);
    if (/ {5,}/.test(text)) return reject(`${label}: text cannot contain more than 4 consecutive spaces`);
    if (/(\r?\n){4,}/.test(text)) return reject(`${label}: text cannot contain more than 3 consecutive new lines`);
  }
  return undefined;
}

/** "Variable parameters are missing or have mismatched curly braces" / "contain special characters such as #, $ or %". */
function variableSyntax(t: CreateTemplateRequest): Rejection | undefined {
  for (const [label, text] of texts(t)) {
    const scan = scanVariables(text);
    if (scan.strayBraces.length > 0) {
      return reject(`${label}: mismatched curly braces at position ${scan.strayBraces[0]}; variables are written {{1}} or {{name}}`);
    }
    const bad = scan.variables.find((v) => v.kind === 'invalid');
    if (bad === undefined) continue;
    if (/[#$%]/.test(bad.raw)) return reject(`${label}: variable {{${bad.raw}}} contains a special character (#, $ or %) at position ${bad.position}`);
    return reject(`${label}: {{${bad.raw}}} at position ${bad.position} is not a valid variable; use {{1}}, {{2}}… or a lowercase name such as {{first_name}}`);
  }
  return undefined;
}

/** Header: at most one variable. Footer: none (components reference). */
function variablePlacement(t: CreateTemplateRequest): Rejection | undefined {
  const headerVars = variablesOf(find(t, 'HEADER')?.text);
  if (headerVars.length > 1) return reject(`HEADER: a header can have at most one variable, found ${headerVars.length}`);
  const footerVar = variablesOf(find(t, 'FOOTER')?.text)[0];
  if (footerVar !== undefined) return reject(`FOOTER: the footer cannot contain variables ({{${footerVar.raw}}} at position ${footerVar.position})`);
  return undefined;
}

/** One style per template, and it must be the declared `parameter_format` (default POSITIONAL). */
function parameterFormat(t: CreateTemplateRequest): Rejection | undefined {
  const declared = t.parameter_format ?? 'POSITIONAL';
  let positional: [string, TemplateVariable] | undefined;
  let named: [string, TemplateVariable] | undefined;
  for (const label of ['HEADER', 'BODY'] as const) {
    for (const v of variablesOf(find(t, label)?.text)) {
      if (v.kind === 'positional') positional ??= [label, v];
      if (v.kind === 'named') named ??= [label, v];
    }
  }
  if (positional !== undefined && named !== undefined) {
    return reject(`${named[0]}: named and positional variables cannot be mixed ({{${positional[1].raw}}} in ${positional[0]}, {{${named[1].raw}}} in ${named[0]})`);
  }
  if (declared === 'NAMED' && positional !== undefined) {
    return reject(`${positional[0]}: parameter_format is NAMED but {{${positional[1].raw}}} is positional`);
  }
  if (declared === 'POSITIONAL' && named !== undefined) {
    return reject(`${named[0]}: {{${named[1].raw}}} is a named variable but parameter_format is POSITIONAL${t.parameter_format === undefined ? ' (the default); set parameter_format to NAMED' : ''}`);
  }
  return undefined;
}

/** "Variable parameters are not sequential. For example, {{1}}, {{2}}, {{4}}, {{5}}". Order of appearance is free. */
function positionalSequence(t: CreateTemplateRequest): Rejection | undefined {
  for (const label of ['HEADER', 'BODY'] as const) {
    const numbers = [...new Set(variablesOf(find(t, label)?.text).filter((v) => v.kind === 'positional').map((v) => Number(v.raw)))];
    if (numbers.length === 0) continue;
    const found = numbers.sort((a, b) => a - b).map((n) => `{{${n}}}`).join(', ');
    if (numbers.includes(0)) return reject(`${label}: positional variables are numbered from {{1}}, found {{0}} (${found})`);
    const missing = Array.from({ length: Math.max(...numbers) }, (_, i) => i + 1).find((n) => !numbers.includes(n));
    if (missing !== undefined) return reject(`${label}: positional variables must be sequential; {{${missing}}} is missing (found ${found})`);
  }
  return undefined;
}

/** Meta treats variables separated only by spaces as adjacent, which review rejects. */
function adjacentVariables(t: CreateTemplateRequest): Rejection | undefined {
  const text = find(t, 'BODY')?.text;
  if (text === undefined) return undefined;
  const vars = variablesOf(text);
  for (let i = 1; i < vars.length; i += 1) {
    const before = vars[i - 1];
    const current = vars[i];
    if (before === undefined || current === undefined) continue;
    if (text.slice(before.end, current.start).trim() === '') {
      return reject(`BODY: variables {{${before.raw}}} and {{${current.raw}}} are next to each other with no text between them (position ${before.position})`);
    }
  }
  return undefined;
}

function danglingVariables(t: CreateTemplateRequest): Rejection | undefined {
  const text = find(t, 'BODY')?.text;
  const problem = text === undefined ? undefined : danglingVariableProblem(text);
  return problem === undefined ? undefined : reject(`BODY: ${problem}`);
}

function variableRatio(t: CreateTemplateRequest): Rejection | undefined {
  const text = find(t, 'BODY')?.text;
  const problem = text === undefined ? undefined : variableRatioProblem(text);
  return problem === undefined ? undefined : reject(`BODY: ${problem}`);
}

/** "If your template uses variables you must include sample variable values" (template review page). */
function examplesPresent(t: CreateTemplateRequest): Rejection | undefined {
  const header = find(t, 'HEADER');
  if (header !== undefined && header.format !== 'TEXT' && header.format !== 'LOCATION' && !hasText(header.example?.header_handle?.[0])) {
    return reject(`HEADER: ${header.format ?? 'media'} headers need a sample media handle (example.header_handle)`);
  }
  const headerProblem = missingExample('HEADER', header, header?.example?.header_text, header?.example?.header_text_named_params);
  if (headerProblem !== undefined) return headerProblem;
  const body = find(t, 'BODY');
  const bodyProblem = missingExample('BODY', body, body?.example?.body_text?.[0], body?.example?.body_text_named_params);
  if (bodyProblem !== undefined) return bodyProblem;
  const buttons = find(t, 'BUTTONS')?.buttons ?? [];
  for (const [j, button] of buttons.entries()) {
    if (button.type === 'URL' && button.url?.includes('{{1}}') && !hasText(firstExample(button))) {
      return reject(`BUTTONS[${j}]: a URL button with a variable needs a sample URL suffix (example)`);
    }
    if (button.type === 'COPY_CODE' && !hasText(firstExample(button))) return reject(`BUTTONS[${j}]: a COPY_CODE button needs a sample code (example)`);
  }
  return undefined;
}

function missingExample(
  label: 'HEADER' | 'BODY',
  component: TemplateComponentDefinition | undefined,
  positional: string[] | undefined,
  named: Array<{ param_name: string; example: string }> | undefined,
): Rejection | undefined {
  const keys = parameterKeys(component?.text);
  if (keys.length === 0) return undefined;
  const isNamed = variablesOf(component?.text)[0]?.kind === 'named';
  const field = isNamed ? (label === 'HEADER' ? 'example.header_text_named_params' : 'example.body_text_named_params') : label === 'HEADER' ? 'example.header_text' : 'example.body_text';
  if (!isNamed) {
    const missing = keys.findIndex((_, i) => !hasText(positional?.[i]));
    if (missing >= 0) return reject(`${label}: variable {{${keys[missing]}}} has no example value (${field}); ${keys.length} variable(s), ${positional?.length ?? 0} example(s)`);
    return undefined;
  }
  const missing = keys.find((k) => !hasText(named?.find((p) => p.param_name === k)?.example));
  if (missing !== undefined) return reject(`${label}: variable {{${missing}}} has no example value (${field})`);
  const extra = named?.find((p) => !keys.includes(p.param_name));
  if (extra !== undefined) return reject(`${label}: ${field} gives an example for {{${extra.param_name}}}, which is not in the text`);
  return undefined;
}

// ---------------------------------------------------------------------------------------------

function find(t: CreateTemplateRequest, type: TemplateComponentDefinition['type']): TemplateComponentDefinition | undefined {
  return t.components.find((c) => c.type === type);
}

function texts(t: CreateTemplateRequest): Array<[string, string]> {
  return (['HEADER', 'BODY', 'FOOTER'] as const).flatMap((label) => {
    const text = find(t, label)?.text;
    return text === undefined ? [] : [[label, text] as [string, string]];
  });
}

function variablesOf(text: string | undefined): TemplateVariable[] {
  return text === undefined ? [] : scanVariables(text).variables;
}

function firstExample(button: Button): unknown {
  return Array.isArray(button.example) ? button.example[0] : button.example;
}

function hasText(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}

function reject(details: string, reason: RejectionReason = 'INVALID_FORMAT'): Rejection {
  return { status: 'REJECTED', reason, details };
}
