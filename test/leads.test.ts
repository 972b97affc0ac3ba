import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_KEY } from './support/app.js';
import { conversa } from './support/cli.js';
import { DIALECTS } from './support/databases.js';
import { platformApi } from './support/http.js';
import { useApp } from './support/use-app.js';
import { appApi, createUser, signIn } from './support/users.js';
import { until, type Json } from './support/wait.js';

/** A CRM: records every webhook POST. */
class Crm {
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
    this.url = `http://127.0.0.1:${(this.#server?.address() as AddressInfo).port}/leads`;
  }
  close(): Promise<void> {
    return new Promise((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

const LEAD_FORM = `
name: captacao
triggers:
  - type: keyword
    keywords: [orcamento]
steps:
  - type: ask
    text: Qual é o seu nome?
    input: text
    var: nome
  - type: ask
    text: Seu e-mail?
    input: email
    var: email
  - type: ask
    text: Seu CPF?
    input: cpf
    var: cpf
  - type: form
    form: orcamento
    fields: [nome, email, cpf]
  - type: end
    text: Obrigado, entraremos em contato!
`;

/**
 * Leads (issue 12) end to end: a simulated customer completes a lead form, a customer who is a
 * lead writes an e-mail and a CPF, a chat source captures whoever writes, an agent marks a
 * contact from the inbox; the list, the XLSX and CSV exports read back, the contacts export,
 * and `lead.created` at a CRM's webhook.
 */
describe.each(DIALECTS)('leads on $name', (dialect) => {
  const running = useApp(dialect, { build: { webhooks: { fanOut: { pollMs: 20 }, delivery: { pollMs: 20, retry: { baseMs: 50, maxAttempts: 3 } } } } });
  const api = running.api;
  const crm = new Crm();
  const ana = { waId: '5511977770001', contactId: '' };
  const bia = { waId: '5511977770002', contactId: '' };
  const caio = { waId: '5511977770003', contactId: '' };

  const write = async (waId: string, text: string) => {
    const sent = await running.sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: running.pn, type: 'text', text: { body: text } });
    expect(sent.status, sent.text).toBeLessThan(300);
  };
  const botAnswers = async (waId: string, count: number) =>
    until(async () => {
      const messages = ((await running.sandbox('GET', `/sandbox/v1/phones/${waId}/messages`)).body.data ?? []) as Json[];
      return messages.length >= count && messages;
    }, `${count} answers to ${waId}`);
  const processed = () => until(async () => (await running.app.modules.inboundEvents.pendingCount()) === 0 || undefined, 'the inbound events to be processed');
  const contactOf = async (waId: string) => (await until(async () => ((await api('GET', `/conversations?wa_id=${waId}`)).body.data as Json[])[0], `${waId}'s conversation`)).contact_id as string;
  const download = async (path: string, token = TEST_ADMIN_KEY) => {
    const response = await running.app.http.inject({ method: 'GET', url: `/api/v1${path}`, headers: { authorization: `Bearer ${token}` } });
    return { status: response.statusCode, headers: response.headers, bytes: response.rawPayload };
  };

  beforeAll(async () => {
    await crm.start();
    const hook = await api('POST', '/webhooks', { url: crm.url, events: ['lead.created', 'lead.updated'] });
    expect(hook.status, hook.text).toBe(201);
    for (const customer of [ana, bia, caio]) expect((await running.sandbox('POST', '/sandbox/v1/phones', { wa_id: customer.waId, name: `Cliente ${customer.waId.slice(-1)}` })).status).toBeLessThan(300);
  });
  afterAll(() => crm.close());

  it('makes a customer who completes a lead form a lead with the checked fields as certain', async () => {
    const flow = await api('POST', '/flows', LEAD_FORM, { headers: { 'content-type': 'application/yaml' } });
    expect(flow.status, flow.text).toBe(201);
    expect((await api('POST', `/flows/${flow.body.id}/publish`, { phone_number_id: running.pn })).status).toBe(201);
    for (const [index, text] of ['orcamento', 'Ana Souza', 'Ana@Example.com', '529.982.247-25'].entries()) {
      await write(ana.waId, text);
      await botAnswers(ana.waId, index + 1);
    }
    ana.contactId = await contactOf(ana.waId);
    const listed = await until(async () => ((await api('GET', '/leads?source_type=form')).body.data as Json[])[0], 'the form lead');
    expect(listed).toMatchObject({
      id: expect.stringMatching(/^lead_/),
      contact_id: ana.contactId,
      contact: { id: ana.contactId, wa_id: ana.waId },
      source: { type: 'form', id: 'orcamento' },
      fields: {
        name: { value: 'Ana Souza', from: 'form', message_id: null, confidence: 'certain' },
        email: { value: 'ana@example.com', from: 'form', rule: 'email', confidence: 'certain' },
        cpf: { value: '52998224725', from: 'form', rule: 'cpf', confidence: 'certain' },
      },
    });
    expect((await api('GET', `/leads/${listed.id}`)).body).toEqual(listed);
    await api('DELETE', `/flows/${flow.body.id}`);
  });

  it('reads the messages of a customer who is a lead: e-mail and CPF with provenance; a wrong CPF is ignored; keywords of the source', async () => {
    await write(bia.waId, 'Oi');
    bia.contactId = await contactOf(bia.waId);
    await processed();
    // Not a lead yet: nothing is read from her messages.
    expect((await api('GET', `/leads?q=${bia.waId}`)).body.data).toEqual([]);
    const marked = await api('POST', '/leads', { contact_id: bia.contactId, source: { type: 'api', id: 'site' }, fields: { plano: 'básico' } });
    expect(marked.status, marked.text).toBe(201);
    expect(marked.body).toMatchObject({ source: { type: 'api', id: 'site' }, fields: { plano: { value: 'básico', from: 'api', confidence: 'certain' } } });
    expect((await api('PUT', '/leads/sources', { type: 'api', id: 'site', keywords: ['plano premium', 'Orçamento', 'orcamento'] })).body).toMatchObject({ type: 'api', id: 'site', keywords: ['plano premium', 'Orçamento'] });

    await write(bia.waId, 'meu email é ana@example.com e meu cpf 529.982.247-25');
    const lead = await until(async () => {
      const read = (await api('GET', `/leads/${marked.body.id}`)).body;
      return read.fields.email && read;
    }, 'the e-mail read from her message');
    const messageId = lead.fields.email?.message_id as string;
    expect(messageId).toMatch(/^msg_/);
    expect(lead.fields.email).toMatchObject({ value: 'ana@example.com', from: 'message', rule: 'email', confidence: 'certain' });
    expect(lead.fields.cpf).toEqual({ value: '52998224725', from: 'message', message_id: messageId, rule: 'cpf', confidence: 'certain', at: expect.any(String) });
    expect((await api('GET', `/messages/${messageId}`)).body.content.text.body).toContain('meu cpf');

    await write(bia.waId, 'ops, meu cpf certo é 123.456.789-00. Meu nome é beatriz lima, quero o PLANO PREMIUM');
    const after = await until(async () => {
      const read = (await api('GET', `/leads/${marked.body.id}`)).body;
      return read.fields.name && read;
    }, 'the name read from her second message');
    expect(after.fields.cpf.value).toBe('52998224725');
    expect(after.fields.name).toMatchObject({ value: 'Beatriz Lima', from: 'message', rule: 'name', confidence: 'possible' });
    expect(after.fields.interest).toMatchObject({ value: ['plano premium'], rule: 'keyword' });
    expect(after.updated_at >= lead.updated_at).toBe(true);

    // Filters: a field held, text, the source; pages that never repeat.
    expect((await api('GET', '/leads?has_field=cpf')).body.data.map((l: Json) => l.id).sort()).toEqual([marked.body.id, (await api('GET', '/leads?source_type=form')).body.data[0].id].sort());
    expect((await api('GET', '/leads?has_field=interest')).body.data.map((l: Json) => l.id)).toEqual([marked.body.id]);
    expect((await api('GET', '/leads?q=beatriz')).body.data.map((l: Json) => l.id)).toEqual([marked.body.id]);
    expect((await api('GET', '/leads?source_type=api&source_id=site')).body.data).toHaveLength(1);
    expect((await api('GET', '/leads?updated_since=2999-01-01')).body.data).toEqual([]);
    const first = await api('GET', '/leads?limit=1');
    const second = await api('GET', `/leads?limit=1&cursor=${first.body.next_cursor}`);
    expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
  });

  it('captures whoever writes to a number configured as a chat source', async () => {
    const configured = await api('PUT', '/leads/sources', { type: 'chat', id: running.pn, keywords: ['entrega'] });
    expect(configured.status, configured.text).toBe(201);
    await write(caio.waId, 'Oi, vocês fazem entrega? meu whats é (21) 99876-5432');
    caio.contactId = await contactOf(caio.waId);
    const lead = await until(async () => ((await api('GET', `/leads?source_type=chat&source_id=${running.pn}`)).body.data as Json[]).find((l) => l.contact_id === caio.contactId), 'the chat lead');
    expect(lead).toMatchObject({ source: { type: 'chat', id: running.pn }, fields: { phone: { value: '+5521998765432', confidence: 'certain' }, interest: { value: ['entrega'] } } });
    expect((await api('GET', '/leads/sources')).body.data.map((s: Json) => `${s.type}/${s.id}`)).toEqual(['api/site', `chat/${running.pn}`]);
    expect((await api('DELETE', `/leads/sources/chat/${running.pn}`)).status).toBe(204);
  });

  it('lets a person of the inbox mark a contact they may see as a lead', async () => {
    const admin = await createUser(running, { role: 'admin', name: 'Gerente' });
    const agent = await createUser(running, { role: 'agent', name: 'Agente sem fila' });
    const adminApi = appApi(running, await signIn(running, admin.email, admin.password));
    const agentApi = appApi(running, await signIn(running, agent.email, agent.password));
    // An agent who sees none of the contact's conversations gets 404, never the contact.
    expect((await agentApi('POST', `/app/api/contacts/${caio.contactId}/lead`, {})).status).toBe(404);
    expect((await appApi(running, null)('POST', `/app/api/contacts/${caio.contactId}/lead`, {})).status).toBe(401);
    const bad = await adminApi('POST', `/app/api/contacts/${caio.contactId}/lead`, { fields: { email: 'caio@' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toMatchObject({ field: 'fields.email', rule: expect.stringContaining('e-mail') });
    const marked = await adminApi('POST', `/app/api/contacts/${caio.contactId}/lead`, { fields: { email: 'Caio@Example.com', interesse: 'frete' } });
    expect(marked.status, JSON.stringify(marked.body)).toBe(201);
    expect(marked.body).toMatchObject({ source: { type: 'agent', id: admin.id }, fields: { email: { value: 'caio@example.com', from: 'agent', confidence: 'certain' }, interest: { value: ['frete'], from: 'agent' } } });
    const again = await adminApi('POST', `/app/api/contacts/${caio.contactId}/lead`, { fields: { cep: '20040-002' } });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(marked.body.id);
    expect(Object.keys(again.body.fields)).toEqual(['email', 'interest', 'cep']);
    expect(again.body.fields.cep.confidence).toBe('possible');
  });

  it('exports XLSX (one sheet per source, header, date cells, confidence columns) and CSV with the same columns', async () => {
    const exported = await download('/leads/export?format=xlsx');
    expect(exported.status).toBe(200);
    expect(exported.headers['content-disposition']).toMatch(/^attachment; filename="leads-\d{4}-\d{2}-\d{2}\.xlsx"$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(exported.bytes as unknown as ArrayBuffer);
    const names = workbook.worksheets.map((sheet) => sheet.name);
    expect(names).toHaveLength(4);
    expect(names.slice(1)).toEqual(['api site', `chat ${running.pn}`.slice(0, 31), 'form orcamento']);
    expect(names[0]).toMatch(/^agent usr_/);
    const form = workbook.getWorksheet('form orcamento') as ExcelJS.Worksheet;
    expect((form.getRow(1).values as unknown[]).slice(1)).toEqual(['lead_id', 'created_at', 'updated_at', 'contact_wa_id', 'contact_name', 'name', 'name_confidence', 'email', 'email_confidence', 'cpf', 'cpf_confidence']);
    expect(form.rowCount).toBe(2);
    const row = form.getRow(2);
    expect(row.getCell(2).type).toBe(ExcelJS.ValueType.Date);
    expect(row.getCell(2).value).toBeInstanceOf(Date);
    expect([row.getCell(4).value, row.getCell(6).value, row.getCell(7).value, row.getCell(8).value, row.getCell(10).value, row.getCell(11).value]).toEqual([ana.waId, 'Ana Souza', 'certain', 'ana@example.com', '52998224725', 'certain']);
    const site = workbook.getWorksheet('api site') as ExcelJS.Worksheet;
    const header = (site.getRow(1).values as unknown[]).slice(1) as string[];
    expect(header.slice(5)).toEqual(['name', 'name_confidence', 'email', 'email_confidence', 'cpf', 'cpf_confidence', 'interest', 'interest_confidence', 'plano', 'plano_confidence']);
    expect(site.getRow(2).getCell(header.indexOf('name_confidence') + 1).value).toBe('possible');
    expect(site.getRow(2).getCell(header.indexOf('interest') + 1).value).toBe('plano premium');

    const csv = await download('/leads/export?format=csv&delimiter=%3B');
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(csv.bytes, { bom: true, columns: true, delimiter: ';' }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0] ?? {}).slice(0, 7)).toEqual(['lead_id', 'created_at', 'updated_at', 'source_type', 'source_id', 'contact_wa_id', 'contact_name']);
    expect(rows).toHaveLength(4);
    expect(rows.find((r) => r.source_type === 'form')).toMatchObject({ source_id: 'orcamento', email: 'ana@example.com', email_confidence: 'certain', cpf: '52998224725' });
    expect(rows.find((r) => r.source_type === 'api')?.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const onlyForms = parseCsv((await download('/leads/export?format=csv&source_type=form')).bytes, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(onlyForms.map((r) => r.source_id)).toEqual(['orcamento']);
  });

  it('exports contacts as XLSX and CSV with the list\'s filter, typed columns and attribute columns', async () => {
    for (const [phone, name, attributes] of [['+5511977770101', 'Vip Um', { cidade: 'Recife', plano: 'ouro' }], ['+5511977770102', '=1+2 Vip', { cidade: 'Natal' }]] as const) {
      expect((await api('POST', '/contacts', { phone, name, tags: ['vip'], attributes })).status).toBe(201);
    }
    const xlsx = await download('/contacts/export?tag=vip');
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('contacts') as ExcelJS.Worksheet;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(['id', 'wa_id', 'phone', 'name', 'language', 'time_zone', 'tags', 'user_id', 'created_at', 'updated_at', 'attributes.cidade', 'attributes.plano']);
    expect(sheet.rowCount).toBe(3);
    expect((sheet.getRow(2).values as unknown[]).slice(2, 5)).toEqual(['5511977770101', '+5511977770101', 'Vip Um']);
    expect(sheet.getRow(2).getCell(9).value).toBeInstanceOf(Date);
    expect(sheet.getRow(3).getCell(4).type).toBe(ExcelJS.ValueType.String);
    expect([sheet.getRow(2).getCell(11).value, sheet.getRow(2).getCell(12).value, sheet.getRow(3).getCell(12).value]).toEqual(['Recife', 'ouro', null]);
    const csv = parseCsv((await download('/contacts/export?tag=vip&format=csv')).bytes, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(csv.map((r) => [r.name, r.tags, r['attributes.cidade']])).toEqual([['Vip Um', 'vip', 'Recife'], ["'=1+2 Vip", 'vip', 'Natal']]);
    const all = parseCsv((await download('/contacts/export?format=csv')).bytes, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(all.map((r) => r.wa_id)).toEqual(expect.arrayContaining([ana.waId, bia.waId, caio.waId, '5511977770101']));
  });

  it('sends lead.created and lead.updated to webhook subscribers', async () => {
    const created = await until(async () => crm.received.find((event) => event.type === 'lead.created' && event.data.source.type === 'form'), 'lead.created at the CRM');
    expect(created.data).toMatchObject({ id: expect.stringMatching(/^lead_/), contact: { id: ana.contactId, wa_id: ana.waId }, source: { type: 'form', id: 'orcamento' }, fields: { email: { value: 'ana@example.com', confidence: 'certain' } } });
    const updated = await until(async () => crm.received.find((event) => event.type === 'lead.updated' && event.data.contact.wa_id === bia.waId), 'lead.updated at the CRM');
    expect(updated.data.changed).toEqual(expect.arrayContaining(['email', 'cpf']));
  });

  it('answers bad input with 4xx naming the field, and keeps workspaces and scopes apart', async () => {
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/leads', {}, 400, 'body.contact_id'],
      ['POST', '/leads', { contact_id: bia.contactId, fields: { email: 'não é email' } }, 400, 'fields.email'],
      ['POST', '/leads', { contact_id: bia.contactId, fields: { cpf: '123.456.789-00' } }, 400, 'fields.cpf'],
      ['POST', '/leads', { contact_id: bia.contactId, source: { type: 'form', id: 'x' } }, 400, 'body.source.type'],
      ['POST', '/leads', { contact_id: 'ct_nobody' }, 404, 'contact_id'],
      ['PUT', '/leads/sources', { type: 'fax', id: 'x', keywords: [] }, 400, 'body.type'],
      ['PUT', '/leads/sources', { type: 'chat', id: 'nope', keywords: [] }, 404, 'body.id'],
      ['PUT', '/leads/sources', { type: 'form', id: 'orcamento', keywords: ['!!!'] }, 400, 'body.keywords.0'],
      ['PUT', '/leads/sources', { type: 'form', id: 'orcamento' }, 400, 'body.keywords'],
    ];
    for (const [method, path, body, status, field] of cases) {
      const answer = await api(method, path, body);
      expect(answer.status, `${method} ${path} ${JSON.stringify(body)}: ${answer.text}`).toBe(status);
      expect(answer.body.error.details.field, `${method} ${path}`).toContain(field);
    }
    for (const [query, field] of [['created_since=ontem', 'querystring.created_since'], ['limit=0', 'querystring.limit'], ['cursor=bm9wZQ', 'querystring.cursor'], ['source_type=fax', 'querystring.source_type'], ['has_field=a%20b', 'querystring.has_field']]) {
      const answer = await api('GET', `/leads?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error.details.field, query).toContain(field);
    }
    expect((await api('DELETE', '/leads/sources/form/nunca')).status).toBe(404);
    expect((await api('GET', '/leads/export?format=pdf')).body.error.details.field).toBe('querystring.format');
    expect((await api('GET', '/contacts/export?format=pdf')).body.error.details.field).toBe('querystring.format');

    const tenant = await api('POST', '/workspaces', { name: 'Outra' });
    const theirs = platformApi(() => running, tenant.body.api_key);
    expect((await theirs('GET', '/leads')).body.data).toEqual([]);
    const oneOfOurs = (await api('GET', '/leads?limit=1')).body.data[0].id;
    expect((await theirs('GET', `/leads/${oneOfOurs}`)).status).toBe(404);
    expect((await theirs('POST', '/leads', { contact_id: bia.contactId })).status).toBe(404);
    expect((await download('/leads/export?format=csv', tenant.body.api_key)).bytes.toString('utf8')).not.toContain(ana.waId);
    expect((await download('/contacts/export?format=csv', tenant.body.api_key)).bytes.toString('utf8')).not.toContain(ana.waId);

    const contactsOnly = (await api('POST', '/api-keys', { name: 'só contatos', scopes: ['contacts:read'] })).body.key;
    expect((await api('GET', '/leads', undefined, { token: contactsOnly })).status).toBe(403);
    expect((await download('/leads/export', contactsOnly)).status).toBe(403);
    const reader = (await api('POST', '/api-keys', { name: 'crm', scopes: ['leads:read'] })).body.key;
    expect((await api('GET', '/leads', undefined, { token: reader })).status).toBe(200);
    expect((await api('POST', '/leads', { contact_id: bia.contactId }, { token: reader })).status).toBe(403);
    expect((await api('PUT', '/leads/sources', { type: 'api', id: 'site', keywords: [] }, { token: reader })).status).toBe(403);
  });

  // The CLI talks HTTP to the running server only: one dialect is enough.
  it.runIf(dialect.name === 'sqlite')('conversa leads export writes the file the API answers', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'conversa-leads-'));
    try {
      const out = join(folder, 'leads.xlsx');
      const env = { CONVERSA_URL: running.started.platformUrl, CONVERSA_API_KEY: TEST_ADMIN_KEY, CONVERSA_ADMIN_KEY: '' };
      const done = await conversa(['leads', 'export', '--format', 'xlsx', '--source-type', 'form', '--out', out], env);
      expect(done.stderr).toBe('');
      expect(done).toMatchObject({ code: 0, stdout: `${out}\n` });
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(readFileSync(out) as unknown as ArrayBuffer);
      expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['form orcamento']);
      const refused = await conversa(['leads', 'export', '--format', 'csv', '--created-since', 'ontem', '--out', out], env);
      expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('CONVERSA_ERR_VALIDATION: querystring.created_since') });
      expect((await conversa(['leads', 'export'], env)).code).toBe(2);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 30_000);
});
