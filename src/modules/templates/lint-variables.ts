/**
 * Finding `{{...}}` variables in template text: the scanner the linter's rules and the preview
 * share. It reads what is written, keeps each variable's place, and says what a badly written
 * one was probably meant to be, so a rule can suggest the exact fix.
 */

/** A `{{...}}` in a template text, or something with braces that was clearly meant as one. */
export interface VariableToken {
  /** What is between the braces, as written: `1`, `first_name`, ` $price ` (for `unbalanced-braces`, the name meant). */
  raw: string;
  /**
   * The variable it stands for: `raw` itself when well written, else the cleaned-up name a
   * writer most likely meant (`$price` -> `price`, ` 1 ` -> `1`), or `undefined` when nothing
   * usable is left (`{{}}`).
   */
  name: string | undefined;
  /** `positional` for `{{1}}`, `named` for `{{first_name}}`, by `name`. */
  kind: 'positional' | 'named' | undefined;
  /** Why `raw` is not acceptable as written, if it is not. */
  defect?: 'special-characters' | 'invalid-name' | 'unbalanced-braces';
  /** Range of the whole `{{...}}`, braces included, in the text (UTF-16 indices, end exclusive). */
  start: number;
  end: number;
}

/** Braces that do not form a variable, even a badly written one: a lone `{{` or `}`. */
export interface StrayBraces {
  text: string;
  start: number;
  end: number;
}

export interface ScannedText {
  tokens: VariableToken[];
  stray: StrayBraces[];
}

/**
 * Finds the variables of a template text, in order.
 *
 * @example scanVariables('Olá {{1}}, pedido {{2}')
 * // tokens: [{ raw: '1', name: '1', kind: 'positional', start: 4, end: 9 },
 * //          { raw: '2', name: '2', kind: 'positional', defect: 'unbalanced-braces', start: 18, end: 22 }],
 * // stray: []
 */
export function scanVariables(text: string): ScannedText {
  const tokens: VariableToken[] = [];
  for (const match of text.matchAll(TOKEN)) {
    const raw = match[1] as string;
    const start = match.index;
    tokens.push({ ...classifyVariable(raw), start, end: start + match[0].length });
  }
  // Mask the well-formed variables, then whatever braces remain are unmatched.
  let masked = text;
  for (const token of tokens) masked = masked.slice(0, token.start) + ' '.repeat(token.end - token.start) + masked.slice(token.end);
  const stray: StrayBraces[] = [];
  for (const match of masked.matchAll(STRAY)) {
    const start = match.index;
    const end = start + match[0].length;
    // `{{1}` or `{nome}}` is variable 1 or `nome` with a brace missing: keep it as that variable
    // (so the numbering and the samples are still checked against what was meant) and flag it.
    const inner = /^\{+([^{}]+)\}+$/.exec(match[0])?.[1];
    const meant = inner === undefined ? undefined : classifyVariable(inner);
    if (meant?.name !== undefined) tokens.push({ raw: meant.name, name: meant.name, kind: meant.kind, defect: 'unbalanced-braces', start, end });
    else stray.push({ text: match[0], start, end });
  }
  tokens.sort((a, b) => a.start - b.start);
  return { tokens, stray };
}

/** The distinct variable names of a text in order of first use, ignoring those with no usable name. */
export function distinctVariableNames(tokens: VariableToken[]): string[] {
  const names: string[] = [];
  for (const token of tokens) if (token.name !== undefined && !names.includes(token.name)) names.push(token.name);
  return names;
}

/** What a writer most likely meant by the characters between two braces. */
export function classifyVariable(raw: string): Pick<VariableToken, 'raw' | 'name' | 'kind' | 'defect'> {
  if (POSITIONAL.test(raw)) return { raw, name: raw, kind: 'positional' };
  if (NAMED.test(raw)) return { raw, name: raw, kind: 'named' };
  const defect = /[#$%]/.test(raw) ? 'special-characters' : 'invalid-name';
  const name = suggestVariableName(raw.replace(/[#$%]/g, ''));
  return { raw, name, kind: name === undefined ? undefined : POSITIONAL.test(name) ? 'positional' : 'named', defect };
}

/** `' 01 '` -> `'1'`, `'First Name'` -> `'first_name'`, `'Preço'` -> `'preco'`; `undefined` if nothing is left. */
export function suggestVariableName(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (/^\d+$/.test(trimmed)) return String(Number(trimmed));
  const snake = stripAccents(trimmed)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[_\d]+|_+$/g, '');
  return NAMED.test(snake) ? snake : undefined;
}

/** Removes accents so `promoção` reads as `promocao`; other characters are kept. */
export function stripAccents(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '');
}

/**
 * The text folded for matching words regardless of case and accents, with, for each folded
 * index, the index in the original text it came from (and one more entry for the end), so a
 * match in the folded text maps back to a range of the original.
 */
export function foldWithOrigins(text: string): { folded: string; origins: number[] } {
  let folded = '';
  const origins: number[] = [];
  let index = 0;
  for (const char of text) {
    const plain = stripAccents(char).toLowerCase();
    // Case folding can change the length (`İ`); keep one origin per folded UTF-16 unit.
    for (let i = 0; i < plain.length; i += 1) origins.push(index);
    folded += plain;
    index += char.length;
  }
  origins.push(text.length);
  return { folded, origins };
}

// Meta's positional variables are 1, 2, 3... written without padding; `0` is caught as out of sequence.
const POSITIONAL = /^(0|[1-9]\d*)$/;
// Named variables are snake_case: lowercase letters, digits and underscores, starting with a
// letter (cloud-api-facts §4.4 says "lowercase + _"; digits after the first letter are common
// in Meta's own examples such as `address_line_1`).
const NAMED = /^[a-z][a-z0-9_]*$/;
const TOKEN = /\{\{([^{}]*)\}\}/g;
// A run of braces around a short stretch of one line (`{{1}`, `{name}`), or a lone run of braces.
const STRAY = /\{+[^{}\n]{0,40}\}+|\{+|\}+/g;
