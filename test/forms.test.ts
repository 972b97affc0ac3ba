import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RecordSurveyInput, SubmitFormInput } from '../src/modules/forms/index.js';
import { TEST_ADMIN_KEY } from './support/app.js';
import { conversa } from './support/cli.js';
import { DIALECTS } from './support/databases.js';
import { platformApi } from './support/http.js';
import { useApp } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

/**
 * What chatbot flows collect (issue 10): form submissions and survey answers, stored through
 * the forms module as the chatbot runtime will call it (inside a transaction), then read back
 * the way a business does: the API, the XLSX and CSV exports, the webhook events.
 */
describe.each(DIALECTS)('forms and surveys on $name', (dialect) => {
  const running = useApp(dialect);
  const api = running.api;
  const sandbox = running.sandbox;
  let workspaceId: string;
  /** Two customers who wrote to the sandbox number: their contact and conversation ids. */
  const joao = { waId: '5511966660001', name: 'João Conceição', contactId: '', conversationId: '' };
  const maria = { waId: '5511966660002', name: '=1+2 Maria', contactId: '', conversationId: '' };
  /** Another workspace: its key and one submission of its own. */
  let other: { key: string; contactId: string; submissionId: string };
  const ids: string[] = [];
  const LONG_FORM = 'Cadastro: clientes/VIP [2026] com um nome muito longo';

  const submit = (input: Omit<SubmitFormInput, 'workspaceId' | 'at'> & { workspaceId?: string; at: string }) =>
    running.app.database.db.transaction().execute((trx) => running.app.modules.formSubmissions.submit(trx, { workspaceId, ...input, at: new Date(input.at) }));
  const answer = (input: Omit<RecordSurveyInput, 'workspaceId' | 'at' | 'conversationId' | 'contactId' | 'flow'> & { at: string }) =>
    running.app.database.db.transaction().execute((trx) =>
      running.app.modules.surveyResponses.record(trx, { workspaceId, flow: 'pos_atendimento', contactId: joao.contactId, conversationId: joao.conversationId, ...input, at: new Date(input.at) }),
    );
  const download = async (query: string, token = TEST_ADMIN_KEY) => {
    const response = await running.app.http.inject({ method: 'GET', url: `/api/v1/forms/submissions/export?${query}`, headers: { authorization: `Bearer ${token}` } });
    return { status: response.statusCode, headers: response.headers, bytes: response.rawPayload };
  };
  const eventsOf = async (type: string) => (await running.app.modules.events.after(0, 10_000)).filter((event) => event.type === type && event.workspace_id === workspaceId);

  beforeAll(async () => {
    workspaceId = running.started.workspaceId;
    for (const customer of [joao, maria]) {
      expect((await sandbox('POST', '/sandbox/v1/phones', { wa_id: customer.waId, name: customer.name })).status).toBeLessThan(300);
      await sandbox('POST', `/sandbox/v1/phones/${customer.waId}/messages`, { to: running.pn, type: 'text', text: { body: 'Oi' } });
      const conversation = await until(async () => ((await api('GET', `/conversations?wa_id=${customer.waId}`)).body.data as Json[])[0], `${customer.name}'s conversation`);
      customer.contactId = conversation.contact_id;
      customer.conversationId = conversation.id;
    }
    const created = [
      await submit({ flow: 'vendas', flowVersion: 1, form: 'orcamento', contactId: joao.contactId, conversationId: joao.conversationId, at: '2026-03-01T10:00:00.000Z', fields: { nome: 'João Conceição', quantidade: 3, entrega: '2026-03-15', urgente: true, endereco: { rua: 'Av. Paulista', numero: 1000 } } }),
      await submit({ flow: 'vendas', flowVersion: 2, form: 'orcamento', contactId: maria.contactId, conversationId: maria.conversationId, at: '2026-03-02T10:00:00.000Z', fields: { nome: '=1+2 Maria', quantidade: 1.5, entrega: '2026-02-30', observacao: '@SUM(A1)', telefone: '+5511966660002' } }),
      await submit({ flow: 'cadastro', flowVersion: 1, form: LONG_FORM, contactId: joao.contactId, conversationId: joao.conversationId, at: '2026-03-03T10:00:00.000Z', fields: { email: 'joao@example.com', aceita: false } }),
      await submit({ flow: 'cadastro', flowVersion: 1, form: LONG_FORM.toLowerCase(), contactId: maria.contactId, conversationId: maria.conversationId, at: '2026-03-04T10:00:00.000Z', fields: { email: 'maria@example.com' } }),
      await submit({ flow: 'vendas', flowVersion: 2, form: 'orcamento', contactId: joao.contactId, conversationId: joao.conversationId, at: '2026-03-05T10:00:00.000Z', fields: { nome: 'João', quantidade: 10, prazo: '2026-04-01' } }),
    ];
    for (const outcome of created) {
      if (!outcome.ok) throw new Error(JSON.stringify(outcome.error));
      ids.push(outcome.submission.id);
    }

    const tenant = await api('POST', '/workspaces', { name: 'Outra Loja' });
    const key = tenant.body.api_key as string;
    const contact = await platformApi(() => running, key)('POST', '/contacts', { phone: '+5511966660099', name: 'Cliente da Outra' });
    expect(contact.status, contact.text).toBe(201);
    const theirs = await submit({ workspaceId: tenant.body.workspace_id, flow: 'vendas', flowVersion: 1, form: 'orcamento', contactId: contact.body.id, conversationId: 'cnv_outra', at: '2026-03-06T10:00:00.000Z', fields: { nome: 'Cliente da Outra' } });
    if (!theirs.ok) throw new Error(JSON.stringify(theirs.error));
    other = { key, contactId: contact.body.id, submissionId: theirs.submission.id };
  });

  it('stores a submission with its contact and records form.submitted in the same transaction', async () => {
    const one = await api('GET', `/forms/submissions/${ids[0]}`);
    expect(one.status, one.text).toBe(200);
    expect(one.body).toEqual({
      id: expect.stringMatching(/^fsub_/),
      flow: 'vendas',
      flow_version: 1,
      form: 'orcamento',
      contact_id: joao.contactId,
      contact: { id: joao.contactId, wa_id: joao.waId, name: 'João Conceição' },
      conversation_id: joao.conversationId,
      fields: { nome: 'João Conceição', quantidade: 3, entrega: '2026-03-15', urgente: true, endereco: { rua: 'Av. Paulista', numero: 1000 } },
      submitted_at: '2026-03-01T10:00:00.000Z',
    });
    const events = await eventsOf('form.submitted');
    expect(events.map((event) => event.data.id)).toEqual(ids);
    expect(events[0]?.data).toEqual({
      id: ids[0],
      flow: 'vendas',
      flow_version: 1,
      form: 'orcamento',
      contact: { id: joao.contactId, wa_id: joao.waId },
      conversation_id: joao.conversationId,
      fields: one.body.fields,
      submitted_at: '2026-03-01T10:00:00.000Z',
    });

    // A transaction that rolls back takes its submission and its event with it.
    const before = (await eventsOf('form.submitted')).length;
    await expect(
      running.app.database.db.transaction().execute(async (trx) => {
        await running.app.modules.formSubmissions.submit(trx, { workspaceId, flow: 'vendas', flowVersion: 1, form: 'desfeito', contactId: joao.contactId, conversationId: joao.conversationId, fields: { a: 1 }, at: new Date('2026-03-01T11:00:00Z') });
        throw new Error('the step failed after the form');
      }),
    ).rejects.toThrow('the step failed');
    expect((await api('GET', '/forms/submissions?form=desfeito')).body.data).toEqual([]);
    expect(await eventsOf('form.submitted')).toHaveLength(before);
  });

  it('refuses what breaks a limit, naming the field, and stores nothing', async () => {
    const before = (await eventsOf('form.submitted')).length;
    const base = { flow: 'vendas', flowVersion: 1, form: 'limites', contactId: joao.contactId, conversationId: joao.conversationId, at: '2026-03-01T12:00:00.000Z' };
    const tooMany = await submit({ ...base, fields: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`campo_${i}`, i])) });
    expect(tooMany).toMatchObject({ ok: false, error: { code: 'CONVERSA_ERR_VALIDATION', details: { field: 'fields', rule: 'must have at most 100 fields (has 101)' } } });
    const tooBig = await submit({ ...base, fields: { texto: 'ã'.repeat(9000) } });
    expect(tooBig).toMatchObject({ ok: false, error: { code: 'CONVERSA_ERR_VALIDATION', details: { field: 'fields', rule: expect.stringContaining('16384 bytes') } } });
    const version = await submit({ ...base, flowVersion: 0, fields: {} });
    expect(version).toMatchObject({ ok: false, error: { details: { field: 'flowVersion' } } });
    // A contact of another workspace is not a contact here.
    const foreign = await submit({ ...base, contactId: other.contactId, fields: { a: 1 } });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'CONVERSA_ERR_NOT_FOUND', details: { field: 'contactId' } } });
    for (const [kind, score] of [['csat', 0], ['csat', 6], ['csat', 4.5], ['nps', -1], ['nps', 11]] as const) {
      expect(await answer({ kind, score, comment: null, at: '2026-03-01T12:00:00.000Z' }), `${kind} ${score}`).toMatchObject({ ok: false, error: { code: 'CONVERSA_ERR_VALIDATION', details: { field: 'score' } } });
    }
    expect((await api('GET', '/forms/submissions?form=limites')).body.data).toEqual([]);
    expect(await eventsOf('form.submitted')).toHaveLength(before);
    expect((await api('GET', '/surveys/responses?since=2026-03-01T12:00:00Z&until=2026-03-01T12:00:01Z')).body.data).toEqual([]);
  });

  it('lists newest first with filters and pages that never repeat or skip', async () => {
    const all = await api('GET', '/forms/submissions');
    expect(all.body.data.map((s: Json) => s.id)).toEqual([...ids].reverse());
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Json = await api('GET', `/forms/submissions?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((s: Json) => s.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const ofForm = await api('GET', '/forms/submissions?form=orcamento');
    expect(ofForm.body.data.map((s: Json) => s.id)).toEqual([ids[4], ids[1], ids[0]]);
    expect((await api('GET', '/forms/submissions?flow=cadastro')).body.data.map((s: Json) => s.id)).toEqual([ids[3], ids[2]]);
    expect((await api('GET', `/forms/submissions?contact_id=${maria.contactId}`)).body.data.map((s: Json) => s.id)).toEqual([ids[3], ids[1]]);
    // since inclusive, until exclusive; a date is midnight UTC; an offset counts.
    expect((await api('GET', '/forms/submissions?since=2026-03-02T10:00:00Z&until=2026-03-04')).body.data.map((s: Json) => s.id)).toEqual([ids[2], ids[1]]);
    expect((await api('GET', `/forms/submissions?since=${encodeURIComponent('2026-03-05T07:00:00-03:00')}`)).body.data.map((s: Json) => s.id)).toEqual([ids[4]]);
    expect((await api('GET', '/forms/submissions?form=orcamento&flow=vendas&since=2026-03-02&until=2026-03-03')).body.data.map((s: Json) => s.id)).toEqual([ids[1]]);
  });

  it('answers bad filters with 400 naming the field', async () => {
    for (const [query, field] of [
      ['since=ontem', 'querystring.since'],
      ['until=2026-02-30', 'querystring.until'],
      ['since=2026-03-01T10:00:00', 'querystring.since'],
      ['since=2026-03-05&until=2026-03-01', 'querystring.until'],
      ['limit=201', 'querystring.limit'],
      ['limit=0', 'querystring.limit'],
      ['cursor=bm9wZQ', 'querystring.cursor'],
    ]) {
      const answered = await api('GET', `/forms/submissions?${query}`);
      expect(answered.status, query).toBe(400);
      expect(answered.body.error.code).toBe('CONVERSA_ERR_VALIDATION');
      expect(answered.body.error.details.field, query).toContain(field);
    }
    expect((await api('GET', '/forms/submissions/export?format=pdf')).body.error.details.field).toBe('querystring.format');
    expect((await api('GET', '/surveys/summary?kind=ces')).body.error.details.field).toBe('querystring.kind');
    expect((await api('GET', '/surveys/responses?until=amanha')).body.error.details.field).toBe('querystring.until');
  });

  it('keeps workspaces apart: another key sees none of it, and 404 on an id', async () => {
    const theirs = platformApi(() => running, other.key);
    expect((await theirs('GET', '/forms/submissions')).body.data.map((s: Json) => s.id)).toEqual([other.submissionId]);
    expect((await theirs('GET', `/forms/submissions?contact_id=${joao.contactId}`)).body.data).toEqual([]);
    const read = await theirs('GET', `/forms/submissions/${ids[0]}`);
    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe('CONVERSA_ERR_NOT_FOUND');
    expect((await api('GET', `/forms/submissions/${other.submissionId}`)).status).toBe(404);
    expect((await api('GET', '/forms/submissions')).body.data.map((s: Json) => s.id)).not.toContain(other.submissionId);
    expect((await theirs('GET', '/surveys/responses')).body.data).toEqual([]);
    expect((await theirs('GET', '/surveys/summary?kind=csat')).body.total.count).toBe(0);
    const theirExport = await download('format=csv', other.key);
    const text = theirExport.bytes.toString('utf8');
    expect(text).toContain('Cliente da Outra');
    expect(text).not.toContain('João');
    const ours = (await download('format=csv')).bytes.toString('utf8');
    expect(ours).not.toContain('Cliente da Outra');
    // The scope: a key without forms:read is refused; one with it (and nothing else) reads.
    const narrow = await api('POST', '/api-keys', { name: 'só contatos', scopes: ['contacts:read'] });
    expect((await api('GET', '/forms/submissions', undefined, { token: narrow.body.key })).status).toBe(403);
    expect((await download('format=csv', narrow.body.key)).status).toBe(403);
    const reader = await api('POST', '/api-keys', { name: 'planilhas', scopes: ['forms:read'] });
    expect((await api('GET', '/forms/submissions', undefined, { token: reader.body.key })).body.data).toHaveLength(5);
    expect((await api('GET', '/contacts', undefined, { token: reader.body.key })).status).toBe(403);
  });

  it('exports XLSX: one sheet per form, a header, typed cells, accents intact, text never a formula', async () => {
    const exported = await download('format=xlsx');
    expect(exported.status).toBe(200);
    expect(exported.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(exported.headers['content-disposition']).toMatch(/^attachment; filename="form-submissions-\d{4}-\d{2}-\d{2}\.xlsx"$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(exported.bytes as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Cadastro_ clientes_VIP _2026_ c', 'cadastro_ clientes_vip _202 (2)', 'orcamento']);

    const sheet = workbook.getWorksheet('orcamento') as ExcelJS.Worksheet;
    const values = (row: number) => (sheet.getRow(row).values as unknown[]).slice(1);
    expect(values(1)).toEqual(['submitted_at', 'contact_wa_id', 'contact_name', 'flow', 'flow_version', 'nome', 'quantidade', 'entrega', 'urgente', 'endereco', 'observacao', 'telefone', 'prazo']);
    expect(sheet.rowCount).toBe(4);
    // Oldest first: João's first quote.
    const first = sheet.getRow(2);
    expect(first.getCell(1).value).toEqual(new Date('2026-03-01T10:00:00.000Z'));
    expect(first.getCell(2).value).toBe(joao.waId);
    expect(first.getCell(3).value).toBe('João Conceição');
    expect(first.getCell(4).value).toBe('vendas');
    expect(first.getCell(5).value).toBe(1);
    expect(first.getCell(6).value).toBe('João Conceição');
    expect(first.getCell(7).value).toBe(3);
    expect(first.getCell(7).type).toBe(ExcelJS.ValueType.Number);
    expect(first.getCell(8).value).toEqual(new Date('2026-03-15T00:00:00.000Z'));
    expect(first.getCell(8).type).toBe(ExcelJS.ValueType.Date);
    expect(first.getCell(9).value).toBe(true);
    expect(JSON.parse(first.getCell(10).value as string)).toEqual({ rua: 'Av. Paulista', numero: 1000 });
    expect(first.getCell(11).value).toBeNull();
    // Maria: a formula-looking name and fields stay text; a day that does not exist stays text.
    const second = sheet.getRow(3);
    for (const column of [3, 6, 11, 12]) {
      expect(second.getCell(column).type, `column ${column}`).toBe(ExcelJS.ValueType.String);
      expect(second.getCell(column).formula).toBeUndefined();
    }
    expect([second.getCell(3).value, second.getCell(6).value, second.getCell(11).value, second.getCell(12).value]).toEqual(['=1+2 Maria', '=1+2 Maria', '@SUM(A1)', '+5511966660002']);
    expect(second.getCell(7).value).toBe(1.5);
    expect(second.getCell(8).value).toBe('2026-02-30');
    expect(sheet.getRow(4).getCell(13).value).toEqual(new Date('2026-04-01T00:00:00.000Z'));

    const long = workbook.getWorksheet('Cadastro_ clientes_VIP _2026_ c') as ExcelJS.Worksheet;
    expect((long.getRow(1).values as unknown[]).slice(1)).toEqual(['submitted_at', 'contact_wa_id', 'contact_name', 'flow', 'flow_version', 'email', 'aceita']);
    expect(long.getRow(2).getCell(7).value).toBe(false);

    // One form: its sheet only, named in the file name.
    const one = await download(`format=xlsx&form=${encodeURIComponent(LONG_FORM)}`);
    expect(one.headers['content-disposition']).toMatch(/filename="form-Cadastro-clientes-VIP-2026-com-um-nome-muito-longo-\d{4}-\d{2}-\d{2}\.xlsx"/);
    const single = new ExcelJS.Workbook();
    await single.xlsx.load(one.bytes as unknown as ArrayBuffer);
    expect(single.worksheets.map((s) => s.name)).toEqual(['Cadastro_ clientes_VIP _2026_ c']);

    // Nothing matches: a valid workbook with the header only.
    const none = new ExcelJS.Workbook();
    await none.xlsx.load((await download('format=xlsx&form=nenhum')).bytes as unknown as ArrayBuffer);
    expect(none.worksheets.map((s) => [s.name, s.rowCount])).toEqual([['submissions', 1]]);
  });

  it('exports CSV: UTF-8 with a BOM, the same columns plus form, formulas neutralised', async () => {
    const exported = await download('format=csv');
    expect(exported.status).toBe(200);
    expect(exported.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect([...exported.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(exported.bytes, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0] ?? {})).toEqual(['submitted_at', 'form', 'contact_wa_id', 'contact_name', 'flow', 'flow_version', 'email', 'aceita', 'nome', 'quantidade', 'entrega', 'urgente', 'endereco', 'observacao', 'telefone', 'prazo']);
    expect(rows.map((row) => row.form)).toEqual([LONG_FORM, LONG_FORM.toLowerCase(), 'orcamento', 'orcamento', 'orcamento']);
    const joaoQuote = rows[2] as Record<string, string>;
    expect(joaoQuote).toMatchObject({ submitted_at: '2026-03-01T10:00:00.000Z', contact_wa_id: joao.waId, contact_name: 'João Conceição', nome: 'João Conceição', quantidade: '3', urgente: 'true', entrega: '2026-03-15', flow_version: '1' });
    expect(JSON.parse(joaoQuote.endereco as string)).toEqual({ rua: 'Av. Paulista', numero: 1000 });
    const mariaQuote = rows[3] as Record<string, string>;
    expect(mariaQuote).toMatchObject({ contact_name: "'=1+2 Maria", nome: "'=1+2 Maria", observacao: "'@SUM(A1)", telefone: "'+5511966660002", quantidade: '1.5' });

    const semicolon = await download('format=csv&delimiter=%3B&form=orcamento');
    expect(semicolon.headers['content-disposition']).toMatch(/filename="form-orcamento-\d{4}-\d{2}-\d{2}\.csv"/);
    const parsed = parseCsv(semicolon.bytes, { bom: true, columns: true, delimiter: ';' }) as Array<Record<string, string>>;
    expect(parsed.map((row) => row.nome)).toEqual(['João Conceição', "'=1+2 Maria", 'João']);
  });

  it('exports every row once past one page of the export (1,201 submissions, many sharing a time), columns first-seen', async () => {
    const tenant = await api('POST', '/workspaces', { name: 'Volume' });
    const theirs = platformApi(() => running, tenant.body.api_key);
    const contact = await theirs('POST', '/contacts', { phone: '+5511966660077', name: 'Volume' });
    const outcomes = await running.app.database.db.transaction().execute(async (trx) => {
      const done = [];
      for (let n = 0; n <= 1200; n += 1) {
        // Three submissions per second: pages of 500 end inside a group sharing one time.
        const at = new Date(Date.UTC(2026, 5, 1, 0, 0, Math.floor(n / 3)));
        const fields = { n, ...(n % 400 === 0 ? { [`extra_${n}`]: true } : {}) };
        done.push(await running.app.modules.formSubmissions.submit(trx, { workspaceId: tenant.body.workspace_id, flow: 'volume', flowVersion: 1, form: 'volume', contactId: contact.body.id, conversationId: 'cnv_volume', fields, at }));
      }
      return done;
    });
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    const exported = await download('format=xlsx', tenant.body.api_key);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(exported.bytes as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('volume') as ExcelJS.Worksheet;
    expect((sheet.getRow(1).values as unknown[]).slice(6)).toEqual(['n', 'extra_0', 'extra_400', 'extra_800', 'extra_1200']);
    const numbers: number[] = [];
    sheet.eachRow((row, index) => {
      if (index > 1) numbers.push(row.getCell(6).value as number);
    });
    expect(numbers).toHaveLength(1201);
    expect(new Set(numbers).size).toBe(1201);
    expect(Math.max(...numbers)).toBe(1200);
    const csv = parseCsv((await download('format=csv', tenant.body.api_key)).bytes, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(new Set(csv.map((row) => row.n)).size).toBe(1201);
  }, 60_000);

  it('records survey answers with survey.answered, lists them, and sums CSAT and NPS up by queue and agent', async () => {
    const csat: Array<[number, string | null, string | null]> = [
      [5, 'suporte', 'ana'],
      [4, 'suporte', 'ana'],
      [3, 'suporte', 'bruno'],
      [1, 'vendas', 'bruno'],
      [5, 'vendas', null],
    ];
    for (const [i, [score, queue, agent]] of csat.entries()) {
      const outcome = await answer({ kind: 'csat', score, comment: i === 3 ? 'Demorou demais, não resolveram.' : null, queue, agent, at: `2026-04-0${i + 1}T10:00:00.000Z` });
      expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    }
    for (const [i, score] of [10, 9, 8, 7, 6, 0, 10, 3, 9, 10].entries()) {
      expect((await answer({ kind: 'nps', score, comment: null, queue: i < 5 ? 'suporte' : 'vendas', at: `2026-05-${String(i + 1).padStart(2, '0')}T10:00:00.000Z` })).ok).toBe(true);
    }

    const summary = await api('GET', '/surveys/summary');
    expect(summary.status, summary.text).toBe(200);
    expect(summary.body.kind).toBe('csat');
    expect(summary.body.total).toEqual({ count: 5, average: 3.6, satisfied: 3, satisfied_pct: 60 });
    expect(summary.body.by_queue).toEqual([
      { queue: 'suporte', count: 3, average: 4, satisfied: 2, satisfied_pct: 66.7 },
      { queue: 'vendas', count: 2, average: 3, satisfied: 1, satisfied_pct: 50 },
    ]);
    expect(summary.body.by_agent).toEqual([
      { agent: 'ana', count: 2, average: 4.5, satisfied: 2, satisfied_pct: 100 },
      { agent: 'bruno', count: 2, average: 2, satisfied: 0, satisfied_pct: 0 },
      { agent: null, count: 1, average: 5, satisfied: 1, satisfied_pct: 100 },
    ]);
    const nps = await api('GET', '/surveys/summary?kind=nps');
    expect(nps.body.total).toEqual({ count: 10, average: 7.2, promoters: 5, passives: 2, detractors: 3, promoters_pct: 50, detractors_pct: 30, nps: 20 });
    // suporte: 10, 9, 8, 7, 6 → 40 % − 20 % = 20; vendas: 0, 10, 3, 9, 10 → 60 % − 40 % = 20.
    expect(nps.body.by_queue.map((group: Json) => [group.queue, group.nps])).toEqual([['suporte', 20], ['vendas', 20]]);
    // A period: the first three NPS answers only (10, 9, 8 → 66.7 % promoters, NPS 66.7).
    const period = await api('GET', '/surveys/summary?kind=nps&since=2026-05-01&until=2026-05-04');
    expect(period.body).toMatchObject({ since: '2026-05-01T00:00:00.000Z', until: '2026-05-04T00:00:00.000Z', total: { count: 3, nps: 66.7 } });

    const listed = await api('GET', '/surveys/responses?kind=csat&agent=bruno');
    expect(listed.body.data.map((r: Json) => [r.score, r.queue, r.comment])).toEqual([
      [1, 'vendas', 'Demorou demais, não resolveram.'],
      [3, 'suporte', null],
    ]);
    expect(listed.body.data[0]).toMatchObject({ id: expect.stringMatching(/^srsp_/), kind: 'csat', flow: 'pos_atendimento', contact: { id: joao.contactId, wa_id: joao.waId, name: 'João Conceição' }, conversation_id: joao.conversationId });
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Json = await api('GET', `/surveys/responses?queue=vendas&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...page.body.data.map((r: Json) => r.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(paged).toHaveLength(7);
    expect(new Set(paged).size).toBe(7);

    const events = await eventsOf('survey.answered');
    expect(events).toHaveLength(15);
    expect(events[3]?.data).toEqual({
      id: expect.stringMatching(/^srsp_/),
      flow: 'pos_atendimento',
      kind: 'csat',
      score: 1,
      comment: 'Demorou demais, não resolveram.',
      contact: { id: joao.contactId, wa_id: joao.waId },
      conversation_id: joao.conversationId,
      agent: 'bruno',
      queue: 'vendas',
      answered_at: '2026-04-04T10:00:00.000Z',
    });
  });

  it('lets webhook subscribers choose form.submitted and survey.answered', async () => {
    const created = await api('POST', '/webhooks', { url: 'https://crm.example.com/conversa', events: ['form.submitted', 'survey.answered'], active: false });
    expect(created.status, created.text).toBe(201);
    expect(created.body.events).toEqual(['form.submitted', 'survey.answered']);
    expect((await api('DELETE', `/webhooks/${created.body.id}`)).status).toBe(204);
  });

  // The CLI talks HTTP to the running server only: one dialect is enough.
  it.runIf(dialect.name === 'sqlite')('conversa forms export writes the file the API answers', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'conversa-forms-'));
    try {
      const out = join(folder, 'orcamentos.csv');
      const env = { CONVERSA_URL: running.started.platformUrl, CONVERSA_API_KEY: TEST_ADMIN_KEY, CONVERSA_ADMIN_KEY: '' };
      const done = await conversa(['forms', 'export', '--format', 'csv', '--form', 'orcamento', '--out', out], env);
      expect(done.stderr).toBe('');
      expect(done).toMatchObject({ code: 0, stdout: `${out}\n` });
      const rows = parseCsv(readFileSync(out), { bom: true, columns: true }) as Array<Record<string, string>>;
      expect(rows.map((row) => row.nome)).toEqual(['João Conceição', "'=1+2 Maria", 'João']);
      const refused = await conversa(['forms', 'export', '--format', 'csv', '--since', 'ontem', '--out', out], env);
      expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('CONVERSA_ERR_VALIDATION: querystring.since') });
      expect((await conversa(['forms', 'export'], env)).code).toBe(2);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
