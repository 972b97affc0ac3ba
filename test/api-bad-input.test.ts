import { createHash, createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_KEY } from './support/app.js';
import { ABSURD_IDS, bodyProbes, errorShapeProblem, fillPath, judge, operationsOf, queryVariants, sampleOf, send, type Answer, type Operation, type Probe } from './support/bad-input.js';
import { DIALECTS } from './support/databases.js';
import { injectKeepsUrl, injectSend } from './support/inject.js';
import { approvedTemplate, useApp } from './support/use-app.js';
import { pngFile } from './support/media-files.js';
import { until, type Json } from './support/wait.js';

/**
 * "Every endpoint and file format answers bad input with a clear 4xx naming the field and the
 * rule, never a 500, and nothing stored is lost or corrupted." The sweep walks every operation
 * of /api/v1/openapi.json, so a new route is covered the day it is added.
 */

const TEMPLATE = 'aviso_varredura';
const INVOICE = {
  number: 'SWEEP-1',
  due_date: '2030-12-10',
  seller: { name: 'Padaria Pão Quente Ltda.', document: '11.222.333/0001-81' },
  customer: { name: 'João Conceição', document: '529.982.247-25' },
  items: [{ description: 'Pão de queijo (kg)', quantity: 1.5, unit_price: '39.90' }],
};
const CONTACTS_CSV = 'phone,name\n+5511955550020,Zé\n';

