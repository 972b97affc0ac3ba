/**
 * What a published flow version needs in memory besides its document: the intent classifier
 * and the catalogue search. Costly to build (the model is parsed, every catalogue indexed),
 * cheap to use: the runtime builds it once per flow version and keeps it.
 */
import type { FlowDocument } from '../document/index.js';
import { loadClassifier } from './nlu.js';
import { buildCatalogSearch } from './search.js';
import type { EngineContext } from './types.js';

export interface CompiledFlow {
  /** Undefined when the flow has no model (no intents). */
  classify?: EngineContext['classify'];
  /** Undefined when the flow has no catalogues. */
  search?: EngineContext['search'];
}

/**
 * Builds `classify` from the version's stored model (from `trainIntents` at publish) and
 * `search` from its catalogues, for the engine's `EngineContext`.
 *
 * @example
 * const trained = await trainIntents(doc);
 * const { classify, search } = await compileFlow(doc, trained?.model);
 * await runEngine(doc, state, event, { ...context, classify, search });
 */
export async function compileFlow(doc: FlowDocument, model?: string): Promise<CompiledFlow> {
  const compiled: CompiledFlow = {};
  if (model !== undefined && doc.intents.length > 0) compiled.classify = await loadClassifier(model, { language: doc.language });
  if (Object.keys(doc.catalogs).length > 0) compiled.search = buildCatalogSearch(doc.catalogs, { language: doc.language });
  return compiled;
}
