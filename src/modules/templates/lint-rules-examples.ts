import type { CreateTemplateRequest, TemplateComponentDefinition } from '../../whatsapp/index.js';
import { lintError, lintWarning, type LintProblem } from './lint-problem.js';
import { lintWhitespace } from './lint-rules-text.js';
import { scanVariables, type VariableToken } from './lint-variables.js';

/**
 * Every variable of a TEXT header and of the body needs a sample value, in the shape that
 * matches the template's parameter format: `example.header_text` / `example.body_text` for
 * `{{1}}`, `example.*_named_params` for `{{first_name}}` (cloud-api-facts §1.3, §4.4). Sample
 * values are parameter values, so they may not have line breaks, tabs or long runs of spaces.
 */
export function lintExamples(input: CreateTemplateRequest): LintProblem[] {
  if (input.category === 'AUTHENTICATION' || !Array.isArray(input.components)) return [];
  const format = input.parameter_format === 'NAMED' ? 'NAMED' : 'POSITIONAL';
  const problems: LintProblem[] = [];
  for (const [index, component] of input.components.entries()) {
    const type = typeof component?.type === 'string' ? component.type.toUpperCase() : '';
    const isTextHeader = type === 'HEADER' && String(component.format ?? '').toUpperCase() === 'TEXT';
    if (!isTextHeader && type !== 'BODY') continue;
    if (typeof component.text !== 'string') continue;
    const where: Where = { component, path: `components[${index}]`, what: type === 'BODY' ? 'body' : 'header' };
    // Positional samples go by place, so every variable takes one, whatever its style. Named
    // samples go by name, and a {{1}} cannot have one: it is already a variables.format-mismatch.
    const tokens = scanVariables(component.text).tokens.filter((t) => t.name !== undefined && (format === 'POSITIONAL' || t.kind === 'named'));
    problems.push(...(format === 'NAMED' ? lintNamedExamples(where, tokens) : lintPositionalExamples(where, tokens)));
  }
  return problems;
}

interface Where {
  component: TemplateComponentDefinition;
  /** `components[i]` */
  path: string;
  what: 'header' | 'body';
}

function lintPositionalExamples({ component, path, what }: Where, tokens: VariableToken[]): LintProblem[] {
  const distinct = [...new Set(tokens.map((t) => t.name as string))];
  const numbered = distinct.filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(a) - Number(b));
  const names = [...numbered, ...distinct.filter((n) => !/^\d+$/.test(n))];
  const key = what === 'body' ? 'body_text' : 'header_text';
  const raw = component.example?.[key];
  // body_text is a list holding one list of values; header_text is the list of values itself.
  const values: unknown[] | undefined = what === 'body' ? (Array.isArray(raw) && Array.isArray(raw[0]) ? raw[0] : undefined) : Array.isArray(raw) ? raw : undefined;
  const valuesPath = `${path}.example.${key}${what === 'body' ? '[0]' : ''}`;
  const samples = names.map((n) => `"sample for {{${n}}}"`).join(', ');
  const shape = what === 'body' ? `[[${samples}]]` : `[${samples}]`;
  if (names.length === 0) {
    return values && values.length > 0 ? [lintWarning('examples.unused', `${path}.example.${key}`, `The ${what} has no variables but has sample values.`, `Remove example.${key}.`)] : [];
  }
  if (!values || values.length === 0) {
    const named = component.example?.[what === 'body' ? 'body_text_named_params' : 'header_text_named_params'];
    const hint = named ? ` (${what}_text_named_params is for NAMED templates)` : '';
    return [
      lintError('examples.missing', `${path}.text`, `The ${what} variables have no sample values${hint}.`, `Add example.${key}: ${shape}, one realistic value per variable.`, rangeOf(tokens[0] as VariableToken)),
    ];
  }
  const problems: LintProblem[] = [];
  if (values.length !== names.length) {
    problems.push(
      lintError('examples.count-mismatch', valuesPath, `The ${what} has ${names.length} variable(s) but ${values.length} sample value(s).`, `Give exactly ${names.length} sample value(s), in order: ${shape}.`),
    );
  }
  for (const [i, value] of values.entries()) problems.push(...lintSampleValue(value, `${valuesPath}[${i}]`));
  return problems;
}

function lintNamedExamples({ component, path, what }: Where, tokens: VariableToken[]): LintProblem[] {
  const key = what === 'body' ? 'body_text_named_params' : 'header_text_named_params';
  const raw = component.example?.[key];
  const entries = Array.isArray(raw) ? raw : [];
  const names = [...new Set(tokens.map((t) => t.name as string))];
  const problems: LintProblem[] = [];
  if (names.length === 0) {
    return entries.length > 0 ? [lintWarning('examples.unused', `${path}.example.${key}`, `The ${what} has no variables but has sample values.`, `Remove example.${key}.`)] : [];
  }
  const given = entries.map((e) => (typeof e?.param_name === 'string' ? e.param_name : ''));
  for (const name of names) {
    if (given.includes(name)) continue;
    const positional = component.example?.[what === 'body' ? 'body_text' : 'header_text'] ? ` (${what}_text is for POSITIONAL templates)` : '';
    problems.push(
      lintError(
        'examples.missing',
        `${path}.text`,
        `{{${name}}} has no sample value${positional}.`,
        `Add { param_name: "${name}", example: "..." } to example.${key}.`,
        rangeOf(tokens.find((t) => t.name === name) as VariableToken),
      ),
    );
  }
  for (const [i, entry] of entries.entries()) {
    const entryPath = `${path}.example.${key}[${i}]`;
    const name = given[i] as string;
    if (!names.includes(name)) {
      problems.push(
        lintError('examples.unknown-name', `${entryPath}.param_name`, `The sample "${name}" names no variable of the ${what}.`, `Rename it to one of ${names.map((n) => `"${n}"`).join(', ')}, or remove it.`),
      );
    } else if (given.indexOf(name) !== i) {
      problems.push(lintError('examples.duplicate-name', `${entryPath}.param_name`, `"${name}" has more than one sample value.`, 'Keep one sample per variable.'));
    }
    problems.push(...lintSampleValue(entry?.example, `${entryPath}.example`));
  }
  return problems;
}

function lintSampleValue(value: unknown, path: string): LintProblem[] {
  if (typeof value !== 'string' || value.trim() === '') {
    return [lintError('examples.empty-value', path, 'The sample value is empty.', 'Write a realistic value, such as a name or an order number.')];
  }
  return lintWhitespace(value, path, 'The sample value', { newlines: false });
}

function rangeOf(token: VariableToken): { start: number; end: number } {
  return { start: token.start, end: token.end };
}
