import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../src/modules/audit/index.js';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { appApi, createUser, signIn } from './support/users.js';
import { until, type Json } from './support/wait.js';

type Row = Record<string, unknown>;

/**
 * The audit log (issue 13, "Accountability"; docs/data-protection.md "The audit log"): what API
 * keys and people did, recorded by route; denied attempts; sign-ins; GET /api/v1/audit with its
 * filters, pages and workspace scope; append-only (the trigger); no secret or content in it; the
 * retention job.
 */
describe.each(DIALECTS)('the audit log on $name', (dialect) => {
  const running = useApp(dialect, { build: { auditPrune: { batch: 2 } } });
  const api = running.api;
  const db = () => running.app.database.db;
  let sequence = 0;
  const phone = () => `+55119455${String(dialect.name.length)}${String(++sequence).padStart(4, '0')}`;

  /** The stored entries once every answered request's entry is written. */
  const entries = async (where: (row: Row) => boolean = () => true): Promise<Row[]> => {
    await running.app.http.auditSettled();
    const rows = (await db().selectFrom('audit_log').selectAll().orderBy('id').execute()) as Row[];
    return rows.filter(where);
  };
  const newKey = async (name: string, scopes: string[], token?: string): Promise<{ id: string; key: string }> => {
    const created = await api('POST', '/api-keys', { name, scopes }, token ? { token } : {});
    expect(created.status, created.text).toBe(201);
    return { id: created.body.id, key: created.body.key };
  };

  it('records an API key changing a contact: who, what, which record, from where, the outcome', async () => {
    const crm = await newKey('crm-sync', ['contacts:write', 'contacts:read']);
    const number = phone();
    const created = await api('POST', '/contacts', { phone: number, name: 'Maria' }, { token: crm.key });
    expect(created.status, created.text).toBe(201);
    const changed = await api('POST', '/contacts', { phone: number, name: 'Maria Silva' }, { token: crm.key });
    expect(changed.status, changed.text).toBe(200);

    const mine = await entries((row) => row.actor_id === crm.id);
    expect(mine).toHaveLength(2);
    expect(mine[0]).toMatchObject({ workspace_id: running.started.workspaceId, actor_type: 'api_key', actor_label: 'crm-sync', action: 'contacts.create', method: 'POST', route: '/api/v1/contacts', target_type: 'contacts', target_id: created.body.id, outcome: 'success', status_code: 201 });
    expect(mine[1]).toMatchObject({ action: 'contacts.update', target_id: created.body.id, outcome: 'success', status_code: 200, ip: '127.0.0.1' });
    expect(mine[1]?.request_id).toEqual(expect.any(String));
    expect(Date.parse(String(mine[1]?.at))).toBeGreaterThan(Date.now() - 60_000);
  });

  it('records a key refused for a missing scope as denied, and nothing for a request without a valid key', async () => {
    const reader = await newKey('read-only', ['contacts:read']);
    const before = (await entries()).length;
    const refused = await api('POST', '/contacts', { phone: phone(), name: 'Não' }, { token: reader.key });
    expect(refused.status).toBe(403);
    expect((await api('POST', '/contacts', { phone: phone() }, { token: 'cv_live_not-a-key-at-all-000000' })).status).toBe(401);
    expect((await api('POST', '/contacts', { phone: phone() }, { token: null })).status).toBe(401);

    const added = (await entries()).slice(before);
    expect(added).toHaveLength(1);
    // POST /contacts creates or updates: a refused attempt is named by its default, contacts.update.
    expect(added[0]).toMatchObject({ actor_type: 'api_key', actor_id: reader.id, action: 'contacts.update', outcome: 'denied', status_code: 403 });
    expect(JSON.parse(String(added[0]?.details))).toEqual({ error: 'CONVERSA_ERR_FORBIDDEN' });
  });

  it('records bulk reads and exports of personal data, not a routine read of one record (CONVERSA_AUDIT_READS off)', async () => {
    const reader = await newKey('bi', ['contacts:read', 'messages:read']);
    const contact = await api('POST', '/contacts', { phone: phone(), name: 'Single' });
    expect((await api('GET', `/contacts/${contact.body.id}`, undefined, { token: reader.key })).status).toBe(200);
    expect((await api('GET', '/contacts?limit=5', undefined, { token: reader.key })).status).toBe(200);
    expect((await api('GET', '/contacts/export', undefined, { token: reader.key })).status).toBe(200);
    expect((await api('GET', '/conversations', undefined, { token: reader.key })).status).toBe(200);

    const mine = await entries((row) => row.actor_id === reader.id);
    expect(mine.map((row) => [row.action, row.route, row.outcome])).toEqual([
      ['contacts.list', '/api/v1/contacts', 'success'],
      ['contacts.export', '/api/v1/contacts/export', 'success'],
      ['conversations.list', '/api/v1/conversations', 'success'],
    ]);
    // The route pattern, never the URL with its query.
    expect(mine.some((row) => String(row.route).includes('?'))).toBe(false);
  });

  it("records people's sign-ins (also failed ones, never the password), their inbox actions and sign-out, as actor_type user", async () => {
    const ana = await createUser(running, { role: 'agent', name: 'Ana', teams: [{ name: 'Suporte', queue: 'suporte' }] });
    const wrong = await fetch(`${running.started.platformUrl}/app/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ana.email, password: 'Senha-Errada-123' }) });
    expect(wrong.status).toBe(401);
    const nobody = await fetch(`${running.started.platformUrl}/app/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ninguem-aqui@example.com', password: 'Qualquer-123' }) });
    expect(nobody.status).toBe(401);
    const session = await signIn(running, ana.email, ana.password);
    const call = appApi(running, session);

    // A customer writes, the bot hands the conversation to Ana's queue, she takes and resolves it.
    const waId = `55119466${String(dialect.name.length)}0001`;
    expect((await running.sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: running.pn, type: 'text', text: { body: 'Oi, meu pedido 7781 atrasou' } })).status).toBe(201);
    const conversation = await until(async () => (await api('GET', `/conversations?wa_id=${waId}`)).body.data[0], 'the customer conversation');
    expect((await api('POST', `/conversations/${conversation.id}/handoff`, { queue: 'suporte' })).status).toBe(200);
    expect((await call('POST', `/app/api/conversations/${conversation.id}/take`)).status).toBe(200);
    const sent = await call('POST', `/app/api/conversations/${conversation.id}/messages`, { type: 'text', text: { body: 'Texto secreto da resposta 55' } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    // Without the CSRF header: refused, and recorded as denied (the session is known).
    expect((await call('POST', `/app/api/conversations/${conversation.id}/resolve`, {}, { headers: { 'x-csrf-token': 'forged' } })).status).toBe(403);
    expect((await call('POST', `/app/api/conversations/${conversation.id}/resolve`, {})).status).toBe(200);
    expect((await call('DELETE', '/app/api/session')).status).toBe(204);

    const hers = await entries((row) => row.actor_id === ana.id);
    expect(hers.map((row) => [row.action, row.outcome, row.status_code])).toEqual([
      ['users.sign_in', 'failed', 401],
      ['users.sign_in', 'success', 200],
      ['conversations.take', 'success', 200],
      ['messages.send', 'success', 202],
      ['conversations.resolve', 'denied', 403],
      ['conversations.resolve', 'success', 200],
      ['users.sign_out', 'success', 204],
    ]);
    for (const row of hers) expect(row).toMatchObject({ workspace_id: ana.workspaceId, actor_type: 'user', actor_label: ana.email });
    expect(hers[2]).toMatchObject({ route: '/app/api/conversations/:id/take', target_type: 'conversations', target_id: conversation.id });
    // An e-mail no account has: recorded without a workspace or the typed e-mail.
    const unknown = await entries((row) => row.action === 'users.sign_in' && row.actor_id === null);
    expect(unknown.at(-1)).toMatchObject({ workspace_id: null, actor_type: 'user', actor_label: null, outcome: 'failed', status_code: 401 });

    // Never a password, a message's text or a key in the table; Meta's (the sandbox's) webhook is never recorded.
    const dump = JSON.stringify(await entries());
    for (const secret of [ana.password, 'Senha-Errada-123', 'Qualquer-123', 'ninguem-aqui', 'Texto secreto da resposta', 'pedido 7781', session.cookie.split('=')[1] as string, session.csrf]) expect(dump).not.toContain(secret);
    expect((await entries((row) => String(row.route).startsWith('/webhooks'))).length).toBe(0);
  }, 30_000);

  it('lists the workspace\'s log through GET /api/v1/audit: filters, pages newest first, other workspaces invisible, bad input named', async () => {
    const tenant = await api('POST', '/workspaces', { name: `Outra ${dialect.name}` });
    expect(tenant.status, tenant.text).toBe(201);
    const other = tenant.body.api_key as string;
    const otherContact = await api('POST', '/contacts', { phone: phone(), name: 'Do outro' }, { token: other });
    expect(otherContact.status).toBe(201);

    const worker = await newKey('auditado', ['contacts:write']);
    const made: string[] = [];
    for (let i = 0; i < 3; i += 1) made.push((await api('POST', '/contacts', { phone: phone(), name: `Pessoa ${i}` }, { token: worker.key })).body.id);
    expect((await api('POST', '/campaigns', { name: 'x' }, { token: worker.key })).status).toBe(403);
    await running.app.http.auditSettled();

    const byActor = await api('GET', `/audit?actor_id=${worker.id}`);
    expect(byActor.status, byActor.text).toBe(200);
    expect(byActor.body.data.map((entry: Json) => entry.action)).toEqual(['campaigns.create', 'contacts.create', 'contacts.create', 'contacts.create']);
    expect(byActor.body.data[1]).toMatchObject({ actor: { type: 'api_key', id: worker.id, label: 'auditado' }, method: 'POST', route: '/api/v1/contacts', target: { type: 'contacts', id: made[2] }, ip: '127.0.0.1', outcome: 'success', status_code: 201 });
    expect((await api('GET', `/audit?actor_id=${worker.id}&action=contacts.*`)).body.data).toHaveLength(3);
    expect((await api('GET', `/audit?actor_id=${worker.id}&action=contacts.create`)).body.data).toHaveLength(3);
    expect((await api('GET', `/audit?actor_id=${worker.id}&action=contact.*`)).body.data).toHaveLength(0);
    expect((await api('GET', `/audit?actor_id=${worker.id}&outcome=denied`)).body.data.map((entry: Json) => entry.action)).toEqual(['campaigns.create']);
    expect((await api('GET', `/audit?target_id=${made[1]}`)).body.data.map((entry: Json) => entry.actor.id)).toEqual([worker.id]);
    expect((await api('GET', `/audit?actor_type=api_key&actor_id=${worker.id}&limit=200`)).body.data).toHaveLength(4);
    expect((await api('GET', `/audit?actor_type=user&actor_id=${worker.id}`)).body.data).toHaveLength(0);
    expect((await api('GET', `/audit?actor_id=${worker.id}&until=2000-01-01`)).body.data).toHaveLength(0);
    expect((await api('GET', `/audit?actor_id=${worker.id}&since=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`)).body.data).toHaveLength(4);

    // Pages of one, newest first, each entry once.
    const walked: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await api('GET', `/audit?actor_id=${worker.id}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status, page.text).toBe(200);
      walked.push(...page.body.data.map((entry: Json) => entry.id as number));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(walked).toEqual(byActor.body.data.map((entry: Json) => entry.id));
    expect([...walked].sort((a, b) => b - a)).toEqual(walked);

    // The other workspace sees its own entries only, and its admin key may read them (admin implies audit:read).
    const theirs = await api('GET', '/audit?limit=200', undefined, { token: other });
    expect(theirs.status).toBe(200);
    expect(theirs.body.data.map((entry: Json) => entry.target?.id)).toContain(otherContact.body.id);
    expect(theirs.body.data.some((entry: Json) => entry.actor.id === worker.id || made.includes(entry.target?.id))).toBe(false);
    expect((await api('GET', `/audit?target_id=${otherContact.body.id}`)).body.data).toEqual([]);

    // Who read the log is in it (once stored: entries are written after the answer); a key
    // without audit:read may not read it.
    await running.app.http.auditSettled();
    expect((await api('GET', '/audit?action=audit.list&limit=1')).body.data[0]).toMatchObject({ action: 'audit.list', route: '/api/v1/audit' });
    expect((await api('GET', '/audit', undefined, { token: worker.key })).body.error.code).toBe('CONVERSA_ERR_FORBIDDEN');
    const reader = await newKey('auditor', ['audit:read']);
    expect((await api('GET', '/audit?limit=1', undefined, { token: reader.key })).status).toBe(200);

    for (const [query, field] of [['action=contacts.%25', 'querystring.action'], ['since=ontem', 'querystring.since'], ['cursor=abc', 'querystring.cursor'], ['outcome=maybe', 'querystring.outcome'], ['limit=500', 'querystring.limit'], ['actor_type=robot', 'querystring.actor_type']] as const) {
      const bad = await api('GET', `/audit?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field } });
    }
  }, 30_000);

  it('is append-only: the database refuses an UPDATE (trigger), and no code of src/ updates or deletes entries but the retention job', async () => {
    expect((await entries()).length).toBeGreaterThan(0);
    await expect(db().updateTable('audit_log').set({ outcome: 'success' }).execute()).rejects.toThrow(/append-only/);
    await expect(sql`update audit_log set actor_label = 'someone else' where id = (select min(id) from audit_log)`.execute(db())).rejects.toThrow(/append-only/);
    const writes = sources('src').flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/\b(updateTable|deleteFrom)\(\s*'audit_log'/g)].map((match) => `${file}: ${match[1]}`));
    expect(writes).toEqual([join('src', 'modules', 'audit', 'audit-log.ts') + ': deleteFrom']);
  });

  it("'audit prune' deletes entries older than CONVERSA_AUDIT_RETENTION_DAYS (default 365) in batches, and keeps the rest", async () => {
    expect(running.app.config.audit.retentionDays).toBe(365);
    const day = 86_400_000;
    const old = new AuditLog({ db: db(), now: () => new Date(Date.now() - 366 * day) });
    const recent = new AuditLog({ db: db(), now: () => new Date(Date.now() - 364 * day) });
    const entry = (id: string) => ({ workspaceId: running.started.workspaceId, actor: { type: 'system' as const, id: null, label: 'prune test' }, action: 'test.prune', method: 'SYSTEM', route: id, outcome: 'success' as const, statusCode: 0 });
    for (let i = 0; i < 5; i += 1) await old.record(entry(`old-${i}`));
    await recent.record(entry('recent'));
    expect((await entries((row) => row.action === 'test.prune')).length).toBe(6);
    running.app.jobs.wake('audit prune');
    // Batches of 2 (the test's build option): three statements, one after the other.
    await until(async () => ((await entries((row) => String(row.route).startsWith('old-'))).length === 0 ? true : undefined), 'the old entries pruned');
    expect((await entries((row) => row.action === 'test.prune')).map((row) => row.route)).toEqual(['recent']);
    expect((await entries()).length).toBeGreaterThan(1);
  });

  it('records routine reads of one record too with CONVERSA_AUDIT_READS=on', async () => {
    await running.restart({ env: { CONVERSA_AUDIT_READS: 'on' } });
    const reader = await newKey('leitor', ['contacts:read']);
    const contact = await api('POST', '/contacts', { phone: phone(), name: 'Lida' });
    expect((await api('GET', `/contacts/${contact.body.id}`, undefined, { token: reader.key })).status).toBe(200);
    expect(await entries((row) => row.actor_id === reader.id)).toMatchObject([{ action: 'contacts.read', route: '/api/v1/contacts/:id', target_type: 'contacts', target_id: contact.body.id, outcome: 'success' }]);
  }, 30_000);
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}
