/**
 * Folds text for matching what a customer typed: lower case, accents removed, punctuation at the
 * ends and repeated spaces dropped. `"  Não, OBRIGADO! "` → `"nao, obrigado"`.
 */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^[\s.,;:!?¡¿"'()*_~-]+|[\s.,;:!?¡¿"'()*_~-]+$/g, '');
}

/** Cuts `text` to `max` characters (code points), ending with `…` when it was longer. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Picks the one candidate whose words a typed answer names: an exact (folded) match first,
 * else the only candidate that starts with the answer or contains it as whole words, or whose
 * words the answer contains. Ambiguous or empty answers pick nothing.
 */
export function matchUnique<T>(typed: string, candidates: T[], wordsOf: (candidate: T) => string[], options: { fuzzy: boolean }): T | null {
  const answer = fold(typed);
  if (answer === '') return null;
  const exact = candidates.filter((candidate) => wordsOf(candidate).some((words) => fold(words) === answer));
  if (exact.length === 1) return exact[0] ?? null;
  if (exact.length > 1 || !options.fuzzy || answer.length < 3) return null;
  const near = candidates.filter((candidate) =>
    wordsOf(candidate).some((words) => {
      const folded = fold(words);
      return folded !== '' && (folded.startsWith(answer) || containsWords(folded, answer) || containsWords(answer, folded));
    }),
  );
  return near.length === 1 ? (near[0] ?? null) : null;
}

function containsWords(haystack: string, needle: string): boolean {
  return ` ${haystack} `.includes(` ${needle} `);
}

/** The whole number a text is, or null (`" 7 "` → 7; `"7a"`, `"1.5"` → null). */
export function wholeNumber(text: string): number | null {
  const trimmed = fold(text);
  return /^\d{1,3}$/.test(trimmed) ? Number(trimmed) : null;
}
