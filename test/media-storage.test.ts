import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type Database } from '../src/db/index.js';
import { PlatformClock } from '../src/clock/index.js';
import { LocalDiskMediaStorage, MediaDownloader, MediaLibrary, ProviderMedia, type MediaFetcher, type MediaUploader } from '../src/modules/media/index.js';
import { PhoneNumbers } from '../src/modules/phone-numbers/index.js';
import { Workspaces } from '../src/modules/workspaces/index.js';
import { SecretBox } from '../src/security/index.js';
import type { GraphEndpoint, GraphResult } from '../src/whatsapp/index.js';
import { DIALECTS, type TestDatabase } from './support/databases.js';
import { pdfFile, pngFile } from './support/media-files.js';

const DAY = 24 * 3600 * 1000;
const logger = pino({ level: 'silent' });
const endpoint: GraphEndpoint = { baseUrl: 'http://graph.invalid', version: 'v23.0', accessToken: 't' };

describe.each(DIALECTS)('media storage on $name', (dialect) => {
  let target: TestDatabase;
  let database: Database;
  let folder: string;
  let storage: LocalDiskMediaStorage;
  let clock = Date.parse('2025-06-02T12:00:00Z');
  const now = () => new Date(clock);
  let library: MediaLibrary;
  let workspaceId: string;
  let otherWorkspaceId: string;
  let numberA: string;
  let numberB: string;

  beforeAll(async () => {
    target = await dialect.create();
    database = openDatabase(target.url);
    expect(await migrateToLatest(database)).toContain('0005-media');
    folder = mkdtempSync(join(tmpdir(), 'conversa-media-'));
    storage = new LocalDiskMediaStorage(join(folder, 'media'));
    library = new MediaLibrary(database.db, storage, now);
    const workspaces = new Workspaces(database.db);
    workspaceId = (await workspaces.create('Loja')).id;
    otherWorkspaceId = (await workspaces.create('Outra')).id;
    const numbers = new PhoneNumbers(database.db, new SecretBox(randomBytes(32).toString('hex')));
    const connect = async (phoneNumberId: string) =>
      (
        await numbers.connect({
          workspaceId,
          provider: 'sandbox',
          wabaId: '1001',
          phoneNumberId,
          displayPhoneNumber: phoneNumberId,
          verifiedName: 'Loja',
          graphBaseUrl: endpoint.baseUrl,
          graphVersion: 'v23.0',
          accessToken: 't',
          appSecret: 's',
          verifyToken: `v${phoneNumberId}`,
          throughputMps: 80,
        })
      ).id;
    numberA = await connect('2001');
    numberB = await connect('2002');
  });
  afterAll(async () => {
    await database.close();
    await target.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('stores an upload with its sha256; identical uploads are two media but one file', async () => {
    const data = pngFile({ width: 2, height: 2 });
    const first = await library.upload(workspaceId, { data, declaredType: 'image/png', filename: '../../etc/logo.png' });
    const second = await library.upload(workspaceId, { data, declaredType: 'application/octet-stream', filename: 'copy.png' });
    if (!first.ok || !second.ok) throw new Error('upload refused');
    expect(first.media).toMatchObject({ id: expect.stringMatching(/^med_/), kind: 'image', mime_type: 'image/png', size: data.length, sha256: createHash('sha256').update(data).digest('hex'), filename: 'logo.png', direction: 'out', status: 'ready' });
    expect(second.media.id).not.toBe(first.media.id);
    const sha = first.media.sha256 as string;
    expect(readdirSync(join(folder, 'media', 'sha256', sha.slice(0, 2), sha.slice(2, 4)))).toEqual([sha]);
    const content = await library.content(workspaceId, first.media.id);
    expect(content.ok && content.data.equals(data)).toBe(true);
    expect(await library.get(workspaceId, first.media.id)).toEqual(first.media);
  });

  it('keeps media to its workspace', async () => {
    const uploaded = await library.upload(workspaceId, { data: pdfFile(), declaredType: 'application/pdf', filename: 'pedido.pdf' });
    if (!uploaded.ok) throw new Error('upload refused');
    expect(await library.get(otherWorkspaceId, uploaded.media.id)).toBeUndefined();
    expect(await library.content(otherWorkspaceId, uploaded.media.id)).toEqual({ ok: false, reason: 'not_found' });
    expect(await library.checkForSend(otherWorkspaceId, 'document', { id: uploaded.media.id })).toMatchObject({ code: 'CONVERSA_ERR_MEDIA_NOT_FOUND', details: { field: 'document.id' } });
  });

  it('checks media named in a send: exists, is ready, fits the message type', async () => {
    const png = await library.upload(workspaceId, { data: pngFile({ rgba: [1, 2, 3, 255] }), declaredType: 'image/png' });
    if (!png.ok) throw new Error('upload refused');
    expect(await library.checkForSend(workspaceId, 'image', { id: png.media.id, caption: 'Oi' })).toBeUndefined();
    expect(await library.checkForSend(workspaceId, 'document', { id: png.media.id, filename: 'foto.png' })).toBeUndefined();
    expect(await library.checkForSend(workspaceId, 'audio', { id: png.media.id })).toMatchObject({ code: 'CONVERSA_ERR_MEDIA_TYPE_MISMATCH', details: { field: 'audio.id', kind: 'image' } });
    expect(await library.checkForSend(workspaceId, 'image', { id: 'med_nope' })).toMatchObject({ code: 'CONVERSA_ERR_MEDIA_NOT_FOUND' });
    expect(await library.checkForSend(workspaceId, 'image', { id: '123456789' })).toBeUndefined(); // the provider's own id
    expect(await library.checkForSend(workspaceId, 'image', { link: 'https://example.com/a.png' })).toBeUndefined();
  });

  it('uploads to the provider once per phone number, reuses the id, and uploads again a day before it expires', async () => {
    const uploads: Array<{ phoneNumberId: string; mimeType: string; size: number }> = [];
    const uploader: MediaUploader = {
      async uploadMedia(_endpoint, phoneNumberId, file) {
        uploads.push({ phoneNumberId, mimeType: file.mimeType, size: file.data.length });
        await new Promise((r) => setTimeout(r, 20));
        return { ok: true, value: { id: `${phoneNumberId}${uploads.length}` } };
      },
    };
    const provider = new ProviderMedia(database.db, storage, uploader, logger, new PlatformClock({ realNow: () => clock }));
    const uploaded = await library.upload(workspaceId, { data: pdfFile('contrato'), declaredType: 'application/pdf', filename: 'contrato.pdf' });
    if (!uploaded.ok) throw new Error('upload refused');
    const message = { to: '5511999990000', type: 'document' as const, document: { id: uploaded.media.id, caption: 'Seu contrato' } };
    const sendFrom = (number: string, meta: string) => provider.resolveMedia(message, number, { endpoint, metaPhoneNumberId: meta });

    const concurrent = await Promise.all([sendFrom(numberA, '2001'), sendFrom(numberA, '2001'), sendFrom(numberA, '2001')]);
    expect(uploads).toHaveLength(1);
    for (const result of concurrent) expect(result).toEqual({ ok: true, content: { ...message, document: { id: '20011', caption: 'Seu contrato', filename: 'contrato.pdf' } } });
    expect(message.document.id).toBe(uploaded.media.id); // the stored content is left alone

    clock += 10 * DAY;
    expect(await sendFrom(numberA, '2001')).toMatchObject({ ok: true, content: { document: { id: '20011' } } });
    expect(await sendFrom(numberB, '2002')).toMatchObject({ ok: true, content: { document: { id: '20022' } } });
    expect(uploads.map((u) => u.phoneNumberId)).toEqual(['2001', '2002']);

    clock += 19 * DAY + 60_000; // 29 days after the first upload: less than a day left
    expect(await sendFrom(numberA, '2001')).toMatchObject({ ok: true, content: { document: { id: '20013' } } });
    const rows = await database.db.selectFrom('media_provider_ids').selectAll().where('media_id', '=', uploaded.media.id).orderBy('phone_number_id').execute();
    // Ids made in the same millisecond do not sort in creation order: compare by number.
    expect(Object.fromEntries(rows.map((row) => [row.phone_number_id, row.provider_media_id]))).toEqual({ [numberA]: '20013', [numberB]: '20022' });
    const renewed = rows.find((row) => row.phone_number_id === numberA)!;
    expect(Date.parse(renewed.expires_at) - Date.parse(renewed.uploaded_at)).toBe(30 * DAY);
  });

  it('answers upload failures as values: transient ones retry, a lost answer too, foreign media fails', async () => {
    let answer: GraphResult<{ id: string }> = { ok: false, kind: 'error', status: 500, code: 131000, title: 'Something went wrong', details: 'x', transient: true };
    const provider = new ProviderMedia(database.db, storage, { uploadMedia: async () => answer }, logger, new PlatformClock({ realNow: () => clock }));
    const uploaded = await library.upload(workspaceId, { data: pngFile({ rgba: [9, 9, 9, 255] }), declaredType: 'image/png' });
    if (!uploaded.ok) throw new Error('upload refused');
    const message = { to: '1', type: 'image' as const, image: { id: uploaded.media.id } };
    expect(await provider.resolveMedia(message, numberA, { endpoint, metaPhoneNumberId: '2001' })).toMatchObject({ ok: false, kind: 'error', code: 131000, transient: true });
    answer = { ok: false, kind: 'unknown', reason: 'socket hang up' };
    expect(await provider.resolveMedia(message, numberA, { endpoint, metaPhoneNumberId: '2001' })).toEqual({ ok: false, kind: 'unreachable', reason: 'socket hang up' });
    expect(await database.db.selectFrom('media_provider_ids').selectAll().where('media_id', '=', uploaded.media.id).execute()).toEqual([]);

    const foreign = await library.upload(otherWorkspaceId, { data: pngFile({ rgba: [8, 8, 8, 255] }), declaredType: 'image/png' });
    if (!foreign.ok) throw new Error('upload refused');
    expect(await provider.resolveMedia({ to: '1', type: 'image', image: { id: foreign.media.id } }, numberA, { endpoint, metaPhoneNumberId: '2001' })).toMatchObject({
      ok: false,
      kind: 'error',
      code: 131053,
      transient: false,
    });
  });

  describe('inbound downloads', () => {
    const served = new Map<string, { data: Buffer; mime: string; sha256: string; failuresLeft: number }>();
    const fetches: string[] = [];
    const fetcher: MediaFetcher = {
      async getMedia(_endpoint, mediaId) {
        fetches.push(mediaId);
        const item = served.get(mediaId);
        if (!item) return { ok: false, kind: 'error', status: 400, code: 100, title: 'Unsupported get request', details: mediaId, transient: false };
        if (item.failuresLeft > 0) {
          item.failuresLeft -= 1;
          return { ok: false, kind: 'error', status: 500, code: 131000, title: 'Something went wrong', details: 'injected', transient: true };
        }
        return { ok: true, value: { messaging_product: 'whatsapp', url: `http://graph.invalid/dl/${mediaId}`, mime_type: item.mime, sha256: item.sha256, file_size: String(item.data.length), id: mediaId } };
      },
      async downloadMedia(_endpoint, url) {
        const item = served.get(url.split('/').pop() ?? '');
        return item ? { ok: true, value: item.data } : { ok: false, kind: 'unreachable', reason: 'gone' };
      },
    };
    const directory = { sender: async () => ({ endpoint }) };
    const downloader = () => new MediaDownloader(database.db, database.capabilities, fetcher, directory, storage, logger, now, { retryBaseMs: 1000, batch: 5 });
    const record = async (providerId: string, announcedSha?: string) => {
      const mediaId = library.newInboundId();
      await database.db.transaction().execute((trx) =>
        library.recordInbound({ mediaId, workspaceId, phoneNumberRowId: numberA, messageId: `msg_${providerId}`, type: 'document', media: { id: providerId, mime_type: 'application/pdf', sha256: announcedSha, filename: 'nota.pdf' } }, trx),
      );
      return mediaId;
    };

    it('downloads, checks the sha256 (hex or base64), stores, and retries failures with backoff until done', async () => {
      const data = pdfFile('nota fiscal');
      const digest = createHash('sha256').update(data);
      const hex = digest.digest('hex');
      served.set('7001', { data, mime: 'application/pdf', sha256: hex, failuresLeft: 2 });
      const mediaId = await record('7001', Buffer.from(hex, 'hex').toString('base64'));
      expect(await library.get(workspaceId, mediaId)).toMatchObject({ status: 'downloading', direction: 'in', kind: 'document', source_message_id: 'msg_7001', download: { attempts: 0 } });

      const worker = downloader();
      expect(await worker.drain()).toBe(1);
      expect(await library.get(workspaceId, mediaId)).toMatchObject({ status: 'downloading', download: { attempts: 1, last_error: expect.stringMatching(/131000/) } });
      expect(await worker.drain()).toBe(0); // not due yet: backoff
      clock += 2000;
      expect(await worker.drain()).toBe(1);
      clock += 5000;
      expect(await worker.drain()).toBe(1);
      const ready = await library.get(workspaceId, mediaId);
      expect(ready).toMatchObject({ status: 'ready', size: data.length, sha256: hex, mime_type: 'application/pdf', filename: 'nota.pdf' });
      expect(ready?.download).toBeUndefined();
      const content = await library.content(workspaceId, mediaId);
      expect(content.ok && content.data.equals(data)).toBe(true);
      expect(fetches.filter((id) => id === '7001')).toHaveLength(3);
    });

    it('treats a sha256 mismatch as a failed attempt, and gives up when the provider id has expired', async () => {
      served.set('7002', { data: pdfFile('a'), mime: 'application/pdf', sha256: 'f'.repeat(64), failuresLeft: 0 });
      const mediaId = await record('7002');
      const worker = downloader();
      await worker.drain();
      expect(await library.get(workspaceId, mediaId)).toMatchObject({ status: 'downloading', download: { last_error: expect.stringMatching(/sha256 mismatch/) } });
      expect(await library.content(workspaceId, mediaId)).toMatchObject({ ok: false, reason: 'not_ready' });
      expect(await library.checkForSend(workspaceId, 'document', { id: mediaId })).toMatchObject({ code: 'CONVERSA_ERR_MEDIA_NOT_READY' });
      for (let i = 0; i < 40; i += 1) {
        clock += 20 * 60_000;
        await worker.drain();
      }
      clock += 7 * DAY;
      await worker.drain();
      const failed = await library.get(workspaceId, mediaId);
      expect(failed).toMatchObject({ status: 'failed', download: { next_attempt_at: null, last_error: expect.stringMatching(/sha256 mismatch/) } });
      expect(await library.checkForSend(workspaceId, 'document', { id: mediaId })).toMatchObject({ code: 'CONVERSA_ERR_MEDIA_NOT_FOUND' });
    });

    it('lets two downloaders share the jobs without fetching one twice', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 12; i += 1) {
        const providerId = `80${String(i).padStart(2, '0')}`;
        served.set(providerId, { data: pdfFile(`doc ${i}`), mime: 'application/pdf', sha256: '', failuresLeft: 0 });
        ids.push(providerId);
        await record(providerId);
      }
      const [a, b] = [downloader(), downloader()];
      for (let round = 0; round < 5; round += 1) await Promise.all([a.drain(), b.drain()]);
      for (const id of ids) expect(fetches.filter((fetched) => fetched === id)).toHaveLength(1);
      const states = await database.db.selectFrom('media').innerJoin('media_downloads', 'media_downloads.media_id', 'media.id').select('media.status').where('media_downloads.provider_media_id', 'in', ids).execute();
      expect(states.map((s) => s.status)).toEqual(ids.map(() => 'ready'));
    });
  });
});
