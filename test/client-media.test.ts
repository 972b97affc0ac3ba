/**
 * Contract: the platform's WhatsApp client's media calls (upload, media URL, download) against
 * the sandbox, which behaves as Meta's Graph API does (cloud-api-facts.md §1.2).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhatsAppClient, type GraphEndpoint } from '../src/whatsapp/index.js';
import { pdfFile, pngFile } from './support/media-files.js';
import { startSandbox, TOKEN, type SandboxHarness } from './support/sandbox.js';

describe('WhatsApp client media calls against the sandbox', () => {
  let harness: SandboxHarness;
  let endpoint: GraphEndpoint;
  const client = new WhatsAppClient({ timeoutMs: 5000 });

  beforeAll(async () => {
    harness = await startSandbox();
    endpoint = { baseUrl: harness.base, version: 'v23.0', accessToken: TOKEN };
  });
  afterAll(async () => {
    await client.close();
    await harness.close();
  });

  it('uploads a file (multipart), reads its URL and sha256, and downloads the same bytes', async () => {
    const data = pngFile({ width: 3, height: 2 });
    const uploaded = await client.uploadMedia(endpoint, harness.phoneNumberId, { data, mimeType: 'image/png', filename: 'logo.png' });
    expect(uploaded).toEqual({ ok: true, value: { id: expect.stringMatching(/^\d+$/) } });
    if (!uploaded.ok) return;

    const info = await client.getMedia(endpoint, uploaded.value.id);
    expect(info.ok && info.value).toMatchObject({ mime_type: 'image/png', sha256: createHash('sha256').update(data).digest('hex'), file_size: String(data.length), id: uploaded.value.id });
    if (!info.ok) return;

    const downloaded = await client.downloadMedia(endpoint, info.value.url);
    expect(downloaded.ok && downloaded.value.equals(data)).toBe(true);
  });

  it('answers Meta errors as values: a refused type, an unknown media id', async () => {
    const refused = await client.uploadMedia(endpoint, harness.phoneNumberId, { data: Buffer.from('GIF89a', 'latin1'), mimeType: 'image/gif' });
    expect(refused).toMatchObject({ ok: false, kind: 'error', code: 100, transient: false });
    const unknown = await client.getMedia(endpoint, '999999999999');
    expect(unknown).toMatchObject({ ok: false, kind: 'error', code: 100 });
  });

  it('marks injected Graph faults transient, so callers retry them', async () => {
    await harness.admin('PUT', '/faults', { graph_error_rate: 1 });
    try {
      const failed = await client.uploadMedia(endpoint, harness.phoneNumberId, { data: pdfFile(), mimeType: 'application/pdf', filename: 'pedido.pdf' });
      expect(failed).toMatchObject({ ok: false, kind: 'error', code: 131000, transient: true });
    } finally {
      await harness.admin('PUT', '/faults', { graph_error_rate: 0 });
    }
  });

  it('never sends the access token to a host that is neither the endpoint nor Meta', async () => {
    const refused = await client.downloadMedia(endpoint, 'https://attacker.example/steal?mid=1');
    expect(refused).toMatchObject({ ok: false, kind: 'error', transient: false, title: 'Refused media URL' });
    const plainHttpMeta = await client.downloadMedia(endpoint, 'http://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1');
    expect(plainHttpMeta.ok).toBe(false);
  });

  it('refuses a download over the size it was told to accept', async () => {
    const data = pdfFile('x'.repeat(4000));
    const uploaded = await client.uploadMedia(endpoint, harness.phoneNumberId, { data, mimeType: 'application/pdf' });
    if (!uploaded.ok) throw new Error('upload failed');
    const info = await client.getMedia(endpoint, uploaded.value.id);
    if (!info.ok) throw new Error('get failed');
    expect(await client.downloadMedia(endpoint, info.value.url, { maxBytes: 1000 })).toMatchObject({ ok: false, kind: 'error', title: 'Media too large', transient: false });
  });
});
