import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, TOKEN, type SandboxHarness } from './support/sandbox.js';

let h: SandboxHarness;
beforeAll(async () => {
  h = await startSandbox();
});
afterAll(async () => {
  await h.close();
});

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('fake-png-body')]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

async function upload(form: FormData, query = ''): Promise<{ status: number; body: { id?: string; error?: { code: number; error_data: { details: string } } } }> {
  const response = await fetch(`${h.base}/v23.0/${h.phoneNumberId}/media${query}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: form });
  return { status: response.status, body: (await response.json()) as never };
}

describe('sandbox: media', () => {
  it('uploads, describes with a 5-minute URL that needs the token, downloads and deletes', async () => {
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', 'image/png');
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'logo.png');
    const uploaded = await upload(form);
    expect(uploaded.status).toBe(200);
    const id = uploaded.body.id as string;
    expect(id).toMatch(/^\d{15,16}$/);

    const info = await h.graph('GET', `/${id}`);
    expect(info.body).toMatchObject({
      messaging_product: 'whatsapp',
      id,
      mime_type: 'image/png',
      sha256: createHash('sha256').update(PNG).digest('hex'),
      file_size: String(PNG.length),
    });
    const url = new URL(info.body.url as string);
    expect(url.origin).toBe(h.base);

    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    const download = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(PNG);

    await h.admin('POST', '/clock', { advance_seconds: 301 });
    const expired = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(expired.status).toBe(404);
    const fresh = await h.graph('GET', `/${id}`);
    expect((await fetch(fresh.body.url as string, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);

    expect((await h.graph('DELETE', `/${id}`)).body).toEqual({ success: true });
    expect((await h.graph('GET', `/${id}`)).body.error.code).toBe(100);
  });

  it('takes messaging_product from the query and the MIME type from the file part', async () => {
    const form = new FormData();
    form.append('file', new Blob([PDF], { type: 'application/pdf' }), 'fatura.pdf');
    const uploaded = await upload(form, '?messaging_product=whatsapp');
    expect(uploaded.status).toBe(200);
    expect((await h.graph('GET', `/${uploaded.body.id}`)).body.mime_type).toBe('application/pdf');
  });

  it('refuses unsupported types, oversized files and content that is not what it claims', async () => {
    const exe = new FormData();
    exe.append('messaging_product', 'whatsapp');
    exe.append('file', new Blob([Buffer.from('MZ')], { type: 'application/x-msdownload' }), 'a.exe');
    expect((await upload(exe)).body.error?.code).toBe(100);

    const big = new FormData();
    big.append('messaging_product', 'whatsapp');
    big.append('file', new Blob([Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)])], { type: 'image/png' }), 'big.png');
    const tooBig = await upload(big);
    expect(tooBig.body.error?.code).toBe(131053);
    expect(tooBig.body.error?.error_data.details).toMatch(/at most 5242880 bytes/);

    const fake = new FormData();
    fake.append('messaging_product', 'whatsapp');
    fake.append('file', new Blob([Buffer.from('not a jpeg')], { type: 'image/jpeg' }), 'x.jpg');
    expect((await upload(fake)).body.error?.code).toBe(131053);

    const missing = new FormData();
    missing.append('file', new Blob([PNG], { type: 'image/png' }), 'logo.png');
    expect((await upload(missing)).body.error?.code).toBe(131008);
  });

  it('stores media a customer sends and announces it by id in the webhook', async () => {
    const waId = '5511977770001';
    const sent = await h.admin('POST', `/phones/${waId}/messages`, {
      to: h.phoneNumberId,
      type: 'document',
      document: { data_base64: PDF.toString('base64'), mime_type: 'application/pdf', filename: 'comprovante.pdf', caption: 'Segue o comprovante' },
    });
    expect(sent.status).toBe(201);
    const document = sent.body.message.document as { id: string; sha256: string; filename: string; mime_type: string };
    expect(document).toMatchObject({ mime_type: 'application/pdf', filename: 'comprovante.pdf', caption: 'Segue o comprovante' });
    const info = await h.graph('GET', `/${document.id}`);
    const bytes = Buffer.from(await (await fetch(info.body.url as string, { headers: { authorization: `Bearer ${TOKEN}` } })).arrayBuffer());
    expect(bytes).toEqual(PDF);
    expect(document.sha256).toBe(createHash('sha256').update(PDF).digest('hex'));
  });

  it('fails a send that names an unknown media id with 131053', async () => {
    const waId = '5511977770002';
    await h.customerWrites(waId, 'manda a foto');
    const sent = await h.graph('POST', `/${h.phoneNumberId}/messages`, { messaging_product: 'whatsapp', to: waId, type: 'image', image: { id: '999999999999999' } });
    const wamid = sent.body.messages[0].id as string;
    const failed = await h.receiver.waitFor(() => h.receiver.statuses().find((s) => s.id === wamid && s.status === 'failed'));
    expect(failed.errors?.[0]?.code).toBe(131053);
  });
});

const ORDER_UPDATE = {
  name: 'order_update',
  language: 'pt_BR',
  category: 'UTILITY',
  components: [
    { type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} foi enviado e chega em breve.', example: { body_text: [['Maria', '#1234']] } },
    { type: 'FOOTER', text: 'Loja Exemplo' },
  ],
};

describe('sandbox: templates', () => {
  it('reviews a template, sends the status webhook and then lets it be sent outside the window', async () => {
    const created = await h.graph('POST', `/${h.wabaId}/message_templates`, ORDER_UPDATE);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ status: 'PENDING', category: 'UTILITY' });
    const id = created.body.id as string;
    const update = await h.receiver.waitFor(() => h.receiver.values('message_template_status_update').find((v) => v.message_template_id === Number(id)));
    expect(update).toMatchObject({ event: 'APPROVED', message_template_name: 'order_update', message_template_language: 'pt_BR' });
    expect((await h.graph('GET', `/${id}`)).body.status).toBe('APPROVED');

    const waId = '5511966660001'; // never wrote: no window
    const send = (parameters: unknown[]) =>
      h.graph('POST', `/${h.phoneNumberId}/messages`, {
        messaging_product: 'whatsapp',
        to: waId,
        type: 'template',
        template: { name: 'order_update', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters }] },
      });
    const wrongCount = await send([{ type: 'text', text: 'Maria' }]);
    expect(wrongCount.body.error.code).toBe(132000);
    const sent = await send([{ type: 'text', text: 'Maria' }, { type: 'text', text: '#1234' }]);
    expect(sent.status).toBe(200);
    const wamid = sent.body.messages[0].id as string;
    const delivered = await h.receiver.waitFor(() => h.receiver.statuses().find((s) => s.id === wamid && s.status === 'delivered'));
    expect(delivered.pricing).toMatchObject({ category: 'utility', type: 'regular', billable: true });
    const phone = await h.admin('GET', `/phones/${waId}/messages`);
    expect(phone.body.data.at(-1).content.rendered.body).toBe('Olá Maria, seu pedido #1234 foi enviado e chega em breve.');
  });

  it('answers 132001 for an unknown template or language', async () => {
    const response = await h.graph('POST', `/${h.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      to: '5511966660002',
      type: 'template',
      template: { name: 'order_update', language: { code: 'en_US' } },
    });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe(132001);
    expect(response.body.error.error_data.details).toBe('template name (order_update) does not exist in en_US');
  });

  it('rejects a template by the review rules, with the reason in the webhook', async () => {
    const created = await h.graph('POST', `/${h.wabaId}/message_templates`, {
      name: 'missing_example',
      language: 'pt_BR',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Oferta especial para você, {{1}}, só nesta semana na loja.' }],
    });
    expect(created.status).toBe(200);
    const update = await h.receiver.waitFor(() => h.receiver.values('message_template_status_update').find((v) => v.message_template_id === Number(created.body.id)));
    expect(update).toMatchObject({ event: 'REJECTED', reason: 'INVALID_FORMAT' });
    const template = await h.graph('GET', `/${created.body.id}`);
    expect(template.body).toMatchObject({ status: 'REJECTED', rejected_reason: 'INVALID_FORMAT' });
  });

  it('refuses malformed templates at creation with code 100 naming the field', async () => {
    const badName = await h.graph('POST', `/${h.wabaId}/message_templates`, { ...ORDER_UPDATE, name: 'Order Update!' });
    expect(badName.status).toBe(400);
    expect(badName.body.error.code).toBe(100);
    expect(badName.body.error.error_data.details).toMatch(/name/);
    const duplicate = await h.graph('POST', `/${h.wabaId}/message_templates`, ORDER_UPDATE);
    expect(duplicate.body.error.code).toBe(100);
  });

  it('fails sends of a paused (132015) or disabled (132016) template asynchronously', async () => {
    const created = await h.graph('POST', `/${h.wabaId}/message_templates`, { ...ORDER_UPDATE, name: 'order_paused' });
    const id = created.body.id as string;
    await h.receiver.waitFor(() => h.receiver.values('message_template_status_update').find((v) => v.message_template_id === Number(id)));
    const send = () =>
      h.graph('POST', `/${h.phoneNumberId}/messages`, {
        messaging_product: 'whatsapp',
        to: '5511966660003',
        type: 'template',
        template: { name: 'order_paused', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }] }] },
      });
    await h.admin('POST', `/templates/${id}/status`, { status: 'PAUSED' });
    const paused = await send();
    const pausedFailure = await h.receiver.waitFor(() => h.receiver.statuses().find((s) => s.id === paused.body.messages[0].id && s.status === 'failed'));
    expect(pausedFailure.errors?.[0]?.code).toBe(132015);
    await h.admin('POST', `/templates/${id}/status`, { status: 'PAUSED' });
    const third = await h.admin('POST', `/templates/${id}/status`, { status: 'PAUSED' });
    expect(third.body.status).toBe('DISABLED');
    const disabled = await send();
    const disabledFailure = await h.receiver.waitFor(() => h.receiver.statuses().find((s) => s.id === disabled.body.messages[0].id && s.status === 'failed'));
    expect(disabledFailure.errors?.[0]?.code).toBe(132016);
  });

  it('lists with limit and cursors, and deletes by name or by name and hsm_id', async () => {
    for (const language of ['en_US', 'es']) {
      expect((await h.graph('POST', `/${h.wabaId}/message_templates`, { ...ORDER_UPDATE, name: 'multi_lang', language })).status).toBe(200);
    }
    const first = await h.graph('GET', `/${h.wabaId}/message_templates?limit=2`);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.paging.next).toEqual(expect.any(String));
    const second = await h.graph('GET', `/${h.wabaId}/message_templates?limit=2&after=${first.body.paging.cursors.after}`);
    expect(second.body.data[0].id).not.toBe(first.body.data[1].id);
    const multi = (await h.graph('GET', `/${h.wabaId}/message_templates?name=multi_lang`)).body.data as Array<{ id: string; language: string }>;
    expect(multi.map((t) => t.language).sort()).toEqual(['en_US', 'es']);
    const one = multi.find((t) => t.language === 'es') as { id: string };
    expect((await h.graph('DELETE', `/${h.wabaId}/message_templates?name=multi_lang&hsm_id=${one.id}`)).body).toEqual({ success: true });
    expect((await h.graph('GET', `/${h.wabaId}/message_templates?name=multi_lang`)).body.data).toHaveLength(1);
    expect((await h.graph('DELETE', `/${h.wabaId}/message_templates?name=multi_lang`)).body).toEqual({ success: true });
    expect((await h.graph('GET', `/${h.wabaId}/message_templates?name=multi_lang`)).body.data).toHaveLength(0);
  });
});

