import type { CreateTemplateRequest, TemplateComponentDefinition } from '../../whatsapp/index.js';
import { characterCount, lintError, lintWarning, type LintProblem } from './lint-problem.js';
import { scanVariables, type ScannedText, type VariableToken } from './lint-variables.js';

/**
 * Rules on the text of the HEADER, BODY and FOOTER: lengths, the way variables are written and
 * placed, and whitespace (cloud-api-facts §4.4). Authentication templates are left to
 * `lint-rules-authentication.ts`, since Meta writes their text.
 */
export function lintTextComponents(input: CreateTemplateRequest): LintProblem[] {
  if (input.category === 'AUTHENTICATION' || !Array.isArray(input.components)) return [];
  const format = input.parameter_format === 'NAMED' ? 'NAMED' : 'POSITIONAL';
  const problems: LintProblem[] = [];
  for (const [index, component] of input.components.entries()) {
    const path = `components[${index}]`;
    const type = typeof component?.type === 'string' ? component.type.toUpperCase() : '';
    if (type === 'HEADER') problems.push(...lintHeader(component, path, format));
    else if (type === 'BODY') problems.push(...lintBody(component, path, format));
    else if (type === 'FOOTER') problems.push(...lintFooter(component, path));
  }
  return problems;
}

export const HEADER_TEXT_MAX = 60;
export const BODY_TEXT_MAX = 1024;
export const FOOTER_TEXT_MAX = 60;
/** From this length on, a body gets a warning: filled-in parameters can push it past the limit. */
export const BODY_NEAR_LIMIT = 900;
const HEADER_FORMATS = ['TEXT', 'IMAGE', 'VIDEO', 'GIF', 'DOCUMENT', 'LOCATION'];
const MEDIA_FORMATS = ['IMAGE', 'VIDEO', 'GIF', 'DOCUMENT'];
// An emoji as displayed: a flag, or a pictograph shown as emoji by default (or forced with
// U+FE0F), with its skin tone and any zero-width-joined parts. Text symbols such as © ® ™ are
// pictographs too but display as text, so they do not count.
const EMOJI = /\p{Regional_Indicator}{2}|(?:\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F)\p{Emoji_Modifier}?(?:\u200D\p{Extended_Pictographic}\uFE0F?\p{Emoji_Modifier}?)*/gu;

function lintHeader(component: TemplateComponentDefinition, path: string, format: 'POSITIONAL' | 'NAMED'): LintProblem[] {
  const headerFormat = typeof component.format === 'string' ? component.format.toUpperCase() : '';
  if (!HEADER_FORMATS.includes(headerFormat)) {
    const hint = typeof component.text === 'string' ? 'Set format: "TEXT".' : 'Set format to TEXT, IMAGE, VIDEO, GIF, DOCUMENT or LOCATION.';
    return [lintError('header.format-invalid', `${path}.format`, component.format === undefined ? 'The header has no format.' : `"${String(component.format)}" is not a header format.`, hint)];
  }
  if (MEDIA_FORMATS.includes(headerFormat)) {
    const handles = component.example?.header_handle;
    if (Array.isArray(handles) && handles.some((h) => typeof h === 'string' && h.trim() !== '')) return [];
    return [
      lintError(
        'header.missing-media-example',
        `${path}.example.header_handle`,
        `The ${headerFormat.toLowerCase()} header has no sample media.`,
        'Upload a sample with the Resumable Upload API and put its handle in example.header_handle.',
      ),
    ];
  }
  if (headerFormat !== 'TEXT') return [];
  const text = component.text;
  const textPath = `${path}.text`;
  if (typeof text !== 'string' || text.trim() === '') {
    return [lintError('header.missing-text', textPath, 'The TEXT header has no text.', 'Write the header text, or remove the header.')];
  }
  const scanned = scanVariables(text);
  const problems = [...lintLength(text, textPath, 'header', HEADER_TEXT_MAX), ...lintVariableSyntax(text, scanned, textPath, format), ...lintSequence(scanned, textPath, 'header', format)];
  const variables = scanned.tokens.filter((t) => t.name !== undefined);
  for (const extra of variables.slice(1)) {
    problems.push(lintError('header.too-many-variables', textPath, `The header has ${variables.length} variables; it may have one.`, 'Keep one variable in the header and move the others to the body.', range(extra)));
  }
  problems.push(...lintWhitespace(text, textPath, 'The header', { newlines: false }));
  for (const match of text.matchAll(EMOJI)) {
    problems.push(
      lintWarning('header.emoji', textPath, 'The header has an emoji; Meta does not support emoji in headers.', 'Remove the emoji from the header; the body may have emoji.', {
        start: match.index,
        end: match.index + match[0].length,
      }),
    );
  }
  return problems;
}

