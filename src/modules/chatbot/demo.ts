import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Flows } from './flows.js';

/** The demo support bot (pt-BR) shipped in examples/flows, published at the first start with the embedded sandbox. */
export const DEMO_FLOW_FILE = new URL('../../../examples/flows/support.yaml', import.meta.url);
/** Written once the demo was published: a later start never brings back a demo someone deleted. */
const MARKER = '.demo-flow-published';
/** The demo's variable that holds the company API's base URL, set to the platform's own demo API. */
const API_LINE = /^(\s*api:\s*).*$/m;

/**
 * Publishes the demo support bot on the sandbox number at the first start (unless
 * CONVERSA_DEMO_FLOW=off), pointing its order lookup at the platform's demo API (`/demo/…`),
 * so that the README tour can say "write oi". Once only: a marker in the data folder remembers.
 */
export async function publishDemoFlow(input: { flows: Flows; workspaceId: string; numberId: string; dataDir: string; apiOrigin: string; logger: Logger }): Promise<{ flowId: string; name: string; version: number } | undefined> {
  const marker = join(input.dataDir, MARKER);
  if (existsSync(marker)) return undefined;
  const source = readFileSync(DEMO_FLOW_FILE, 'utf8').replace(API_LINE, `$1"${input.apiOrigin}/demo"`);
  const created = await input.flows.create(input.workspaceId, { source, format: 'yaml' });
  if (!created.ok) {
    input.logger.warn({ error: created.error }, 'demo flow not published');
    return undefined;
  }
  const published = await input.flows.publish(input.workspaceId, created.value.id, input.numberId);
  if (!published.ok) {
    input.logger.warn({ error: published.error }, 'demo flow not published');
    return undefined;
  }
  writeFileSync(marker, `${created.value.id}\n`, { mode: 0o600 });
  return { flowId: created.value.id, name: created.value.name, version: published.value.version };
}
