/**
 * Small stand-ins for the parts around the engine, for unit tests and for `conversa flow
 * test|chat` until the real ones are wired: a FlowDocument builder that fills the defaults
 * (the parser, ../document, does that for real, with checks), and keyword classify/search
 * functions (the trained nlp.js model and the catalogue index do it for real).
 */
import type { CatalogItem, FlowDocument, FlowSettings, Intent, MenuOption, Step } from '../document/index.js';
import { fold } from './fold.js';
import type { EngineContext, NluResult } from './types.js';

/** A step as a test writes it: id and type, the rest optional. */
export type StepInput = { id: string; type: Step['type'] } & Record<string, unknown>;

export interface FlowInput {
  name?: string;
  language?: FlowDocument['language'];
  variables?: Record<string, unknown>;
  settings?: Partial<Omit<FlowSettings, 'texts'>> & { texts?: Partial<FlowSettings['texts']> };
  intents?: Array<Partial<Intent> & { name: string }>;
  catalogs?: Record<string, CatalogItem[]>;
  start?: string;
  steps: StepInput[];
  triggers?: FlowDocument['triggers'];
}

export const DEFAULT_TEXTS: Record<FlowDocument['language'], FlowSettings['texts']> = {
  pt: {
    invalid: '{{reason}}',
    did_you_mean: 'Não entendi bem. Você quis dizer:',
    handoff: 'Vou te passar para uma pessoa da nossa equipe.',
    timeout: 'Encerramos a conversa por falta de resposta. É só chamar se precisar!',
    list_button: 'Ver opções',
    more: 'Mais opções',
  },
  en: {
    invalid: '{{reason}}',
    did_you_mean: 'I did not quite get that. Did you mean:',
    handoff: 'I am passing you to a person on our team.',
    timeout: 'We closed this chat after no reply. Write any time!',
    list_button: 'See options',
    more: 'More options',
  },
  es: {
    invalid: '{{reason}}',
    did_you_mean: 'No entendí bien. ¿Quisiste decir:',
    handoff: 'Te paso con una persona de nuestro equipo.',
    timeout: 'Cerramos la conversación por falta de respuesta. ¡Escríbenos cuando quieras!',
    list_button: 'Ver opciones',
    more: 'Más opciones',
  },
};

const STEP_DEFAULTS: Partial<Record<Step['type'], Record<string, unknown>>> = {
  menu: { max_tries: 3 },
  ask: { max_tries: 3 },
  http: { method: 'GET', headers: {}, timeout_ms: 10_000, retries: 0, save: {} },
  search: { query: '{{input}}', text: '', max_results: 5 },
  survey: { comment: false },
  intent: { routes: {} },
  set: { values: {} },
  condition: { branches: [] },
  form: { fields: [] },
};

/** A FlowDocument with every default filled in, as the parser answers it. */
export function buildFlow(input: FlowInput): FlowDocument {
  const language = input.language ?? 'pt';
  const steps = input.steps.map((raw) => {
    const step: Record<string, unknown> = { ...STEP_DEFAULTS[raw.type], ...raw };
    if (raw.type === 'menu') {
      step.options = ((raw.options as Array<Partial<MenuOption>> | undefined) ?? []).map((option, i) => ({ id: `opt_${i + 1}`, synonyms: [], ...option }));
    }
    return step as unknown as Step;
  });
  return {
    format: 1,
    name: input.name ?? 'test',
    language,
    triggers: input.triggers ?? [{ type: 'any' }],
    variables: input.variables ?? {},
    settings: {
      session_timeout_ms: 30 * 60_000,
      nlu_threshold: 0.7,
      max_misses: 2,
      default_queue: 'support',
      ...input.settings,
      texts: { ...DEFAULT_TEXTS[language], ...input.settings?.texts },
    },
    intents: (input.intents ?? []).map((intent) => ({ phrases: {}, global: false, ...intent })),
    catalogs: input.catalogs ?? {},
    start: input.start ?? steps[0]?.id ?? '',
    steps,
  };
}

const STOP_WORDS = new Set(['a', 'o', 'e', 'de', 'do', 'da', 'um', 'uma', 'the', 'to', 'i', 'el', 'la', 'en', 'y', 'que', 'meu', 'minha', 'my', 'mi', 'quero', 'want', 'quiero', 'com', 'with', 'con', 'para', 'por']);

function words(text: string): string[] {
  return fold(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '' && !STOP_WORDS.has(word))
    .map((word) => (word.length > 3 && word.endsWith('s') ? word.slice(0, -1) : word));
}

function overlap(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const common = a.filter((word) => b.includes(word)).length;
  return common / Math.max(a.length, b.length);
}

/**
 * Keyword classify: an intent's score is its best training phrase's word overlap with the
 * text (1 for the same words). Enough to drive tests; the platform uses the trained model.
 */
export function keywordClassifier(flow: FlowDocument): NonNullable<EngineContext['classify']> {
  return async (text) => {
    const typed = words(text);
    const ranking = flow.intents
      .map((intent) => ({ intent: intent.name, score: Math.max(0, ...Object.values(intent.phrases).flatMap((phrases) => (phrases ?? []).map((phrase) => overlap(typed, words(phrase))))) }))
      .filter((entry) => entry.score > 0)
      .sort((a, b) => b.score - a.score);
    const best = ranking[0];
    const result: NluResult = { intent: best?.intent ?? null, score: best?.score ?? 0, ranking: ranking.slice(0, 5), entities: [], language: flow.language };
    return result;
  };
}

/** Keyword search over a flow's catalogues (title, description and keywords). */
export function keywordSearch(flow: FlowDocument): NonNullable<EngineContext['search']> {
  return (catalog, query, limit) => {
    const typed = words(query);
    return (flow.catalogs[catalog] ?? [])
      .map((item) => {
        const known = words([item.title, item.description ?? '', ...(item.keywords ?? [])].join(' '));
        const score = typed.filter((word) => known.includes(word)).length / Math.max(1, typed.length);
        return { id: item.id, score };
      })
      .filter((hit) => hit.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, limit);
  };
}