function lintBody(component: TemplateComponentDefinition, path: string, format: 'POSITIONAL' | 'NAMED'): LintProblem[] {
  const text = component.text;
  const textPath = `${path}.text`;
  if (typeof text !== 'string' || text.trim() === '') {
    return [lintError('body.missing-text', textPath, 'The body has no text.', 'Write the message the customer will read.')];
  }
  const scanned = scanVariables(text);
  const problems = [...lintLength(text, textPath, 'body', BODY_TEXT_MAX), ...lintVariableSyntax(text, scanned, textPath, format), ...lintSequence(scanned, textPath, 'body', format)];
  const length = characterCount(text);
  if (length >= BODY_NEAR_LIMIT && length <= BODY_TEXT_MAX) {
    problems.push(
      lintWarning('body.near-limit', textPath, `The body is ${length} characters long, close to the ${BODY_TEXT_MAX} limit.`, 'Shorten it: long bodies are cut in notifications and are hard to read on a phone.'),
    );
  }
  problems.push(...lintDangling(text, scanned.tokens, textPath), ...lintDensity(text, scanned, textPath));
  problems.push(...lintWhitespace(text, textPath, 'The body', { newlines: true }));
  return problems;
}

function lintFooter(component: TemplateComponentDefinition, path: string): LintProblem[] {
  const text = component.text;
  const textPath = `${path}.text`;
  if (typeof text !== 'string' || text.trim() === '') {
    return [lintError('footer.missing-text', textPath, 'The footer has no text.', 'Write the footer text, or remove the footer.')];
  }
  const scanned = scanVariables(text);
  const problems = [...lintLength(text, textPath, 'footer', FOOTER_TEXT_MAX)];
  for (const token of scanned.tokens) {
    problems.push(lintError('footer.variable', textPath, `The footer has a variable, {{${token.raw}}}; footers cannot have variables.`, 'Write the footer as fixed text, or move the variable to the body.', range(token)));
  }
  for (const token of scanned.tokens.filter((t) => t.defect === 'unbalanced-braces')) problems.push(unbalanced(text.slice(token.start, token.end), token.name, textPath, range(token)));
  problems.push(...lintStrayBraces(scanned, textPath), ...lintWhitespace(text, textPath, 'The footer', { newlines: false }));
  return problems;
}

function lintLength(text: string, path: string, what: 'header' | 'body' | 'footer', max: number): LintProblem[] {
  const length = characterCount(text);
  if (length <= max) return [];
  return [
    lintError(`${what}.too-long`, path, `The ${what} is ${length} characters long; the limit is ${max}.`, `Cut ${length - max} characters.`, {
      start: utf16Offset(text, max),
      end: text.length,
    }),
  ];
}

