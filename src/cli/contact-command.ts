import type { Writable } from 'node:stream';
import { apiClientFor } from './api-client.js';
import type { CampaignCommandIo } from './campaign-command.js';
import { downloadExport } from './download-export.js';
import { parseSubcommand } from './subcommand.js';

const HELP = `Usage: conversa contact export --wa-id <wa_id|+E164> [--out FILE]

Downloads everything Conversa holds about one person (the right of access, LGPD art. 18 / GDPR
art. 15) through the REST API of the running server (GET /api/v1/contacts/{id}/export; scope
contacts:read): one ZIP with README.txt, person.json (everything, machine-readable),
summary.html (readable), messages.csv and media/ (the files the person sent or was sent).

Options:
  --wa-id ID      the person's WhatsApp id (5511988887777) or number in E.164 (+5511988887777);
                  a former number of a contact that changed number finds it too
  --out FILE      where to write it (default: contact-<id>.zip in the current folder; - for stdout)
  --url URL       default $CONVERSA_URL, else http://$HOST:$PORT as the server uses them (127.0.0.1:3000)
  --api-key KEY   default $CONVERSA_API_KEY, else $CONVERSA_ADMIN_KEY`;

export interface ContactCommandIo extends Omit<CampaignCommandIo, 'tty'> {
  /** Where `--out -` writes the archive. */
  stdout: Writable;
}

/** `conversa contact export`. Answers the exit code: 0 written, 1 the API refused, is unreachable or has no such contact, 2 bad usage. */
export async function runContact(argv: string[], io: ContactCommandIo): Promise<number> {
  const parsed = parseSubcommand(argv, io, {
    noun: 'contact',
    actions: ['export'],
    help: HELP,
    options: { 'wa-id': { type: 'string' }, out: { type: 'string' }, url: { type: 'string' }, 'api-key': { type: 'string' } },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const waId = values['wa-id']?.trim().replace(/^\+/, '').replace(/[\s().-]/g, '');
  if (!waId || !/^[A-Za-z0-9._-]{1,128}$/.test(waId)) {
    io.err(`conversa contact export needs --wa-id with the person's WhatsApp id or E.164 number (+5511988887777).\n\n${HELP}`);
    return 2;
  }
  const client = apiClientFor({ url: values.url, apiKey: values['api-key'] }, io.env);
  if (!client.ok) {
    io.err(client.message);
    return 2;
  }
  let found;
  try {
    found = await client.api.call('GET', `/contacts?${new URLSearchParams({ wa_id: waId })}`);
  } catch (error) {
    io.err(client.api.unreachable(error));
    return 1;
  }
  if (!found.ok) {
    io.err(`${String(found.body.error?.code ?? `HTTP ${found.status}`)}: ${String(found.body.error?.message ?? '')}`);
    return 1;
  }
  const contact = (found.body.data as Array<{ id: string }> | undefined)?.[0];
  if (!contact) {
    io.err(`No contact with WhatsApp id ${waId} in this API key's workspace.`);
    return 1;
  }
  return downloadExport(client.api, `/contacts/${encodeURIComponent(contact.id)}/export`, { out: values.out ?? `contact-${contact.id}.zip`, fallback: `contact-${contact.id}.zip` }, io);
}
