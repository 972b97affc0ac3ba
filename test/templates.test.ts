import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

/** A company system that records the outbound webhooks it receives. */
class CompanySystem {
  readonly received: Json[] = [];
  url = '';
  #server: Server | undefined;

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server?.address() as AddressInfo).port}/hooks`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

const shipped = (name: string) => ({
  name,
  language: 'pt_BR',
  category: 'UTILITY',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Pedido {{1}} a caminho', example: { header_text: ['#4521'] } },
    { type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} saiu para entrega e chega até {{3}}. Acompanhe pelo botão abaixo.', example: { body_text: [['Ana', '#4521', 'sexta-feira']] } },
    { type: 'FOOTER', text: 'Responda SAIR para não receber mais' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'URL', text: 'Acompanhar pedido', url: 'https://loja.example/pedidos/{{1}}', example: ['https://loja.example/pedidos/4521'] },
        { type: 'PHONE_NUMBER', text: 'Ligar para a loja', phone_number: '+5511987654321' },
        { type: 'QUICK_REPLY', text: 'Falar com atendente' },
      ],
    },
  ],
});

describe.each(DIALECTS)('templates as managed assets on $name', (dialect) => {
  const running = useApp(dialect, { build: { webhooks: { fanOut: { pollMs: 20 }, delivery: { pollMs: 20, retry: { baseMs: 50, maxAttempts: 3 } } } } });
  let waba: string;
  let pn: string;
  const crm = new CompanySystem();

  const api = running.api;
  const graph = running.sandbox;
  const statusOf = async (id: string, status: string) => {
    let last: Json;
    try {
      return await until(async () => {
        last = (await api('GET', `/templates/${id}`)).body;
        return last.status === status && last;
      }, `template ${id} to be ${status}`);
    } catch (error) {
      throw new Error(`${(error as Error).message}; last seen ${JSON.stringify({ status: last.status, version: last.version, history: last.history, versions: last.versions?.map((v: Json) => [v.version, v.status]) })}`);
    }
  };

  beforeAll(async () => {
    await crm.start();
    waba = running.waba;
    pn = running.pn;
    const hook = await api('POST', '/webhooks', { url: crm.url, events: ['template.status'] });
    expect(hook.status).toBe(201);
  });
  afterAll(async () => {
    await crm.close();
  });

  it('lints, refuses a submission with lint errors, submits, gets approved by the sandbox and sends it', async () => {
    const broken = {
      name: 'Pedido Enviado',
      language: 'pt-BR',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: '{{1}}, seu pedido saiu para entrega.' }],
    };
    const lint = await api('POST', '/templates/lint', broken);
    expect(lint.status).toBe(200);
    expect(lint.body.ok).toBe(false);
    const rules = lint.body.problems.map((p: Json) => `${p.rule}@${p.path}`);
    expect(rules).toEqual(expect.arrayContaining(['name.invalid@name', 'language.invalid@language', 'body.dangling-variable@components[0].text']));
    expect(lint.body.problems.every((p: Json) => typeof p.fix === 'string' && p.fix.length > 0)).toBe(true);
    expect((await api('GET', '/templates?name=Pedido')).body.data).toHaveLength(0); // lint stores nothing

    const refused = await api('POST', '/templates', { ...broken, submit: true });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('CONVERSA_ERR_TEMPLATE_LINT');
    expect(refused.body.error.details.problems.map((p: Json) => p.path)).toEqual(expect.arrayContaining(['name', 'language', 'components[0].text']));
    expect((await graph('GET', `/v23.0/${waba}/message_templates?name=Pedido`)).body.data).toEqual([]);

    const created = await api('POST', '/templates', { ...shipped('pedido_enviado_v1'), submit: true, phone_number: pn });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^tpl_/), status: 'PENDING', version: 1, waba_id: waba, provider_template_id: expect.stringMatching(/^\d+$/), lint: { ok: true } });
    const approved = await statusOf(created.body.id, 'APPROVED');
    expect(approved.history.map((e: Json) => [e.status, e.source])).toEqual([
      ['PENDING', 'api'],
      ['APPROVED', 'webhook'],
    ]);
    expect(approved.versions).toMatchObject([{ version: 1, status: 'APPROVED', created_by: expect.stringMatching(/^api_key:/), submitted_at: expect.any(String) }]);
    expect((await graph('GET', `/v23.0/${created.body.provider_template_id}`)).body).toMatchObject({ name: 'pedido_enviado_v1', status: 'APPROVED' });

    const preview = await api('POST', `/templates/${created.body.id}/preview`, { header: '#77', body: ['Bia', '#77', 'amanhã'], buttons: { 0: '77' } });
    expect(preview.status).toBe(200);
    expect(preview.body.text).toBe('Pedido #77 a caminho\n\nOlá Bia, seu pedido #77 saiu para entrega e chega até amanhã. Acompanhe pelo botão abaixo.\n\nResponda SAIR para não receber mais');
    expect(preview.body.buttons[0]).toMatchObject({ type: 'URL', url: 'https://loja.example/pedidos/77' });
    expect(preview.body.missing).toEqual([]);
    const samples = await api('POST', `/templates/${created.body.id}/preview`, {});
    expect(samples.body.body).toBe('Olá Ana, seu pedido #4521 saiu para entrega e chega até sexta-feira. Acompanhe pelo botão abaixo.');

    const sent = await api('POST', '/messages', {
      to: '+5511933330001',
      type: 'template',
      template: {
        name: 'pedido_enviado_v1',
        language: { code: 'pt_BR' },
        components: [
          { type: 'header', parameters: [{ type: 'text', text: '#77' }] },
          { type: 'body', parameters: [{ type: 'text', text: 'Bia' }, { type: 'text', text: '#77' }, { type: 'text', text: 'amanhã' }] },
          { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '77' }] },
        ],
      },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    const delivered = await until(async () => {
      const message = await api('GET', `/messages/${sent.body.id}`);
      return ['delivered', 'read'].includes(message.body.status) && message.body;
    }, 'the template message to be delivered');
    expect(delivered.category).toBe('utility');

    const events = await until(async () => {
      const found = crm.received.filter((e) => e.type === 'template.status' && e.data.template_id === created.body.id);
      return found.length >= 2 && found;
    }, 'template.status webhooks');
    expect(events.map((e) => e.data.status)).toEqual(['PENDING', 'APPROVED']);
    expect(events[1].data).toMatchObject({ name: 'pedido_enviado_v1', language: 'pt_BR', previous_status: 'PENDING', source: 'webhook' });
  });

  it('shows the rejection reason of a template the sandbox review rejects', async () => {
    // Adjacent variables pass the platform linter's errors only when forced; Meta's review rejects them.
    const draft = await api('POST', '/templates', {
      name: 'lembrete_pagamento',
      language: 'pt_BR',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Olá {{1}} {{2}}, sua fatura vence amanhã. Pague pelo app para evitar juros.', example: { body_text: [['Ana', 'Souza']] } }],
    });
    expect(draft.status).toBe(201);
    expect(draft.body).toMatchObject({ status: 'DRAFT', provider_template_id: null, version: 1 });
    expect(draft.body.lint.ok).toBe(false);
    const unforced = await api('POST', `/templates/${draft.body.id}/submit`, {});
    expect(unforced.status).toBe(422);
    expect(unforced.body.error.code).toBe('CONVERSA_ERR_TEMPLATE_LINT');
    const forced = await api('POST', `/templates/${draft.body.id}/submit`, { force: true });
    expect(forced.status, JSON.stringify(forced.body)).toBe(200);
    const rejected = await statusOf(draft.body.id, 'REJECTED');
    expect(rejected.rejected_reason).toBe('INVALID_FORMAT');
    expect(rejected.status_details).toMatch(/next to each other/);
    expect(rejected.history.at(-1)).toMatchObject({ kind: 'status', status: 'REJECTED', reason: 'INVALID_FORMAT', source: 'webhook' });
    expect((await api('GET', '/templates?status=REJECTED')).body.data.map((t: Json) => t.id)).toContain(draft.body.id);

    // A rejected template cannot be sent: the policy refuses it before the wire.
    const refused = await api('POST', '/messages', { to: '+5511933330002', type: 'template', template: { name: 'lembrete_pagamento', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: 'Souza' }] }] } });
    expect(refused.body.error.code).toBe('CONVERSA_ERR_TEMPLATE_NOT_APPROVED');
  });

  it('makes version 2 on an edit, resubmits it, keeps the history, and applies Meta\'s edit limits', async () => {
    const created = await api('POST', '/templates', { ...shipped('pedido_enviado_v2'), submit: true });
    await statusOf(created.body.id, 'APPROVED');
    // Meta's template webhooks carry no id, only a time in seconds: two identical APPROVED events
    // in the same second are one event to the inbound store. Reviews take minutes at Meta; here, move the clock.
    await graph('POST', '/sandbox/v1/clock', { advance_seconds: 2 });
    const components = shipped('x').components.map((c) => (c.type === 'FOOTER' ? { type: 'FOOTER', text: 'Equipe Loja Exemplo' } : c));

    const badCategory = await api('PATCH', `/templates/${created.body.id}`, { category: 'MARKETING', components });
    expect(badCategory.status).toBe(422);
    expect(badCategory.body.error).toMatchObject({ code: 'CONVERSA_ERR_PROVIDER_REJECTED', details: { meta_code: 100 } });
    expect(badCategory.body.error.message).toMatch(/category of an APPROVED template cannot be edited/);
    expect((await api('GET', `/templates/${created.body.id}`)).body.version).toBe(1); // a refused edit stores nothing

    const edited = await api('PATCH', `/templates/${created.body.id}`, { components });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body).toMatchObject({ version: 2, status: 'PENDING' });
    const approved = await statusOf(created.body.id, 'APPROVED');
    expect(approved.components.find((c: Json) => c.type === 'FOOTER').text).toBe('Equipe Loja Exemplo');
    expect(approved.versions.map((v: Json) => [v.version, v.status, v.components.find((c: Json) => c.type === 'FOOTER').text])).toEqual([
      [1, 'APPROVED', 'Responda SAIR para não receber mais'],
      [2, 'APPROVED', 'Equipe Loja Exemplo'],
    ]);
    const history = approved.history.map((e: Json) => `${e.status}@v${e.version}`);
    expect(history.slice(0, 2)).toEqual(['PENDING@v1', 'APPROVED@v1']);
    // PENDING@v2 comes before, unless the 50 ms review answered before the edit's answer was stored.
    expect(history.slice(2)).toEqual(history.length === 4 ? ['PENDING@v2', 'APPROVED@v2'] : ['APPROVED@v2']);
    const sandboxCopy = await graph('GET', `/v23.0/${created.body.provider_template_id}`);
    expect(sandboxCopy.body.components.find((c: Json) => c.type === 'FOOTER').text).toBe('Equipe Loja Exemplo');

    // Meta: an approved template can be edited once in 24 hours.
    const again = await api('PATCH', `/templates/${created.body.id}`, { components: shipped('x').components });
    expect(again.status).toBe(422);
    expect(again.body.error.message).toMatch(/once in 24 hours/);
    const old = await api('POST', `/templates/${created.body.id}/preview`, { version: 1 });
    expect(old.body).toMatchObject({ version: 1, footer: 'Responda SAIR para não receber mais' });

    // A sync finds nothing to change: no spurious version from the provider's echo of our components.
    const sync = await api('POST', '/templates/sync', {});
    expect(sync.status).toBe(200);
    expect(sync.body).toMatchObject({ waba_id: waba, created: 0 });
    expect((await api('GET', `/templates/${created.body.id}`)).body.version).toBe(2);
  });

  it('records quality and pause events from the provider, and a sync keeps drafts and finds templates made elsewhere', async () => {
    const created = await api('POST', '/templates', { ...shipped('pedido_enviado_v3'), submit: true });
    await statusOf(created.body.id, 'APPROVED');
    const paused = await graph('POST', `/sandbox/v1/templates/${created.body.provider_template_id}/status`, { status: 'PAUSED' });
    expect(paused.status).toBe(200);
    const detail = await statusOf(created.body.id, 'PAUSED');
    expect(detail.quality_score).toBe('RED');
    expect(detail.history.filter((e: Json) => e.kind === 'quality')).toMatchObject([{ quality_score: 'RED', source: 'webhook' }]);
    expect(detail.history.filter((e: Json) => e.kind === 'status').at(-1)).toMatchObject({ status: 'PAUSED', previous_status: 'APPROVED', source: 'webhook' });

    const draft = await api('POST', '/templates', { ...shipped('rascunho_sync') });
    const elsewhere = await graph('POST', `/v23.0/${waba}/message_templates`, shipped('feito_no_manager'));
    expect(elsewhere.status).toBe(200);
    const sync = await api('POST', '/templates/sync', { phone_number: pn });
    expect(sync.body.created).toBe(1);
    const found = (await api('GET', '/templates?name=feito_no_manager')).body.data;
    expect(found).toMatchObject([{ name: 'feito_no_manager', provider_template_id: elsewhere.body.id, version: 1 }]);
    expect((await api('GET', `/templates/${draft.body.id}`)).body).toMatchObject({ status: 'DRAFT', version: 1 });

    // Deleted in WhatsApp Manager: the next sync marks it DELETED and keeps its history.
    await graph('DELETE', `/v23.0/${waba}/message_templates?name=feito_no_manager`);
    const resync = await api('POST', '/templates/sync', {});
    expect(resync.status).toBe(200);
    // This sync finds the deletion, unless the background sync got there first: the sandbox's
    // status webhook about the new template can arrive before the sync above made it known here,
    // and a webhook about an unknown template wakes the periodic sync.
    expect(resync.body.deleted).toBeLessThanOrEqual(1);
    const gone = await api('GET', `/templates/${found[0].id}`);
    expect(gone.body).toMatchObject({ status: 'DELETED', deleted_at: expect.any(String) });
    expect(gone.body.history.at(-1)).toMatchObject({ status: 'DELETED', source: 'sync' });
  });

  it('deletes a template at the sandbox and keeps it here as DELETED; lists with filters and a cursor', async () => {
    const created = await api('POST', '/templates', { ...shipped('pedido_para_apagar'), submit: true });
    await statusOf(created.body.id, 'APPROVED');
    const deleted = await api('DELETE', `/templates/${created.body.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ status: 'DELETED', deleted_at: expect.any(String) });
    expect((await graph('GET', `/v23.0/${created.body.provider_template_id}`)).status).toBe(400);
    expect((await graph('GET', `/v23.0/${waba}/message_templates?name=pedido_para_apagar`)).body.data).toEqual([]);
    expect((await api('GET', '/templates?name=pedido_para_apagar')).body.data).toEqual([]);
    expect((await api('GET', '/templates?name=pedido_para_apagar&status=DELETED')).body.data).toHaveLength(1);
    expect((await api('DELETE', `/templates/${created.body.id}`)).status).toBe(404);
    const refused = await api('POST', '/messages', { to: '+5511933330003', type: 'template', template: { name: 'pedido_para_apagar', language: { code: 'pt_BR' } } });
    expect(refused.body.error.code).toBe('CONVERSA_ERR_TEMPLATE_NOT_FOUND');
    // The name is free again.
    expect((await api('POST', '/templates', shipped('pedido_para_apagar'))).status).toBe(201);

    for (const name of ['lista_a', 'lista_b', 'lista_c']) await api('POST', '/templates', { ...shipped(name), category: 'MARKETING' });
    const first = await api('GET', '/templates?name=lista_&category=MARKETING&limit=2');
    expect(first.body.data.map((t: Json) => t.name)).toEqual(['lista_c', 'lista_b']);
    const second = await api('GET', `/templates?name=lista_&category=MARKETING&limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body).toMatchObject({ data: [{ name: 'lista_a' }], next_cursor: null });
    expect((await api('GET', '/templates?status=DRAFT&name=lista_')).body.data).toHaveLength(3);
  });

  it('answers bad input with a 4xx naming the field', async () => {
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/templates', { ...shipped('x'), category: 'PROMO' }, 400, 'body.category'],
      ['POST', '/templates', { name: 'x', language: 'pt_BR', category: 'UTILITY' }, 400, 'body.components'],
      ['POST', '/templates', { ...shipped('x'), components: [{ type: 'CAROUSEL' }] }, 400, 'body.components.0.type'],
      ['POST', '/templates', { ...shipped('x'), components: [{ type: 'BODY', text: 'Oi', buttons: [{ type: 'URL', url: { href: 'x' } }] }] }, 400, 'body.components.0.buttons.0.url'],
      ['POST', '/templates/lint', { name: 'x', language: 'pt_BR', category: 'UTILITY', components: [] }, 400, 'body.components'],
      ['POST', '/templates', { ...shipped('x'), phone_number: 'nope' }, 404, 'phone_number'],
      ['POST', '/templates', shipped('pedido_enviado_v1'), 409, 'name'],
      ['PATCH', '/templates/tpl_missing', { components: shipped('x').components }, 404, ''],
      ['GET', '/templates?limit=0', undefined, 400, 'querystring.limit'],
    ];
    for (const [method, path, body, status, field] of cases) {
      const answer = await api(method, path, body);
      expect(answer.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
      if (field) expect(answer.body.error.details.field, `${method} ${path}`).toBe(field);
    }
    const draft = await api('POST', '/templates', shipped('sem_mudanca'));
    expect((await api('PATCH', `/templates/${draft.body.id}`, {})).body.error.details.field).toBe('body');
    const pending = await api('POST', `/templates/${draft.body.id}/submit`, {});
    expect(pending.body.status).toBe('PENDING');
    const notNow = await api('PATCH', `/templates/${draft.body.id}`, { components: shipped('x').components });
    expect([409, 200]).toContain(notNow.status); // 409 while PENDING; the 50 ms review may already have answered
    if (notNow.status === 409) expect(notNow.body.error.code).toBe('CONVERSA_ERR_TEMPLATE_STATE');
  });

  it('documents the template routes in the OpenAPI document', async () => {
    const doc: Json = await (await fetch(`${running.started.platformUrl}/api/v1/openapi.json`)).json();
    for (const path of ['/api/v1/templates', '/api/v1/templates/{id}', '/api/v1/templates/{id}/submit', '/api/v1/templates/{id}/preview', '/api/v1/templates/lint', '/api/v1/templates/sync']) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
    expect(doc.paths['/api/v1/templates'].post.requestBody.content['application/json'].schema.properties.category.enum).toEqual(['MARKETING', 'UTILITY', 'AUTHENTICATION']);
  });
});
