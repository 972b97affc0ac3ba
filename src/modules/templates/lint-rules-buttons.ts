import type { CreateTemplateRequest, TemplateComponentDefinition } from '../../whatsapp/index.js';
import { characterCount, lintError, type LintProblem } from './lint-problem.js';
import { lintWhitespace, unbalanced } from './lint-rules-text.js';
import { scanVariables } from './lint-variables.js';

/**
 * Rules on the BUTTONS of marketing and utility templates: how many of each kind, labels,
 * URL variables, phone numbers and coupon codes (cloud-api-facts §1.3, §4.4). The OTP
 * buttons of authentication templates are checked in `lint-rules-authentication.ts`.
 */
export function lintButtons(input: CreateTemplateRequest): LintProblem[] {
  if (input.category === 'AUTHENTICATION' || !Array.isArray(input.components)) return [];
  const problems: LintProblem[] = [];
  for (const [index, component] of input.components.entries()) {
    if (String(component?.type ?? '').toUpperCase() === 'BUTTONS') problems.push(...lintButtonList(component, `components[${index}]`));
  }
  return problems;
}

export type ButtonDefinition = NonNullable<TemplateComponentDefinition['buttons']>[number];

export const BUTTONS_MAX = 10;
export const BUTTON_LABEL_MAX = 25;
const COUPON_CODE_MAX = 15;
const KNOWN_TYPES = ['QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'COPY_CODE', 'OTP', 'FLOW', 'MPM', 'CATALOG', 'VOICE_CALL', 'APP'];
// Per-type caps; every other kind is bounded only by the total.
const CAPS: Record<string, { max: number; rule: string; what: string }> = {
  PHONE_NUMBER: { max: 1, rule: 'buttons.too-many-phone', what: 'phone number button' },
  URL: { max: 2, rule: 'buttons.too-many-url', what: 'URL buttons' },
  COPY_CODE: { max: 1, rule: 'buttons.too-many-copy-code', what: 'copy-code button' },
};

function lintButtonList(component: TemplateComponentDefinition, path: string): LintProblem[] {
  const buttons = Array.isArray(component.buttons) ? component.buttons : [];
  if (buttons.length === 0) return [lintError('buttons.empty', `${path}.buttons`, 'The BUTTONS component has no buttons.', 'Add at least one button, or remove the component.')];
  const problems: LintProblem[] = [];
  if (buttons.length > BUTTONS_MAX) {
    problems.push(lintError('buttons.too-many', `${path}.buttons`, `There are ${buttons.length} buttons; the limit is ${BUTTONS_MAX}.`, `Remove ${buttons.length - BUTTONS_MAX} button(s).`));
  }
  const types = buttons.map((b) => String(b?.type ?? '').toUpperCase());
  const seen: Record<string, number> = {};
  for (const [i, type] of types.entries()) {
    seen[type] = (seen[type] ?? 0) + 1;
    const cap = CAPS[type];
    if (cap && (seen[type] as number) > cap.max) {
      problems.push(lintError(cap.rule, `${path}.buttons[${i}]`, `A template may have at most ${cap.max} ${cap.what}; this is number ${seen[type]}.`, 'Remove this button.'));
    }
  }
  const firstQuickReply = types.indexOf('QUICK_REPLY');
  const lastQuickReply = types.lastIndexOf('QUICK_REPLY');
  const strayIndex = types.slice(firstQuickReply, lastQuickReply).findIndex((t) => t !== 'QUICK_REPLY');
  if (firstQuickReply >= 0 && strayIndex >= 0) {
    const splitter = firstQuickReply + strayIndex;
    problems.push(
      lintError(
        'buttons.quick-replies-not-grouped',
        `${path}.buttons[${splitter}]`,
        `This ${types[splitter]} button sits between quick reply buttons.`,
        'Put all quick reply buttons together, before or after the other buttons.',
      ),
    );
  }
  for (const [i, button] of buttons.entries()) problems.push(...lintButton(button, types[i] as string, `${path}.buttons[${i}]`));
  return problems;
}

function lintButton(button: ButtonDefinition, type: string, path: string): LintProblem[] {
  if (!KNOWN_TYPES.includes(type)) {
    return [lintError('buttons.unknown-type', `${path}.type`, `"${String(button?.type)}" is not a button type.`, 'Use QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE or FLOW.')];
  }
  if (type === 'OTP') {
    return [lintError('buttons.otp-outside-authentication', `${path}.type`, 'One-time password buttons belong to AUTHENTICATION templates.', 'Set the category to AUTHENTICATION, or use a COPY_CODE button for a coupon.')];
  }
  // Meta writes the label of a copy-code button itself ("Copy offer code").
  const problems = type === 'COPY_CODE' ? lintCouponExample(button, path) : lintLabel(button.text, `${path}.text`);
  if (type === 'URL') problems.push(...lintUrl(button, path));
  if (type === 'PHONE_NUMBER') problems.push(...lintPhone(button.phone_number, `${path}.phone_number`));
  return problems;
}

/** A button label: present, short, one line, no variables. Also used for OTP labels. */
export function lintLabel(label: unknown, path: string, options: { required: boolean } = { required: true }): LintProblem[] {
  if (typeof label !== 'string' || label.trim() === '') {
    return options.required ? [lintError('buttons.label-missing', path, 'The button has no label.', 'Write a short label, e.g. "View order".')] : [];
  }
  const problems: LintProblem[] = [];
  const length = characterCount(label);
  if (length > BUTTON_LABEL_MAX) {
    problems.push(lintError('buttons.label-too-long', path, `The label is ${length} characters long; the limit is ${BUTTON_LABEL_MAX}.`, `Cut ${length - BUTTON_LABEL_MAX} characters.`));
  }
  for (const token of scanVariables(label).tokens) {
    problems.push(lintError('buttons.label-variable', path, 'A button label cannot have variables.', 'Write the label as fixed text.', { start: token.start, end: token.end }));
  }
  problems.push(...lintWhitespace(label, path, 'The label', { newlines: false }));
  return problems;
}

function lintUrl(button: ButtonDefinition, path: string): LintProblem[] {
  const url = typeof button.url === 'string' ? button.url.trim() : '';
  const urlPath = `${path}.url`;
  if (url === '') return [lintError('buttons.url-missing', urlPath, 'The URL button has no url.', 'Add the https:// address the button opens.')];
  const problems: LintProblem[] = [];
  const { tokens, stray } = scanVariables(url);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url.replace(/[{}]/g, ''));
  } catch {
    problems.push(lintError('buttons.url-invalid', urlPath, `"${url}" is not a URL.`, 'Write a full address such as https://loja.example/pedidos/{{1}}.'));
  }
  if (parsed && parsed.protocol !== 'https:') {
    problems.push(lintError('buttons.url-not-https', urlPath, `The URL uses ${parsed.protocol.replace(':', '')}; buttons must open https addresses.`, `Use https://${url.replace(/^[a-z]+:\/\//i, '')}.`));
  }
  for (const s of stray) problems.push(unbalanced(s.text, undefined, urlPath, { start: s.start, end: s.end }));
  for (const [i, token] of tokens.entries()) {
    const at = { start: token.start, end: token.end };
    if (token.defect === 'unbalanced-braces') problems.push(unbalanced(url.slice(token.start, token.end), token.name, urlPath, at));
    if (i > 0) problems.push(lintError('buttons.url-too-many-variables', urlPath, 'A URL may have only one variable.', 'Keep one variable, {{1}}, at the end of the URL.', at));
    else if (token.end !== url.length) problems.push(lintError('buttons.url-variable-not-at-end', urlPath, `The variable {{${token.raw}}} is not at the end of the URL.`, 'Move the variable to the very end, e.g. https://loja.example/pedidos/{{1}}.', at));
    if (token.raw !== '1') problems.push(lintError('buttons.url-variable-name', urlPath, `A URL variable is written {{1}}, not {{${token.raw}}}.`, 'Write {{1}}, even in a template with named parameters.', at));
  }
  if (tokens.length > 0 && !firstExample(button.example)) {
    problems.push(lintError('buttons.url-missing-example', `${path}.example`, 'The URL has a variable but no sample.', `Add example: ["${url.replace(/\{\{[^{}]*\}\}/g, 'ABC123')}"], the full URL with a sample value.`));
  }
  return problems;
}

