/**
 * Acceptance: a published Cloud API client from npm, pointed at the sandbox with nothing changed
 * but its base URL and token, works end to end.
 *
 * - `@kapso/whatsapp-cloud-api` (`WhatsAppClient({ baseUrl, graphVersion, accessToken })`) sends
 *   every message type, uploads / reads / downloads / deletes media, creates and lists templates,
 *   and verifies webhook signatures (`verifySignature` from its `/server` entry point).
 * - `whatsapp-api-js` (which cannot change its host, so it only checks webhooks here) answers
 *   Meta's GET handshake and verifies signatures the strict way: it re-escapes the body to ASCII
 *   before hashing, so it accepts only bodies signed the way Meta signs them.
 *
 * Every Graph call below goes through the library; raw HTTP is used only for the sandbox's own
 * control API (`/sandbox/v1`), which plays the customer's phone.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync } from 'node:zlib';
import { GraphApiError, WhatsAppClient } from '@kapso/whatsapp-cloud-api';
import { normalizeWebhook, verifySignature } from '@kapso/whatsapp-cloud-api/server';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhatsAppAPI } from 'whatsapp-api-js';
import type { GetParams, PostData } from 'whatsapp-api-js/types';
import { createSandbox, type Sandbox } from '../src/sandbox/index.js';

const TOKEN = 'sandbox-access-token';
const APP_SECRET = 'compat-app-secret';
const VERIFY_TOKEN = 'compat-verify';
const CUSTOMER = '5511987654321';
const FIRST_WORDS = 'Olá 👋';
const ACCENTS_AND_EMOJI = 'Olá, ação 👋🇧🇷';

interface Captured {
  raw: Buffer;
  signature: string | undefined;
  json: WebhookJson;
}

interface WebhookJson {
  object: string;
  entry: Array<{ id: string; changes: Array<{ field: string; value: Record<string, unknown> }> }>;
}

interface StatusJson {
  id: string;
  status: string;
  recipient_id: string;
}

interface PhoneMessage {
  id: string;
  type: string;
  status: string;
  content: Record<string, unknown>;
  context?: { message_id: string };
}

// ---------------------------------------------------------------------------------------------
// Small files with the right magic bytes for each media kind.

function crc32(data: Buffer): number {
  let crc = ~0;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k += 1) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real 2x2 RGB PNG. */
function makePng(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(2, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter, no interlace
  const rows = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A one-page PDF with correct xref offsets. */
function makePdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** Container headers only: enough for the sandbox's magic-byte check, not playable media. */
const makeOgg = (): Buffer => Buffer.concat([Buffer.from('OggS', 'latin1'), Buffer.alloc(60, 1)]);
const makeMp4 = (): Buffer => Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42', 'latin1'), Buffer.alloc(52, 2)]);
const makeWebp = (): Buffer => {
  const body = Buffer.concat([Buffer.from('WEBPVP8 ', 'latin1'), Buffer.alloc(40, 3)]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), size, body]);
};

const sha256 = (data: Buffer | Uint8Array): string => createHash('sha256').update(data).digest('hex');

