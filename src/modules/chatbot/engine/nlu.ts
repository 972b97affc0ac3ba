/**
 * Intents: trained with nlp.js when a flow version is published, classified by the engine
 * through `context.classify`.
 *
 *   const trained = await trainIntents(doc);                      // at publish; store trained.model
 *   const classify = await loadClassifier(trained.model, { language: doc.language });
 *   await classify('cade meu pedido');                            // { intent: 'order.status', score: 0.97, … }
 *
 * What nlp.js does here, read from its source (4.26/4.27), not assumed:
 * - Training is deterministic. The classifier is one perceptron per intent whose weights start
 *   at zero (`Float32Array`), trained in corpus order with no shuffling, no random seed and no
 *   dropout; the only `Math.random()` calls in the packages we use pick among NLG answers (we
 *   add none) and make uuids, neither of which touches training. So the same phrases in the same order give the same model, byte for byte; we add
 *   them in document order (intent, then language, then phrase).
 * - `useNoneFeature` is off unless asked (the `none-languages` table in @nlpjs/nlu is not read by
 *   anything): we turn it on, so words the model never saw pull towards `None` ("banana").
 * - `threshold` (default 0.5) turns a weak best answer into `None` and hides its score. We set 0:
 *   the flow's own `settings.nlu_threshold` is the only cut, applied by the engine, which also
 *   needs the weak candidates for "did you mean…?".
 * - Typos: its spell checker (`spellCheck`, edit distance 1 against the trained stems, words of
 *   4+ letters) is off by default; we turn it on. Accents: the pt/es normalisers strip them
 *   (NFD), so "horario" and "horário" are one feature.
 * - An imported model forgets `None` among its intents (`restoreNoneIntent`), so "banana"
 *   would score 1 for whichever intent shares a word with it; we put it back.
 * - The language packages register their trigram tables only if the language guesser exists
 *   already: registered before the `Nlp` (the natural order), every table stays empty and every
 *   language scores the same. We register them after it.
 * - Side effects we undo or avoid: `export()` sets `RegExp.prototype.toJSON` for the whole
 *   process (restored after each export); every trained phrase is added to the language
 *   guesser's trigram table, which is module-global and so shared by every flow (we keep our
 *   phrases out of it, so one workspace's phrases never steer another's language guess); each
 *   classifier caches the tokens of every text it has seen for an hour (we empty it every
 *   `PREPARE_CACHE_LIMIT` texts, so a stream of distinct messages cannot grow memory).
 *
 * Measured on the 2-core dev machine (Node 20; 4 intents × pt, en, es, 44 phrases; model 32 kB):
 * training 50–60 ms; `loadClassifier` 1–3 ms (the first in a process ~70 ms: the language
 * packages warm up); one classification 0.5–1.2 ms (nlp.js classifies a text with an entity
 * twice, the second time with `@number`, `@cpf`… in its place); a 1 kB text at worst ~15 ms.
 * The runtime caches the classifier per flow version.
 */
import { containerBootstrap } from '@nlpjs/core';
import { LangEn } from '@nlpjs/lang-en-min';
import { LangEs } from '@nlpjs/lang-es';
import { LangPt } from '@nlpjs/lang-pt';
import { Ner } from '@nlpjs/ner';
import { Nlp, type NlpDomainClassifier, type NlpEntity } from '@nlpjs/nlp';
import type { FlowDocument, FlowLanguage } from '../document/index.js';
import { normalizePhone } from '../../contacts/index.js';
import { isValidCnpj, isValidCpf } from '../../payments/index.js';
import type { NluResult } from './types.js';

/** A trained model, as stored with the published flow version. */
export interface TrainedIntents {
  /** nlp.js's exported model (JSON text). */
  model: string;
}

/**
 * Trains the flow's intents: every phrase of every language, plus the built-in entities
 * (number, date, email, cpf, cnpj, cep, phone) as regex rules. Answers undefined when the flow
 * has no intents (nothing to store; `compileFlow` then gives the engine no `classify`).
 *
 * @example await trainIntents({ language: 'pt', intents: [{ name: 'hours', phrases: { pt: ['qual o horário'] }, global: false }] })
 */
export async function trainIntents(doc: Pick<FlowDocument, 'language' | 'intents'>): Promise<TrainedIntents | undefined> {
  const trained = await trainModel(doc);
  return trained && { model: exportModel(trained.nlp) };
}

