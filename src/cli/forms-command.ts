import type { Writable } from 'node:stream';
import { apiClientFor } from './api-client.js';
import { downloadExport } from './download-export.js';
import type { CampaignCommandIo } from './campaign-command.js';
import { parseSubcommand } from './subcommand.js';

const HELP = `Usage: conversa forms export --format xlsx|csv [--form NAME] [--out FILE]

Downloads the form submissions chatbot flows collected, through the REST API of the running
server (GET /api/v1/forms/submissions/export; scope forms:read). XLSX has one sheet per form;
CSV is one file with a form column, UTF-8 with a BOM.

Options:
  --format xlsx|csv   required
  --form NAME         only this form
  --flow NAME         only this flow
  --since T, --until T  a date (2026-12-01) or an ISO-8601 date-time; since inclusive, until exclusive
  --delimiter ';'     CSV only: ; instead of , (Excel set up for a decimal comma)
  --out FILE          where to write it (default: the server's file name in the current folder; - for stdout)
  --url URL           default $CONVERSA_URL, else http://$HOST:$PORT as the server uses them (127.0.0.1:3000)
  --api-key KEY       default $CONVERSA_API_KEY, else $CONVERSA_ADMIN_KEY`;

export interface FormsCommandIo extends Omit<CampaignCommandIo, 'tty'> {
  /** Where `--out -` writes the file. */
  stdout: Writable;
}

/** `conversa forms export`. Answers the exit code: 0 written, 1 the API refused or is unreachable, 2 bad usage. */
export async function runForms(argv: string[], io: FormsCommandIo): Promise<number> {
  const parsed = parseSubcommand(argv, io, { noun: 'forms', actions: ['export'], help: HELP, options: {
      format: { type: 'string' },
      form: { type: 'string' },
      flow: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      delimiter: { type: 'string' },
      out: { type: 'string' },
      url: { type: 'string' },
      'api-key': { type: 'string' },
    } });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (values.format !== 'xlsx' && values.format !== 'csv') {
    io.err('conversa forms export needs --format xlsx or --format csv.');
    return 2;
  }
  const client = apiClientFor({ url: values.url, apiKey: values['api-key'] }, io.env);
  if (!client.ok) {
    io.err(client.message);
    return 2;
  }
  const query = new URLSearchParams({ format: values.format });
  for (const name of ['form', 'flow', 'since', 'until', 'delimiter'] as const) {
    const value = values[name];
    if (value !== undefined) query.set(name, value);
  }
  return downloadExport(client.api, `/forms/submissions/export?${query}`, { out: values.out, fallback: `form-submissions.${values.format}` }, io);
}