// ---------------------------------------------------------------------------------------------

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a published Cloud API client against the sandbox', () => {
  let sandbox: Sandbox;
  let base: string;
  let receiver: http.Server;
  let client: WhatsAppClient;
  let phoneNumberId: string;
  let wabaId: string;
  let firstInboundId: string;
  const captured: Captured[] = [];
  // whatsapp-api-js answers Meta's handshake and checks signatures; it makes no HTTP calls here.
  const strictVerifier = new WhatsAppAPI({ token: TOKEN, appSecret: APP_SECRET, webhookVerifyToken: VERIFY_TOKEN, v: 'v23.0' });

  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}/sandbox/v1${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as T;
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(json)}`);
    return json;
  };

  const phoneMessages = async (): Promise<PhoneMessage[]> => (await admin<{ data: PhoneMessage[] }>('GET', `/phones/${CUSTOMER}/messages`)).data;

  const statusesOf = (wamid: string): string[] =>
    captured.flatMap((c) =>
      c.json.entry.flatMap((e) =>
        e.changes.flatMap((ch) => ((ch.value.statuses as StatusJson[] | undefined) ?? []).filter((s) => s.id === wamid).map((s) => s.status)),
      ),
    );

  const inboundWebhook = (text: string): Captured | undefined =>
    captured.find((c) =>
      c.json.entry.some((e) =>
        e.changes.some((ch) => ((ch.value.messages as Array<{ text?: { body: string } }> | undefined) ?? []).some((m) => m.text?.body === text)),
      ),
    );

  /** The customer writes to the business; answers the inbound wamid. */
  const customerSays = async (body: string): Promise<string> => {
    const created = await admin<{ id: string }>('POST', `/phones/${CUSTOMER}/messages`, { to: phoneNumberId, type: 'text', text: { body } });
    return created.id;
  };

  /** The message reached the simulated phone, moved to delivered or read, and the webhooks said so. */
  const expectDelivered = async (wamid: string, type: string): Promise<PhoneMessage> => {
    expect(wamid).toMatch(/^wamid\./);
    const onPhone = await until(`${wamid} delivered on the phone`, async () =>
      (await phoneMessages()).find((m) => m.id === wamid && (m.status === 'delivered' || m.status === 'read')),
    );
    expect(onPhone.type).toBe(type);
    const seen = await until(`status webhooks for ${wamid}`, () => {
      const statuses = statusesOf(wamid);
      return statuses.includes('sent') && (statuses.includes('delivered') || statuses.includes('read')) ? statuses : undefined;
    });
    expect(seen).not.toContain('failed');
    return onPhone;
  };

  const sent = (response: { messages: Array<{ id: string }>; contacts: Array<{ waId?: string }> }): string => {
    expect(response.contacts[0]?.waId).toBe(CUSTOMER);
    const id = response.messages[0]?.id;
    expect(id).toMatch(/^wamid\./);
    return id as string;
  };

  beforeAll(async () => {
    sandbox = await createSandbox({
      logger: pino({ level: 'silent' }),
      accessToken: TOKEN,
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      templateReviewDelayMs: 50,
    });
    base = await sandbox.listen(0, '127.0.0.1');

    receiver = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      if (req.method === 'GET') {
        try {
          const challenge = strictVerifier.get(Object.fromEntries(url.searchParams) as GetParams);
          res.writeHead(200, { 'content-type': 'text/plain' }).end(String(challenge));
        } catch {
          res.writeHead(403).end();
        }
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const header = req.headers['x-hub-signature-256'];
        captured.push({ raw, signature: Array.isArray(header) ? header[0] : header, json: JSON.parse(raw.toString('utf8')) as WebhookJson });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook`;

    const accounts = await admin<{ data: Array<{ waba_id: string; phone_numbers: Array<{ id: string }> }> }>('GET', '/accounts');
    wabaId = accounts.data[0]?.waba_id ?? '';
    phoneNumberId = accounts.data[0]?.phone_numbers[0]?.id ?? '';
    expect(wabaId).not.toBe('');
    expect(phoneNumberId).not.toBe('');
    await admin('PUT', '/webhook', { url: receiverUrl, verify_token: VERIFY_TOKEN, app_secret: APP_SECRET });

    // The only configuration a user of the library changes: base URL (and version) and token.
    client = new WhatsAppClient({ baseUrl: base, graphVersion: 'v23.0', accessToken: TOKEN });

    // The customer writes first, which opens the 24-hour customer service window.
    firstInboundId = await customerSays(FIRST_WORDS);
  });

  afterAll(async () => {
    await sandbox?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('subscribes only a receiver whose handshake (answered by whatsapp-api-js) accepts the verify token', async () => {
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook`;
    const refused = await fetch(`${base}/sandbox/v1/webhook`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiverUrl, verify_token: 'not-the-verify-token' }),
    });
    expect(refused.status).toBe(422);
    expect((await admin<{ url: string }>('GET', '/webhook')).url).toBe(receiverUrl);
  });

  it('rejects a wrong token with a Graph error the library understands', async () => {
    const wrong = new WhatsAppClient({ baseUrl: base, graphVersion: 'v23.0', accessToken: 'not-the-token' });
    const error = await wrong.messages.sendText({ phoneNumberId, to: CUSTOMER, body: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphApiError);
    expect((error as GraphApiError).code).toBe(190);
    expect((error as GraphApiError).isAuthError()).toBe(true);
  });

  it('sends a text with a link preview', async () => {
    const id = sent(await client.messages.sendText({ phoneNumberId, to: `+${CUSTOMER}`, body: 'Veja https://example.com/pedido 🚚', previewUrl: true }));
    const onPhone = await expectDelivered(id, 'text');
    expect(onPhone.content).toEqual({ body: 'Veja https://example.com/pedido 🚚', preview_url: true });
  });

  it('uploads media, reads its URL, downloads the same bytes and deletes it', async () => {
    const png = makePng();
    const uploaded = await client.media.upload({ phoneNumberId, type: 'image/png', file: new Blob([png], { type: 'image/png' }), fileName: 'dot.png' });
    expect(uploaded.id).toMatch(/^\d+$/);

    const info = await client.media.get({ mediaId: uploaded.id, phoneNumberId });
    expect(info).toMatchObject({ id: uploaded.id, mimeType: 'image/png', sha256: sha256(png), fileSize: String(png.length) });
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);

    // Meta's media URLs need the bearer token, as the sandbox's do: ask the library to send it.
    const bytes = (await client.media.download({ mediaId: uploaded.id, auth: 'always' })) as ArrayBuffer;
    expect(sha256(new Uint8Array(bytes))).toBe(sha256(png));

    const pdf = makePdf();
    const doc = await client.media.upload({ phoneNumberId, type: 'application/pdf', file: pdf, fileName: 'fatura.pdf' });
    const pdfBytes = (await client.media.download({ mediaId: doc.id, phoneNumberId, auth: 'always' })) as ArrayBuffer;
    expect(Buffer.from(pdfBytes).equals(pdf)).toBe(true);

    expect(await client.media.delete({ mediaId: uploaded.id })).toEqual({ success: true });
    const gone = await client.media.get({ mediaId: uploaded.id }).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(GraphApiError);
    expect((gone as GraphApiError).httpStatus).toBe(400);
  });

  it('refuses an upload whose bytes are not what its type says', async () => {
    const error = await client.media.upload({ phoneNumberId, type: 'image/png', file: Buffer.from('not a png at all') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphApiError);
    expect((error as GraphApiError).code).toBe(131053);
  });

  it('sends image, audio, video, document and sticker by uploaded id and by link', async () => {
    const upload = async (type: string, file: Buffer, fileName: string) => (await client.media.upload({ phoneNumberId, type, file, fileName })).id;
    const imageId = await upload('image/png', makePng(), 'foto.png');
    const audioId = await upload('audio/ogg', makeOgg(), 'nota.ogg');
    const videoId = await upload('video/mp4', makeMp4(), 'clipe.mp4');
    const documentId = await upload('application/pdf', makePdf(), 'fatura.pdf');
    const stickerId = await upload('image/webp', makeWebp(), 'figurinha.webp');
    const to = CUSTOMER;
    // Links are fetched like Meta fetches them; the sandbox fetches only loopback addresses.
    const served: Record<string, [string, Buffer]> = {
      '/foto.png': ['image/png', makePng()],
      '/nota.ogg': ['audio/ogg', makeOgg()],
      '/clipe.mp4': ['video/mp4', makeMp4()],
      '/fatura.pdf': ['application/pdf', makePdf()],
      '/figurinha.webp': ['image/webp', makeWebp()],
    };
    const files = http.createServer((req, res) => {
      const file = served[req.url ?? ''];
      if (file) res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    const cdn = `http://localhost:${(files.address() as AddressInfo).port}`;

    const ids = [
      ['image', sent(await client.messages.sendImage({ phoneNumberId, to, image: { id: imageId, caption: 'Sua foto 📷' } }))],
      ['image', sent(await client.messages.sendImage({ phoneNumberId, to, image: { link: `${cdn}/foto.png`, caption: 'Link' } }))],
      ['audio', sent(await client.messages.sendAudio({ phoneNumberId, to, audio: { id: audioId } }))],
      ['audio', sent(await client.messages.sendAudio({ phoneNumberId, to, audio: { link: `${cdn}/nota.ogg` } }))],
      ['video', sent(await client.messages.sendVideo({ phoneNumberId, to, video: { id: videoId, caption: 'Vídeo' } }))],
      ['video', sent(await client.messages.sendVideo({ phoneNumberId, to, video: { link: `${cdn}/clipe.mp4` } }))],
      ['document', sent(await client.messages.sendDocument({ phoneNumberId, to, document: { id: documentId, filename: 'fatura.pdf', caption: 'Fatura de março' } }))],
      ['document', sent(await client.messages.sendDocument({ phoneNumberId, to, document: { link: `${cdn}/fatura.pdf`, filename: 'fatura.pdf' } }))],
      ['sticker', sent(await client.messages.sendSticker({ phoneNumberId, to, sticker: { id: stickerId } }))],
      ['sticker', sent(await client.messages.sendSticker({ phoneNumberId, to, sticker: { link: `${cdn}/figurinha.webp` } }))],
    ] as const;
    for (const [type, id] of ids) await expectDelivered(id, type);
    await new Promise((resolve) => files.close(resolve));

    const onPhone = await phoneMessages();
    expect(onPhone.find((m) => m.id === ids[0][1])?.content).toEqual({ id: imageId, caption: 'Sua foto 📷' });
    expect(onPhone.find((m) => m.id === ids[6][1])?.content).toEqual({ id: documentId, filename: 'fatura.pdf', caption: 'Fatura de março' });
  });

  it('sends a location and a contact card', async () => {
    const location = sent(
      await client.messages.sendLocation({ phoneNumberId, to: CUSTOMER, location: { latitude: -23.5614, longitude: -46.6559, name: 'Loja Paulista', address: 'Av. Paulista, 1000, São Paulo' } }),
    );
    expect((await expectDelivered(location, 'location')).content).toMatchObject({ latitude: -23.5614, name: 'Loja Paulista' });

    const contacts = sent(
      await client.messages.sendContacts({
        phoneNumberId,
        to: CUSTOMER,
        contacts: [
          {
            name: { formattedName: 'João Conceição', firstName: 'João', lastName: 'Conceição' },
            phones: [{ phone: '+55 11 98888-7777', type: 'CELL', waId: '5511988887777' }],
            emails: [{ email: 'joao@example.com', type: 'WORK' }],
            org: { company: 'Padaria Ação' },
          },
        ],
      }),
    );
    const card = await expectDelivered(contacts, 'contacts');
    expect(card.content).toEqual([
      {
        name: { formatted_name: 'João Conceição', first_name: 'João', last_name: 'Conceição' },
        phones: [{ phone: '+55 11 98888-7777', type: 'CELL', wa_id: '5511988887777' }],
        emails: [{ email: 'joao@example.com', type: 'WORK' }],
        org: { company: 'Padaria Ação' },
      },
    ]);
  });

  it('sends interactive reply buttons, a list and a CTA URL button', async () => {
    const buttons = sent(
      await client.messages.sendInteractiveButtons({
        phoneNumberId,
        to: CUSTOMER,
        header: { type: 'text', text: 'Confirmação' },
        bodyText: 'Confirma a entrega amanhã?',
        footerText: 'Padaria Ação',
        buttons: [
          { id: 'sim', title: 'Sim ✅' },
          { id: 'nao', title: 'Não' },
        ],
      }),
    );
    expect((await expectDelivered(buttons, 'interactive')).content).toMatchObject({ type: 'button', action: { buttons: [{ reply: { id: 'sim' } }, { reply: { id: 'nao' } }] } });

    const list = sent(
      await client.messages.sendInteractiveList({
        phoneNumberId,
        to: CUSTOMER,
        bodyText: 'Escolha um horário',
        buttonText: 'Horários',
        sections: [
          { title: 'Manhã', rows: [{ id: 'm9', title: '09:00', description: 'Entrega cedo' }] },
          { title: 'Tarde', rows: [{ id: 't14', title: '14:00' }] },
        ],
      }),
    );
    expect((await expectDelivered(list, 'interactive')).content).toMatchObject({ type: 'list', action: { button: 'Horários' } });

    const cta = sent(
      await client.messages.sendInteractiveCtaUrl({
        phoneNumberId,
        to: CUSTOMER,
        bodyText: 'Acompanhe seu pedido',
        parameters: { displayText: 'Rastrear', url: 'https://example.com/rastreio?id=42' },
      }),
    );
    expect((await expectDelivered(cta, 'interactive')).content).toMatchObject({
      type: 'cta_url',
      action: { name: 'cta_url', parameters: { display_text: 'Rastrear', url: 'https://example.com/rastreio?id=42' } },
    });

    // The customer taps a button: the reply comes back through a signed webhook.
    await admin('POST', `/phones/${CUSTOMER}/messages`, {
      to: phoneNumberId,
      type: 'interactive',
      context: { id: buttons },
      interactive: { type: 'button_reply', button_reply: { id: 'sim' } },
    });
    const tapped = await until('the button reply webhook', () =>
      captured.map((c) => normalizeWebhook(c.json)).flatMap((n) => n.messages).find((m) => m.type === 'interactive' && m.context?.id === buttons),
    );
    expect(tapped.interactive).toMatchObject({ type: 'button_reply', buttonReply: { id: 'sim', title: 'Sim ✅' } });
  });

  it('replies with context, reacts, and marks the customer message as read', async () => {
    const reply = sent(await client.messages.sendText({ phoneNumberId, to: CUSTOMER, body: 'Oi! Como posso ajudar?', contextMessageId: firstInboundId }));
    expect((await expectDelivered(reply, 'text')).context).toEqual({ message_id: firstInboundId });

    const reaction = sent(await client.messages.sendReaction({ phoneNumberId, to: CUSTOMER, reaction: { messageId: firstInboundId, emoji: '👍' } }));
    expect((await expectDelivered(reaction, 'reaction')).content).toEqual({ message_id: firstInboundId, emoji: '👍' });

    expect(await client.messages.markRead({ phoneNumberId, messageId: firstInboundId, typingIndicator: { type: 'text' } })).toEqual({ success: true });
    const phone = await admin<{ sent: Array<{ id: string; read_by_business: boolean }> }>('GET', `/phones/${CUSTOMER}/messages`);
    expect(phone.sent.find((m) => m.id === firstInboundId)?.read_by_business).toBe(true);
  });

  it('creates a template, lists it until approved, and sends it with parameters', async () => {
    const created = await client.templates.create({
      businessAccountId: wabaId,
      name: 'pedido_enviado',
      language: 'pt_BR',
      category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Pedido {{1}}', example: { header_text: ['A-123'] } },
        { type: 'BODY', text: 'Olá {{1}}, seu pedido saiu para entrega e chega {{2}}. Obrigado pela preferência!', example: { body_text: [['Ana', 'hoje']] } },
        { type: 'FOOTER', text: 'Padaria Ação' },
        { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Recebi' }] },
      ],
    });
    expect(created).toMatchObject({ status: 'PENDING', category: 'UTILITY' });
    expect(created.id).toMatch(/^\d+$/);

    const approved = await until('the template to be approved', async () => {
      const page = await client.templates.list({ businessAccountId: wabaId, name: 'pedido_enviado' });
      return page.data.find((t) => t.id === created.id && t.status === 'APPROVED');
    });
    expect(approved).toMatchObject({ name: 'pedido_enviado', language: 'pt_BR', category: 'UTILITY' });

    const all = await client.templates.list({ businessAccountId: wabaId, limit: 100 });
    expect(all.data.map((t) => t.name)).toContain('pedido_enviado');

    const review = await until('the template status webhook', () =>
      captured.flatMap((c) => c.json.entry.flatMap((e) => e.changes)).find((ch) => ch.field === 'message_template_status_update' && ch.value.event === 'APPROVED'),
    );
    expect(review.value).toMatchObject({ message_template_id: Number(created.id), message_template_name: 'pedido_enviado' });

    const id = sent(
      await client.messages.sendTemplate({
        phoneNumberId,
        to: CUSTOMER,
        template: {
          name: 'pedido_enviado',
          language: { code: 'pt_BR' },
          components: [
            { type: 'header', parameters: [{ type: 'text', text: 'B-777' }] },
            { type: 'body', parameters: [{ type: 'text', text: 'José' }, { type: 'text', text: 'amanhã às 10h' }] },
            { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'recebi-B-777' }] },
          ],
        },
      }),
    );
    const onPhone = await expectDelivered(id, 'template');
    expect(JSON.stringify(onPhone.content)).toContain('Olá José, seu pedido saiu para entrega e chega amanhã às 10h. Obrigado pela preferência!');
  });

  it('refuses a template send with the wrong number of parameters, as Meta does', async () => {
    const error = await client.messages
      .sendTemplate({ phoneNumberId, to: CUSTOMER, template: { name: 'pedido_enviado', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'só um' }] }] } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphApiError);
    expect((error as GraphApiError).code).toBe(132000);
    expect((error as GraphApiError).isTemplateError()).toBe(true);
  });

  it('signs webhooks that both libraries verify, accents and emoji included', async () => {
    await customerSays(ACCENTS_AND_EMOJI);
    const hook = await until('the inbound webhook', () => inboundWebhook(ACCENTS_AND_EMOJI));

    expect(hook.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    // Meta sends the body as ASCII with \uXXXX escapes and signs those exact bytes.
    expect(hook.raw.every((byte) => byte < 0x80)).toBe(true);
    expect(verifySignature({ appSecret: APP_SECRET, rawBody: hook.raw, signatureHeader: hook.signature })).toBe(true);
    expect(await strictVerifier.verifyRequestSignature(hook.raw.toString('utf8'), hook.signature as string)).toBe(true);

    const normalized = normalizeWebhook(hook.json);
    expect(normalized.phoneNumberId).toBe(phoneNumberId);
    expect(normalized.contacts[0]?.waId).toBe(CUSTOMER);
    expect(normalized.messages[0]?.text?.body).toBe(ACCENTS_AND_EMOJI);

    // whatsapp-api-js's own webhook handler verifies and parses the same delivery.
    const heard: string[] = [];
    strictVerifier.on.message = ({ message }) => {
      if (message.type === 'text') heard.push(message.text.body);
    };
    await strictVerifier.post(hook.json as unknown as PostData, hook.raw.toString('utf8'), hook.signature as string);
    expect(heard).toEqual([ACCENTS_AND_EMOJI]);

    // A tampered body or a wrong secret fails.
    const tampered = Buffer.from(hook.raw.toString('utf8').replace('Ol\\u00e1', 'Ola'));
    expect(tampered.equals(hook.raw)).toBe(false);
    expect(verifySignature({ appSecret: APP_SECRET, rawBody: tampered, signatureHeader: hook.signature })).toBe(false);
    expect(verifySignature({ appSecret: 'another-secret', rawBody: hook.raw, signatureHeader: hook.signature })).toBe(false);
    expect(await strictVerifier.verifyRequestSignature(tampered.toString('utf8'), hook.signature as string)).toBe(false);

    // Every delivery so far (messages, statuses, template updates) carries a valid signature.
    expect(captured.length).toBeGreaterThan(20);
    for (const c of captured) {
      expect(verifySignature({ appSecret: APP_SECRET, rawBody: c.raw, signatureHeader: c.signature })).toBe(true);
      expect(await strictVerifier.verifyRequestSignature(c.raw.toString('utf8'), c.signature as string)).toBe(true);
    }
    // The very first message, which opened the window, arrived too.
    expect(inboundWebhook(FIRST_WORDS)).toBeDefined();
  });
});
