import type { Writable } from 'node:stream';
import { apiClientFor } from './api-client.js';
import type { CampaignCommandIo } from './campaign-command.js';
import { downloadExport } from './download-export.js';
import { parseSubcommand } from './subcommand.js';

const HELP = `Usage: conversa leads export --format xlsx|csv [--out FILE]

Downloads the leads (people who showed interest: completed lead forms, contacts marked by an
agent or the API, customers of chat sources) through the REST API of the running server
(GET /api/v1/leads/export; scope leads:read). XLSX has one sheet per source; CSV is one file
with source_type and source_id columns, UTF-8 with a BOM. Each field has a <field>_confidence
column (certain or possible).

Options:
  --format xlsx|csv        required
  --source-type TYPE       only leads of form, agent, api, chat or group sources
  --source-id ID           only leads of this source (a form's name, a phone_number_id, …)
  --created-since T, --updated-since T   a date (2026-12-01) or an ISO-8601 date-time
  --has-field NAME         only leads holding this field (email, cpf, …)
  --delimiter ';'          CSV only: ; instead of , (Excel set up for a decimal comma)
  --out FILE               where to write it (default: the server's file name in the current folder; - for stdout)
  --url URL                default $CONVERSA_URL, else http://$HOST:$PORT as the server uses them (127.0.0.1:3000)
  --api-key KEY            default $CONVERSA_API_KEY, else $CONVERSA_ADMIN_KEY`;

export interface LeadsCommandIo extends Omit<CampaignCommandIo, 'tty'> {
  /** Where `--out -` writes the file. */
  stdout: Writable;
}

/** `conversa leads export`. Answers the exit code: 0 written, 1 the API refused or is unreachable, 2 bad usage. */
export async function runLeads(argv: string[], io: LeadsCommandIo): Promise<number> {
  const parsed = parseSubcommand(argv, io, {
    noun: 'leads',
    actions: ['export'],
    help: HELP,
    options: {
      format: { type: 'string' },
      'source-type': { type: 'string' },
      'source-id': { type: 'string' },
      'created-since': { type: 'string' },
      'updated-since': { type: 'string' },
      'has-field': { type: 'string' },
      delimiter: { type: 'string' },
      out: { type: 'string' },
      url: { type: 'string' },
      'api-key': { type: 'string' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (values.format !== 'xlsx' && values.format !== 'csv') {
    io.err('conversa leads export needs --format xlsx or --format csv.');
    return 2;
  }
  const client = apiClientFor({ url: values.url, apiKey: values['api-key'] }, io.env);
  if (!client.ok) {
    io.err(client.message);
    return 2;
  }
  const query = new URLSearchParams({ format: values.format });
  for (const name of ['source-type', 'source-id', 'created-since', 'updated-since', 'has-field', 'delimiter'] as const) {
    const value = values[name];
    if (value !== undefined) query.set(name.replace(/-/g, '_'), value);
  }
  return downloadExport(client.api, `/leads/export?${query}`, { out: values.out, fallback: `leads.${values.format}` }, io);
}
