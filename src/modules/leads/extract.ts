import { checkValue, isVerifiable, type CheckedKind } from './lead-checks.js';

/** `certain`: the value passed a real check (e-mail syntax, CPF/CNPJ check digits, the phone numbering plan). `possible`: found by a pattern only. */
export type Confidence = 'certain' | 'possible';

/** What the extractor can find in a message. */
export type ExtractedField = 'name' | 'email' | 'phone' | 'cpf' | 'cnpj' | 'cep' | 'interest';

export interface Extracted {
  field: ExtractedField;
  /** Normalised: e-mail lower-cased, phone E.164, CPF/CNPJ digits, CEP `01310-100`, name title-cased; interest the keywords found, as configured. */
  value: string | string[];
  /** Which rule found it: `email`, `phone`, `cpf`, `cnpj`, `cep`, `name` or `keyword`. */
  rule: CheckedKind | 'name' | 'keyword';
  confidence: Confidence;
  /** The text it was read from. */
  text: string;
}

export interface ExtractOptions {
  /** Interest keywords and phrases (accents and case do not matter; whole words only). */
  keywords?: readonly string[];
}

/** Only the first characters of a message are read (a WhatsApp text holds up to 4,096). */
export const EXTRACT_MAX_CHARS = 2048;

/**
 * The lead fields a customer's message holds, by rules (no model, no guess shown as certain):
 * names after "meu nome é", "me chamo", "sou o/a" (always `possible`), e-mails, phone numbers
 * (Brazil when no country code), CPF and CNPJ (only with matching check digits: a wrong one is
 * dropped, never kept as possible), CEP (`possible`: nothing can check it), and the interest
 * keywords the source configured. Where matches overlap, the longest wins, then the first rule
 * in the order CNPJ, CPF, e-mail, phone, CEP. Cheap: a handful of linear regexes over at most
 * {@link EXTRACT_MAX_CHARS} characters.
 *
 * @example extractLeadFields('meu email é Ana@Example.com e meu cpf 529.982.247-25')
 * // [{ field: 'email', value: 'ana@example.com', rule: 'email', confidence: 'certain', … },
 * //  { field: 'cpf', value: '52998224725', rule: 'cpf', confidence: 'certain', … }]
 */
export function extractLeadFields(input: string, options: ExtractOptions = {}): Extracted[] {
  const text = input.length > EXTRACT_MAX_CHARS ? input.slice(0, EXTRACT_MAX_CHARS) : input;
  const found: Extracted[] = [];
  if (/\d|@/.test(text)) found.push(...documents(text));
  const name = nameIn(text);
  if (name) found.push(name);
  const interest = keywordsIn(text, options.keywords ?? []);
  if (interest) found.push(interest);
  return found;
}

type Candidate = Extracted & { start: number; end: number; priority: number };

// Linear patterns: bounded repetitions, no nested quantifiers (the chatbot's entity rules).
const RULES: ReadonlyArray<[CheckedKind, RegExp]> = [
  ['cnpj', /(?<![\w./-])(?:\d{2}\.\d{3}\.\d{3}\/\d{4}-\d{2}|\d{14}|[A-Z\d]{2}\.[A-Z\d]{3}\.[A-Z\d]{3}\/[A-Z\d]{4}-\d{2})(?![\w/-]|[.,]\d)/g],
  ['cpf', /(?<![\w./-])(?:\d{3}\.\d{3}\.\d{3}-\d{2}|\d{11})(?![\w/-]|[.,]\d)/g],
  ['email', /(?<![\w.%+-])[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,8}/gi],
  ['phone', /(?<![\w+./-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,3}\)\s?|\d{2,3}[\s.-]?)?9?\d{4}[\s.-]?\d{4}(?![\w/-]|[.,]\d)/g],
  ['cep', /(?<![\w./-])(?:\d{2}\.?\d{3}-\d{3}|(?<=\bcep\W{0,3})\d{8})(?![\w/-]|[.,]\d)/gi],
];

