import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkProfilePicture, NumberSettings, type SettingsGraph } from '../src/modules/phone-numbers/index.js';
import { WhatsAppClient, type GraphEndpoint, type GraphResult } from '../src/whatsapp/index.js';
import { jpegOfSize, pngFile } from './support/media-files.js';
import { startSandbox, TOKEN, type SandboxHarness } from './support/sandbox.js';

// The Resumable Upload API from the platform's side: the WhatsApp client's calls against the
// sandbox over real HTTP, the resume after an upload step without an answer, and the picture rules.
let h: SandboxHarness;
let endpoint: GraphEndpoint;
const client = new WhatsAppClient({ timeoutMs: 5000 });
beforeAll(async () => {
  h = await startSandbox();
  endpoint = { baseUrl: h.base, version: 'v23.0', accessToken: TOKEN };
});
afterAll(async () => {
  await client.close();
  await h.close();
});

describe('WhatsAppClient: Resumable Upload API', () => {
  it('reads the app, opens a session, uploads in two chunks (the id used as Meta gives it) and the handle sets the picture', async () => {
    const app = await client.getApp(endpoint);
    expect(app).toEqual({ ok: true, value: { id: expect.any(String), name: expect.any(String), link: expect.any(String) } });
    if (!app.ok) return;
    const file = pngFile({ width: 256, height: 256 });
    const session = await client.createUploadSession(endpoint, app.value.id, { name: 'logo.png', length: file.length, type: 'image/png' });
    if (!session.ok) throw new Error(JSON.stringify(session));
    const half = Math.floor(file.length / 2);
    expect(await client.uploadToSession(endpoint, session.value.id, file.subarray(0, half), 0)).toEqual({ ok: true, value: { id: session.value.id, file_offset: half } });
    expect(await client.getUploadSession(endpoint, session.value.id)).toEqual({ ok: true, value: { id: session.value.id, file_offset: half } });
    const wrong = await client.uploadToSession(endpoint, session.value.id, file.subarray(half), 0);
    expect(wrong).toMatchObject({ ok: false, kind: 'error', status: 400, code: 100, details: expect.stringContaining(`at byte ${half}`) });
    const done = await client.uploadToSession(endpoint, session.value.id, file.subarray(half), half);
    if (!done.ok || !('h' in done.value)) throw new Error(JSON.stringify(done));
    expect((await client.updateBusinessProfile(endpoint, h.phoneNumberId, { profile_picture_handle: done.value.h })).ok).toBe(true);
    const profile = await client.getBusinessProfile(endpoint, h.phoneNumberId);
    expect(profile.ok && profile.value.profile_picture_url).toMatch(/^https:\/\/pps\.whatsapp\.net\/.+\.png$/);
  });

  it('refuses to send to a path that is not an upload session id', async () => {
    expect(await client.uploadToSession(endpoint, '123/messages', Buffer.from('x'))).toMatchObject({ ok: false, kind: 'error', title: 'Not an upload session' });
    expect(await client.getUploadSession(endpoint, 'upload:a b')).toMatchObject({ ok: false, kind: 'error', title: 'Not an upload session' });
  });
});

describe('NumberSettings.upload', () => {
  it('asks the session where it is and sends the rest when the upload step got no answer', async () => {
    const data = jpegOfSize(640, 640, 1000);
    const calls: string[] = [];
    const graph = {
      getApp: async () => ({ ok: true, value: { id: '42' } }),
      createUploadSession: async () => ({ ok: true, value: { id: 'upload:abc?sig=ARx' } }),
      uploadToSession: async (_e: GraphEndpoint, _id: string, chunk: Buffer, offset: number) => {
        calls.push(`upload ${offset} +${chunk.length}`);
        return calls.length === 1 ? { ok: false, kind: 'unknown', reason: 'socket hang up' } : { ok: true, value: { h: '2:handle' } };
      },
      getUploadSession: async () => {
        calls.push('status');
        return { ok: true, value: { id: 'upload:abc?sig=ARx', file_offset: 600 } };
      },
    } as unknown as SettingsGraph;
    const numbers = { sender: async () => ({ endpoint: { baseUrl: 'http://x', version: 'v23.0', accessToken: 't' }, metaPhoneNumberId: '1' }) };
    const settings = new NumberSettings({ phoneNumbers: numbers as never, graph });
    expect(await settings.upload('pn_1', { data, type: 'image/jpeg', name: 'p.jpg' })).toEqual({ ok: true, value: '2:handle' });
    expect(calls).toEqual([`upload 0 +${data.length}`, 'status', `upload 600 +${data.length - 600}`]);

    // A refusal is not retried; it comes back with Meta's code and the fix.
    const refused = { ...graph, uploadToSession: async (): Promise<GraphResult<never>> => ({ ok: false, kind: 'error', status: 400, code: 100, title: 'Invalid parameter', details: 'file_offset: …', transient: false }) } as SettingsGraph;
    expect(await new NumberSettings({ phoneNumbers: numbers as never, graph: refused }).upload('pn_1', { data, type: 'image/jpeg', name: 'p.jpg' })).toMatchObject({ ok: false, error: 'provider_rejected', code: 100 });
  });
});

describe('checkProfilePicture', () => {
  it("takes a JPEG or PNG of at least 192 px and names Meta's rule otherwise", async () => {
    expect(await checkProfilePicture(jpegOfSize(640, 480))).toEqual({ ok: true, type: 'image/jpeg', width: 640, height: 480 });
    expect(await checkProfilePicture(pngFile({ width: 192, height: 200 }))).toEqual({ ok: true, type: 'image/png', width: 192, height: 200 });
    expect(await checkProfilePicture(pngFile({ width: 191, height: 400 }))).toEqual({ ok: false, rule: 'must be at least 192x192 pixels (it is 191x400; Meta recommends 640x640)' });
    expect(await checkProfilePicture(Buffer.alloc(0))).toEqual({ ok: false, rule: 'must not be empty' });
    expect(await checkProfilePicture(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'))).toEqual({ ok: false, rule: 'must be a JPEG or PNG image (it is image/gif)' });
  });
});
