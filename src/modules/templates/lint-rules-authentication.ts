import type { CreateTemplateRequest, TemplateComponentDefinition } from '../../whatsapp/index.js';
import { lintError, type LintProblem } from './lint-problem.js';
import { lintLabel, type ButtonDefinition } from './lint-rules-buttons.js';

/**
 * Rules for AUTHENTICATION templates. Meta writes their text ("<code> is your verification
 * code." plus, on request, a security line and an expiry footer), so the template may carry
 * no header and no free text, only the switches for those lines and one OTP button
 * (cloud-api-facts §1.3, §4.3).
 */
export function lintAuthentication(input: CreateTemplateRequest): LintProblem[] {
  if (input.category !== 'AUTHENTICATION' || !Array.isArray(input.components)) return [];
  const problems: LintProblem[] = [];
  let otpButtons = 0;
  for (const [index, component] of input.components.entries()) {
    const path = `components[${index}]`;
    const type = String(component?.type ?? '').toUpperCase();
    if (type === 'HEADER') {
      problems.push(lintError('authentication.header', path, 'Authentication templates cannot have a header.', 'Remove the HEADER component.'));
    } else if (type === 'BODY') {
      if (hasText(component)) {
        problems.push(
          lintError(
            'authentication.free-text',
            `${path}.text`,
            'Authentication templates cannot have body text; Meta writes "<code> is your verification code."',
            'Remove the text; set add_security_recommendation: true to add "For your security, do not share this code."',
          ),
        );
      }
    } else if (type === 'FOOTER') {
      problems.push(...lintAuthenticationFooter(component, path));
    } else if (type === 'BUTTONS') {
      const buttons = Array.isArray(component.buttons) ? component.buttons : [];
      for (const [i, button] of buttons.entries()) {
        const buttonPath = `${path}.buttons[${i}]`;
        if (String(button?.type ?? '').toUpperCase() !== 'OTP') {
          problems.push(
            lintError('authentication.button-type', `${buttonPath}.type`, `Authentication templates take only an OTP button, not ${String(button?.type)}.`, 'Remove this button; use one { type: "OTP", otp_type: "COPY_CODE" } button.'),
          );
          continue;
        }
        otpButtons += 1;
        if (otpButtons > 1) problems.push(lintError('authentication.too-many-otp-buttons', buttonPath, 'An authentication template has one OTP button; this is a second one.', 'Remove this button.'));
        problems.push(...lintOtpButton(button, buttonPath));
      }
    }
  }
  if (otpButtons === 0) {
    problems.push(
      lintError('authentication.missing-otp-button', 'components', 'The authentication template has no OTP button.', 'Add { type: "BUTTONS", buttons: [{ type: "OTP", otp_type: "COPY_CODE", text: "Copy code" }] }.'),
    );
  }
  return problems;
}

export const CODE_EXPIRATION_MIN = 1;
export const CODE_EXPIRATION_MAX = 90;
const OTP_TYPES = ['COPY_CODE', 'ONE_TAP', 'ZERO_TAP'];

function lintAuthenticationFooter(component: TemplateComponentDefinition, path: string): LintProblem[] {
  const problems: LintProblem[] = [];
  if (hasText(component)) {
    problems.push(
      lintError(
        'authentication.free-text',
        `${path}.text`,
        'Authentication templates cannot have footer text; Meta writes "This code expires in N minutes."',
        'Remove the text; set code_expiration_minutes to show the expiry line.',
      ),
    );
  }
  const minutes = component.code_expiration_minutes;
  if (minutes !== undefined && !(Number.isInteger(minutes) && minutes >= CODE_EXPIRATION_MIN && minutes <= CODE_EXPIRATION_MAX)) {
    problems.push(
      lintError(
        'authentication.code-expiration',
        `${path}.code_expiration_minutes`,
        `code_expiration_minutes is ${String(minutes)}; it must be a whole number from ${CODE_EXPIRATION_MIN} to ${CODE_EXPIRATION_MAX}.`,
        'Use the real lifetime of the code, e.g. 10.',
      ),
    );
  }
  return problems;
}

function lintOtpButton(button: ButtonDefinition, path: string): LintProblem[] {
  const problems = [...lintLabel(button.text, `${path}.text`, { required: false }), ...lintLabel(button['autofill_text'], `${path}.autofill_text`, { required: false })];
  const otpType = String(button.otp_type ?? '').toUpperCase();
  if (!OTP_TYPES.includes(otpType)) {
    problems.push(lintError('authentication.otp-type', `${path}.otp_type`, `"${String(button.otp_type)}" is not an OTP button type.`, 'Use COPY_CODE, ONE_TAP or ZERO_TAP.'));
    return problems;
  }
  if (otpType === 'COPY_CODE') return problems;
  // One-tap and zero-tap hand the code to an Android app, so Meta must know which one.
  const apps = button['supported_apps'];
  const hasApp = Array.isArray(apps) ? apps.length > 0 : typeof button['package_name'] === 'string' && typeof button['signature_hash'] === 'string';
  if (!hasApp) {
    problems.push(lintError('authentication.app-missing', path, `A ${otpType} button needs the Android app that receives the code.`, 'Add supported_apps: [{ package_name, signature_hash }] (or package_name and signature_hash).'));
  }
  if (otpType === 'ZERO_TAP' && button['zero_tap_terms_accepted'] !== true) {
    problems.push(lintError('authentication.zero-tap-terms', `${path}.zero_tap_terms_accepted`, 'Zero-tap buttons need zero_tap_terms_accepted: true.', 'Accept the zero-tap terms by setting zero_tap_terms_accepted: true, or use ONE_TAP.'));
  }
  return problems;
}

function hasText(component: TemplateComponentDefinition): boolean {
  return typeof component.text === 'string' && component.text.trim() !== '';
}
