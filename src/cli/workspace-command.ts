import { apiClientFor } from './api-client.js';
import type { CampaignCommandIo } from './campaign-command.js';
import { parseSubcommand } from './subcommand.js';

const HELP = `Usage: conversa workspace create --name NAME

Creates a workspace (a tenant) and its first admin API key through the REST API of the running
server (POST /api/v1/workspaces), and prints {"workspace_id": "ws_...", "api_key": "cv_live_..."}.
The key is shown this once. Needs a key with the workspaces:admin scope: the installation's admin
key has it (CONVERSA_ADMIN_KEY, or the key printed on the first start).

Options:
  --name NAME      the business the workspace is for
  --url URL        default $CONVERSA_URL, else http://$HOST:$PORT as the server uses them (127.0.0.1:3000)
  --api-key KEY    default $CONVERSA_API_KEY, else $CONVERSA_ADMIN_KEY`;

/** `conversa workspace create`. Answers the exit code: 0 ok, 1 the API refused or is unreachable, 2 bad usage. */
export async function runWorkspace(argv: string[], io: Omit<CampaignCommandIo, 'tty'>): Promise<number> {
  const parsed = parseSubcommand(argv, io, { noun: 'workspace', actions: ['create'], help: HELP, options: { name: { type: 'string' }, url: { type: 'string' }, 'api-key': { type: 'string' } } });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (!values.name?.trim()) {
    io.err('conversa workspace create needs --name NAME.');
    return 2;
  }
  const client = apiClientFor({ url: values.url, apiKey: values['api-key'] }, io.env);
  if (!client.ok) {
    io.err(client.message);
    return 2;
  }
  let answer;
  try {
    answer = await client.api.call('POST', '/workspaces', { name: values.name });
  } catch (error) {
    io.err(client.api.unreachable(error));
    return 1;
  }
  if (!answer.ok) {
    const error = answer.body.error ?? {};
    io.err(`${error.code ?? `HTTP ${answer.status}`}: ${error.message ?? JSON.stringify(answer.body)}`);
    return 1;
  }
  io.out(JSON.stringify({ workspace_id: answer.body.workspace_id, api_key: answer.body.api_key }));
  return 0;
}
