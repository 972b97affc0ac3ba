import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import { platformApi, providerMediaBytes } from './support/http.js';
import { pngFile } from './support/media-files.js';
import { approvedTemplate, useApp } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

/**
 * Erasure of a person (issue 13): data is written for a person through every path a business
 * uses (the customer's messages and image, replies, a template, consent with proof, a form, a
 * survey answer, a lead, a campaign audience, a notification, an invoice sent to them, an
 * internal note, outbound webhooks about them), beside a second person; the first is erased;
 * then the raw bytes of the database files (SQLite) or every row of every table (PostgreSQL)
 * and every file of the data folder hold no trace of their number, name or words, while the
 * second person's are all still there. The sandbox's own state file (data/sandbox/) is Meta's
 * side of the emulation (the simulated phones), not Conversa's, and is left out of the search.
 */
describe.each(DIALECTS)('erasure of a person on $name', (dialect) => {
  const running = useApp(dialect, { build: { webhooks: { fanOut: { pollMs: 20 }, delivery: { pollMs: 20 } } } });
  const api = running.api;
  const sandbox = running.sandbox;

  // ASCII only: JSON may escape other characters, and the search is over raw bytes.
  const erased = { waId: '5511977770001', name: 'Genoveva Apagadinha', texts: ['Meu pedido secreto xq7-abacaxi-roxo', 'Foto do comprovante zz9-caqui'], outText: 'Resposta privada kk3-jabuticaba', form: 'Rua das Erasuras 4417', lead: 'Interesse em pw5-pitanga', note: 'Nota interna sobre ela nn8-carambola', contactId: '', conversationId: '' };
  const kept = { waId: '5511977770002', name: 'Teodoro Permanece', texts: ['Eu continuo aqui rr2-manga'], contactId: '', conversationId: '' };
  const numberForms = (waId: string) => [waId, `+${waId}`];
  let templateName = '';
  let receiver: Server;
  const delivered: string[] = [];
  let uploadedProviderIds: string[] = [];

  const conversationOf = async (waId: string) => ((await api('GET', `/conversations?wa_id=${waId}&messages=50`)).body.data as Json[])[0];
  const customerWrites = async (person: { waId: string }, message: Json) => {
    const sent = await sandbox('POST', `/sandbox/v1/phones/${person.waId}/messages`, { to: running.pn, ...message });
    expect(sent.status, sent.text).toBe(201);
    return sent.body.id as string;
  };
  const readByPhone = async (messageId: string) => until(async () => (await api('GET', `/messages/${messageId}`)).body.status === 'read', `message ${messageId} read`);
  const send = async (body: Json) => {
    const sent = await api('POST', '/messages', body);
    expect(sent.status, sent.text).toBe(202);
    await readByPhone(sent.body.id as string);
    return sent.body.id as string;
  };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        delivered.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hook = await api('POST', '/webhooks', { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, events: ['*'] });
    expect(hook.status, hook.text).toBe(201);
    templateName = (await approvedTemplate(running, { name: 'aviso_apagar', language: 'pt_BR' })).name;

    for (const person of [erased, kept]) {
      expect((await sandbox('POST', '/sandbox/v1/phones', { wa_id: person.waId, name: person.name })).status).toBeLessThan(300);
      await customerWrites(person, { type: 'text', text: { body: person.texts[0] } });
      const conversation = await until(() => conversationOf(person.waId), `${person.name}'s conversation`);
      person.contactId = conversation.contact_id as string;
      person.conversationId = conversation.id as string;
    }
    // The erased person's image (a distinct size from any other file: content-addressed storage).
    const image = pngFile({ width: 7, height: 5 });
    await customerWrites(erased, { type: 'image', image: { data_base64: image.toString('base64'), mime_type: 'image/png', caption: erased.texts[1] } });
    const inboundImage = await until(async () => ((await conversationOf(erased.waId))?.last_messages as Json[]).find((m) => m.type === 'image' && m.content.media_id), 'the inbound image');
    await until(async () => (await api('GET', `/media/${inboundImage.content.media_id}`)).body.status === 'ready', 'the image downloaded');

    // Replies: a text and a template naming them.
    await send({ to: `+${erased.waId}`, type: 'text', text: { body: erased.outText } });
    await send({ to: `+${erased.waId}`, type: 'template', template: { name: templateName, language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: erased.name }] }] } });
    await send({ to: `+${kept.waId}`, type: 'text', text: { body: 'Ola Teodoro' } });

    // Consent: an opt-in with proof, then an opt-out.
    const optIn = await api('POST', `/contacts/${erased.contactId}/consents`, { purpose: 'marketing', status: 'opted_in', source: 'web_form', text: 'Quero receber ofertas da Conversa Sandbox pelo WhatsApp.', proof: { form: 'site', email: 'genoveva.apagadinha@example.com' } });
    expect(optIn.status, optIn.text).toBe(201);
    expect((await api('POST', `/contacts/${erased.contactId}/consents`, { purpose: 'marketing', status: 'opted_out', source: 'api', proof: { reason: 'pediu para sair' } })).status).toBe(201);
    expect((await api('POST', `/contacts/${kept.contactId}/consents`, { purpose: 'marketing', status: 'opted_in', source: 'web_form', text: 'Quero receber ofertas da Conversa Sandbox pelo WhatsApp.' })).status).toBe(201);

    // What the bot collects (as its runtime calls the forms module), a lead, an internal note.
    const workspaceId = running.started.workspaceId;
    const { formSubmissions, surveyResponses, desk } = running.app.modules;
    await running.app.database.db.transaction().execute(async (trx) => {
      const submitted = await formSubmissions.submit(trx, { workspaceId, flow: 'cadastro', flowVersion: 1, form: 'endereco', contactId: erased.contactId, conversationId: erased.conversationId, fields: { nome: erased.name, endereco: erased.form, telefone: `+${erased.waId}` }, at: new Date() });
      expect(submitted.ok).toBe(true);
      const answered = await surveyResponses.record(trx, { workspaceId, flow: 'pos', kind: 'csat', score: 5, comment: erased.form, contactId: erased.contactId, conversationId: erased.conversationId, at: new Date() });
      expect(answered.ok).toBe(true);
    });
    const lead = await api('POST', '/leads', { contact_id: erased.contactId, fields: { nome: erased.name, interesse: erased.lead } });
    expect(lead.status, lead.text).toBeLessThan(300);
    await desk.notes.create({ workspaceId, conversationId: erased.conversationId, authorId: 'usr_test', text: erased.note });

    // A notification waiting to be sent, a campaign audience, an invoice sent to them.
    const later = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();
    expect((await api('POST', '/notifications', { to: `+${erased.waId}`, template: templateName, language: 'pt_BR', parameters: [erased.name], send_at: later })).status).toBeLessThan(300);
    const campaign = await api('POST', '/campaigns', { name: 'Apagar', template: { name: templateName, language: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: '{{nome}}' }] }], audience: { type: 'csv' } });
    expect(campaign.status, campaign.text).toBe(201);
    const audience = await api('PUT', `/campaigns/${campaign.body.id}/audience`, `phone,nome\n+${erased.waId},${erased.name}\n+${kept.waId},${kept.name}\n`, { contentType: 'text/csv' });
    expect(audience.status, audience.text).toBe(200);
    const invoice = await api('POST', '/invoices', { number: 'APAGAR-1', due_date: '2030-12-10', seller: { name: 'Padaria Pao Quente Ltda.', document: '11.222.333/0001-81' }, customer: { name: erased.name, phone: `+${erased.waId}`, address: erased.form }, items: [{ description: 'Pao de queijo (kg)', quantity: 1, unit_price: '39.90' }] });
    expect(invoice.status, invoice.text).toBe(201);
    await send({ to: `+${erased.waId}`, type: 'document', document: { id: invoice.body.media_id, filename: invoice.body.filename } });
    uploadedProviderIds = (await running.app.database.db.selectFrom('media_provider_ids').select('provider_media_id').where('media_id', '=', invoice.body.media_id).execute()).map((row) => row.provider_media_id);
    expect(uploadedProviderIds.length).toBe(1);
    expect((await providerMediaBytes(sandbox, uploadedProviderIds[0] as string)).length).toBeGreaterThan(0);

    // Everything settled: every webhook stored and processed, outbound webhooks delivered.
    await until(async () => delivered.some((body) => body.includes(erased.contactId)) && delivered.some((body) => body.includes(kept.contactId)), 'outbound webhooks about both people');
    await until(async () => (await running.app.database.db.selectFrom('inbound_events').select('id').where('processed_at', 'is', null).execute()).length === 0, 'inbound events processed');
    await until(async () => (await running.app.database.db.selectFrom('webhook_deliveries').select('id').where('status', '!=', 'delivered').execute()).length === 0, 'webhook deliveries done');
  }, 60_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  /** Every file of the data folder but the sandbox's (Meta's side), and the SQLite files. */
  const storedBytes = async (): Promise<Array<{ where: string; bytes: Buffer }>> => {
    const files: Array<{ where: string; bytes: Buffer }> = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (path === join(running.dataDir, 'sandbox')) continue;
        if (statSync(path).isDirectory()) walk(path);
        else files.push({ where: path, bytes: readFileSync(path) });
      }
    };
    walk(running.dataDir);
    if (dialect.name === 'sqlite') {
      const file = (running.testDatabase?.url ?? '').slice('sqlite:'.length);
      for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) files.push({ where: path, bytes: readFileSync(path) });
    } else {
      // Every row of every table, as text: what a logical dump holds.
      const db = running.app.database.db;
      const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db);
      const rows: string[] = [];
      for (const { table_name } of tables.rows) {
        const result = await sql<{ row: string }>`select t::text as row from ${sql.table(table_name)} t`.execute(db);
        rows.push(...result.rows.map((row) => `${table_name} ${row.row}`));
      }
      files.push({ where: 'every table', bytes: Buffer.from(rows.join('\n'), 'utf8') });
    }
    return files;
  };
  const tracesOf = (files: Array<{ where: string; bytes: Buffer }>, terms: string[]) =>
    terms.flatMap((term) => files.filter((file) => file.bytes.includes(Buffer.from(term, 'utf8'))).map((file) => `${term} in ${file.where}`));

  it("refuses another workspace's key: 404, and nothing is erased", async () => {
    const tenant = await api('POST', '/workspaces', { name: 'Outra Loja Apagar' });
    const theirs = platformApi(() => running, tenant.body.api_key as string);
    expect((await theirs('POST', `/contacts/${erased.contactId}/erase`)).status).toBe(404);
    expect((await theirs('DELETE', `/contacts/${erased.contactId}`)).status).toBe(404);
    expect((await api('GET', `/contacts/${erased.contactId}`)).status).toBe(200);
  });

  it('erases the person everywhere: no number, name or words of theirs in the stored bytes; the other person is intact', async () => {
    // The search finds each of them before: every term is stored somewhere.
    const stored = await storedBytes();
    for (const term of [...numberForms(erased.waId), erased.name, ...erased.texts, erased.outText, erased.form, erased.lead, erased.note]) expect(tracesOf(stored, [term]).length, term).toBeGreaterThan(0);

    const report = await api('POST', `/contacts/${erased.contactId}/erase`);
    expect(report.status, report.text).toBe(200);
    expect(report.body).toMatchObject({
      contact_id: erased.contactId,
      removed: { contacts: 1, conversations: 1, consents: 2, form_submissions: 1, survey_responses: 1, leads: 1, notifications: 1, conversation_notes: 1, invoices: 1, campaign_recipients: 1 },
      consent_tombstones: 1,
    });
    // Two from the customer (a text, an image), three to them (a text, a template, the invoice).
    expect(report.body.removed.messages).toBe(5);
    expect(report.body.removed.inbound_events).toBeGreaterThan(0);
    expect(report.body.removed.outbox_events).toBeGreaterThan(0);
    expect(report.body.removed.webhook_deliveries).toBeGreaterThan(0);
    // The image they sent, the invoice's PDF (and its provider upload): here and at the provider.
    expect(report.body.removed.media).toBe(2);
    expect(report.body.media_files).toMatchObject({ deleted_locally: 2, provider_failures: 0, kept_in_use: 0 });
    expect(report.body.media_files.deleted_at_provider).toBeGreaterThanOrEqual(2);
    expect((await sandbox('GET', `/v23.0/${uploadedProviderIds[0]}`)).status).toBeGreaterThanOrEqual(400);

    expect((await api('GET', `/contacts/${erased.contactId}`)).status).toBe(404);
    expect((await api('POST', `/contacts/${erased.contactId}/erase`)).status).toBe(404);
    expect((await api('DELETE', `/contacts/${erased.contactId}`)).status).toBe(404);

    const files = await storedBytes();
    expect(tracesOf(files, [...numberForms(erased.waId), erased.name, ...erased.texts, erased.outText, erased.form, erased.lead, erased.note])).toEqual([]);
    expect(tracesOf(files, [pngFile({ width: 7, height: 5 }).toString('latin1')])).toEqual([]);
    // The second person: number, name and words all still there, and their conversation works.
    for (const term of [kept.waId, kept.name, ...kept.texts]) expect(tracesOf(files, [term]).length, term).toBeGreaterThan(0);
    expect((await api('GET', `/contacts/${kept.contactId}`)).body).toMatchObject({ name: kept.name });
    expect((await api('GET', `/contacts/${kept.contactId}/consents`)).body.state.marketing).toBe('opted_in');
    const keptConversation = await conversationOf(kept.waId);
    expect((keptConversation?.last_messages as Json[]).map((m) => m.content.text?.body).filter(Boolean)).toEqual(expect.arrayContaining(kept.texts));
    expect((await api('GET', '/campaigns')).body.data.length).toBe(1);
  }, 30_000);

  it('starts fresh when the erased person writes again, and still honours the opt-out they gave before (the tombstone)', async () => {
    // A campaign audience brings the number back first (contacts made in bulk): the kept opt-out is theirs again.
    const campaign = await api('POST', '/campaigns', { name: 'Depois', template: { name: templateName, language: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: '{{nome}}' }] }], audience: { type: 'csv' } });
    expect((await api('PUT', `/campaigns/${campaign.body.id}/audience`, `phone,nome\n+${erased.waId},Cliente\n`, { contentType: 'text/csv' })).status).toBe(200);
    const recipient = (await api('GET', `/campaigns/${campaign.body.id}/recipients`)).body.data[0];
    expect(recipient.contact_id).not.toBe(erased.contactId);
    expect((await api('GET', `/contacts/${recipient.contact_id}/consents`)).body.state.marketing).toBe('opted_out');

    await customerWrites(erased, { type: 'text', text: { body: 'Voltei, sou nova aqui' } });
    const conversation = await until(() => conversationOf(erased.waId), 'the new conversation');
    expect(conversation.contact_id).not.toBe(erased.contactId);
    expect(conversation.id).not.toBe(erased.conversationId);
    expect((conversation.last_messages as Json[]).map((m) => m.content.text?.body)).toEqual(['Voltei, sou nova aqui']);
    const contact = (await api('GET', `/contacts/${conversation.contact_id}`)).body;
    expect(contact).toMatchObject({ wa_id: erased.waId, name: erased.name, tags: [], attributes: {} });
    const consents = (await api('GET', `/contacts/${contact.id}/consents`)).body;
    expect(consents.state).toEqual({ marketing: 'opted_out', utility: 'none' });
    expect(consents.data).toEqual([expect.objectContaining({ purpose: 'marketing', status: 'opted_out', source: 'api', actor: 'consent_tombstone', text: null })]);
    // A new opt-in is the person's new choice: it wins.
    expect((await api('POST', `/contacts/${contact.id}/consents`, { purpose: 'marketing', status: 'opted_in', source: 'web_form', text: 'Quero receber ofertas da Conversa Sandbox pelo WhatsApp.' })).status).toBe(201);
    expect((await api('GET', `/contacts/${contact.id}/consents`)).body.state.marketing).toBe('opted_in');

    // DELETE erases the same way (204); a contact re-created by the API (an import, a CRM) for the same number is opted out again.
    expect((await api('DELETE', `/contacts/${contact.id}`)).status).toBe(204);
    expect((await api('GET', `/contacts/${contact.id}`)).status).toBe(404);
    const again = await api('POST', '/contacts', { phone: `+${erased.waId}` });
    expect(again.status).toBe(201);
    // The latest state when erased was the new opt-in: not carried over (a new opt-in is needed), nor is the older opt-out.
    expect((await api('GET', `/contacts/${again.body.id}/consents`)).body.state.marketing).toBe('none');
  }, 30_000);
});