/**
 * `trainIntents` plus the classifier of the model just trained, without the export and import
 * in between (for `conversa flow test|chat`, which run a flow file without publishing it).
 * Throws when the flow has no phrases to train.
 */
export async function trainClassifier(doc: Pick<FlowDocument, 'language' | 'intents'>): Promise<TrainedIntents & { classify: (text: string) => Promise<NluResult> }> {
  const trained = await trainModel(doc);
  if (!trained) throw new Error('NLU: the flow has no training phrases');
  return { model: exportModel(trained.nlp), classify: classifierFor(trained.nlp, trained.languages, doc.language) };
}

/**
 * Imports a model made by `trainIntents` once and answers the classifier the engine uses as
 * `context.classify`. The text's language is the flow's unless it is clearly another language
 * the flow was trained in; if that language's model finds nothing, the other trained languages
 * are tried (short texts like "ok" or "menu" carry little evidence of their language).
 */
export async function loadClassifier(model: string, options: { language: FlowLanguage }): Promise<(text: string) => Promise<NluResult>> {
  const exported = JSON.parse(model) as { settings?: { languages?: unknown } };
  const languages = Array.isArray(exported.settings?.languages) ? exported.settings.languages.filter(isFlowLanguage) : [];
  if (languages.length === 0) throw new Error('NLU model: no trained languages (was it made by trainIntents?)');
  const nlp = createNlp(languages);
  nlp.import(model);
  restoreNoneIntent(nlp);
  // Entity rules are code: a model published before a rule was fixed gets today's rules, and
  // no regular expression read from stored text ever runs.
  nlp.ner.rules = {};
  addBuiltinEntities(nlp);
  return classifierFor(nlp, languages, options.language);
}

async function trainModel(doc: Pick<FlowDocument, 'language' | 'intents'>): Promise<{ nlp: Nlp; languages: FlowLanguage[] } | undefined> {
  const languages = trainedLanguages(doc);
  if (languages.length === 0) return undefined;
  const nlp = createNlp(languages);
  addBuiltinEntities(nlp);
  for (const intent of doc.intents) {
    for (const language of languages) {
      for (const phrase of intent.phrases[language] ?? []) if (phrase.trim() !== '') nlp.addDocument(language, phrase, INTENT_PREFIX + intent.name);
    }
  }
  await nlp.train();
  return { nlp, languages };
}

function classifierFor(nlp: Nlp, languages: FlowLanguage[], flowLanguage: FlowLanguage): (text: string) => Promise<NluResult> {
  let classified = 0;
  return async (message: string): Promise<NluResult> => {
    if (++classified % PREPARE_CACHE_LIMIT === 0) emptyPrepareCaches(nlp);
    const text = message.slice(0, MAX_TEXT_CHARS);
    const language = guessLanguage(nlp, text, flowLanguage, languages);
    const [first = language, ...others] = [language, ...languages.filter((other) => other !== language)].filter((candidate) => languages.includes(candidate));
    let result = await nlp.process(first, text);
    // Another language's model gets no spell checking: corrected towards its words, Portuguese
    // turns into Spanish ("qual" → "cual") and finds an intent in a question about nothing.
    for (const other of others) {
      if (result.intent !== NONE) break;
      const attempt = await nlp.process(other, text, undefined, { spellCheck: false });
      if (attempt.intent !== NONE) result = attempt;
    }
    const ranking = result.classifications
      .filter((candidate) => candidate.intent.startsWith(INTENT_PREFIX))
      .map(({ intent, score }) => ({ intent: intent.slice(INTENT_PREFIX.length), score: round(score) }))
      .filter((candidate) => candidate.score > 0)
      .slice(0, 3);
    const intent = result.intent.startsWith(INTENT_PREFIX) ? result.intent.slice(INTENT_PREFIX.length) : null;
    return {
      intent,
      score: intent === null ? (ranking[0]?.score ?? 0) : round(result.score),
      ranking,
      entities: normaliseEntities(result.entities ?? [], language),
      language,
    };
  };
}

const NONE = 'None';
/**
 * nlp.js keeps intents as keys of plain objects, where an intent named `constructor` is never
 * learnt (`{}.constructor` already exists): the model knows each intent as `#name`.
 */
