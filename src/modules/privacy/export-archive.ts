import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { csvTable, type SheetColumn } from '../forms/index.js';
import { summaryHtml } from './export-summary.js';
import type { PersonData, PersonMessage, PersonRecord } from './person-data.js';

/** Where the archive reads a media file's bytes (the media module's `MediaLibrary.content`). */
export interface MediaBytes {
  content(workspaceId: string, id: string): Promise<{ ok: true; data: Buffer } | { ok: false }>;
}

/** The file names of the archive, in order (README.txt describes each). */
export const ARCHIVE_FILES = ['README.txt', 'person.json', 'summary.html', 'messages.csv'] as const;

const MESSAGE_COLUMNS: SheetColumn[] = [
  'created_at', 'direction', 'type', 'text', 'status', 'business_number', 'conversation_id', 'id', 'wamid', 'sent_at', 'delivered_at', 'read_at', 'failed_at', 'deleted_at',
  'error_code', 'error_title', 'category', 'pricing_type', 'cost_micros', 'cost_source', 'sent_by_type', 'sent_by_id', 'media_files',
].map((header) => ({ header, type: 'text' as const }));

/**
 * The access export of one person: a ZIP written as it is read (yazl; each file is produced when
 * the archive reaches it, messages in pages, one media file at a time), so neither the archive
 * nor the history is ever whole in memory. Answers undefined when the contact is not of the
 * workspace; else the archive's byte stream. `onError` hears a failure after the stream
 * started (the stream is then destroyed with it, so a download ends cut short, never "complete").
 *
 * Layout: `README.txt`, `person.json` (everything, machine-readable), `summary.html` (the same
 * for a person to read; every value escaped; a CSP that forbids scripts), `messages.csv`, and
 * `media/<media id>.<ext>` for every file the person sent or was sent.
 */
export async function exportPerson(
  deps: { personData: PersonData; media: MediaBytes; now: () => Date },
  workspaceId: string,
  contactId: string,
  onError: (error: Error) => void = () => {},
): Promise<Readable | undefined> {
  const record = await deps.personData.read(workspaceId, contactId);
  if (!record) return undefined;
  const generatedAt = deps.now();
  const mtime = generatedAt;
  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  const fail = (error: unknown) => {
    const failure = error instanceof Error ? error : new Error(String(error));
    onError(failure);
    output.destroy(failure);
  };
  zip.on('error', fail);
  const mediaFiles = new Map(record.media.filter((item) => item.file !== null).map((item) => [item.id, item.file as string]));
  const messages = () => deps.personData.messages(workspaceId, contactId);
  const lazy = (name: string, produce: () => AsyncIterable<Buffer | string>) =>
    zip.addReadStreamLazy(name, { mtime }, (callback) => {
      const stream = Readable.from(asBuffers(produce()), { objectMode: false });
      // An error inside a file's stream ends the whole archive: yazl would wait for it forever.
      stream.on('error', fail);
      callback(null, stream);
    });

  zip.addBuffer(Buffer.from(readme(record, generatedAt), 'utf8'), 'README.txt', { mtime });
  lazy('person.json', () => personJson(record, generatedAt, messages()));
  lazy('summary.html', () => summaryHtml(record, generatedAt, messages(), mediaFiles));
  lazy('messages.csv', () => csvTable(MESSAGE_COLUMNS, messageRows(messages(), mediaFiles)));
  for (const item of record.media) {
    if (!item.file) continue;
    const id = item.id;
    // Stored compressed-as-is: photos, audio and PDFs gain nothing from deflate.
    zip.addReadStreamLazy(item.file, { mtime, compress: false }, (callback) => {
      deps.media.content(workspaceId, id).then(
        (found) => {
          // Removed since the export started: an empty file rather than a broken archive.
          callback(null, Readable.from(found.ok ? [found.data] : [], { objectMode: false }));
        },
        (error: unknown) => callback(error, Readable.from([], { objectMode: false })),
      );
    });
  }
  zip.end();
  return output;
}

async function* asBuffers(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/** `person.json`: one JSON object, the messages streamed in pages into its `messages` array. */
async function* personJson(record: PersonRecord, generatedAt: Date, pages: AsyncIterable<PersonMessage[]>): AsyncGenerator<string> {
  const { message_count: messageCount, ...rest } = record;
  const head = JSON.stringify({ format: 'conversa.person-export/1', generated_at: generatedAt.toISOString(), ...rest, message_count: messageCount }, null, 2);
  yield `${head.slice(0, head.lastIndexOf('}')).trimEnd()},\n  "messages": [`;
  let first = true;
  for await (const page of pages) {
    yield page.map((message) => `${first ? ((first = false), '\n    ') : ',\n    '}${JSON.stringify(message)}`).join('');
  }
  yield first ? ']\n}\n' : '\n  ]\n}\n';
}

async function* messageRows(pages: AsyncIterable<PersonMessage[]>, mediaFiles: Map<string, string>): AsyncGenerator<unknown[][]> {
  for await (const page of pages) {
    yield page.map((message) => [
      message.created_at,
      message.direction,
      message.type,
      message.text,
      message.status,
      message.business_number,
      message.conversation_id,
      message.id,
      message.wamid,
      message.sent_at,
      message.delivered_at,
      message.read_at,
      message.failed_at,
      message.deleted_at,
      message.error_code,
      message.error_title,
      message.category,
      message.pricing_type,
      message.cost_micros,
      message.cost_source,
      message.sent_by_type,
      message.sent_by_id,
      message.media_ids.map((id) => mediaFiles.get(id) ?? id).join(' '),
    ]);
  }
}

function readme(record: PersonRecord, generatedAt: Date): string {
  return [
    'Conversa: everything held about one person',
    '',
    `Contact ${record.contact.id} (${record.contact.phone || record.contact.wa_id}), exported ${generatedAt.toISOString()}.`,
    '',
    'Files:',
    '  README.txt    this file.',
    '  person.json   everything, machine-readable (UTF-8 JSON): the contact and its former numbers,',
    '                where it is blocked, the consent ledger (every opt-in and opt-out with its text',
    '                and proof) and the current state, the conversations (owner changes, labels,',
    '                internal notes, the chatbot session), form submissions, survey answers, leads,',
    '                campaign recipient rows, notifications, invoices, group participations, the',
    '                media files listed, and every message with its status, timestamps and cost.',
    '  summary.html  the same for a person to read (open it in a browser; it runs no script).',
    '  messages.csv  the messages, one a row, oldest first (UTF-8 with a BOM, RFC 4180; cost in',
    '                micro-units of the currency; media_files names the files under media/).',
    '  media/        the bytes of every file the person sent or was sent, named <media id>.<ext>;',
    '                person.json lists each with its type, size, SHA-256 and original file name.',
    '',
    'Invoices have no contact of their own: the invoices listed are those whose PDF or Pix QR',
    'code was sent to this person in a message (a document message or a template header).',
    'The sections are read one after the other while the server runs: a message arriving during',
    'the export may be in one file and not yet in another.',
    '',
  ].join('\r\n');
}
