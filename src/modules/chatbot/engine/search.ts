/**
 * Catalogue and FAQ search for `search` steps (`context.search`), with MiniSearch: one
 * in-memory index per catalogue, built once per published flow version.
 *
 *   const search = buildCatalogSearch(doc.catalogs, { language: doc.language });
 *   search('faq', 'cartoes aceitos', 5);   // [{ id: 'cards', score: 9.1 }, …], best first
 *
 * Words are folded before they are indexed or searched (`catalogTerm`): lower case, accents
 * off, stop words dropped, plurals reduced to the singular's stem, so "Cartões" finds
 * "cartão" and "entregas" finds "entrega". Prefix and fuzzy matching then forgive a word cut
 * short or mistyped ("entreg", "pagamneto"). Scores are MiniSearch's BM25 (higher is better,
 * not bounded); title and keywords weigh more than the description and answer.
 */
import MiniSearch from 'minisearch';
import type { CatalogItem, FlowDocument, FlowLanguage } from '../document/index.js';

export type CatalogSearch = (catalog: string, query: string, limit: number) => Array<{ id: string; score: number }>;

/**
 * Indexes every catalogue of a flow. `language` (the flow's, default `pt`) chooses the plural
 * rules that differ between languages (pt `cartões → cartão`, es `luces → luz`, en
 * `companies → company`); the rest is shared. An unknown catalogue or an empty query finds
 * nothing; an item id repeated in a catalogue is indexed once (the first).
 */
export function buildCatalogSearch(catalogs: FlowDocument['catalogs'], options: { language?: FlowLanguage } = {}): CatalogSearch {
  const language = options.language ?? 'pt';
  const processTerm = (term: string): string | null => catalogTerm(term, language);
  const indexes = new Map<string, MiniSearch<IndexedItem>>();
  for (const [name, items] of Object.entries(catalogs)) {
    const index = new MiniSearch<IndexedItem>({
      fields: ['title', 'description', 'keywords', 'answer'],
      processTerm,
      searchOptions: {
        boost: { title: 3, keywords: 2 },
        prefix: (term) => term.length >= 4,
        fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
        maxFuzzy: 2,
        combineWith: 'OR',
        // A WhatsApp text can hold 4096 characters: search its first words only, so one long
        // message cannot make every fuzzy lookup walk the index hundreds of times.
        tokenize: (text) => MiniSearch.getDefault('tokenize')(text.slice(0, MAX_QUERY_CHARS)).slice(0, MAX_QUERY_TERMS),
      },
    });
    const seen = new Set<string>();
    for (const item of items) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      index.add(toIndexed(item));
    }
    indexes.set(name, index);
  }

  return (catalog, query, limit) => {
    const index = indexes.get(catalog);
    const count = Math.max(0, Math.floor(limit));
    if (!index || count === 0 || query.trim() === '') return [];
    return index
      .search(query)
      .slice(0, count)
      .map((result) => ({ id: String(result.id), score: Math.round(result.score * 1000) / 1000 }));
  };
}

/** Characters and words of a query that are searched. */
const MAX_QUERY_CHARS = 500;
const MAX_QUERY_TERMS = 16;

interface IndexedItem {
  id: string;
  title: string;
  description: string;
  keywords: string;
  answer: string;
}

function toIndexed(item: CatalogItem): IndexedItem {
  return {
    id: item.id,
    title: item.title,
    description: item.description ?? '',
    keywords: (item.keywords ?? []).join(' '),
    answer: item.answer ?? '',
  };
}

/**
 * One word as indexed and searched: folded (lower case, accents off), null for a stop word,
 * else reduced to a stem that a word's singular and plural share.
 *
 * @example catalogTerm('Cartões', 'pt') // 'cartao'   (and catalogTerm('cartão', 'pt') too)
 */
export function catalogTerm(term: string, language: FlowLanguage = 'pt'): string | null {
  const folded = term.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  if (folded === '' || STOP_WORDS.has(folded)) return null;
  return stemPlural(folded, language);
}

/**
 * Plural and singular to one stem, on a folded word. Not a linguist's stemmer: it only has to
 * give both forms the same key, so it also trims the singular (a final `e` goes in both
 * `cliente` and `clientes`, `store` and `stores`, `ciudad(e)s`).
 *
 * - pt: `ões/ães/ãos → ão`, `ais → al`, `éis → el`, `óis → ol`, `ns → m` (itens → item).
 *   `-il/-is` (barril/barris) is left to fuzzy matching: the rule would break táxi/táxis.
 * - es: `ces → z` (luces → luz). en: `ies → y` (companies → company).
 * - all: a final `s` goes (not `ss`), then a final `e` (`flores → flore → flor`,
 *   `meses → mes`, `boxes → box`).
 *
 * Words of three letters or fewer are kept as they are.
 */
function stemPlural(word: string, language: FlowLanguage): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (language === 'pt') {
    for (const [suffix, replacement, minStem] of PT_PLURALS) {
      if (word.endsWith(suffix) && word.length - suffix.length >= minStem) return word.slice(0, -suffix.length) + replacement;
    }
  } else if (language === 'es') {
    if (word.endsWith('ces') && word.length > 4) return `${word.slice(0, -3)}z`;
  } else if (word.endsWith('ies') && word.length > 4) {
    return `${word.slice(0, -3)}y`;
  }
  let stem = word;
  if (stem.endsWith('s') && !stem.endsWith('ss')) stem = stem.slice(0, -1);
  if (stem.endsWith('e') && stem.length > 3) stem = stem.slice(0, -1);
  return stem;
}

/** Suffix, replacement, letters that must come before the suffix (pães: 1; seis, dois: kept). */
const PT_PLURALS: ReadonlyArray<[string, string, number]> = [
  ['oes', 'ao', 1],
  ['aes', 'ao', 1],
  ['aos', 'ao', 1],
  ['ais', 'al', 2],
  ['eis', 'el', 2],
  ['ois', 'ol', 2],
  ['ns', 'm', 2],
];

/** Folded words that carry no meaning in a search, pt + es + en (a catalogue may mix them). */
const STOP_WORDS = new Set(
  [
    // pt
    'a o as os um uma uns umas de da do das dos e em no na nos nas ao aos para pra pro por pelo pela pelos pelas com',
    'que se ou meu minha meus minhas seu sua seus suas voce voces eu me te lhe isso isto esse essa este esta qual quais',
    'como quero gostaria saber sobre tem ter ha mais muito',
    // es
    'el la los las un una unos unas del al y en por para con mi mis tu tus su sus es yo quiero quisiera sobre',
    // en
    'the an of to in on at for and or is are be my your our i you we it its this that what which how can do does with about want',
  ]
    .join(' ')
    .split(' '),
);