const INTENT_PREFIX = '#';
const LANGUAGES: readonly FlowLanguage[] = ['pt', 'en', 'es'];
/**
 * Characters of a message that are classified (a WhatsApp text holds 4096): an intent is said
 * in a sentence or two, and a 4 kB message would cost tens of milliseconds.
 */
const MAX_TEXT_CHARS = 1024;
/** Texts classified between two emptyings of nlp.js's per-text token cache. */
const PREPARE_CACHE_LIMIT = 500;

function isFlowLanguage(value: unknown): value is FlowLanguage {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The flow's language first, then the others that have at least one phrase. */
function trainedLanguages(doc: Pick<FlowDocument, 'language' | 'intents'>): FlowLanguage[] {
  const used = new Set<FlowLanguage>();
  for (const intent of doc.intents) {
    for (const language of LANGUAGES) if ((intent.phrases[language] ?? []).some((phrase) => phrase.trim() !== '')) used.add(language);
  }
  return [doc.language, ...LANGUAGES.filter((language) => language !== doc.language)].filter((language) => used.has(language));
}

function createNlp(languages: FlowLanguage[]): Nlp {
  const container = containerBootstrap();
  container.use(Ner);
  const nlp = new Nlp({
    container,
    languages,
    autoSave: false,
    threshold: 0,
    nlu: { log: false, useNoneFeature: true, spellCheck: true, spellCheckDistance: 1 },
    forceNER: true,
    calculateSentiment: false,
  });
  // The language packages after the Nlp: each gives the language guesser its trigram table
  // only if the guesser is registered, which the Nlp's NLU manager does. Registered before,
  // every table stays empty and every language scores the same.
  container.use(LangPt);
  container.use(LangEs);
  container.use(LangEn);
  // nlp.js also adds every trained phrase to those tables, which are module-level and shared by
  // all instances: keep the phrases in the model, out of the shared tables.
  const guesser = nlp.nluManager.guesser;
  guesser.addExtraSentence = (locale, sentence) => {
    guesser.extraSentences.push([locale, sentence]);
  };
  return nlp;
}

/** nlp.js's export, without the `RegExp.prototype.toJSON` it leaves behind for the whole process. */
function exportModel(nlp: Nlp): string {
  const before = Object.getOwnPropertyDescriptor(RegExp.prototype, 'toJSON');
  try {
    return nlp.export(true);
  } finally {
    if (before) Object.defineProperty(RegExp.prototype, 'toJSON', before);
    else delete (RegExp.prototype as { toJSON?: unknown }).toJSON;
  }
}

/**
 * A trained classifier ranks `None` among the intents; one imported forgets it
 * (`Nlu.fromJSON` sets `intentsArr` to the trained intents only), so an unknown word's pull
 * towards "not understood" vanishes and the sole candidate scores 1. Put it back.
 */
function restoreNoneIntent(nlp: Nlp): void {
  for (const classifier of domainClassifiers(nlp)) {
    if (classifier.intentsArr && !classifier.intentsArr.includes(NONE)) classifier.intentsArr.push(NONE);
  }
}

function domainClassifiers(nlp: Nlp): NlpDomainClassifier[] {
  return Object.values(nlp.nluManager.domainManagers).flatMap((manager) => Object.values(manager?.domains ?? {}));
}

function emptyPrepareCaches(nlp: Nlp): void {
  for (const classifier of domainClassifiers(nlp)) if (classifier.cache) classifier.cache.results = {};
}

function round(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}

// ---------------------------------------------------------------------------------------------
// Language

/** Letters needed before a text may be called "clearly" in another language than the flow's. */
const MIN_LETTERS_TO_SWITCH = 12;

/**
 * The flow's language unless the text is clearly in another trained language: long enough,
 * and both the trigram guesser (restricted to the trained languages) and the stop words agree.
 */
function guessLanguage(nlp: Nlp, text: string, flowLanguage: FlowLanguage, languages: FlowLanguage[]): FlowLanguage {
  const fallback = flowLanguage;
  if (languages.every((language) => language === flowLanguage)) return fallback;
  const letters = text.replace(/[^\p{L}]/gu, '');
  if (letters.length < MIN_LETTERS_TO_SWITCH) return fallback;
  const candidates = [flowLanguage, ...languages.filter((language) => language !== flowLanguage)];
  const guesses = nlp.nluManager.guesser.guess(text, candidates, 3);
  const best = guesses[0]?.alpha2;
  if (!isFlowLanguage(best) || best === fallback) return fallback;
  const words = foldedWords(text);
  const votes = (language: FlowLanguage) => words.filter((word) => MARKERS[language].has(word)).length;
  return votes(best) > votes(fallback) ? best : fallback;
}

/**
 * Common words that tell pt, en and es apart (folded: lower case, no accents). A word in two
 * lists ("que", "no", "a") tells nothing and is left out of both.
 */
const MARKERS: Record<FlowLanguage, Set<string>> = distinctWords({
  pt: 'o os as um uma do da dos das no na nos nas em ao voce voces vc vcs eu meu minha nao sim com para pra por que quero gostaria onde esta estou cade qual quando como obrigado obrigada ola oi bom dia tarde noite isso ele ela tem ter faz fazer falar preciso',
  en: 'the a an of to in on at is are was my your i you we it this that what where when how which can could would want need please thanks thank hello hi yes no not do does with for and have has been talk speak',
  es: 'el la los las un una del al en es estoy esta mi mis tu usted yo no si con para por que quiero quisiera donde cuando como cual gracias hola buenos buenas dias tardes noches hablar necesito hace',
});

function distinctWords(lists: Record<FlowLanguage, string>): Record<FlowLanguage, Set<string>> {
  const words = Object.fromEntries(LANGUAGES.map((language) => [language, new Set(lists[language].split(' '))])) as Record<FlowLanguage, Set<string>>;
  const shared = LANGUAGES.flatMap((language) => [...words[language]].filter((word) => LANGUAGES.some((other) => other !== language && words[other].has(word))));
  for (const language of LANGUAGES) for (const word of shared) words[language].delete(word);
  return words;
}

function foldedWords(text: string): string[] {
  return fold(text).split(/[^a-z0-9]+/).filter((word) => word !== '');
}

function fold(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Entities

type EntityName = 'email' | 'cnpj' | 'cpf' | 'phone' | 'cep' | 'date' | 'number';

/**
 * The built-in entities as nlp.js regex rules (language `*`). Each is a candidate: the value is
 * checked and normalised afterwards (`normaliseEntities`), where a CPF with wrong check digits
 * or a 31/02 is dropped. Every pattern is linear: bounded repetitions, no nested quantifiers.
 * The order is the priority when two entities cover the same text (a CPF is also a number).
 */
const ENTITY_RULES: ReadonlyArray<[EntityName, RegExp]> = [
  ['email', /(?<![\w.%+-])[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,8}/gi],
  ['cnpj', /(?<![\w./-])(?:\d{2}\.\d{3}\.\d{3}\/\d{4}-\d{2}|\d{14}|[A-Z\d]{2}\.[A-Z\d]{3}\.[A-Z\d]{3}\/[A-Z\d]{4}-\d{2})(?![\w/-]|[.,]\d)/g],
  ['cpf', /(?<![\w./-])(?:\d{3}\.\d{3}\.\d{3}-\d{2}|\d{11})(?![\w/-]|[.,]\d)/g],
  ['phone', /(?<![\w+./-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,3}\)\s?|\d{2,3}[\s.-]?)?9?\d{4}[\s.-]?\d{4}(?![\w/-]|[.,]\d)/g],
  ['cep', /(?<![\w./-])(?:\d{2}\.?\d{3}-\d{3}|(?<=\bcep\W{0,3})\d{8})(?![\w/-]|[.,]\d)/gi],
  ['date', /(?<![\w./-])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{1,2}\/\d{1,2})(?![\w/-]|[.,]\d)/g],
  ['number', /(?<![\w.,/-])-?(?:\d{1,3}(?:\.\d{3}){1,4}(?:,\d{1,6})?|\d{1,3}(?:,\d{3}){1,4}(?:\.\d{1,6})?|\d{1,15}(?:[.,]\d{1,6})?)(?![\w/-]|[.,]\d)/g],
];
const PRIORITY = new Map<string, number>(ENTITY_RULES.map(([name], index) => [name, index]));

