// Minimal typings for the part of nlp.js (v4: @nlpjs/* 4.26.1 / 4.27.0) that
// src/modules/chatbot/engine/nlu.ts uses. nlp.js ships no types; these describe only what
// we call, as the library's source (not its README) has it. Each package is CommonJS whose
// `module.exports = { ... }` Node's ESM loader reads as named exports.

declare module '@nlpjs/core' {
  /** nlp.js's dependency-injection container: plugins register tokenizers, stemmers, etc. */
  export interface Container {
    use(plugin: unknown): unknown;
    get(name: string, settings?: unknown): unknown;
  }
  /** A new container with the core plugins (normalizer, tokenizer, stemmer, stopwords, …). Synchronous. */
  export function containerBootstrap(): Container;
}

declare module '@nlpjs/nlp' {
  import type { Container } from '@nlpjs/core';

  export interface NlpSettings {
    container: Container;
    languages: string[];
    /** Write model.nlp to disk after train(); always false here. */
    autoSave: boolean;
    /** Below this the answer becomes intent `None` (nlp.js default 0.5). */
    threshold?: number;
    /** Passed to the NLU manager and, per process(), to each classifier. */
    nlu: {
      log: boolean;
      useNoneFeature?: boolean;
      spellCheck?: boolean;
      spellCheckDistance?: number;
    };
    /** Run the entity extractor on every process() and retry with entities replaced by `@name`. */
    forceNER: boolean;
    calculateSentiment?: boolean;
  }

  export interface NlpClassification {
    intent: string;
    score: number;
  }

  export interface NlpEntity {
    entity: string;
    /** Inclusive character offsets in the utterance. */
    start: number;
    end: number;
    sourceText: string;
    utteranceText: string;
    type: string;
    accuracy: number;
  }

  export interface NlpResult {
    locale: string;
    utterance: string;
    /** `None` when nothing matched (or below the threshold). */
    intent: string;
    score: number;
    classifications: NlpClassification[];
    entities: NlpEntity[];
  }

  /** One language's classifier (an `Nlu`): its per-text preparation cache and its intents in output order. */
  export interface NlpDomainClassifier {
    cache?: { results: Record<string, unknown> };
    intentsArr?: string[];
  }

  export interface NlpLanguageGuesser {
    extraSentences: Array<[string, string]>;
    addExtraSentence(locale: string, sentence: string): void;
    /** Trigram distances, best first; `score` is 1 for the best and relative for the others. */
    guess(utterance: string, allowList?: string[], limit?: number): Array<{ alpha2: string; alpha3: string; language: string; score: number }>;
  }

  export interface NlpNluManager {
    guesser: NlpLanguageGuesser;
    domainManagers: Record<string, { domains: Record<string, NlpDomainClassifier> } | undefined>;
  }

  export class Nlp {
    constructor(settings: NlpSettings);
    nluManager: NlpNluManager;
    /** The entity extractor; `rules` are per language (`*`: all), by entity name. */
    ner: { rules: Record<string, unknown> };
    addLanguage(locales: string | string[]): void;
    addDocument(locale: string, utterance: string, intent: string): void;
    /** `locale` `*` applies the rule to every language. The regex gets the `g` flag. */
    addNerRegexRule(locale: string, name: string, regex: RegExp): void;
    train(): Promise<unknown>;
    /** `settings` override `NlpSettings.nlu` for this text (e.g. `{ spellCheck: false }`). */
    process(locale: string, utterance: string, context?: object, settings?: Partial<NlpSettings['nlu']>): Promise<NlpResult>;
    export(minified?: boolean): string;
    import(data: string): void;
  }
}

declare module '@nlpjs/ner' {
  /** The entity extractor plugin (regex, enum and trim rules). */
  export class Ner {}
}

declare module '@nlpjs/lang-pt' {
  export class LangPt {}
}

declare module '@nlpjs/lang-es' {
  export class LangEs {}
}

declare module '@nlpjs/lang-en-min' {
  export class LangEn {}
}
