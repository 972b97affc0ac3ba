import type { CreateTemplateRequest } from '../../whatsapp/index.js';
import { lintError, type LintProblem } from './lint-problem.js';
import { stripAccents } from './lint-variables.js';

/**
 * Rules on the template as a whole: its name, language, category, parameter format and which
 * components it has (cloud-api-facts §1.3, §4.4).
 */
export function lintTemplateFields(input: CreateTemplateRequest): LintProblem[] {
  return [...lintName(input.name), ...lintLanguage(input.language), ...lintCategory(input.category), ...lintParameterFormat(input.parameter_format), ...lintComponentSet(input)];
}

const NAME_MAX = 512;
const CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'];
// The categories Meta retired in 2023, and what each became.
const LEGACY_CATEGORIES: Record<string, string> = {
  OTP: 'AUTHENTICATION',
  TRANSACTIONAL: 'UTILITY',
  ACCOUNT_UPDATE: 'UTILITY',
  ALERT_UPDATE: 'UTILITY',
  APPOINTMENT_UPDATE: 'UTILITY',
  ISSUE_RESOLUTION: 'UTILITY',
  PAYMENT_UPDATE: 'UTILITY',
  PERSONAL_FINANCE_UPDATE: 'UTILITY',
  RESERVATION_UPDATE: 'UTILITY',
  SHIPPING_UPDATE: 'UTILITY',
  TICKET_UPDATE: 'UTILITY',
  TRANSPORTATION_UPDATE: 'UTILITY',
  AUTO_REPLY: 'UTILITY',
};
const COMPONENT_TYPES = ['HEADER', 'BODY', 'FOOTER', 'BUTTONS'];

function lintName(name: unknown): LintProblem[] {
  const value = typeof name === 'string' ? name : '';
  const problems: LintProblem[] = [];
  if (!/^[a-z0-9_]+$/.test(value)) {
    const suggestion = suggestTemplateName(value);
    problems.push(
      lintError(
        'name.invalid',
        'name',
        value === '' ? 'The template has no name.' : `The name "${value}" may use only lowercase letters, digits and underscores.`,
        suggestion ? `Rename it to "${suggestion}".` : 'Give it a name such as "order_update".',
      ),
    );
  }
  if (value.length > NAME_MAX) {
    problems.push(lintError('name.too-long', 'name', `The name is ${value.length} characters long; the limit is ${NAME_MAX}.`, `Shorten it to ${NAME_MAX} characters or fewer.`));
  }
  return problems;
}

function suggestTemplateName(name: string): string {
  return stripAccents(name)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, NAME_MAX);
}

function lintLanguage(language: unknown): LintProblem[] {
  const value = typeof language === 'string' ? language : '';
  // Meta's codes are a language, optionally `_` and a region: `pt_BR`, `en_US`, `es`, `fil`.
  if (/^[a-z]{2,3}(_[A-Z]{2})?$/.test(value)) return [];
  const parts = value.trim().split(/[-_]/);
  const guess = parts.length <= 2 && /^[a-z]{2,3}$/i.test(parts[0] ?? '') && (parts[1] === undefined || /^[a-z]{2}$/i.test(parts[1])) ? [parts[0]?.toLowerCase(), parts[1]?.toUpperCase()].filter(Boolean).join('_') : undefined;
  return [
    lintError(
      'language.invalid',
      'language',
      value === '' ? 'The template has no language.' : `"${value}" is not a language code Meta accepts.`,
      guess ? `Write it as "${guess}".` : 'Use a code such as "pt_BR", "en_US" or "es".',
    ),
  ];
}

function lintCategory(category: unknown): LintProblem[] {
  const value = typeof category === 'string' ? category : '';
  if (CATEGORIES.includes(value)) return [];
  const upper = value.toUpperCase();
  const guess = CATEGORIES.includes(upper) ? upper : LEGACY_CATEGORIES[upper];
  return [
    lintError(
      'category.invalid',
      'category',
      value === '' ? 'The template has no category.' : `"${value}" is not a template category.`,
      guess ? `Use "${guess}".` : 'Use MARKETING, UTILITY or AUTHENTICATION.',
    ),
  ];
}

function lintParameterFormat(format: unknown): LintProblem[] {
  if (format === undefined || format === 'POSITIONAL' || format === 'NAMED') return [];
  return [lintError('parameter-format.invalid', 'parameter_format', `"${String(format)}" is not a parameter format.`, 'Use "POSITIONAL" for {{1}} variables or "NAMED" for {{first_name}} variables, or leave it out for positional.')];
}

function lintComponentSet(input: CreateTemplateRequest): LintProblem[] {
  if (!Array.isArray(input.components)) {
    return [lintError('components.missing-body', 'components', 'The template has no components.', 'Add a components list with at least a BODY.')];
  }
  const problems: LintProblem[] = [];
  const seen = new Map<string, number>();
  for (const [index, component] of input.components.entries()) {
    const type = typeof component?.type === 'string' ? component.type.toUpperCase() : '';
    if (!COMPONENT_TYPES.includes(type)) {
      problems.push(lintError('components.unknown-type', `components[${index}].type`, `"${String(component?.type)}" is not a component type.`, 'Use HEADER, BODY, FOOTER or BUTTONS.'));
      continue;
    }
    const first = seen.get(type);
    if (first === undefined) seen.set(type, index);
    else problems.push(lintError('components.duplicate', `components[${index}]`, `A second ${type} (the first is components[${first}]).`, `Keep one ${type}: merge the two or remove this one.`));
  }
  // Meta writes the fixed text of an authentication template itself, so it needs no BODY text.
  if (!seen.has('BODY') && input.category !== 'AUTHENTICATION') {
    problems.push(lintError('components.missing-body', 'components', 'The template has no BODY.', 'Add a component { type: "BODY", text: "..." }.'));
  }
  return problems;
}
