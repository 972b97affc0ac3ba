/**
 * The values the template linter returns, and the two constructors every rule file uses to
 * build them. Kept apart from `lint.ts` so rule files can import them without a cycle.
 */

/** One thing wrong (error) or risky (warning) in a template, with where it is and what to do. */
export interface LintProblem {
  /** An error means Meta's review would reject the template; a warning means it may re-categorise or read badly. */
  severity: 'error' | 'warning';
  /** A stable id such as `body.dangling-variable`; tests and UIs key on it, never on the wording. */
  rule: string;
  /** Where, in the request: `name`, `components[1].text`, `components[3].buttons[0].url`. */
  path: string;
  /** The character range (UTF-16 indices, end exclusive) in the string at `path`, when the problem is a part of it. */
  at?: { start: number; end: number };
  message: string;
  /** What to do about it, concretely. */
  fix: string;
}

export interface LintReport {
  /** True when there is no error; warnings alone keep a template submittable. */
  ok: boolean;
  problems: LintProblem[];
}

export function lintError(rule: string, path: string, message: string, fix: string, at?: { start: number; end: number }): LintProblem {
  return { severity: 'error', rule, path, ...(at ? { at } : {}), message, fix };
}

export function lintWarning(rule: string, path: string, message: string, fix: string, at?: { start: number; end: number }): LintProblem {
  return { severity: 'warning', rule, path, ...(at ? { at } : {}), message, fix };
}

/** Length as a reader counts it: code points, so an emoji is one character, not two UTF-16 units. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}
