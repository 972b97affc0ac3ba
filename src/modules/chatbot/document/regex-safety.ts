/**
 * A static check for regular expressions that can backtrack exponentially: a repeated group
 * that itself contains a repetition, such as `(a+)+`, `(\w*\s?)*` or `(x+y?){2,}` ("star height"
 * above one, the rule safe-regex uses), and a repeated group whose alternatives can start alike,
 * such as `(a|ab)*` or `(\w|\d)+`. It errs towards refusing: a pattern a trigger needs can always
 * be written without them (a character class, `[\w\s]+`, instead of a repeated alternation).
 */

interface Group {
  start: number;
  /** The group holds a repeated atom, directly or in a nested group. */
  repeats: boolean;
  /** The first atom of each alternative (`a` of `ab`), lower-cased; undefined: it starts with a group. */
  firsts: Array<string | undefined>;
  /** The next atom read is the first of an alternative. */
  expectingFirst: boolean;
}

/** Atoms that match so much that any other alternative's start overlaps them. */
const BROAD = new Set(['.', '\\w', '\\W', '\\s', '\\S', '\\d', '\\D']);

/** The offending part (`(a+)+`) when `pattern` can backtrack catastrophically, else undefined. */
export function catastrophicRegex(pattern: string): string | undefined {
  const stack: Group[] = [group(0)];
  let closed: Group | undefined;
  let index = 0;
  const top = () => stack[stack.length - 1] as Group;
  const atom = (text: string | undefined) => {
    const current = top();
    if (current.expectingFirst) current.firsts.push(text?.toLowerCase());
    current.expectingFirst = false;
  };
  while (index < pattern.length) {
    const char = pattern[index] as string;
    const quantifier = quantifierAt(pattern, index);
    if (quantifier) {
      if (quantifier.repeats) {
        if (closed && (closed.repeats || alternativesOverlap(closed.firsts))) return pattern.slice(closed.start, index + quantifier.length);
        top().repeats = true;
      }
      closed = undefined;
      index += quantifier.length;
      continue;
    }
    closed = undefined;
    if (char === '\\') {
      atom(pattern.slice(index, index + 2));
      index += 2;
    } else if (char === '[') {
      const end = classEnd(pattern, index);
      atom(pattern.slice(index, end));
      index = end;
    } else if (char === '(') {
      atom(undefined);
      stack.push(group(index));
      // Skip (?: (?= (?! (?<= (?<! (?<name>: what follows starts the first alternative.
      const prefix = /^\(\?(:|=|!|<=|<!|<[A-Za-z][A-Za-z0-9]*>)/.exec(pattern.slice(index));
      index += prefix ? prefix[0].length : 1;
    } else if (char === ')') {
      const inner = stack.length > 1 ? (stack.pop() as Group) : undefined;
      // A repetition inside a group is inside its parent too, whatever follows.
      if (inner?.repeats) top().repeats = true;
      closed = inner;
      index += 1;
    } else if (char === '|') {
      top().expectingFirst = true;
      index += 1;
    } else {
      if (char !== '^' && char !== '$') atom(char);
      index += 1;
    }
  }
  return undefined;
}

function group(start: number): Group {
  return { start, repeats: false, firsts: [], expectingFirst: true };
}

function alternativesOverlap(firsts: Array<string | undefined>): boolean {
  if (firsts.length < 2) return false;
  for (let i = 0; i < firsts.length; i += 1) {
    for (let j = i + 1; j < firsts.length; j += 1) {
      const a = firsts[i];
      const b = firsts[j];
      if (a === undefined || b === undefined) continue;
      if (a === b || BROAD.has(a) || BROAD.has(b) || a.startsWith('[^') || b.startsWith('[^')) return true;
    }
  }
  return false;
}

/** A quantifier at `index`: its length (with a lazy `?`) and whether it can repeat (more than once). */
function quantifierAt(pattern: string, index: number): { length: number; repeats: boolean } | undefined {
  const char = pattern[index];
  let length = 0;
  let repeats = false;
  if (char === '*' || char === '+') {
    length = 1;
    repeats = true;
  } else if (char === '?') {
    length = 1;
  } else if (char === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(index, index + 24));
    if (!match) return undefined;
    length = match[0].length;
    const max = match[2] === undefined ? Number(match[1]) : match[3] === '' ? Infinity : Number(match[3]);
    repeats = max > 1;
  } else {
    return undefined;
  }
  if (pattern[index + length] === '?') length += 1;
  return { length, repeats };
}

/** The index after the character class that opens at `index` (`[...]`, escapes and a leading `]` inside). */
function classEnd(pattern: string, index: number): number {
  let position = index + 1;
  if (pattern[position] === '^') position += 1;
  if (pattern[position] === ']') position += 1;
  while (position < pattern.length && pattern[position] !== ']') position += pattern[position] === '\\' ? 2 : 1;
  return position + 1;
}