describe('sandbox: account', () => {
  it('reads and updates the business profile within Meta’s limits', async () => {
    const updated = await h.graph('POST', `/${h.phoneNumberId}/whatsapp_business_profile`, {
      messaging_product: 'whatsapp',
      about: 'Entregas em todo o Brasil 🚚',
      websites: ['https://loja.example.com'],
      vertical: 'RETAIL',
    });
    expect(updated.body).toEqual({ success: true });
    const profile = await h.graph('GET', `/${h.phoneNumberId}/whatsapp_business_profile?fields=about,websites,vertical`);
    expect(profile.body.data[0]).toEqual({ messaging_product: 'whatsapp', about: 'Entregas em todo o Brasil 🚚', websites: ['https://loja.example.com'], vertical: 'RETAIL' });
    const tooLong = await h.graph('POST', `/${h.phoneNumberId}/whatsapp_business_profile`, { messaging_product: 'whatsapp', about: 'x'.repeat(140) });
    expect(tooLong.body.error).toMatchObject({ code: 100, error_data: { details: 'about: must be a string of 1 to 139 characters' } });
  });

  it('lists the WABA’s phone numbers with quality, throughput and messaging limit', async () => {
    const numbers = await h.graph('GET', `/${h.wabaId}/phone_numbers`);
    expect(numbers.body.data[0]).toMatchObject({
      id: h.phoneNumberId,
      quality_rating: 'GREEN',
      throughput: { level: 'STANDARD' },
      whatsapp_business_manager_messaging_limit: 'TIER_250',
    });
  });

  it('limits register and deregister to 10 calls per 72 hours (133016)', async () => {
    const account = await h.admin('POST', '/accounts', {});
    const id = account.body.phone_number.id as string;
    const codes: unknown[] = [];
    for (let i = 0; i < 11; i += 1) {
      const response = await h.graph('POST', `/${id}/register`, { messaging_product: 'whatsapp', pin: '654321' });
      codes.push(response.body.success ?? response.body.error.code);
    }
    expect(codes.slice(0, 10).every((c) => c === true)).toBe(true);
    expect(codes[10]).toBe(133016);
    await h.admin('POST', '/clock', { advance_seconds: 72 * 3600 });
    expect((await h.graph('POST', `/${id}/register`, { messaging_product: 'whatsapp', pin: '654321' })).body).toEqual({ success: true });
  });
});
