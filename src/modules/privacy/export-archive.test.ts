import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fromBuffer, type Entry, type ZipFile } from 'yauzl';
import { exportPerson } from './export-archive.js';
import type { PersonData, PersonMessage, PersonRecord } from './person-data.js';

const RECORD: PersonRecord = {
  contact: { id: 'ct_1', wa_id: '5511999990001', phone: '+5511999990001', user_id: null, name: 'Zé <b>', language: null, time_zone: null, attributes: {}, tags: [], created_at: '2026-12-01T00:00:00.000Z', updated_at: '2026-12-01T00:00:00.000Z', aliases: [] },
  blocked: [],
  consent: { history: [], state: { marketing: 'none', utility: 'none' } },
  conversations: [],
  form_submissions: [],
  survey_responses: [],
  leads: [],
  campaign_recipients: [],
  notifications: [],
  invoices: [],
  group_participations: [],
  media: [],
  message_count: 0,
};

const message = (n: number): PersonMessage => ({
  id: `msg_${n}`, conversation_id: 'cnv_1', business_number: '+1 555 0100', direction: n % 2 ? 'in' : 'out', type: 'text', text: `mensagem ${n} ${'x'.repeat(150)}`, content: { text: { body: `mensagem ${n}` } },
  status: 'delivered', wamid: null, created_at: '2026-12-01T00:00:00.000Z', sent_at: null, delivered_at: null, read_at: null, failed_at: null, deleted_at: null, error_code: null, error_title: null,
  category: null, pricing_type: null, cost_micros: null, cost_source: null, sent_by_type: null, sent_by_id: null, media_ids: [],
});

/** A PersonData whose messages are `pages` pages of 100, counting the pages read. */
function fakePersonData(pages: number): { personData: PersonData; read: () => number } {
  let read = 0;
  const personData = {
    read: async () => ({ ...RECORD, message_count: pages * 100 }),
    messages: async function* () {
      for (let page = 0; page < pages; page++) {
        read++;
        yield Array.from({ length: 100 }, (_, i) => message(page * 100 + i));
      }
    },
  } as unknown as PersonData;
  return { personData, read: () => read };
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function entries(data: Buffer): Promise<Map<string, string>> {
  const zip = await new Promise<ZipFile>((resolve, reject) => fromBuffer(data, { lazyEntries: true }, (error, file) => (error ? reject(error) : resolve(file))));
  const files = new Map<string, string>();
  await new Promise<void>((resolve, reject) => {
    zip.on('end', resolve).on('error', reject);
    zip.on('entry', (entry: Entry) =>
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => {
          files.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
          zip.readEntry();
        });
      }),
    );
    zip.readEntry();
  });
  return files;
}

const media = { content: async () => ({ ok: false as const }) };
const now = () => new Date('2026-12-06T12:00:00.000Z');

describe('exportPerson', () => {
  it('streams: a reader that stops reading stops the reading of the history (30,000 messages)', async () => {
    const fake = fakePersonData(300);
    const archive = (await exportPerson({ personData: fake.personData, media, now }, 'ws_1', 'ct_1')) as Readable;
    // Nobody reads the archive: the producer fills the buffers and waits.
    await sleep(200);
    expect(fake.read()).toBeLessThan(100);
    const files = await entries(await collect(archive));
    const person = JSON.parse(files.get('person.json') as string) as { messages: PersonMessage[]; message_count: number };
    expect(person.messages).toHaveLength(30_000);
    expect(person.messages.at(-1)?.id).toBe('msg_29999');
    expect(files.get('messages.csv')?.split('\r\n').filter(Boolean)).toHaveLength(30_001);
    expect(files.get('summary.html')).toContain('Zé &lt;b&gt;');
  });

  it('writes valid JSON for a person without messages, and answers undefined for no contact', async () => {
    const files = await entries(await collect((await exportPerson({ personData: fakePersonData(0).personData, media, now }, 'ws_1', 'ct_1')) as Readable));
    expect(JSON.parse(files.get('person.json') as string)).toMatchObject({ format: 'conversa.person-export/1', generated_at: '2026-12-06T12:00:00.000Z', contact: { id: 'ct_1' }, messages: [] });
    const none = { read: async () => undefined } as unknown as PersonData;
    expect(await exportPerson({ personData: none, media, now }, 'ws_1', 'ct_x')).toBeUndefined();
  });

  it('cuts the archive short (an error, never a complete-looking ZIP) when reading fails midway', async () => {
    const failing = {
      read: async () => RECORD,
      messages: async function* () {
        yield [message(1)];
        throw new Error('database went away');
      },
    } as unknown as PersonData;
    const errors: Error[] = [];
    const archive = (await exportPerson({ personData: failing, media, now }, 'ws_1', 'ct_1', (error) => errors.push(error))) as Readable;
    await expect(collect(archive)).rejects.toThrow('database went away');
    expect(errors.map((error) => error.message)).toContain('database went away');
  });
});