/** How `{{...}}` are written: stray braces, bad names, special characters, the wrong style. */
function lintVariableSyntax(text: string, scanned: ScannedText, path: string, format: 'POSITIONAL' | 'NAMED'): LintProblem[] {
  const problems = lintStrayBraces(scanned, path);
  for (const token of scanned.tokens) {
    if (token.defect === 'unbalanced-braces') {
      problems.push(unbalanced(text.slice(token.start, token.end), token.name, path, range(token)));
      continue;
    }
    const written = `{{${token.raw}}}`;
    const suggestion = intendedVariable(token, format);
    if (token.defect === 'special-characters') {
      const chars = [...new Set(token.raw.match(/[#$%]/g))].join(' ');
      problems.push(
        lintError('variables.special-characters', path, `The variable ${written} contains ${chars}; variables may not contain # $ %.`, `Write ${suggestion} and keep ${chars} in the text outside the braces.`, range(token)),
      );
    } else if (token.defect === 'invalid-name') {
      problems.push(lintError('variables.invalid-name', path, `${written} is not a valid variable.`, `Write ${suggestion}.`, range(token)));
    } else if (format === 'POSITIONAL' && token.kind === 'named') {
      problems.push(
        lintError(
          'variables.format-mismatch',
          path,
          `${written} is a named variable but the template's parameter_format is POSITIONAL.`,
          'Set parameter_format to "NAMED" and name every variable, or write numbers such as {{1}}.',
          range(token),
        ),
      );
    } else if (format === 'NAMED' && token.kind === 'positional') {
      problems.push(
        lintError(
          'variables.format-mismatch',
          path,
          `${written} is a positional variable but the template's parameter_format is NAMED.`,
          'Name it, e.g. {{first_name}}, or set parameter_format to "POSITIONAL" and number every variable.',
          range(token),
        ),
      );
    }
  }
  for (const [a, b] of pairs(scanned.tokens)) {
    if (/^\s*$/.test(text.slice(a.end, b.start))) {
      problems.push(
        lintError('variables.adjacent', path, `{{${a.raw}}} and {{${b.raw}}} have no text between them.`, `Put words between them, or merge them into one variable.`, { start: a.start, end: b.end }),
      );
    }
  }
  return problems;
}

/** What a badly written variable should become: the name meant, if it fits the template's format. */
function intendedVariable(token: VariableToken, format: 'POSITIONAL' | 'NAMED'): string {
  if (token.name !== undefined && token.kind === (format === 'NAMED' ? 'named' : 'positional')) return `{{${token.name}}}`;
  return format === 'NAMED' ? 'a snake_case name such as {{first_name}}' : 'a number such as {{1}} (the template is POSITIONAL)';
}

function lintStrayBraces(scanned: ScannedText, path: string): LintProblem[] {
  return scanned.stray.map((stray) => unbalanced(stray.text, undefined, path, { start: stray.start, end: stray.end }));
}

/** The problem for braces that do not pair up; `meant` is the variable they were probably meant to be. */
export function unbalanced(written: string, meant: string | undefined, path: string, at: { start: number; end: number }): LintProblem {
  return lintError(
    'variables.unbalanced-braces',
    path,
    `"${written}" has unmatched braces.`,
    meant ? `Write {{${meant}}}: two braces on each side.` : 'Remove the stray braces, or complete the variable with two braces on each side, e.g. {{1}}.',
    at,
  );
}

/** Positional variables of one component must be exactly 1..n. */
function lintSequence(scanned: ScannedText, path: string, what: 'header' | 'body', format: 'POSITIONAL' | 'NAMED'): LintProblem[] {
  if (format !== 'POSITIONAL') return [];
  const positional = scanned.tokens.filter((t) => t.kind === 'positional' && t.name !== undefined);
  const numbers = [...new Set(positional.map((t) => Number(t.name)))].sort((a, b) => a - b);
  if (numbers.every((n, i) => n === i + 1)) return [];
  const outOfPlace = positional.find((t) => Number(t.name) < 1 || Number(t.name) > numbers.length) as VariableToken;
  const listed = numbers.map((n) => `{{${n}}}`).join(', ');
  const expected = numbers.map((_, i) => `{{${i + 1}}}`).join(', ');
  return [lintError('variables.not-sequential', path, `The ${what} variables are ${listed}; they must run from {{1}} without gaps.`, `Renumber them ${expected}.`, range(outOfPlace))];
}

/**
 * Meta counts only spaces and punctuation around a variable as "nothing": `Chega até {{3}}.`
 * still ends with a variable (BSP guides quoting Meta's review, e.g. Maqsam: "a string ending
 * in a variable + punctuation" is a variable at the end). The sandbox's review agrees.
 */
function lintDangling(text: string, tokens: VariableToken[], path: string): LintProblem[] {
  const problems: LintProblem[] = [];
  const first = tokens[0];
  const lastToken = tokens.at(-1);
  const opening = first && onlySpacesAndPunctuation(text.slice(0, first.start)) ? first : undefined;
  const closing = lastToken && onlySpacesAndPunctuation(text.slice(lastToken.end)) ? lastToken : undefined;
  if (opening) {
    problems.push(lintError('body.dangling-variable', path, `The body starts with the variable {{${opening.raw}}}.`, `Start the body with fixed text before {{${opening.raw}}}, e.g. a greeting.`, range(opening)));
  }
  if (closing) {
    problems.push(lintError('body.dangling-variable', path, `The body ends with the variable {{${closing.raw}}}.`, `End the body with fixed text after {{${closing.raw}}}, e.g. a closing sentence.`, range(closing)));
  }
  return problems;
}

/**
 * Meta rejects bodies with "too many variables for the message length" (subcode 2388293)
 * without publishing the ratio. Heuristic used here: the fixed text must have at least
 * 2 × (variable occurrences) + 1 words, a word being a run of letters or digits. So one
 * variable needs 3 words around it, two need 5.
 */
function lintDensity(text: string, scanned: ScannedText, path: string): LintProblem[] {
  const variables = scanned.tokens.filter((t) => t.name !== undefined).length;
  if (variables === 0) return [];
  let fixed = text;
  for (const span of [...scanned.tokens, ...scanned.stray]) fixed = fixed.slice(0, span.start) + ' '.repeat(span.end - span.start) + fixed.slice(span.end);
  const words = fixed.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
  const needed = 2 * variables + 1;
  if (words >= needed) return [];
  return [
    lintError(
      'body.too-many-variables',
      path,
      `The body has ${variables} variable(s) but only ${words} word(s) of fixed text; Meta rejects bodies with too many variables for their length.`,
      `Add at least ${needed - words} more word(s) of fixed text, or use fewer variables (this linter asks for 2 words per variable plus 1).`,
    ),
  ];
}

/**
 * Newlines, tabs and more than 4 consecutive spaces: Meta rejects them in one-line texts
 * (header, footer, button labels) and in parameter values, examples included; a body may have
 * newlines but not tabs or long runs of spaces (cloud-api-facts §4.4, error 132018).
 */
export function lintWhitespace(text: string, path: string, what: string, options: { newlines: boolean }): LintProblem[] {
  const problems: LintProblem[] = [];
  for (const match of text.matchAll(/\r?\n|\r|\t| {5,}/g)) {
    const at = { start: match.index, end: match.index + match[0].length };
    if (match[0] === '\t') problems.push(lintError('whitespace.tab', path, `${what} has a tab.`, 'Replace the tab with a space.', at));
    else if (match[0].startsWith(' ')) problems.push(lintError('whitespace.spaces', path, `${what} has ${match[0].length} spaces in a row; at most 4 are allowed.`, 'Use a single space.', at));
    else if (!options.newlines) problems.push(lintError('whitespace.newline', path, `${what} has a line break; it must be one line.`, 'Replace the line break with a space.', at));
  }
  return problems;
}

function range(token: { start: number; end: number }): { start: number; end: number } {
  return { start: token.start, end: token.end };
}

function pairs<T>(items: T[]): Array<[T, T]> {
  return items.slice(1).map((item, i) => [items[i] as T, item]);
}

/** The UTF-16 offset of the code point at `index`, or the text's length. */
function utf16Offset(text: string, index: number): number {
  let offset = 0;
  let count = 0;
  for (const char of text) {
    if (count === index) return offset;
    offset += char.length;
    count += 1;
  }
  return offset;
}

function onlySpacesAndPunctuation(text: string): boolean {
  return /^[\s\p{P}]*$/u.test(text);
}
