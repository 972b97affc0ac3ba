import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { compileFlow as compileVersion, parseFlowDocument, trainIntents, type EngineContext, type FlowDocument } from '../modules/chatbot/index.js';

/**
 * Reads a flow file (YAML or JSON) for `conversa flow test|chat` with the parser the platform
 * publishes with: a document with errors is refused with every problem, as `flow validate`
 * prints them.
 */
export async function loadFlowFile(path: string): Promise<FlowDocument> {
  const source = await readFile(path, 'utf8');
  const parsed = parseFlowDocument(source, { format: extname(path).toLowerCase() === '.json' ? 'json' : 'yaml' });
  if (!parsed.ok) {
    const errors = parsed.problems.filter((p) => p.severity === 'error');
    throw new Error(`${path} has ${errors.length} problem(s):\n${errors.map((p) => `  ${p.path || '(document)'}: ${p.message} (fix: ${p.fix})`).join('\n')}`);
  }
  return parsed.document;
}

/** The flow's classify and search, trained and built as publishing does (nlp.js, MiniSearch). */
export async function compileFlow(flow: FlowDocument): Promise<Pick<EngineContext, 'classify' | 'search'>> {
  const trained = await trainIntents(flow);
  return compileVersion(flow, trained?.model);
}
