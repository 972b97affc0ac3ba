/**
 * `conversa flow publish FILE --number ID`: sends a flow file to a running Conversa (created,
 * or its draft replaced when a flow of that name exists), then publishes it on the number:
 * a new immutable version, live from now on. Problems are printed with their paths and fixes.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { apiClientFor } from './api-client.js';

/** As `FlowCommandIo` of ./flow.ts (not imported: flow.ts imports this file). */
interface FlowCommandIo {
  env: Record<string, string | undefined>;
  out: (text: string) => void;
  err: (text: string) => void;
}

const HELP = `Usage: conversa flow publish FILE --number ID [--url URL] [--api-key KEY]

Creates the flow on a running Conversa (or replaces the draft of the flow with the same name),
then publishes it on the phone number: a new version, live at once. Conversations already in
the flow finish on their version; roll back with POST /api/v1/flows/{id}/rollback.

Options:
  --number ID      our phone number id or Meta's phone_number_id (required)
  --url URL        the server (default $CONVERSA_URL, else http://HOST:PORT)
  --api-key KEY    default $CONVERSA_API_KEY, else $CONVERSA_ADMIN_KEY (scope flows:write)`;

export async function runFlowPublish(argv: string[], io: FlowCommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { number: { type: 'string' }, url: { type: 'string' }, 'api-key': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0 || !values.number) {
    io.err(`${!file ? 'Give the flow file.' : !values.number ? '--number is required.' : `Unexpected argument ${extra[0]}.`}\n\n${HELP}`);
    return 2;
  }
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    io.err(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return 1;
  }
  const client = apiClientFor({ url: values.url, apiKey: values['api-key'] }, io.env);
  if (!client.ok) {
    io.err(client.message);
    return 2;
  }
  const { api } = client;
  const format = extname(file).toLowerCase() === '.json' ? 'json' : 'yaml';
  try {
    let flow = await api.call('POST', '/flows', { source, format });
    if (flow.status === 409 && typeof flow.body.error?.details?.flow_id === 'string') flow = await api.call('PUT', `/flows/${flow.body.error.details.flow_id as string}`, { source, format });
    if (!flow.ok) return report(io, file, flow.body);
    const published = await api.call('POST', `/flows/${flow.body.id as string}/publish`, { phone_number_id: values.number });
    if (!published.ok) return report(io, file, published.body);
    io.out(`Published ${flow.body.name as string} version ${published.body.version as number} on ${values.number} (flow ${flow.body.id as string}).`);
    return 0;
  } catch (error) {
    io.err(api.unreachable(error));
    return 1;
  }
}

function report(io: FlowCommandIo, file: string, body: Record<string, any>): number { // eslint-disable-line @typescript-eslint/no-explicit-any -- an API error read field by field
  const problems = body.error?.details?.problems as Array<{ path: string; message: string; fix: string; severity: string }> | undefined;
  if (problems) for (const p of problems) io.err(`${file}: ${p.severity}: ${p.path || '(document)'}: ${p.message} (fix: ${p.fix})`);
  else io.err(`${body.error?.code ?? 'error'}: ${body.error?.message ?? JSON.stringify(body)}`);
  return 1;
}
