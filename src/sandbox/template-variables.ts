/**
 * Reading `{{…}}` variables out of template text, shared by template creation, review and send.
 * Pure string work: no I/O, no clock. Lengths and positions count Unicode code points, so an
 * accented letter or an emoji counts as one character (Meta documents limits in "characters").
 *
 * Sources: cloud-api-facts.md §1.3, §4.4; Meta's template review page ("Common rejection
 * reasons"), quoted by several BSP help centres.
 */

/** One `{{…}}` occurrence in a template text. */
export interface TemplateVariable {
  /** What stands between the braces, as written: `1`, `first_name`, `#1`. */
  raw: string;
  /** `positional` = digits only; `named` = `[a-z_]+`; `invalid` = anything else. */
  kind: 'positional' | 'named' | 'invalid';
  /** UTF-16 offsets of `{{` and just after `}}`, for slicing. */
  start: number;
  end: number;
  /** Code-point offset of `{{`, for messages people read. */
  position: number;
}

export interface VariableScan {
  variables: TemplateVariable[];
  /** Code-point offsets of braces that do not form a well-made `{{…}}` (`{{1}`, `{1}`, `{{{1}}}`). */
  strayBraces: number[];
}

const VARIABLE = /\{\{([^{}]*)\}\}/g;

/** Finds every `{{…}}` in `text`, classifies it, and notes braces that do not pair up. */
export function scanVariables(text: string): VariableScan {
  const variables: TemplateVariable[] = [];
  const covered = new Uint8Array(text.length);
  for (const match of text.matchAll(VARIABLE)) {
    const start = match.index;
    const end = start + match[0].length;
    covered.fill(1, start, end);
    const raw = match[1] ?? '';
    variables.push({ raw, kind: classify(raw), start, end, position: codePointOffset(text, start) });
  }
  const stray: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if ((ch !== '{' && ch !== '}') || covered[i] === 1) continue;
    const doubled = text[i + 1] === ch && covered[i + 1] !== 1;
    const touchesVariable = ch === '{' ? covered[i + 1] === 1 : i > 0 && covered[i - 1] === 1;
    const singleBraceVariable = ch === '{' && /^\{\s*[\w#$%]+\s*\}(?!\})/.test(text.slice(i));
    if (doubled || touchesVariable || singleBraceVariable) {
      stray.push(codePointOffset(text, i));
      if (doubled) i += 1;
    }
  }
  return { variables, strayBraces: stray };
}

function classify(raw: string): TemplateVariable['kind'] {
  if (/^[0-9]+$/.test(raw)) return 'positional';
  if (/^[a-z_]+$/.test(raw)) return 'named';
  return 'invalid';
}

/**
 * The parameter keys a text expects at send time, in the order Meta fills them: positional
 * variables by number (`1`, `2`, …, the highest number present), named ones by first
 * appearance. A variable used twice is one parameter.
 */
export function parameterKeys(text: string | undefined): string[] {
  if (text === undefined) return [];
  const vars = scanVariables(text).variables.filter((v) => v.kind !== 'invalid');
  const positional = vars.filter((v) => v.kind === 'positional').map((v) => Number(v.raw));
  if (positional.length > 0) {
    const highest = Math.max(...positional);
    return Array.from({ length: highest }, (_, i) => String(i + 1));
  }
  return [...new Set(vars.map((v) => v.raw))];
}

/** Replaces each well-made variable by the value `valueOf` gives for its key. */
export function substituteVariables(text: string, valueOf: (key: string) => string | undefined): string {
  return text.replace(VARIABLE, (whole, raw: string) => valueOf(raw) ?? whole);
}

/** Length in Unicode code points (`'é'` and `'😀'` are 1 each). */
export function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

export function codePointOffset(text: string, utf16Index: number): number {
  return charLength(text.slice(0, utf16Index));
}

/**
 * Meta's rule for parameter *values* (error 132018): "Param text cannot have new-line/tab
 * characters or more than 4 consecutive spaces". Returns a description of the first offence.
 */
export function paramWhitespaceProblem(value: string): string | undefined {
  if (/[\n\r]/.test(value)) return 'a new-line character';
  if (value.includes('\t')) return 'a tab character';
  if (/ {5,}/.test(value)) return 'more than 4 consecutive spaces';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Body rules Meta applies when a template is created (error subcodes in cloud-api-facts.md §3.2)

/** Error subcode Meta returns when the body starts or ends with a variable. */
export const SUBCODE_DANGLING_PARAMETER = 2388299;
/** Error subcode Meta returns when the body has too many variables for its length. */
export const SUBCODE_PARAMS_RATIO = 2388293;

/**
 * "The message template cannot start or end with a parameter" (Meta, template review). Meta
 * ignores punctuation and spaces around it: `Your code is {{1}}.` still ends with a variable.
 */
export function danglingVariableProblem(body: string): string | undefined {
  const { variables } = scanVariables(body);
  const first = variables[0];
  const last = variables[variables.length - 1];
  if (first === undefined || last === undefined) return undefined;
  if (onlyPunctuation(body.slice(0, first.start))) {
    return `a variable cannot be at the start or end of the text ({{${first.raw}}} at position ${first.position})`;
  }
  if (onlyPunctuation(body.slice(last.end))) {
    return `a variable cannot be at the start or end of the text ({{${last.raw}}} at position ${last.position})`;
  }
  return undefined;
}

function onlyPunctuation(text: string): boolean {
  return /^[\s\p{P}]*$/u.test(text);
}

/**
 * "Template contains too many variable parameters relative to the message length" (Meta,
 * template review; subcode 2388293). Meta publishes no formula. We use the one two BSPs derived
 * from Meta's decisions and agree on: words + variables ≥ 3 × variables + 1, i.e. at least
 * 2 × variables + 1 words of fixed text (Syniverse "How to avoid too many parameters rejection",
 * Maqsam "Creating WhatsApp templates with variables", Mercuri "Minimum words/parameters ratio").
 * A word is a run of non-space characters with at least one letter, digit or symbol (a lone
 * `,` or `!` is not a word); in scripts written without spaces each Han/kana/Thai character
 * counts as a word. Variables are counted per occurrence.
 */
export function variableRatioProblem(body: string): string | undefined {
  const { variables } = scanVariables(body);
  if (variables.length === 0) return undefined;
  let fixed = '';
  let cursor = 0;
  for (const v of variables) {
    fixed += `${body.slice(cursor, v.start)} `;
    cursor = v.end;
  }
  fixed += body.slice(cursor);
  const words = countWords(fixed);
  const needed = 2 * variables.length + 1;
  if (words >= needed) return undefined;
  return `too many variables for the text length: ${variables.length} variable(s) need at least ${needed} words of fixed text, found ${words}`;
}

/** Scripts written without spaces between words: each character counts as a word. */
const UNSPACED_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/gu;

/** Counts words as {@link variableRatioProblem} defines them. */
export function countWords(text: string): number {
  let words = 0;
  for (const token of text.split(/\s+/u)) {
    const unspaced = token.match(UNSPACED_SCRIPT)?.length ?? 0;
    const rest = token.replace(UNSPACED_SCRIPT, '');
    words += unspaced + (/[\p{L}\p{N}\p{S}]/u.test(rest) ? 1 : 0);
  }
  return words;
}