function lintPhone(phone: unknown, path: string): LintProblem[] {
  const value = typeof phone === 'string' ? phone.trim() : '';
  // Meta takes up to 20 characters; a reachable number is international, digits after an optional +.
  if (/^\+?[1-9]\d{6,18}$/.test(value.replace(/[\s().-]/g, '')) && value.length <= 20) return [];
  return [
    lintError(
      'buttons.phone-invalid',
      path,
      value === '' ? 'The phone number button has no number.' : `"${value}" is not a phone number in international form.`,
      'Write the number with its country code, e.g. +5511987654321.',
    ),
  ];
}

function lintCouponExample(button: ButtonDefinition, path: string): LintProblem[] {
  const code = firstExample(button.example);
  if (!code) return [lintError('buttons.copy-code-example', `${path}.example`, 'The copy-code button has no sample code.', 'Add example: "SAVE10" (up to 15 characters).')];
  if (characterCount(code) > COUPON_CODE_MAX) {
    return [lintError('buttons.copy-code-example', `${path}.example`, `The sample code is ${characterCount(code)} characters long; the limit is ${COUPON_CODE_MAX}.`, `Use a code of at most ${COUPON_CODE_MAX} characters.`)];
  }
  return [];
}

/** A button's `example`, which Meta takes as a string or a one-item list. */
export function firstExample(example: unknown): string | undefined {
  const value = Array.isArray(example) ? example[0] : example;
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