function addBuiltinEntities(nlp: Nlp): void {
  for (const [name, regex] of ENTITY_RULES) nlp.addNerRegexRule('*', name, new RegExp(regex.source, regex.flags));
}

type Entity = NluResult['entities'][number];

/**
 * nlp.js's regex matches → entities with checked, normalised values; where matches overlap
 * the longest wins, then the one first in `ENTITY_RULES`.
 */
function normaliseEntities(found: NlpEntity[], language: FlowLanguage): Entity[] {
  const candidates: Array<Entity & { start: number; end: number; priority: number }> = [];
  for (const match of found) {
    const priority = PRIORITY.get(match.entity);
    if (priority === undefined) continue;
    const value = entityValue(match.entity as EntityName, match.sourceText, language);
    if (value === undefined) continue;
    candidates.push({ entity: match.entity, text: match.sourceText, value, start: match.start, end: match.end, priority });
  }
  candidates.sort((a, b) => b.end - b.start - (a.end - a.start) || a.priority - b.priority);
  const kept: typeof candidates = [];
  for (const candidate of candidates) {
    if (kept.some((other) => candidate.start <= other.end && other.start <= candidate.end)) continue;
    kept.push(candidate);
  }
  return kept.sort((a, b) => a.start - b.start).map(({ entity, text, value }) => ({ entity, text, value }));
}