function documents(text: string): Extracted[] {
  const candidates: Candidate[] = [];
  for (const [priority, [kind, pattern]] of RULES.entries()) {
    for (const match of text.matchAll(pattern)) {
      const value = checkValue(kind, match[0]);
      if (value === undefined) continue;
      let confidence: Confidence = isVerifiable(kind) ? 'certain' : 'possible';
      // Eleven bare digits that are a valid CPF and a valid Brazilian mobile number: either may be meant.
      if (kind === 'cpf' && /^\d{11}$/.test(match[0]) && checkValue('phone', match[0]) !== undefined) confidence = 'possible';
      const start = match.index;
      candidates.push({ field: kind, value, rule: kind, confidence, text: match[0], start, end: start + match[0].length, priority });
    }
  }
  candidates.sort((a, b) => b.end - b.start - (a.end - a.start) || a.priority - b.priority);
  const kept: Candidate[] = [];
  for (const candidate of candidates) {
    if (kept.some((other) => candidate.start < other.end && other.start < candidate.end)) continue;
    kept.push(candidate);
  }
  return kept.sort((a, b) => a.start - b.start).map(({ field, value, rule, confidence, text: written }) => ({ field, value, rule, confidence, text: written }));
}

const LETTERS = "A-Za-zÀ-ÖØ-öø-ÿ'’";
const WORD = `[${LETTERS}][${LETTERS}-]{0,39}`;
/** "meu nome é ana souza", "me chamo Ana", "my name is Ana": any case. */
const NAME_SAID = new RegExp(`(?:^|[^${LETTERS}])(?:meu nome (?:é|e|eh)|me chamo|my name is|mi nombre es|me llamo)\\s*:?\\s+(${WORD}(?:\\s+${WORD}){0,5})`, 'i');
/** "sou o Pedro", "aqui é a Ana": only a capitalised word ("sou o dono" is not a name). */
const NAME_INTRODUCED = new RegExp(`(?:^|[^${LETTERS}])(?:sou|aqui (?:é|e|eh)|quem fala (?:é|e|eh))\\s+(?:o|a)\\s+(\\p{Lu}[${LETTERS}-]{0,39}(?:\\s+${WORD}){0,5})`, 'u');
/** Words that end a name: what usually follows it in a sentence. */
const NAME_STOP = new Set(['e', 'and', 'y', 'meu', 'minha', 'my', 'mi', 'tenho', 'moro', 'quero', 'queria', 'gostaria', 'preciso', 'estou', 'to', 'tô', 'sou', 'cpf', 'cnpj', 'email', 'e-mail', 'telefone', 'celular', 'cep', 'mas', 'pois', 'porque', 'que', 'aqui', 'com', 'from', 'i', 'and', 'obrigado', 'obrigada', 'tudo', 'bem', 'oi', 'ola', 'olá', 'por', 'para', 'pra', 'no', 'na', 'em']);
const NAME_CONNECTORS = new Set(['da', 'de', 'do', 'das', 'dos', 'di', 'del']);

function nameIn(text: string): Extracted | undefined {
  const match = NAME_SAID.exec(text) ?? NAME_INTRODUCED.exec(text);
  const words: string[] = [];
  for (const word of (match?.[1] ?? '').split(/\s+/)) {
    if (word === '' || NAME_STOP.has(word.toLowerCase())) break;
    words.push(word);
  }
  while (words.length > 0 && NAME_CONNECTORS.has((words.at(-1) as string).toLowerCase())) words.pop();
  if (words.length === 0 || words.join('').length < 2) return undefined;
  const value = words.map((word) => (NAME_CONNECTORS.has(word.toLowerCase()) ? word.toLowerCase() : word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())).join(' ');
  return { field: 'name', value, rule: 'name', confidence: 'possible', text: words.join(' ') };
}

/** Lower case, accents off, everything but letters and digits a single space, padded: whole words compare as ` word `. */
export function foldWords(text: string): string {
  return ` ${text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim()} `;
}

function keywordsIn(text: string, keywords: readonly string[]): Extracted | undefined {
  if (keywords.length === 0) return undefined;
  const folded = foldWords(text);
  const hits = keywords.filter((keyword) => {
    const wanted = foldWords(keyword);
    return wanted.trim() !== '' && folded.includes(wanted);
  });
  return hits.length === 0 ? undefined : { field: 'interest', value: hits, rule: 'keyword', confidence: 'certain', text: hits.join(', ') };
}