describe.each(DIALECTS)('bad input on every endpoint ($name)', (dialect) => {
  // The opt-in probes each come from their own X-Forwarded-For, so the pages' rate limit does not answer them all.
  const running = useApp(dialect, { env: { CONVERSA_TRUST_PROXY: '127.0.0.1' } });
  let operations: Operation[];
  let otherKey: string;
  /** Ids of workspace A's resources that bad input must never change, by the path's first segment. */
  const witness: Record<string, string> = {};
  /** Ids of resources the body sweep may touch (a probe that is valid after all may change them). */
  const target: Record<string, string> = {};
  let before: Record<string, string>;
  const futureSendAt = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();

  const base = () => running.started.platformUrl;
  const api = running.api;
  const sandbox = running.sandbox;
  const created = async (method: string, path: string, body: unknown): Promise<string> => {
    const answer = await api(method, path, body);
    expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
    return answer.body.id as string;
  };
  const multipart = (parts: Array<{ name: string; filename?: string; type?: string; data: string | Buffer }>, boundary = 'sweepBoundary') =>
    Buffer.concat([
      ...parts.flatMap((part) => [
        Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}\r\n${part.type ? `content-type: ${part.type}\r\n` : ''}\r\n`),
        Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data),
        Buffer.from('\r\n'),
      ]),
      Buffer.from(`--${boundary}--\r\n`),
    ]);

  /** A body the operation's schema accepts (and, where known, that the handler accepts too). */
  const exampleBody = (op: Operation): unknown => {
    const pn = running.started.sandboxNumber?.phone_number_id as string;
    const examples: Record<string, unknown> = {
      'POST /api/v1/contacts': { phone: '+5511955550010', name: 'Varredura' },
      'PATCH /api/v1/contacts/{id}': { name: 'Varredura' },
      'POST /api/v1/contacts/{id}/consents': { purpose: 'marketing', status: 'opted_in', source: 'web_form', text: 'Quero receber ofertas da Conversa Sandbox pelo WhatsApp.' },
      'POST /api/v1/messages': { to: '+5511955550002', type: 'text', text: { body: 'Oi' } },
      'POST /api/v1/notifications': { to: '+5511955550002', template: TEMPLATE, language: 'pt_BR', parameters: ['Ana'], send_at: futureSendAt },
      'POST /api/v1/phone-numbers': { provider: 'sandbox', verified_name: 'Varredura' },
      'POST /api/v1/webhooks': { url: 'https://example.com/hooks/sweep', events: ['*'], active: false },
      'PATCH /api/v1/webhooks/{id}': { description: 'varredura' },
      'POST /api/v1/campaigns': { name: 'Varredura', from: pn, template: { name: TEMPLATE, language: 'pt_BR' }, audience: { type: 'filter', filter: { tags: ['vip'] } } },
      'POST /api/v1/templates': { name: 'varredura_nova', language: 'pt_BR', category: 'UTILITY', components: [{ type: 'BODY', text: 'Seu pedido chegou.' }] },
      'POST /api/v1/templates/lint': { name: 'varredura_lint', language: 'pt_BR', category: 'UTILITY', components: [{ type: 'BODY', text: 'Seu pedido chegou.' }] },
      'PATCH /api/v1/templates/{id}': { components: [{ type: 'BODY', text: 'Seu pedido chegou hoje.' }] },
      'POST /api/v1/templates/{id}/preview': { body: ['Ana'] },
      'POST /api/v1/invoices': { ...INVOICE, number: 'SWEEP-2' },
      'POST /api/v1/pix': { key: '+5511988887777', merchant_name: 'Padaria', merchant_city: 'Sao Paulo', amount: '10.00' },
      'PATCH /api/v1/phone-numbers/{id}/profile': { about: 'Varredura' },
      'POST /api/v1/phone-numbers/{id}/register': { pin: '123456' },
      'POST /api/v1/phone-numbers/{id}/verify-code': { code: '123456' },
      'POST /api/v1/phone-numbers/{id}/two-step': { pin: '123456' },
      'PUT /api/v1/phone-numbers/{id}/automation': { prompts: ['Varredura'] },
      'POST /api/v1/groups': { subject: 'Varredura' },
      'PATCH /api/v1/groups/{id}': { subject: 'Varredura' },
      'POST /api/v1/groups/{id}/join-requests/approve': { join_request_ids: ['varredura'] },
      'POST /api/v1/groups/{id}/join-requests/reject': { join_request_ids: ['varredura'] },
      'POST /api/v1/groups/{id}/participants/remove': { wa_ids: ['5511955550002'] },
      'POST /api/v1/leads': { contact_id: target.contacts, source: { type: 'api', id: 'varredura' }, fields: { plano: 'varredura' } },
      'PUT /api/v1/leads/sources': { type: 'api', id: 'varredura', keywords: ['varredura'] },
    };
    const key = `${op.method} ${op.path}`;
    return key in examples ? examples[key] : op.body ? sampleOf(op.body) : undefined;
  };
  const resourceOf = (op: Operation) => op.path.split('/')[3] ?? '';
  // A lead source's `type` is an enum: a valid one, so the sweep reaches the body and the id.
  const idsFor = (op: Operation, ids: Record<string, string>) => Object.fromEntries(op.pathParams.map((name) => [name, name === 'id' ? (ids[resourceOf(op)] ?? 'zz_unknown') : name === 'type' && resourceOf(op) === 'leads' ? 'api' : 'zz_unknown']));
  /** The headers of a 200x200 JPEG (APP0 + SOF0): a group picture Meta's rules accept. */
  const squareJpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xc0, 0x00, 0x11, 8, 0, 200, 0, 200, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9]);
  /** File uploads have no JSON schema in the document: their bodies are given here. */
  const fileBody = (op: Operation): Pick<Probe, 'headers' | 'body'> | undefined => {
    if (op.path === '/api/v1/campaigns/{id}/audience') return { headers: { 'content-type': 'text/csv' }, body: 'phone\n+5511955550030\n' };
    if (op.path === '/api/v1/contacts/import') return { headers: { 'content-type': 'text/csv' }, body: CONTACTS_CSV };
    if (op.path === '/api/v1/media') return { headers: { 'content-type': 'multipart/form-data; boundary=sweepBoundary' }, body: multipart([{ name: 'file', filename: 'a.png', type: 'image/png', data: pngFile() }]) };
    if (op.path === '/api/v1/phone-numbers/{id}/profile/picture' || op.path === '/api/v1/phone-numbers/{id}/uploads') return { headers: { 'content-type': 'multipart/form-data; boundary=sweepBoundary' }, body: multipart([{ name: 'file', filename: 'a.jpg', type: 'image/jpeg', data: squareJpeg }]) };
    if (op.path === '/api/v1/groups/{id}/picture') return { headers: { 'content-type': 'multipart/form-data; boundary=sweepBoundary' }, body: multipart([{ name: 'file', filename: 'a.jpg', type: 'image/jpeg', data: squareJpeg }]) };
    return undefined;
  };
  const validRequest = (op: Operation, ids: Record<string, string>): Omit<Probe, 'name' | 'must'> => {
    const body = exampleBody(op);
    const file = fileBody(op);
    return {
      method: op.method,
      url: fillPath(op.path, idsFor(op, ids)),
      ...(file ?? (body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })),
    };
  };
  const withKey = (probe: Omit<Probe, 'name' | 'must'>, key: string | undefined): Omit<Probe, 'name' | 'must'> => ({ ...probe, headers: { ...probe.headers, ...(key === undefined ? {} : { authorization: key }) } });

  /** Sends each probe with the admin key and returns one line per wrong answer. */
  const sweep = async (probes: Probe[]): Promise<string[]> => {
    const failures: string[] = [];
    for (const probe of probes) {
      let answer: Answer;
      try {
        // Through inject() when it receives the URL as sent (no socket per probe); over a socket otherwise.
        const request = withKey(probe, `Bearer ${TEST_ADMIN_KEY}`);
        answer = injectKeepsUrl(request.url) ? await injectSend(running.app.http, request) : await send(base(), request);
      } catch (error) {
        failures.push(`${probe.method} ${probe.url.slice(0, 120)} [${probe.name}]: ${(error as Error).message}`);
        continue;
      }
      const problem = judge(probe, answer);
      if (problem) failures.push(`${probe.method} ${probe.url.slice(0, 120)} [${probe.name}]: ${problem}`);
    }
    return failures;
  };

  /** What the witnesses look like: JSON of each read, and hashes of stored files. */
  const snapshot = async (): Promise<Record<string, string>> => {
    const reads = [
      `/contacts/${witness.contacts}`,
      `/contacts/${witness.contacts}/consents`,
      `/messages/${witness.messages}`,
      `/notifications/${witness.notifications}`,
      `/templates/${witness.templates}`,
      `/campaigns/${witness.campaigns}`,
      `/invoices/${witness.invoices}`,
      `/media/${witness.media}`,
      `/webhooks/${witness.webhooks}`,
      `/phone-numbers/${witness['phone-numbers']}`,
      `/phone-numbers/${witness['phone-numbers']}/messaging-limit`,
    ];
    const state: Record<string, string> = {};
    for (const path of reads) {
      const answer = await send(base(), { method: 'GET', url: `/api/v1${path}`, headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
      expect(answer.status, path).toBe(200);
      state[path] = answer.text;
    }
    for (const path of [`/media/${witness.media}/content`, `/invoices/${witness.invoices}/pdf`]) {
      const response = await fetch(`${base()}/api/v1${path}`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
      expect(response.status, path).toBe(200);
      state[path] = createHash('sha256').update(Buffer.from(await response.arrayBuffer())).digest('hex');
    }
    return state;
  };

  const createApprovedTemplate = async () => {
    await approvedTemplate(running, {
      name: TEMPLATE,
      language: 'pt_BR',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Olá {{1}}, seu pedido chegou.', example: { body_text: [['Maria']] } }],
    });
  };

  beforeAll(async () => {
    const pn = running.started.sandboxNumber?.phone_number_id as string;
    const document = (await api('GET', '/openapi.json')).body as { paths: Record<string, Record<string, never>> };
    operations = operationsOf(document);
    expect(operations.length).toBeGreaterThan(50);

    await createApprovedTemplate();
    witness.contacts = await created('POST', '/contacts', { phone: '+5511955550001', name: 'Testemunha' });
    target.contacts = await created('POST', '/contacts', { phone: '+5511955550002', name: 'Alvo' });
    await created('POST', `/contacts/${witness.contacts}/consents`, { purpose: 'marketing', status: 'opted_in', source: 'web_form', text: 'Quero receber ofertas da Conversa Sandbox pelo WhatsApp.' });
    await sandbox('POST', '/sandbox/v1/phones/5511955550001/messages', { to: pn, type: 'text', text: { body: 'Olá, sou a testemunha' } });
    const conversation = await until(async () => (await api('GET', `/conversations?contact_id=${witness.contacts}&messages=5`)).body.data[0]?.last_messages?.[0], 'the inbound message');
    witness.messages = conversation.id as string;
    // A message of its own for the body sweep: a valid body marks it read (POST /messages/{id}/read).
    await sandbox('POST', '/sandbox/v1/phones/5511955550002/messages', { to: pn, type: 'text', text: { body: 'Olá, sou o alvo' } });
    target.messages = (await until(async () => (await api('GET', `/conversations?contact_id=${target.contacts}&messages=5`)).body.data[0]?.last_messages?.[0], 'the target inbound message')).id as string;
    const draft = (name: string) => ({ name, language: 'pt_BR', category: 'UTILITY', components: [{ type: 'BODY', text: 'Seu pedido chegou.' }] });
    witness.templates = await created('POST', '/templates', draft('varredura_testemunha'));
    target.templates = await created('POST', '/templates', draft('varredura_alvo'));
    const notification = { to: '+5511955550001', template: TEMPLATE, language: 'pt_BR', parameters: ['Ana'], send_at: futureSendAt };
    witness.notifications = await created('POST', '/notifications', notification);
    target.notifications = await created('POST', '/notifications', { ...notification, to: '+5511955550002' });
    const campaign = { name: 'Testemunha', template: { name: TEMPLATE, language: 'pt_BR' }, audience: { type: 'filter', filter: { tags: ['vip'] } } };
    witness.campaigns = await created('POST', '/campaigns', campaign);
    target.campaigns = await created('POST', '/campaigns', { ...campaign, name: 'Alvo' });
    witness.invoices = await created('POST', '/invoices', INVOICE);
    target.invoices = witness.invoices;
    const png = await send(base(), { method: 'POST', url: '/api/v1/media', headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'multipart/form-data; boundary=sweepBoundary' }, body: multipart([{ name: 'file', filename: 'logo.png', type: 'image/png', data: pngFile({ width: 3, height: 3 }) }]) });
    expect(png.status, png.text).toBe(201);
    witness.media = (png.json as { id: string }).id;
    target.media = witness.media;
    const hook = { url: 'https://example.com/hooks/conversa', events: ['*'], active: false };
    witness.webhooks = await created('POST', '/webhooks', hook);
    target.webhooks = await created('POST', '/webhooks', hook);
    witness['phone-numbers'] = (await api('GET', `/phone-numbers/${pn}`)).body.id as string;
    target['phone-numbers'] = witness['phone-numbers'];

    const flow = (name: string) => ({ source: `name: ${name}\nsteps:\n  - type: end\n    text: oi\n`, format: 'yaml' });
    witness.flows = await created('POST', '/flows', flow('varredura-testemunha'));
    target.flows = await created('POST', '/flows', flow('varredura-alvo'));

    const other = await running.app.modules.workspaces.create('Outra empresa');
    otherKey = (await running.app.modules.apiKeys.create({ workspaceId: other.id, name: 'outra', scopes: ['admin'] })).key;
    before = await snapshot();
  });

  it('answers malformed JSON bodies of every operation with a 4xx naming the field', async () => {
    const probes = operations.filter((op) => op.body).flatMap((op) => bodyProbes(op.method, fillPath(op.path, idsFor(op, target)), op.body ?? {}, exampleBody(op)));
    expect(probes.length).toBeGreaterThan(500);
    expect(await sweep(probes)).toEqual([]);
  });

  it('answers absurd path parameters of every operation with a 4xx', async () => {
    const probes: Probe[] = [];
    for (const op of operations) {
      const valid = validRequest(op, target);
      for (const param of op.pathParams) {
        for (const absurd of ABSURD_IDS) {
          const url = fillPath(op.path, { ...Object.fromEntries(Object.entries(idsFor(op, target)).map(([k, v]) => [k, encodeURIComponent(v)])), [param]: absurd.encoded }, true);
          probes.push({ ...valid, name: `${param}: ${absurd.name}`, url, must: true });
        }
      }
    }
    expect(probes.length).toBeGreaterThan(200);
    expect(await sweep(probes)).toEqual([]);
  });

  it('answers bad query strings (cursors, limits, filters) of every operation with a 4xx, or ignores them', async () => {
    const probes: Probe[] = [];
    for (const op of operations) {
      const valid = validRequest(op, op.method === 'GET' ? witness : target);
      for (const [name, schema] of Object.entries(op.query)) {
        for (const variant of queryVariants(schema)) {
          const query = variant.encoded === 'REPEATED' ? `${name}=1&${name}=2` : `${name}=${variant.encoded}`;
          probes.push({ ...valid, name: `${name}: ${variant.name}`, url: `${valid.url}?${query}`, must: variant.must });
        }
      }
      if (Object.keys(op.query).length > 0) probes.push({ ...valid, name: 'malformed query string', url: `${valid.url}?%zz=%&&=&limit`, must: false });
    }
    expect(probes.length).toBeGreaterThan(200);
    expect(await sweep(probes)).toEqual([]);
  });

  it('answers bad file uploads (CSV, multipart) with a 4xx naming what is wrong', async () => {
    const csv = (body: string | Buffer) => ({ headers: { 'content-type': 'text/csv' }, body });
    const form = (parts: Parameters<typeof multipart>[0], boundary?: string) => ({ headers: { 'content-type': `multipart/form-data; boundary=${boundary ?? 'sweepBoundary'}` }, body: multipart(parts, boundary) });
    const cases: Array<{ url: string; name: string; request: Pick<Probe, 'headers' | 'body'>; must: boolean }> = [];
    const media = '/api/v1/media';
    cases.push(
      { url: media, name: 'JSON instead of multipart', request: { headers: { 'content-type': 'application/json' }, body: '{"file":"x"}' }, must: true },
      { url: media, name: 'text/plain', request: { headers: { 'content-type': 'text/plain' }, body: 'hello' }, must: true },
      { url: media, name: 'no file part', request: form([{ name: 'filename', data: 'a.png' }]), must: true },
      { url: media, name: 'file under another name', request: form([{ name: 'upload', filename: 'a.png', type: 'image/png', data: pngFile() }]), must: true },
      { url: media, name: 'empty file', request: form([{ name: 'file', filename: 'a.png', type: 'image/png', data: '' }]), must: true },
      { url: media, name: 'unknown bytes', request: form([{ name: 'file', filename: 'a.bin', type: 'application/octet-stream', data: Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) }]), must: true },
      { url: media, name: 'executable', request: form([{ name: 'file', filename: 'a.exe', type: 'application/octet-stream', data: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]) }]), must: true },
      { url: media, name: 'two files', request: form([{ name: 'file', filename: 'a.png', type: 'image/png', data: pngFile() }, { name: 'file', filename: 'b.png', type: 'image/png', data: pngFile() }]), must: true },
      { url: media, name: 'truncated multipart', request: { headers: { 'content-type': 'multipart/form-data; boundary=sweepBoundary' }, body: '--sweepBoundary\r\ncontent-disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG' }, must: true },
      { url: media, name: 'multipart without boundary', request: { headers: { 'content-type': 'multipart/form-data' }, body: 'nothing' }, must: true },
      { url: media, name: 'boundary mismatch', request: { headers: { 'content-type': 'multipart/form-data; boundary=sweepBoundary' }, body: multipart([{ name: 'file', filename: 'a.png', data: pngFile() }], 'other') }, must: true },
      { url: media, name: 'NUL in the filename field', request: form([{ name: 'filename', data: 'a\u0000.png' }, { name: 'file', filename: 'a.png', type: 'image/png', data: pngFile() }]), must: false },
      { url: media, name: 'NUL in the part filename', request: form([{ name: 'file', filename: 'a\u0000.png', type: 'image/png', data: pngFile() }]), must: false },
      { url: media, name: 'huge filename field', request: form([{ name: 'filename', data: 'x'.repeat(5000) }, { name: 'file', filename: 'a.png', type: 'image/png', data: pngFile() }]), must: false },
      { url: media, name: 'path in filename', request: form([{ name: 'file', filename: '../../etc/passwd', type: 'image/png', data: pngFile() }]), must: false },
    );
    const imports = '/api/v1/contacts/import';
    cases.push(
      { url: imports, name: 'JSON instead of CSV', request: { headers: { 'content-type': 'application/json' }, body: '{"phone":"+5511955550021"}' }, must: true },
      { url: imports, name: 'empty CSV', request: csv(''), must: true },
      { url: imports, name: 'multipart without file', request: form([{ name: 'other', data: 'x' }]), must: true },
      { url: imports, name: 'truncated multipart', request: { headers: { 'content-type': 'multipart/form-data; boundary=sweepBoundary' }, body: '--sweepBoundary\r\ncontent-disposition: form-data; name="file"; filename="a.csv"\r\n\r\nphone\n+55119' }, must: true },
      { url: imports, name: 'multipart without boundary', request: { headers: { 'content-type': 'multipart/form-data' }, body: 'nothing' }, must: true },
      { url: imports, name: 'NUL in the header', request: csv('phone,ci\u0000dade\n+5511955550028,Rio\n'), must: false },
      { url: imports, name: 'UTF-16 file', request: csv(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('phone,name\n+5511955550029,Ana\n', 'utf16le')])), must: false },
      { url: imports, name: 'unbalanced quotes', request: csv('phone,name\n"+5511955550022,"Zé\n+5511955550023,Ana\n'), must: false },
      { url: imports, name: 'no phone column', request: csv('name,city\nZé,Rio\n'), must: false },
      { url: imports, name: 'binary bytes', request: csv(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x0a])), must: false },
      { url: imports, name: 'NUL in cells', request: csv('phone,name,cidade\n+5511955550024,Z\u0000é,R\u0000io\n'), must: false },
      { url: imports, name: 'ragged rows', request: csv('phone,name\n+5511955550025\n+5511955550026,Ana,extra,more\n'), must: false },
      { url: imports, name: '2,000 columns', request: csv(`phone,${Array.from({ length: 2000 }, (_, i) => `c${i}`).join(',')}\n+5511955550027,${'v,'.repeat(1999)}v\n`), must: false },
      { url: imports, name: 'header only', request: csv('phone,name\n'), must: false },
      { url: `${imports}?encoding=latin9`, name: 'unknown encoding', request: csv(CONTACTS_CSV), must: true },
      { url: `${imports}?default_country=ZZ`, name: 'unknown country', request: csv(CONTACTS_CSV), must: true },
    );
    const audience = `/api/v1/campaigns/${target.campaigns}/audience`;
    const csvCampaign = await created('POST', '/campaigns', { name: 'CSV', template: { name: TEMPLATE, language: 'pt_BR' }, audience: { type: 'csv' } });
    const csvAudience = `/api/v1/campaigns/${csvCampaign}/audience`;
    cases.push(
      { url: audience, name: 'JSON instead of CSV', request: { headers: { 'content-type': 'application/json' }, body: '{"phone":"+5511955550031"}' }, must: true },
      { url: audience, name: 'multipart instead of CSV', request: form([{ name: 'file', filename: 'a.csv', type: 'text/csv', data: 'phone\n+5511955550032\n' }]), must: true },
      { url: audience, name: 'CSV on a filter campaign', request: csv('phone\n+5511955550033\n'), must: true },
      { url: csvAudience, name: 'unbalanced quotes', request: csv('phone,nome\n"+5511955550034,"Zé\n+5511955550035,Ana\n'), must: false },
      { url: csvAudience, name: 'no phone column', request: csv('name,city\nZé,Rio\n'), must: false },
      { url: csvAudience, name: 'binary bytes', request: csv(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x0a])), must: false },
      { url: csvAudience, name: 'NUL in cells', request: csv('phone,nome\n+5511955550036,Z\u0000é\n'), must: false },
      { url: csvAudience, name: 'empty', request: csv(''), must: false },
    );
    const failures = await sweep(cases.map((c) => ({ method: c.url.includes('/audience') ? 'PUT' : 'POST', url: c.url, name: c.name, must: c.must, ...c.request })));
    expect(failures).toEqual([]);
  });

  it('asks for a key before anything else: 401 without one, with a wrong one, or with another scheme', async () => {
    const failures: string[] = [];
    for (const op of operations) {
      const valid = validRequest(op, target);
      const bad = op.body ? { ...valid, headers: { 'content-type': 'application/json' }, body: '{"broken": ' } : valid;
      for (const [name, request] of [
        ['no key', withKey(valid, undefined)],
        ['unknown key', withKey(valid, 'Bearer cv_live_not_a_real_key')],
        ['Basic auth', withKey(valid, 'Basic YWRtaW46YWRtaW4=')],
        ['empty bearer', withKey(valid, 'Bearer ')],
        ['no key and a broken body', withKey(bad, undefined)],
      ] as const) {
        const answer = await send(base(), request);
        if (answer.status !== 401 || errorShapeProblem(answer)) failures.push(`${op.method} ${op.path} [${name}]: ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("keeps workspaces apart: another workspace's key finds none of this workspace's resources and changes none", async () => {
    const failures: string[] = [];
    const ids = Object.values(witness);
    for (const op of operations) {
      const request = withKey(validRequest(op, witness), `Bearer ${otherKey}`);
      const answer = await send(base(), request);
      if (op.pathParams.length > 0) {
        if (answer.status !== 404 || errorShapeProblem(answer)) failures.push(`${op.method} ${request.url}: expected 404, got ${answer.status} ${answer.text.slice(0, 200)}`);
      } else if (op.method === 'GET') {
        if (answer.status !== 200) failures.push(`${op.method} ${request.url}: ${answer.status} ${answer.text.slice(0, 200)}`);
        const leaked = ids.filter((id) => answer.text.includes(id));
        if (leaked.length > 0) failures.push(`${op.method} ${request.url} shows the other workspace's ${leaked.join(', ')}`);
      }
      if (answer.status >= 500) failures.push(`${op.method} ${request.url}: ${answer.status} ${answer.text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    expect((await api('GET', `/contacts/${witness.contacts}`, undefined, { token: otherKey })).body.error.code).toBe('CONVERSA_ERR_NOT_FOUND');
  });

  it("answers junk on Meta's webhook endpoint with a 4xx, and signed junk never stops the processing of real messages", async () => {
    const pn = running.started.sandboxNumber?.phone_number_id as string;
    const waba = running.started.sandboxNumber?.waba_id as string;
    const verifyToken = (await api('GET', `/phone-numbers/${pn}`)).body.webhook.verify_token as string;
    const [secret] = await running.app.modules.phoneNumbers.webhookSecretsFor(waba);
    const signed = (payload: unknown) => {
      const body = JSON.stringify(payload);
      return { headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', secret?.appSecret ?? '').update(body).digest('hex')}` }, body };
    };
    const verify = (query: string) => ({ method: 'GET', url: `/webhooks/whatsapp?${query}`, must: true });
    const post = (request: Pick<Probe, 'headers' | 'body'>, must = true) => ({ method: 'POST', url: '/webhooks/whatsapp', must, ...request });
    const envelope = (value: unknown, field: unknown = 'messages') => ({ object: 'whatsapp_business_account', entry: [{ id: waba, changes: [{ field, value }] }] });
    const probes: Array<Omit<Probe, 'name'> & { name?: string }> = [
      verify(''),
      verify('hub.mode=subscribe'),
      verify('hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=x'),
      verify('hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong'),
      verify(`hub.mode=subscribe&hub.challenge=1&hub.verify_token=${verifyToken}&hub.verify_token=other`),
      verify('hub.mode=subscribe&hub.mode=subscribe&hub.challenge=1&hub.verify_token=x'),
      verify(`hub.mode=subscribe&hub.challenge=1&hub.challenge=2&hub.verify_token=${verifyToken}`),
      verify(`hub.mode=subscribe&hub.challenge=%00&hub.verify_token=%00`),
      post({ headers: { 'content-type': 'text/plain' }, body: 'hello' }),
      post({ headers: {}, body: '{}' }),
      post({ headers: { 'content-type': 'application/json' }, body: '{"entry": [' }),
      post({ headers: { 'content-type': 'application/json' }, body: 'null' }),
      post({ headers: { 'content-type': 'application/json' }, body: '[]' }),
      post({ headers: { 'content-type': 'application/json' }, body: '"entry"' }),
      post({ headers: { 'content-type': 'application/json' }, body: '{"entry": "x"}' }),
      post({ headers: { 'content-type': 'application/json' }, body: '{"entry": [null]}' }),
      post({ headers: { 'content-type': 'application/json' }, body: '{"entry": [{"id": 123}]}' }),
      post({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope({})) }),
      post({ headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' }, body: JSON.stringify(envelope({})) }),
      post({ headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'md5=zz' }, body: JSON.stringify(envelope({})) }),
      post({ headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x--' }),
      post({ headers: { 'content-type': 'application/json' }, body: `{"entry":[{"id":"${waba}"}],"pad":"${'x'.repeat(5 * 1024 * 1024)}"}` }),
      // Signed by the right secret, but not shaped like Meta's payloads: stored (200) or refused, never a 500.
      ...[
        { object: 'whatsapp_business_account', entry: [{ id: waba, changes: 'x' }] },
        { object: 'whatsapp_business_account', entry: [{ id: waba, changes: [null, 5, 'x'] }] },
        envelope(null),
        envelope('x'),
        envelope({ messages: 'x', statuses: 5, contacts: 'abc' }),
        envelope({ messages: [{ id: 'wamid.junk1', from: 5511955550040, type: 'text', text: 5 }], contacts: { wa_id: 'x' } }),
        envelope({ messages: [{ id: 'wamid.junk2', from: '5511955550040', type: 'text', text: { body: { nested: true } }, timestamp: 'yesterday' }], contacts: 'abc' }),
        envelope({ messages: [{ id: 'wamid.junk3', from: '5511955550040', type: 'image', image: null, timestamp: '1' }] }),
        envelope({ messages: [{ id: 'wamid.junk4', from: null, type: 'nonsense' }] }),
        envelope({ messages: [{ id: 'wamid.junk5', from: '\u0000', type: 'text', text: { body: 'nul\u0000' }, timestamp: '-1' }] }),
        envelope({ statuses: [{ id: 'wamid.nope', status: 'delivered', timestamp: 'x', recipient_id: {} }] }),
        envelope({ statuses: [{ id: 'wamid.nope2', status: 'exploded', errors: 'x', pricing: 5, conversation: [] }] }),
        envelope({ event: 'APPROVED', message_template_id: { x: 1 }, message_template_name: 5 }, 'message_template_status_update'),
        envelope({ anything: true }, 12),
      ].map((payload) => post(signed(payload), false)),
    ];
    const failures: string[] = [];
    for (const probe of probes) {
      const answer = await send(base(), probe);
      const problem = judge(probe, answer);
      if (problem) failures.push(`${probe.method} ${probe.url} ${String(probe.body ?? '').slice(0, 150)}: ${problem}`);
    }
    expect(failures).toEqual([]);

    // The junk is stored or refused; the real message that follows is still processed.
    await sandbox('POST', '/sandbox/v1/phones/5511955550041/messages', { to: pn, type: 'text', text: { body: 'depois do lixo' } });
    await until(async () => {
      const contact = await api('POST', '/contacts', { phone: '+5511955550041' });
      const conversation = (await api('GET', `/conversations?contact_id=${contact.body.id}&messages=5`)).body.data[0];
      return conversation?.last_messages?.some((m: Json) => JSON.stringify(m).includes('depois do lixo'));
    }, 'the real message after the junk to be processed');
  });

  it('answers junk on the public opt-in pages with a 4xx page, and on their link and QR code with a 4xx JSON error', async () => {
    const pn = running.started.sandboxNumber?.phone_number_id as string;
    let ip = 0;
    const page = (method: string, url: string, request: Pick<Probe, 'headers' | 'body'> = {}) => ({ method, url, headers: { 'x-forwarded-for': `10.9.${Math.floor(ip / 250)}.${(ip++ % 250) + 1}`, ...request.headers }, body: request.body });
    const form = (body: string) => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const pages = [
      page('GET', '/optin/zz_nope'),
      page('GET', '/optin/%00'),
      page('GET', `/optin/${'a'.repeat(5000)}`),
      page('GET', `/optin/${encodeURIComponent('ação😀')}`),
      page('GET', '/optin/..%2F..%2Fetc'),
      page('POST', '/optin/zz_nope', form('name=a&phone=1&consent=yes')),
      page('POST', `/optin/${pn}`, form('')),
      page('POST', `/optin/${pn}`, form('name=Z%C3%A9&phone=abc&consent=yes')),
      page('POST', `/optin/${pn}`, form('name=Z%C3%A9&phone=%2B5511955550050&consent=yes')),
      page('POST', `/optin/${pn}`, form(`name=${'x'.repeat(5000)}&phone=%2B5511955550051&consent=yes&text_version=x`)),
      page('POST', `/optin/${pn}`, form('name=a&name=b&phone=%2B5511955550052&phone=%2B5511955550053&consent=yes&consent=no')),
      page('POST', `/optin/${pn}`, form('%zz=%&&=&phone')),
      page('POST', `/optin/${pn}`, form('name=Z%00%C3%A9&phone=%2B5511955550056%00&consent=yes')),
      page('POST', `/optin/${pn}`, form(`phone=${'9'.repeat(15_000)}`)),
      page('POST', `/optin/${pn}`, form(`phone=${'9'.repeat(20_000)}`)),
      page('POST', `/optin/${pn}`, { headers: { 'content-type': 'application/json' }, body: '{"phone": "+5511955550054", "consent": "yes"}' }),
      page('POST', `/optin/${pn}`, { headers: { 'content-type': 'application/json' }, body: '{"phone": ' }),
      page('POST', `/optin/${pn}`, { headers: { 'content-type': 'text/plain' }, body: 'phone=+5511955550055' }),
      page('POST', `/optin/${pn}`, { headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x--' }),
      page('POST', `/optin/${pn}?lang=xx&country=ZZZ`, form('phone=abc&consent=yes')),
      page('POST', `/optin/${pn}?lang=pt&lang=en&country=BR&country=US`, form('phone=abc&consent=yes')),
    ];
    const failures: string[] = [];
    for (const request of pages) {
      const answer = await send(base(), request);
      if (answer.status < 400 || answer.status >= 500) failures.push(`${request.method} ${request.url.slice(0, 80)} ${String(request.body ?? '').slice(0, 80)}: ${answer.status} ${answer.text.slice(0, 200)}`);
    }
    const assets = [
      `/optin/${pn}/link?text=${'x'.repeat(600)}`,
      `/optin/${pn}/link?lang=xx`,
      `/optin/${pn}/qr.png?size=abc`,
      `/optin/${pn}/qr.png?size=99999`,
      `/optin/${pn}/qr.png?size=-1`,
      `/optin/${pn}/qr.svg?text=`,
      `/optin/${pn}/qr.svg?text=a&text=b`,
      '/optin/zz_nope/qr.svg',
      '/optin/%00/qr.png',
      `/optin/${'a'.repeat(65)}/link`,
      `/optin/${encodeURIComponent('ação')}/link`,
    ];
    for (const url of assets) {
      const answer = await send(base(), { method: 'GET', url });
      const problem = judge({ must: true }, answer);
      if (problem) failures.push(`GET ${url.slice(0, 100)}: ${problem}`);
    }
    expect(failures).toEqual([]);
  });

  it('keeps each 500 the sweep found a 4xx naming the field (or a success that stores clean text)', async () => {
    const pn = running.started.sandboxNumber?.phone_number_id as string;
    const waba = running.started.sandboxNumber?.waba_id as string;
    const admin = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
    const field = (answer: Answer) => (answer.json as Json)?.error?.details?.field as string | undefined;
    const get = (url: string, headers: Record<string, string> = admin) => send(base(), { method: 'GET', url, headers });

    // PostgreSQL cannot store U+0000: ids, cursors and JSON text holding it were 500s there.
    const nulId = await get('/api/v1/contacts/abc%00def');
    expect([nulId.status, field(nulId)]).toEqual([400, 'params.id']);
    const nulName = await api('POST', '/contacts', { phone: '+5511955550060', name: 'Z\u0000é' });
    expect([nulName.status, nulName.body.error?.details?.field]).toEqual([400, 'body.name']);
    const nulAttribute = await api('POST', '/contacts', { phone: '+5511955550060', attributes: { 'ci\u0000dade': 'Rio' } });
    expect([nulAttribute.status, nulAttribute.body.error?.details?.field]).toEqual([400, 'body.attributes.ci?dade']);
    const loneSurrogate = await api('POST', '/webhooks', { url: 'https://example.com/h', events: ['*'], description: 'half \ud800 a pair' });
    expect([loneSurrogate.status, loneSurrogate.body.error?.details?.field]).toEqual([400, 'body.description']);
    expect((await api('GET', '/contacts?tag=%00')).body.error.details.field).toBe('querystring.tag');
    // Cursors are the next_cursor of a page, not anything at all (an unknown one used to answer an empty page).
    const cursor = await api('GET', '/contacts?cursor=abc');
    expect([cursor.status, cursor.body.error?.details?.field]).toEqual([400, 'querystring.cursor']);
    // URLs the router cannot match answered Fastify's own error shape.
    for (const url of [`/api/v1/contacts/${'a'.repeat(5000)}`, '/api/v1/contacts/%FF%FE']) {
      const answer = await get(url);
      expect([answer.status, field(answer), errorShapeProblem(answer)]).toEqual([400, 'path', undefined]);
    }
    // A request without a key is refused before its body is parsed.
    const noKey = await send(base(), { method: 'POST', url: '/api/v1/contacts', headers: { 'content-type': 'application/json' }, body: '{"broken": ' });
    expect(noKey.status).toBe(401);

    // Meta's handshake with a repeated parameter, and signed bodies not shaped like Meta's.
    const verifyToken = (await api('GET', `/phone-numbers/${pn}`)).body.webhook.verify_token as string;
    const twice = await get(`/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1&hub.verify_token=${verifyToken}&hub.verify_token=other`, {});
    expect([twice.status, field(twice)]).toEqual([400, 'querystring.hub.verify_token']);
    expect((await get(`/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1&hub.challenge=2&hub.verify_token=${verifyToken}`, {})).status).toBe(400);
    expect((await get(`/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=42&hub.verify_token=${verifyToken}`, {})).text).toBe('42');
    const [secret] = await running.app.modules.phoneNumbers.webhookSecretsFor(waba);
    for (const payload of [
      { object: 'whatsapp_business_account', entry: [{ id: waba, changes: [null, 5, 'x'] }] },
      { object: 'whatsapp_business_account', entry: [{ id: waba, changes: [{ field: 'messages', value: { messages: [{ id: 'wamid.regression1', from: '5511955550061', type: 'text', text: { body: 'oi' } }], contacts: { wa_id: '5511955550061' } } }] }] },
    ]) {
      const body = JSON.stringify(payload);
      const signature = `sha256=${createHmac('sha256', secret?.appSecret ?? '').update(body).digest('hex')}`;
      const answer = await send(base(), { method: 'POST', url: '/webhooks/whatsapp', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body });
      expect(answer.status, answer.text).toBe(200);
    }

    // The opt-in page with ?country= twice, and a name holding control characters.
    expect((await get(`/optin/${pn}?country=BR&country=US`, {})).status).toBe(200);
    const formPage = await get(`/optin/${pn}`, {});
    const textVersion = /name="text_version" value="([^"]+)"/.exec(formPage.text)?.[1] ?? '';
    const signUp = await send(base(), {
      method: 'POST',
      url: `/optin/${pn}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '10.8.0.1' },
      body: new URLSearchParams({ name: 'Z\u0000é\u0007 Lima', phone: '+5511955550062', consent: 'yes', text_version: textVersion }).toString(),
    });
    expect(signUp.status, signUp.text).toBe(200);
    const signedUp = await api('POST', '/contacts', { phone: '+5511955550062' });
    expect(signedUp.body.name).toBe('Zé Lima');

    // Broken multipart and NUL bytes in a CSV.
    const truncated = await send(base(), { method: 'POST', url: '/api/v1/media', headers: { ...admin, 'content-type': 'multipart/form-data; boundary=b' }, body: '--b\r\ncontent-disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG' });
    expect([truncated.status, field(truncated)]).toEqual([400, 'body']);
    const utf16 = await send(base(), { method: 'POST', url: '/api/v1/contacts/import', headers: { ...admin, 'content-type': 'text/csv' }, body: 'phone,name\n+5511955550063,Z\u0000é\n+5511955550064,Ana\n' });
    expect(utf16.status, utf16.text).toBe(200);
    expect(utf16.json).toMatchObject({ imported: 1, rejected: [{ line: 2, field: 'name', reason: expect.stringContaining('NUL') }] });
  });

  it('lost and corrupted nothing: every witness reads back exactly as before the sweep', async () => {
    expect(await snapshot()).toEqual(before);
  });
});
