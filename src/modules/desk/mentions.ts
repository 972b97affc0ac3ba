/** A person of the workspace a note can mention. */
export interface Mentionable {
  id: string;
  email: string;
  name: string;
}

/** The longest note, in characters. */
export const MAX_NOTE_LENGTH = 4000;

// `@[Display Name](usr_…)`: the form the inbox's picker writes (the name is what the reader sees).
const EXPLICIT = /@\[([^\]\n]{1,100})\]\(([A-Za-z0-9_-]{1,64})\)/g;
// `@ana.silva`: an e-mail's local part, not inside an address (`ana@x.com` mentions nobody).
const SHORT = /(^|[^A-Za-z0-9._%+@-])@([A-Za-z0-9._%+-]{1,64})/g;

/**
 * The people a note mentions, in the order they first appear, each once. Two spellings:
 * `@[Display Name](usr_id)` names a user by id; `@local.part` names the user whose e-mail's local
 * part it is (case-insensitive; a trailing `.` ends the sentence, not the name). A mention that
 * names nobody of `people` (another workspace's user, a typo, a local part two people share)
 * stays plain text. Pure: the text is never changed, nothing in it is evaluated.
 *
 * @example resolveMentions('@ana.silva veja, e @[Bruno](usr_1)', people) // → ['usr_ana', 'usr_1']
 */
export function resolveMentions(text: string, people: readonly Mentionable[]): string[] {
  const byId = new Map(people.map((person) => [person.id, person]));
  const byLocal = new Map<string, Mentionable[]>();
  for (const person of people) {
    const local = person.email.slice(0, person.email.lastIndexOf('@')).toLowerCase();
    byLocal.set(local, [...(byLocal.get(local) ?? []), person]);
  }
  const found: Array<{ at: number; id: string }> = [];
  for (const match of text.matchAll(EXPLICIT)) {
    const person = byId.get(match[2] as string);
    if (person) found.push({ at: match.index, id: person.id });
  }
  // Short mentions outside the explicit ones (their display names may contain `@`).
  const plain = text.replace(EXPLICIT, (whole) => ' '.repeat(whole.length));
  for (const match of plain.matchAll(SHORT)) {
    const local = (match[2] as string).replace(/\.+$/, '').toLowerCase();
    const candidates = byLocal.get(local) ?? [];
    if (candidates.length === 1) found.push({ at: match.index + (match[1] as string).length, id: (candidates[0] as Mentionable).id });
  }
  found.sort((a, b) => a.at - b.at);
  return [...new Set(found.map((mention) => mention.id))];
}
