import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { buildFlow, keywordClassifier, keywordSearch, type EngineContext, type FlowDocument, type FlowInput } from '../modules/chatbot/index.js';

/**
 * Reads a flow file (YAML or JSON) for `conversa flow test|chat`.
 *
 * Stand-in until the document parser is wired here: it fills the defaults (buildFlow) but does
 * not check the document; `conversa flow validate` does. Replace the body with the parser's
 * `parseFlowDocument` (throwing its problems) when it lands.
 */
export async function loadFlowFile(path: string): Promise<FlowDocument> {
  const raw: unknown = parse(await readFile(path, 'utf8'));
  if (!raw || typeof raw !== 'object' || !Array.isArray((raw as { steps?: unknown }).steps)) throw new Error(`${path} is not a flow: it needs a list of steps`);
  return buildFlow(raw as FlowInput);
}

/**
 * The flow's classify and search. Stand-in until the NLU (nlp.js) and catalogue search are
 * wired here: keyword matching on the intents' phrases and the catalogues' words.
 */
export async function compileFlow(flow: FlowDocument): Promise<Pick<EngineContext, 'classify' | 'search'>> {
  return { classify: keywordClassifier(flow), search: keywordSearch(flow) };
}