/** The normalised value, or undefined when the text is not a valid one. */
function entityValue(entity: EntityName, text: string, language: FlowLanguage): unknown {
  switch (entity) {
    case 'email':
      return text.toLowerCase();
    case 'cpf': {
      const digits = text.replace(/\D/g, '');
      return isValidCpf(digits) ? digits : undefined;
    }
    case 'cnpj': {
      const value = text.replace(/[./-]/g, '').toUpperCase();
      return isValidCnpj(value) ? value : undefined;
    }
    case 'cep':
      return text.replace(/\D/g, '');
    case 'phone': {
      const phone = normalizePhone(text, language === 'pt' ? 'BR' : undefined);
      return phone.ok ? phone.e164 : undefined;
    }
    case 'date':
      return dateValue(text);
    case 'number':
      return numberValue(text, language);
  }
}

/**
 * `yyyy-mm-dd`; a day and month without a year (`25/12`) give `--mm-dd` (the ISO 8601 /
 * XML Schema month-day form): the engine, which knows today, picks the year. Two-digit years
 * 00–49 are 20yy, 50–99 19yy. Impossible dates (31/02) are dropped.
 */
function dateValue(text: string): string | undefined {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const parts = iso ? [iso[3], iso[2], iso[1]] : text.split(/[/.-]/);
  const [day, month, yearText] = parts.map((part) => (part === undefined ? undefined : Number(part)));
  if (day === undefined || month === undefined || month < 1 || month > 12 || day < 1) return undefined;
  const year = yearText === undefined ? undefined : yearText >= 100 ? yearText : yearText < 50 ? 2000 + yearText : 1900 + yearText;
  if (day > daysInMonth(month, year ?? 2000)) return undefined;
  const mmdd = `${pad(month)}-${pad(day)}`;
  return year === undefined ? `--${mmdd}` : `${String(year).padStart(4, '0')}-${mmdd}`;
}

function daysInMonth(month: number, year: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/**
 * pt and es write `1.234,56`; en writes `1,234.56`. A lone separator followed by exactly three
 * digits is a thousands separator in the text's language (`1.500` is 1500 in pt, 1.5 in en);
 * otherwise it is the decimal mark.
 */
function numberValue(text: string, language: FlowLanguage): number | undefined {
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const decimalComma = language !== 'en';
  let normalised: string;
  if (body.includes('.') && body.includes(',')) {
    normalised = body.lastIndexOf(',') > body.lastIndexOf('.') ? body.replace(/\./g, '').replace(',', '.') : body.replace(/,/g, '');
  } else {
    const separator = body.includes(',') ? ',' : body.includes('.') ? '.' : null;
    if (separator === null) normalised = body;
    else {
      const groups = body.split(separator);
      const thousands = groups.length > 2 || (groups[1]?.length === 3 && (separator === ',') !== decimalComma);
      normalised = thousands ? groups.join('') : groups.join('.');
    }
  }
  const value = Number(normalised);
  if (!Number.isFinite(value)) return undefined;
  return negative ? -value : value;
}
