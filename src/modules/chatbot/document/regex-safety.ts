/**
 * A static check for regular expressions that can backtrack exponentially: a repeated group
 * that itself contains a repetition, such as `(a+)+`, `(\w*\s?)*` or `(x+y?){2,}` ("star height"
 * above one, the rule safe-regex uses). It errs towards refusing: a pattern a trigger needs can
 * always be written without nesting repetitions.
 */

interface Group {
  start: number;
  /** The group holds a repeated atom, directly or in a nested group. */
  repeats: boolean;
}

/** The offending part (`(a+)+`) when `pattern` nests repetitions, else undefined. */
export function catastrophicRegex(pattern: string): string | undefined {
  const stack: Group[] = [{ start: 0, repeats: false }];
  let closed: Group | undefined;
  let index = 0;
  while (index < pattern.length) {
    const char = pattern[index];
    const quantifier = quantifierAt(pattern, index);
    if (quantifier) {
      if (quantifier.repeats) {
        if (closed?.repeats) return pattern.slice(closed.start, index + quantifier.length);
        (stack[stack.length - 1] as Group).repeats = true;
      }
      closed = undefined;
      index += quantifier.length;
      continue;
    }
    closed = undefined;
    if (char === '\\') index += 2;
    else if (char === '[') index = classEnd(pattern, index);
    else if (char === '(') {
      stack.push({ start: index, repeats: false });
      index += 1;
    } else if (char === ')') {
      const group = stack.length > 1 ? (stack.pop() as Group) : undefined;
      // A repetition inside a group is inside its parent too, whatever follows.
      if (group?.repeats) (stack[stack.length - 1] as Group).repeats = true;
      closed = group;
      index += 1;
    } else index += 1;
  }
  return undefined;
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
    const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(index));
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
