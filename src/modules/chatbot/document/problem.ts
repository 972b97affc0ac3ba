/**
 * How the document layer builds its problems: each rule reports a path as segments (`['steps', 3,
 * 'options', 0, 'title']`), and `formatPath` prints it the way people read it
 * (`steps[3].options[0].title`). Kept apart from the rules so they import it without a cycle.
 */
import type { FlowProblem } from './types.js';

/** A path into the document: object keys and array indices. */
export type PathSegments = ReadonlyArray<string | number>;

/** A problem before its path is printed and its line found. */
export interface Finding {
  at: PathSegments;
  rule: string;
  message: string;
  fix: string;
  severity: 'error' | 'warning';
  /** Known already (syntax errors): no need to look the path up. */
  line?: number;
  column?: number;
}

export function error(rule: string, at: PathSegments, message: string, fix: string): Finding {
  return { severity: 'error', rule, at, message, fix };
}

export function warning(rule: string, at: PathSegments, message: string, fix: string): Finding {
  return { severity: 'warning', rule, at, message, fix };
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `steps[3].options[0].title`; keys that are not plain words in brackets: `catalogs["faq-geral"]`. */
export function formatPath(at: PathSegments): string {
  let path = '';
  for (const segment of at) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) path += path === '' ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

/** The public shape: path printed, rule and position kept when known. */
export function toProblem(finding: Finding, position?: { line: number; column: number }): FlowProblem {
  const line = finding.line ?? position?.line;
  const column = finding.column ?? position?.column;
  return {
    path: formatPath(finding.at),
    message: finding.message,
    fix: finding.fix,
    severity: finding.severity,
    rule: finding.rule,
    ...(line !== undefined ? { line } : {}),
    ...(column !== undefined ? { column } : {}),
  };
}

/** A value as a message quotes it: `"Falar com um atendente"`, cut to `max` characters. */
export function quote(value: unknown, max = 60): string {
  const text = String(value);
  const chars = [...text];
  return JSON.stringify(chars.length > max ? `${chars.slice(0, max).join('')}…` : text);
}

/** Length as a reader (and WhatsApp) counts it: code points, so an emoji is one character. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** The closest of `choices` to a misspelt `word`, when close enough to be a likely typo. */
export function closest(word: string, choices: readonly string[]): string | undefined {
  if (word.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const choice of choices) {
    const distance = editDistance(word.toLowerCase(), choice.toLowerCase());
    if (distance < bestDistance) {
      best = choice;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.floor(word.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

/** ` (did you mean "menu"?)` or nothing. */
export function didYouMean(word: string, choices: readonly string[]): string {
  const guess = closest(word, choices);
  return guess === undefined ? '' : ` (did you mean "${guess}"?)`;
}

/** `a, b or c` */
export function listWords(words: readonly string[], quote = false): string {
  const shown = quote ? words.map((word) => `"${word}"`) : [...words];
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
}

/** Edits between two words, a swap of neighbours counting as one (`mneu` is one edit from `menu`). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => rows[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}
