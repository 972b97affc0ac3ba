import { describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- responses are inspected freely

const CONSENT = 'Quero receber mensagens da Conversa Sandbox pelo WhatsApp. Posso parar respondendo SAIR.';

describe.each(DIALECTS)('contacts CSV import on $name', (dialect) => {
  const running = useApp(dialect);

  const platform = running.api;
  const importCsv = (body: string | Buffer | FormData, query = '', contentType: string | undefined = 'text/csv') => platform('POST', `/contacts/import${query}`, body, { contentType: contentType ?? null });
  const api = async (path: string): Promise<Json> => (await platform('GET', path)).body;
  const contactByWaId = async (waId: string): Promise<Json> => (await api('/contacts?limit=200')).data.find((c: Json) => c.wa_id === waId);

  const mixed = [
    'phone,name,tags,marketing_opt_in,consent_text,consent_source',
    `+5511988880001,Ana,vip,yes,"${CONSENT}",loja Centro`, // 2: opted in
    '123,Bad number,,,,', // 3: bad phone
    '+55 11 98888-0001,Ana Maria,promo,,,', // 4: same phone as line 2: merged
    '+5511988880002,Bruno,,maybe,,', // 5: bad marketing_opt_in
    '+5511988880003,Carla,,no,,', // 6: opted out
    '+5511988880004,Dan,,sim,,', // 7: opt-in without consent text
    '', // blank lines are skipped
  ].join('\n');

  it('imports good rows, merges duplicates, reports every bad row with its line and records consents', async () => {
    const result = await importCsv(mixed);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ imported: 2, created: 2, updated: 0, duplicates_merged: 1, rejected_count: 3, consents: { opted_in: 1, opted_out: 1, unchanged: 0 }, encoding: 'utf-8' });
    expect(result.body.import_id).toMatch(/^imp_/);
    expect(result.body.rejected).toEqual([
      { line: 3, field: 'phone', reason: expect.stringContaining('"123"') },
      { line: 5, field: 'marketing_opt_in', reason: expect.stringContaining('"maybe"') },
      { line: 7, field: 'consent_text', reason: expect.stringContaining('is required when marketing_opt_in is yes') },
    ]);

    const ana = await contactByWaId('5511988880001');
    expect(ana).toMatchObject({ phone: '+5511988880001', name: 'Ana Maria', tags: ['vip', 'promo'] });
    expect(await contactByWaId('5511988880002')).toBeUndefined();
    expect(await contactByWaId('5511988880004')).toBeUndefined();

    const anaConsents = await api(`/contacts/${ana.id}/consents`);
    expect(anaConsents.state.marketing).toBe('opted_in');
    expect(anaConsents.data).toEqual([
      expect.objectContaining({
        purpose: 'marketing',
        status: 'opted_in',
        source: 'import',
        text: CONSENT,
        actor: expect.stringMatching(/^api_key:key_/),
        proof: { import_id: result.body.import_id, line: 2, consent_source: 'loja Centro' },
      }),
    ]);
    const carla = await contactByWaId('5511988880003');
    const carlaConsents = await api(`/contacts/${carla.id}/consents`);
    expect(carlaConsents.data).toEqual([expect.objectContaining({ status: 'opted_out', source: 'import', proof: expect.objectContaining({ line: 6 }) })]);
  });

  it('importing the same file again updates and appends no consent twice', async () => {
    const again = await importCsv(mixed);
    expect(again.body).toMatchObject({ imported: 2, created: 0, updated: 2, duplicates_merged: 1, consents: { opted_in: 0, opted_out: 0, unchanged: 2 } });
    const ana = await contactByWaId('5511988880001');
    expect((await api(`/contacts/${ana.id}/consents`)).data).toHaveLength(1);
  });

  it('writes a batch as one by one would: a number twice changing its mind, a known contact, new ones with their contact.created events, consents in line order', async () => {
    const known = (await platform('POST', '/contacts', { phone: '+5511988880021', name: 'Já conhecido', tags: ['antigo'] })).body;
    const csv = [
      'phone,name,tags,marketing_opt_in,consent_text',
      `+5511988880020,Eva,,yes,"${CONSENT}"`, // 2: opted in ...
      '+5511988880021,Fábio,novo,,', // 3: the known contact: name replaced, tags joined
      '+5511988880022,Gil,,no,', // 4: new, opted out
      '+5511988880020,Eva Souza,,no,', // 5: ... and then out, after line 2
    ].join('\n');
    const result = await importCsv(csv);
    expect(result.body).toMatchObject({ imported: 3, created: 2, updated: 1, duplicates_merged: 1, consents: { opted_in: 1, opted_out: 2, unchanged: 0 } });
    const eva = await contactByWaId('5511988880020');
    expect(eva.name).toBe('Eva Souza');
    const evaConsents = await api(`/contacts/${eva.id}/consents`);
    expect(evaConsents.state.marketing).toBe('opted_out');
    expect(evaConsents.data.map((entry: Json) => [entry.status, entry.proof.line])).toEqual([
      ['opted_in', 2],
      ['opted_out', 5],
    ]);
    expect(await contactByWaId('5511988880021')).toMatchObject({ id: known.id, name: 'Fábio', tags: ['antigo', 'novo'] });
    const events = await running.app.database.db.selectFrom('outbox_events').select(['type', 'data']).where('type', 'in', ['contact.created', 'consent.changed']).orderBy('id').execute();
    const mine = events.map((event) => ({ type: event.type, data: JSON.parse(event.data) as Json })).filter((event) => ['5511988880020', '5511988880022'].includes(event.data.wa_id) || [eva.id].includes(event.data.contact_id));
    // One contact.created each (new numbers written together come first: the order between two contacts' events means nothing).
    expect(mine.filter((event) => event.type === 'contact.created').map((event) => event.data)).toEqual(
      expect.arrayContaining([expect.objectContaining({ wa_id: '5511988880020', phone: '+5511988880020', name: 'Eva' }), expect.objectContaining({ wa_id: '5511988880022', phone: '+5511988880022', name: 'Gil' })]),
    );
    expect(mine.filter((event) => event.type === 'contact.created')).toHaveLength(2);
    expect(mine.filter((event) => event.type === 'consent.changed').map((event) => event.data.status)).toEqual(['opted_in', 'opted_out']);
  });

  it('keeps the opt-out of an erased person whose number comes back in an import (written with the new numbers)', async () => {
    expect((await importCsv('phone,marketing_opt_in\n+5511988880023,no\n')).body).toMatchObject({ created: 1, consents: { opted_out: 1 } });
    const before = await contactByWaId('5511988880023');
    expect((await platform('POST', `/contacts/${before.id}/erase`)).status).toBe(200);
    expect((await importCsv('phone,name\n+5511988880023,Hugo\n+5511988880024,Iara\n')).body).toMatchObject({ created: 2, updated: 0 });
    const after = await contactByWaId('5511988880023');
    expect(after.id).not.toBe(before.id);
    const consents = await api(`/contacts/${after.id}/consents`);
    expect(consents.state.marketing).toBe('opted_out');
    expect(consents.data).toEqual([expect.objectContaining({ status: 'opted_out', actor: 'consent_tombstone' })]);
    expect((await api(`/contacts/${(await contactByWaId('5511988880024')).id}/consents`)).data).toEqual([]);
  });

  it('reads a ;-separated multipart upload with accents, national numbers and a file-wide consent text', async () => {
    const csv = '\uFEFFNome;Telefone;Idioma;Cidade natal;Marketing_Opt_In\nJoão Çà Ñandú;(11) 98888-0005;pt-BR;São Paulo;sim\n"Márcia; a ""Má""";11 98888-0006;;Belém;\n';
    const form = new FormData();
    form.append('note', 'ignored field');
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'clientes.csv');
    const result = await importCsv(form, `?default_country=BR&consent_text=${encodeURIComponent(CONSENT)}`);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ imported: 2, created: 2, rejected: [], consents: { opted_in: 1 } });
    expect(await contactByWaId('5511988880005')).toMatchObject({ name: 'João Çà Ñandú', language: 'pt_BR', attributes: { cidade_natal: 'São Paulo' } });
    expect(await contactByWaId('5511988880006')).toMatchObject({ name: 'Márcia; a "Má"', attributes: { cidade_natal: 'Belém' } });
    const joao = await contactByWaId('5511988880005');
    const consents = await api(`/contacts/${joao.id}/consents`);
    expect(consents.data[0]).toMatchObject({ source: 'import', text: CONSENT, proof: { line: 2, file_name: 'clientes.csv' } });
  });

  it('reads an old Excel export in windows-1252', async () => {
    const bytes = Buffer.from('nome;celular\nJosé Conceição;+55 11 98888-0007\n', 'latin1');
    const result = await importCsv(bytes);
    expect(result.body).toMatchObject({ imported: 1, encoding: 'windows-1252', rejected: [] });
    expect(await contactByWaId('5511988880007')).toMatchObject({ name: 'José Conceição' });
  });

  it('reports a file without a phone column at line 1 and imports nothing', async () => {
    const result = await importCsv('name,email\nAna,ana@example.com\n');
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ imported: 0, rejected: [{ line: 1, field: 'phone', reason: expect.stringContaining('no phone column') }] });
  });

  it('answers clear 4xx errors for a bad country, an empty body, JSON, and a form without the file', async () => {
    const country = await importCsv('phone\n+5511988880008\n', '?default_country=XX');
    expect(country.status).toBe(400);
    expect(country.body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field: 'querystring.default_country' } });

    const empty = await importCsv('');
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('CONVERSA_ERR_VALIDATION');

    const json = await importCsv(JSON.stringify({ phone: '+5511988880008' }), '', 'application/json');
    expect(json.status).toBe(415);
    expect(json.body.error.message).toContain('text/csv');

    const form = new FormData();
    form.append('other', new Blob(['phone\n+5511988880008\n']), 'x.csv');
    const missing = await importCsv(form);
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual({ field: 'file', rule: 'is required' });
    expect(await contactByWaId('5511988880008')).toBeUndefined();
  });

  it('refuses a CSV over 20 MB, raw or multipart, before importing any row', async () => {
    const big = `phone\n+5511988880010\n${'x\n'.repeat(10.5 * 1024 * 1024)}`;
    const raw = await importCsv(big);
    expect(raw.status).toBe(413);
    expect(raw.body.error.code).toBe('CONVERSA_ERR_PAYLOAD_TOO_LARGE');
    const form = new FormData();
    form.append('file', new Blob([big]), 'big.csv');
    const multipart = await importCsv(form);
    expect(multipart.status).toBe(413);
    expect(multipart.body.error.code).toBe('CONVERSA_ERR_PAYLOAD_TOO_LARGE');
    expect(await contactByWaId('5511988880010')).toBeUndefined();
  });

  it('needs a key with contacts:write', async () => {
    const response = await platform('POST', '/contacts/import', 'phone\n+5511988880009\n', { contentType: 'text/csv', token: null });
    expect(response.status).toBe(401);
  });
});
