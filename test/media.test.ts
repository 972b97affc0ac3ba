import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_KEY } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { providerMediaBytes } from './support/http.js';
import { pdfFile, pngFile } from './support/media-files.js';
import { until, type Json } from './support/wait.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe.each(DIALECTS)('media end to end on $name', (dialect) => {
  const running = useApp(dialect);
  let pn: string;

  const api = running.api;
  const upload = async (data: Buffer, type: string, filename: string, field = 'file') => {
    const form = new FormData();
    form.append(field, new Blob([data], { type }), filename);
    return api('POST', '/media', form);
  };
  const content = async (id: string): Promise<{ status: number; type: string | null; data: Buffer }> => {
    const response = await fetch(`${running.started.platformUrl}/api/v1/media/${id}/content`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    return { status: response.status, type: response.headers.get('content-type'), data: Buffer.from(await response.arrayBuffer()) };
  };
  const sandbox = running.sandbox;
  const providerBytes = (providerMediaId: string) => providerMediaBytes(sandbox, providerMediaId);
  const customerWrites = async (waId: string, text: string) => {
    await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: pn, type: 'text', text: { body: text } });
    await until(async () => (await conversationOf(`+${waId}`))?.window_open, 'the window to open');
  };
  const conversationOf = async (contactPhone: string) => {
    const contacts = await api('POST', '/contacts', { phone: contactPhone });
    return (await api('GET', `/conversations?contact_id=${contacts.body.id}&messages=50`)).body.data[0];
  };
  const imagesOnPhone = async (waId: string) => ((await sandbox('GET', `/sandbox/v1/phones/${waId}/messages`)).body.data as Json[]).filter((m) => m.type === 'image');
  const customerSendsDocument = async (waId: string, data: Buffer, filename: string): Promise<string> => {
    const sent = await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: pn, type: 'document', document: { data_base64: data.toString('base64'), mime_type: 'application/pdf', filename } });
    expect(sent.status).toBe(201);
    const message = await until(async () => (await conversationOf(`+${waId}`))?.last_messages.find((m: Json) => m.type === 'document' && m.content.document.filename === filename), 'the inbound document');
    expect(message.content.media_id).toMatch(/^med_/);
    return message.content.media_id as string;
  };
  const providerIdCount = async (mediaId: string) =>
    (await running.app.database.db.selectFrom('media_provider_ids').select('provider_media_id').where('media_id', '=', mediaId).execute()).length;

  beforeAll(async () => {
    pn = running.pn;
  });

  it('uploads a PNG, sends it to two customers with one provider upload, and the provider holds the same bytes', async () => {
    const png = pngFile({ width: 4, height: 4 });
    const uploaded = await upload(png, 'image/png', 'logo.png');
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({ id: expect.stringMatching(/^med_/), mime_type: 'image/png', size: png.length, sha256: sha256(png), filename: 'logo.png' });
    const id = uploaded.body.id as string;
    expect((await api('GET', `/media/${id}`)).body).toMatchObject({ id, kind: 'image', status: 'ready', direction: 'out' });
    const stored = await content(id);
    expect(stored.type).toBe('image/png');
    expect(stored.data.equals(png)).toBe(true);

    await customerWrites('5511922220001', 'Oi, pode mandar o logo?');
    const first = await api('POST', '/messages', { to: '+5511922220001', type: 'image', image: { id, caption: 'Nosso logo' } });
    expect(first.status).toBe(202);
    const [received] = await until(async () => {
      const images = await imagesOnPhone('5511922220001');
      return images.length === 1 && images;
    }, 'the image on the first phone');
    expect(received.content.caption).toBe('Nosso logo');
    expect(received.content.id).toMatch(/^\d+$/);
    expect((await providerBytes(received.content.id)).equals(png)).toBe(true);
    await until(async () => ['sent', 'delivered', 'read'].includes((await api('GET', `/messages/${first.body.id}`)).body.status), 'the first send to be sent');

    await customerWrites('5511922220002', 'Eu também quero');
    const second = await api('POST', '/messages', { to: '+5511922220002', type: 'image', image: { id } });
    expect(second.status).toBe(202);
    const [again] = await until(async () => {
      const images = await imagesOnPhone('5511922220002');
      return images.length === 1 && images;
    }, 'the image on the second phone');
    expect(again.content.id).toBe(received.content.id);
    expect(await providerIdCount(id)).toBe(1);
  });

  it('refuses sends that name media the workspace does not have, or of the wrong kind', async () => {
    await customerWrites('5511922220003', 'Olá');
    const missing = await api('POST', '/messages', { to: '+5511922220003', type: 'image', image: { id: 'med_doesnotexist' } });
    expect(missing.status).toBe(422);
    expect(missing.body.error).toMatchObject({ code: 'CONVERSA_ERR_MEDIA_NOT_FOUND', details: { field: 'image.id', media_id: 'med_doesnotexist', fix: expect.stringMatching(/POST \/api\/v1\/media/) } });
    const png = await upload(pngFile({ rgba: [1, 1, 1, 255] }), 'image/png', 'x.png');
    const wrongKind = await api('POST', '/messages', { to: '+5511922220003', type: 'audio', audio: { id: png.body.id } });
    expect(wrongKind.status).toBe(422);
    expect(wrongKind.body.error.code).toBe('CONVERSA_ERR_MEDIA_TYPE_MISMATCH');
  });

  it('checks uploads: sniffed type wins, unsupported 415, oversize 413, missing file 400, never a 500', async () => {
    const disguised = await upload(pngFile({ rgba: [2, 2, 2, 255] }), 'application/pdf', 'contrato.pdf');
    expect(disguised.status).toBe(201);
    expect(disguised.body).toMatchObject({ mime_type: 'image/png', kind: 'image', filename: 'contrato.pdf' });

    const gif = await upload(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), 'image/gif', 'a.gif');
    expect(gif.status).toBe(415);
    expect(gif.body.error).toMatchObject({ code: 'CONVERSA_ERR_MEDIA_UNSUPPORTED_TYPE', details: { field: 'file', rule: expect.stringMatching(/image\/gif/) } });

    const big = await upload(pngFile({ padTo: 5 * 1024 * 1024 + 1 }), 'image/png', 'big.png');
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: 'CONVERSA_ERR_MEDIA_TOO_LARGE', details: { field: 'file', rule: expect.stringMatching(/5 MB/) } });

    const wrongField = await upload(pdfFile(), 'application/pdf', 'a.pdf', 'attachment');
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.error.details.field).toBe('attachment');

    const noFile = new FormData();
    noFile.append('filename', 'x.pdf');
    const empty = await api('POST', '/media', noFile);
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field: 'file', rule: 'is required' } });

    const json = await api('POST', '/media', { file: 'aGVsbG8=' });
    expect(json.status).toBe(415);
    expect(json.body.error.details.field).toBe('file');

    expect((await api('GET', '/media/med_nope')).status).toBe(404);
  });

  it('documents the media routes in the OpenAPI document', async () => {
    const document = (await (await fetch(`${running.started.platformUrl}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { tags?: string[] }>> };
    expect(document.paths['/api/v1/media']?.post?.tags).toEqual(['media']);
    expect(document.paths['/api/v1/media/{id}']?.get).toBeDefined();
    expect(document.paths['/api/v1/media/{id}/content']?.get).toBeDefined();
  });

  it('downloads and stores a document a customer sends', async () => {
    const pdf = pdfFile('Comprovante 5678');
    const mediaId = await customerSendsDocument('5511922220004', pdf, 'comprovante.pdf');
    const ready = await until(async () => {
      const media = await api('GET', `/media/${mediaId}`);
      return media.body.status === 'ready' && media.body;
    }, 'the inbound document to be stored');
    expect(ready).toMatchObject({ direction: 'in', kind: 'document', mime_type: 'application/pdf', size: pdf.length, sha256: sha256(pdf), filename: 'comprovante.pdf', source_message_id: expect.stringMatching(/^msg_/) });
    const stored = await content(mediaId);
    expect(stored.status).toBe(200);
    expect(stored.data.equals(pdf)).toBe(true);
  });

  it('keeps retrying an inbound download while the provider fails, and completes once it answers', async () => {
    await sandbox('PUT', '/sandbox/v1/faults', { graph_error_rate: 1 });
    let mediaId: string;
    const pdf = pdfFile('Nota 9012');
    try {
      mediaId = await customerSendsDocument('5511922220005', pdf, 'nota.pdf');
      const failing = await until(async () => {
        const media = await api('GET', `/media/${mediaId}`);
        return media.body.download?.attempts >= 1 && media.body.download.last_error && media.body;
      }, 'a failed download attempt');
      expect(failing.status).toBe('downloading');
      expect(failing.download.last_error).toMatch(/131000/);
      expect((await content(mediaId)).status).toBe(409);
    } finally {
      await sandbox('PUT', '/sandbox/v1/faults', { graph_error_rate: 0 });
    }
    const ready = await until(async () => {
      const media = await api('GET', `/media/${mediaId}`);
      return media.body.status === 'ready' && media.body;
    }, 'the download to complete after the faults stop');
    expect(ready.sha256).toBe(sha256(pdf));
    expect((await content(mediaId)).data.equals(pdf)).toBe(true);
  });
});
