import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { apiClientFor } from './api-client.js';
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
  let response: Response;
  try {
    response = await client.api.fetch('GET', `/forms/submissions/export?${query}`);
  } catch (error) {
    io.err(client.api.unreachable(error));
    return 1;
  }
  if (!response.ok || !response.body) {
    const text = await response.text();
    let error: { code?: string; message?: string } = {};
    try {
      error = (JSON.parse(text) as { error?: typeof error }).error ?? {};
    } catch {
      error = { message: text.slice(0, 500) };
    }
    io.err(`${error.code ?? `HTTP ${response.status}`}: ${error.message ?? text.slice(0, 500)}`);
    return 1;
  }
  const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  if (values.out === '-') {
    await pipeline(body, io.stdout, { end: false });
    return 0;
  }
  // The server's name, kept to a plain file name in the current folder whatever the server says.
  const suggested = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1]?.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  const out = values.out ?? (suggested || `form-submissions.${values.format}`);
  // Written beside the target and renamed at the end: an export cut short never looks complete.
  const partial = `${out}.part`;
  try {
    await pipeline(body, createWriteStream(partial));
    await rename(partial, out);
  } catch (error) {
    await rm(partial, { force: true });
    io.err(`The export stopped before its end (${(error as Error).message}); nothing was written to ${out}.`);
    return 1;
  }
  io.out(out);
  return 0;
}
