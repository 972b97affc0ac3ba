import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromBuffer, type Entry, type ZipFile } from 'yauzl';
import { runContact } from '../src/cli/contact-command.js';
import { TEST_ADMIN_KEY } from './support/app.js';
import { conversa } from './support/cli.js';
import { DIALECTS } from './support/databases.js';
import { platformApi } from './support/http.js';
import { pngFile } from './support/media-files.js';
import { useApp } from './support/use-app.js';
import { appApi, createUser, signIn } from './support/users.js';
import { until, type Json } from './support/wait.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The files of a ZIP by name, read with yauzl (as any unzip tool would). */
async function unzip(data: Buffer): Promise<Map<string, Buffer>> {
  const zip = await new Promise<ZipFile>((resolve, reject) => fromBuffer(data, { lazyEntries: true }, (error, file) => (error ? reject(error) : resolve(file))));
  const files = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', reject);
        stream.on('end', () => {
          files.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  return files;
}

const INVOICE = {
  number: 'DP-0001',
  issue_date: '2026-11-26',
  due_date: '2026-12-10',
  seller: { name: 'Padaria Pão Quente Ltda.', document: '11.222.333/0001-81' },
  customer: { name: 'Maria <script>', document: '529.982.247-25' },
  items: [{ description: 'Pão de queijo (kg)', quantity: 1, unit_price: '39.90' }],
};

describe.each(DIALECTS)('a person: correct (PATCH) and access (export) on $name', (dialect) => {
  const running = useApp(dialect);
  const api = running.api;
  const sandbox = running.sandbox;
  const WA = '5511955510001';
  const OTHER = '5511955510002';
  const NAME = '<script>alert("x")</script> Maria';
  const photo = pngFile({ width: 3, height: 3, rgba: [200, 10, 10, 255] });
  let contactId: string;
  let otherId: string;
  let invoiceMediaId: string;

  const download = async (path: string, token = TEST_ADMIN_KEY) => {
    const response = await fetch(`${running.started.platformUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, headers: response.headers, data: Buffer.from(await response.arrayBuffer()) };
  };
  const conversationOf = async (waId: string) => (await api('GET', `/conversations?wa_id=${waId}&messages=50`)).body.data[0] as Json | undefined;
  const customerWrites = async (waId: string, text: string) => {
    expect((await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: running.pn, type: 'text', text: { body: text } })).status).toBe(201);
    await until(async () => (await conversationOf(waId))?.last_messages?.some((m: Json) => m.content?.text?.body === text), `"${text}" to arrive`);
  };

  beforeAll(async () => {
    // The person: writes (text and a photo), is answered, opts in with proof, gets an invoice,
    // becomes a lead, and an agent writes an internal note and a label on their conversation.
    await customerWrites(WA, 'Olá, quero o orçamento do bolo');
    expect((await sandbox('POST', `/sandbox/v1/phones/${WA}/messages`, { to: running.pn, type: 'image', image: { data_base64: photo.toString('base64'), mime_type: 'image/png', caption: 'foto do bolo' } })).status).toBe(201);
    const image = await until(async () => (await conversationOf(WA))?.last_messages?.find((m: Json) => m.type === 'image' && m.content.media_id), 'the photo');
    await until(async () => (await api('GET', `/media/${image.content.media_id}`)).body.status === 'ready', 'the photo to be downloaded');
    contactId = (await api('GET', `/contacts?wa_id=${WA}`)).body.data[0].id;
    expect((await api('PATCH', `/contacts/${contactId}`, { name: NAME, attributes: { cidade: 'São Paulo' } })).status).toBe(200);
    expect((await api('POST', '/messages', { to: `+${WA}`, type: 'text', text: { body: 'Claro! O bolo sai por R$ 102,00' } })).status).toBe(202);
    const consent = await api('POST', `/contacts/${contactId}/consents`, { purpose: 'marketing', status: 'opted_in', source: 'web_form', text: 'Aceito receber ofertas da Padaria Pão Quente', proof: { form_id: 'landing-42' } });
    expect(consent.status, consent.text).toBe(201);
    const invoice = await api('POST', '/invoices', INVOICE);
    expect(invoice.status, invoice.text).toBe(201);
    invoiceMediaId = invoice.body.media_id;
    expect((await api('POST', '/messages', { to: `+${WA}`, type: 'document', document: { id: invoiceMediaId, filename: 'fatura.pdf' } })).status).toBe(202);
    expect((await api('POST', '/leads', { contact_id: contactId, source: { type: 'api', id: 'landing' }, fields: { email: 'maria@example.com' } })).status).toBe(201);
    const admin = await createUser(running, { role: 'admin', name: 'Ana' });
    const desk = appApi(running, await signIn(running, admin.email, admin.password));
    const conversationId = (await conversationOf(WA))?.id as string;
    expect((await desk('POST', `/app/api/conversations/${conversationId}/notes`, { text: 'Cliente prefere entrega à tarde' })).status).toBe(201);
    expect((await desk('PUT', `/app/api/conversations/${conversationId}/labels`, { labels: ['Orçamento'] })).status).toBe(200);
    // Someone else, whose data must not be in the export.
    await customerWrites(OTHER, 'Mensagem de outra pessoa');
    otherId = (await api('GET', `/contacts?wa_id=%2B${OTHER}`)).body.data[0].id;
    await until(async () => {
      const history = (await api('GET', `/conversations/${conversationId}/messages?limit=50`)).body.data as Json[];
      return history.filter((m) => m.direction === 'out').every((m) => ['sent', 'delivered', 'read'].includes(m.status));
    }, 'the answers to be sent');
  });

  it('exports everything held about the person as one ZIP: messages, media bytes, consent proof, notes, lead, invoice; nobody else', async () => {
    const answer = await download(`/contacts/${contactId}/export`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/zip');
    expect(answer.headers.get('content-disposition')).toBe(`attachment; filename="contact-${contactId}.zip"`);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const files = await unzip(answer.data);
    expect([...files.keys()].slice(0, 4)).toEqual(['README.txt', 'person.json', 'summary.html', 'messages.csv']);
    expect(files.get('README.txt')?.toString()).toMatch(/person\.json\s+everything, machine-readable/);

    const person = JSON.parse(files.get('person.json')?.toString() ?? '{}') as Json;
    expect(person.contact).toMatchObject({ id: contactId, wa_id: WA, phone: `+${WA}`, name: NAME, attributes: { cidade: 'São Paulo' } });
    expect(person.messages.map((m: Json) => m.text)).toEqual(expect.arrayContaining(['Olá, quero o orçamento do bolo', 'foto do bolo', 'Claro! O bolo sai por R$ 102,00']));
    expect(person.message_count).toBe(person.messages.length);
    const sent = person.messages.find((m: Json) => m.text === 'Claro! O bolo sai por R$ 102,00');
    expect(sent).toMatchObject({ direction: 'out', status: expect.stringMatching(/^(sent|delivered|read)$/), sent_at: expect.any(String) });
    expect(sent).toHaveProperty('cost_micros');
    expect(person.consent.state).toMatchObject({ marketing: 'opted_in' });
    expect(person.consent.history).toEqual([expect.objectContaining({ status: 'opted_in', text: 'Aceito receber ofertas da Padaria Pão Quente', proof: expect.objectContaining({ form_id: 'landing-42' }) })]);
    expect(person.conversations).toHaveLength(1);
    expect(person.conversations[0]).toMatchObject({ labels: ['Orçamento'], notes: [expect.objectContaining({ text: 'Cliente prefere entrega à tarde' })] });
    expect(person.leads).toEqual([expect.objectContaining({ source_type: 'api', source_id: 'landing' })]);
    expect(JSON.stringify(person.leads[0].fields)).toContain('maria@example.com');
    expect(person.invoices).toEqual([expect.objectContaining({ number: 'DP-0001', media_id: invoiceMediaId })]);
    expect(person.blocked).toEqual([]);

    // The photo the person sent and the invoice PDF they were sent: the same bytes, by SHA-256.
    const received = person.media.find((m: Json) => m.direction === 'in');
    expect(received).toMatchObject({ mime_type: 'image/png', sha256: sha256(photo), file: expect.stringMatching(/^media\/med_[A-Za-z0-9_-]+\.png$/) });
    expect(sha256(files.get(received.file) as Buffer)).toBe(sha256(photo));
    const pdf = person.media.find((m: Json) => m.id === invoiceMediaId);
    expect(pdf.file).toMatch(/\.pdf$/);
    expect(sha256(files.get(pdf.file) as Buffer)).toBe(pdf.sha256);
    expect((files.get(pdf.file) as Buffer).subarray(0, 5).toString()).toBe('%PDF-');

    const csv = parseCsv(files.get('messages.csv') as Buffer, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(csv.map((row) => row.text)).toEqual(expect.arrayContaining(['Olá, quero o orçamento do bolo', 'Claro! O bolo sai por R$ 102,00']));
    expect(csv.find((row) => row.text === 'foto do bolo')?.media_files).toBe(received.file);

    // The readable summary: the name escaped, never markup; a CSP that runs no script.
    const html = files.get('summary.html')?.toString() ?? '';
    expect(html).toContain('<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Maria');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('Cliente prefere entrega à tarde');
    expect(html).toContain('Aceito receber ofertas da Padaria Pão Quente');

    // Nobody else's data, anywhere in the archive.
    for (const [name, bytes] of files) {
      expect(bytes.includes(OTHER), name).toBe(false);
      expect(bytes.includes('Mensagem de outra pessoa'), name).toBe(false);
      expect(bytes.includes(otherId), name).toBe(false);
    }
  });

  it('answers 404 for a contact of another workspace, and asks for contacts:read', async () => {
    const tenant = await api('POST', '/workspaces', { name: 'Outra loja' });
    const other = platformApi(() => running, tenant.body.api_key);
    expect((await download(`/contacts/${contactId}/export`, tenant.body.api_key)).status).toBe(404);
    expect((await other('PATCH', `/contacts/${contactId}`, { name: 'Invasor' })).status).toBe(404);
    expect((await other('GET', `/contacts?wa_id=${WA}`)).body.data).toEqual([]);
    expect((await download('/contacts/ct_doesnotexist/export')).status).toBe(404);
    const key = await api('POST', '/api-keys', { name: 'só mensagens', scopes: ['messages:read'] });
    expect(key.status, key.text).toBe(201);
    expect((await download(`/contacts/${contactId}/export`, key.body.key)).status).toBe(403);
    expect((await api('GET', `/contacts/${contactId}`)).body.name).toBe(NAME);
  });

  it('corrects a contact with PATCH: each field replaced, attributes merged, null clears', async () => {
    const created = await api('POST', '/contacts', { phone: '+5511955510003', name: 'Jão', language: 'pt_BR', time_zone: 'America/Sao_Paulo', attributes: { plano: 'ouro', cidade: 'Santos' }, tags: ['vip'] });
    const id = created.body.id as string;
    const patched = await api('PATCH', `/contacts/${id}`, { name: '  João Conceição ', language: 'en', time_zone: 'Europe/Lisbon', attributes: { cidade: 'São Paulo', plano: null }, tags: ['cliente', 'cliente', 'atacado'] });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ id, phone: '+5511955510003', name: 'João Conceição', language: 'en', time_zone: 'Europe/Lisbon', attributes: { cidade: 'São Paulo' }, tags: ['cliente', 'atacado'] });
    expect(patched.body.updated_at >= created.body.updated_at).toBe(true);
    expect((await api('GET', `/contacts/${id}`)).body).toEqual(patched.body);
    const cleared = await api('PATCH', `/contacts/${id}`, { name: null, language: null, time_zone: null, attributes: null, tags: null });
    expect(cleared.body).toMatchObject({ name: null, language: null, time_zone: null, attributes: {}, tags: [] });
    expect((await api('GET', `/contacts/${id}`)).body).toEqual(cleared.body);
  });

  it('refuses a bad field of PATCH with a 400 naming it and the rule', async () => {
    const id = (await api('POST', '/contacts', { phone: '+5511955510004' })).body.id as string;
    const cases: Array<[unknown, string, RegExp]> = [
      [{ time_zone: 'Mars/Olympus' }, 'body.time_zone', /IANA time zone/],
      [{ time_zone: '' }, 'body.time_zone', /fewer than 1/],
      [{ language: 'portuguese' }, 'body.language', /pattern/],
      [{ name: 'x'.repeat(257) }, 'body.name', /more than 256/],
      [{ attributes: ['a'] }, 'body.attributes', /object/],
      [{ attributes: { cidade: { rua: 'x' } } }, 'body.attributes.cidade', /string/],
      [{ attributes: { nota: 'x'.repeat(1025) } }, 'body.attributes.nota', /more than 1024/],
      [{ attributes: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`a${i}`, 'v'])) }, 'body.attributes', /more than 100/],
      [{ tags: ['ok', ' '] }, 'body.tags.1', /pattern/],
      [{ tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'body.tags', /more than 50/],
      [{ phone: '+5511900000000' }, 'body.phone', /cannot be changed/],
      [{ name: 'Outro', wa_id: '5511900000000' }, 'body.wa_id', /cannot be changed/],
      [{}, 'body', /fewer than 1/],
    ];
    for (const [body, field, rule] of cases) {
      const refused = await api('PATCH', `/contacts/${id}`, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error, JSON.stringify(body)).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field, rule: expect.stringMatching(rule) } });
    }
    // 100 attributes in all: 99 kept + 2 new is one too many, refused without a change.
    await api('PATCH', `/contacts/${id}`, { attributes: Object.fromEntries(Array.from({ length: 99 }, (_, i) => [`a${i}`, 'v'])) });
    const tooMany = await api('PATCH', `/contacts/${id}`, { attributes: { x: '1', y: '2' } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details).toMatchObject({ field: 'body.attributes', rule: expect.stringMatching(/at most 100/) });
    expect(Object.keys((await api('GET', `/contacts/${id}`)).body.attributes)).toHaveLength(99);
  });

  // The CLI talks HTTP to the running server only: one dialect is enough.
  it.runIf(dialect.name === 'sqlite')('conversa contact export --wa-id writes the archive the API answers', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'conversa-contact-'));
    try {
      const env = { CONVERSA_URL: running.started.platformUrl, CONVERSA_API_KEY: TEST_ADMIN_KEY, CONVERSA_ADMIN_KEY: '' };
      const out = join(folder, 'maria.zip');
      const done = await conversa(['contact', 'export', '--wa-id', `+${WA}`, '--out', out], env);
      expect(done.stderr).toBe('');
      expect(done).toMatchObject({ code: 0, stdout: `${out}\n` });
      const person = JSON.parse((await unzip(readFileSync(out))).get('person.json')?.toString() ?? '{}') as Json;
      expect(person.contact.id).toBe(contactId);

      // Without --out: contact-<id>.zip in the current folder (run in-process: the child's folder is the repository's).
      const written: string[] = [];
      const byDefault = await runContact(['export', '--wa-id', WA], { env, out: (text) => written.push(text), err: (text) => written.push(text), stdout: process.stdout });
      try {
        expect({ byDefault, written }).toEqual({ byDefault: 0, written: [`contact-${contactId}.zip`] });
        expect(readFileSync(`contact-${contactId}.zip`).subarray(0, 2).toString()).toBe('PK');
      } finally {
        rmSync(`contact-${contactId}.zip`, { force: true });
      }

      const unknown = await conversa(['contact', 'export', '--wa-id', '5511900000099', '--out', out], env);
      expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('No contact with WhatsApp id 5511900000099') });
      expect((await conversa(['contact', 'export'], env)).code).toBe(2);
      expect((await conversa(['contact', 'erase', '--wa-id', WA], env)).code).toBe(2);
      expect((await conversa(['contact', '--help'], env)).stdout).toContain('--wa-id');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
