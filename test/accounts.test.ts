import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { platformApi } from './support/http.js';
import { until, type Json } from './support/wait.js';

/** Workspaces and API keys through the REST API, as an operator and a tenant's admin use them. */
describe.each(DIALECTS)('workspaces and API keys ($name)', (dialect) => {
  // The platform's real time, shifted by the tests that need a minute to pass (API keys run on real time).
  let shiftMs = 0;
  let running = useApp(dialect, { build: { realNow: () => Date.now() + shiftMs } }); // restart() answers the same fixture
  const api = running.api;
  const sandbox = running.sandbox;
  /** A workspace made through the API with a sandbox number and an open window (set by the isolation test). */
  let tenantWithNumber: { key: string; waId: string } | undefined;

  /** POST /workspaces with the installation's admin key: the new workspace's id and its admin key. */
  const newWorkspace = async (name: string): Promise<{ id: string; key: string; keyId: string }> => {
    const created = await api('POST', '/workspaces', { name });
    expect(created.status, created.text).toBe(201);
    return { id: created.body.workspace_id, key: created.body.api_key, keyId: created.body.api_key_id };
  };

  it("creates a workspace with the installation's admin key and answers its first admin key once", async () => {
    const created = await api('POST', '/workspaces', { name: '  Padaria Pão Quente  ' });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({
      workspace_id: expect.stringMatching(/^ws_/),
      name: 'Padaria Pão Quente',
      created_at: expect.any(String),
      api_key: expect.stringMatching(/^cv_live_/),
      api_key_id: expect.stringMatching(/^key_/),
      api_key_prefix: (created.body.api_key as string).slice(0, 12),
      scopes: ['admin'],
    });
    const own = platformApi(() => running, created.body.api_key);
    const current = await own('GET', '/workspaces/current');
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({ id: created.body.workspace_id, name: 'Padaria Pão Quente', api_key: { id: created.body.api_key_id, scopes: ['admin'] } });
    expect(current.text).not.toContain(created.body.api_key);
    // The first workspace is not the new one, and the new one starts empty.
    expect((await api('GET', '/workspaces/current')).body.id).toBe(running.started.workspaceId);
    expect((await own('GET', '/contacts')).body.data).toEqual([]);
    // The secret is never shown again: the listing has the prefix only.
    const listed = await own('GET', '/api-keys');
    expect(listed.body.data).toEqual([expect.objectContaining({ id: created.body.api_key_id, prefix: created.body.api_key_prefix, revoked_at: null })]);
    expect(listed.text).not.toContain(created.body.api_key);
  });

  it('lets only workspaces:admin create workspaces, and refuses bad input naming the field', async () => {
    const tenant = await newWorkspace('Tenant');
    const refused = await api('POST', '/workspaces', { name: 'Escalada' }, { token: tenant.key });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'CONVERSA_ERR_FORBIDDEN', message: expect.stringContaining('workspaces:admin') });
    expect((await api('POST', '/workspaces', { name: 'X' }, { token: null })).status).toBe(401);
    expect((await api('POST', '/workspaces', { name: 'X' }, { token: 'cv_live_nope' })).status).toBe(401);
    for (const body of [{}, { name: '' }, { name: '   ' }, { name: 'x'.repeat(201) }, { name: { first: 'x' } }]) {
      const bad = await api('POST', '/workspaces', body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error.code).toBe('CONVERSA_ERR_VALIDATION');
    }
    // A tenant admin cannot hand itself the scope either.
    const grab = await api('POST', '/api-keys', { name: 'grab', scopes: ['workspaces:admin'] }, { token: tenant.key });
    expect(grab.status).toBe(403);
    expect(grab.body.error).toMatchObject({ code: 'CONVERSA_ERR_FORBIDDEN', details: { scope: 'workspaces:admin' } });
  });

  it('creates keys with validated scopes that do only what their scopes allow', async () => {
    const tenant = await newWorkspace('Scopes');
    const admin = platformApi(() => running, tenant.key);
    const unknown = await admin('POST', '/api-keys', { name: 'x', scopes: ['contacts:read', 'contacts:delete'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', message: expect.stringContaining('"contacts:delete"'), details: { field: 'scopes', scope: 'contacts:delete' } });
    expect((await admin('POST', '/api-keys', { name: 'x', scopes: [] })).status).toBe(400);
    expect((await admin('POST', '/api-keys', { name: 'x' })).body.error.details).toMatchObject({ field: 'body.scopes', rule: 'is required' });

    const created = await admin('POST', '/api-keys', { name: 'CRM', scopes: ['contacts:read', 'contacts:read'] });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^key_/), name: 'CRM', scopes: ['contacts:read'], key: expect.stringMatching(/^cv_live_/), last_used_at: null, revoked_at: null });
    expect(created.body.prefix).toBe((created.body.key as string).slice(0, 12));
    const reader = platformApi(() => running, created.body.key);
    expect((await reader('GET', '/contacts')).status).toBe(200);
    expect((await reader('POST', '/contacts', { phone: '+5511955550001' })).status).toBe(403);
    // A key without admin manages no keys, and hands out nothing it lacks.
    expect((await reader('GET', '/api-keys')).status).toBe(403);
    expect((await reader('POST', '/api-keys', { name: 'y', scopes: ['contacts:read'] })).status).toBe(403);
    const listed = await admin('GET', '/api-keys');
    expect(listed.body.data.map((k: Json) => k.name).sort()).toEqual(['CRM', 'admin (workspace created)']);
    expect(listed.text).not.toContain(created.body.key);
    expect(listed.text).not.toMatch(/key_hash|[0-9a-f]{64}/);

    // A workspace admin without workspaces:admin cannot take over the installation's key.
    const installation = (await api('GET', '/workspaces/current')).body.api_key.id as string;
    const deputy = (await api('POST', '/api-keys', { name: 'deputy', scopes: ['admin'] })).body.key as string;
    const takeover = await api('POST', `/api-keys/${installation}/rotate`, undefined, { token: deputy });
    expect(takeover.status).toBe(403);
    expect(takeover.body.error.details).toEqual({ scope: 'workspaces:admin' });
    expect((await api('DELETE', `/api-keys/${installation}`, undefined, { token: deputy })).status).toBe(403);
    expect((await api('GET', '/workspaces/current')).status).toBe(200);
  });

  it('describes every route in the OpenAPI document with its success and error answers', async () => {
    const doc = (await fetch(`${running.started.platformUrl}/api/v1/openapi.json`).then((r) => r.json())) as { paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Json }> }> }>> };
    const expected: Array<[string, string, string[]]> = [
      ['/api/v1/workspaces', 'post', ['201', '400', '401', '403']],
      ['/api/v1/workspaces/current', 'get', ['200', '401', '404']],
      ['/api/v1/api-keys', 'get', ['200', '401', '403']],
      ['/api/v1/api-keys', 'post', ['201', '400', '401', '403']],
      ['/api/v1/api-keys/{id}', 'delete', ['204', '401', '403', '404', '409']],
      ['/api/v1/api-keys/{id}/rotate', 'post', ['201', '401', '403', '404', '409']],
    ];
    for (const [path, method, statuses] of expected) {
      const responses = doc.paths[path]?.[method]?.responses ?? {};
      // Every API route also declares the shared 500 (and 413/415 when it takes a body).
      expect(Object.keys(responses).sort(), `${method} ${path}`).toEqual(expect.arrayContaining(statuses));
      for (const status of statuses.filter((s) => s >= '400')) {
        expect(responses[status]?.content?.['application/json']?.schema?.$ref, `${method} ${path} ${status}`).toBe('#/components/schemas/Error');
      }
    }
    const created = doc.paths['/api/v1/api-keys']?.post?.responses?.['201']?.content?.['application/json']?.schema;
    expect(created?.required).toEqual(expect.arrayContaining(['id', 'key', 'prefix', 'scopes', 'last_used_at', 'revoked_at']));
    const listed = doc.paths['/api/v1/api-keys']?.get?.responses?.['200']?.content?.['application/json']?.schema;
    expect(Object.keys(listed?.properties?.data?.items?.properties ?? {})).not.toContain('key');
  });

  it('revokes a key (401 from then on) and rotates one (new secret; the old one stops working)', async () => {
    const tenant = await newWorkspace('Rotation');
    const admin = platformApi(() => running, tenant.key);
    const first = (await admin('POST', '/api-keys', { name: 'shop', scopes: ['contacts:write'] })).body;
    const rotated = await admin('POST', `/api-keys/${first.id}/rotate`);
    expect(rotated.status, rotated.text).toBe(201);
    expect(rotated.body).toMatchObject({ name: 'shop', scopes: ['contacts:write'], key: expect.stringMatching(/^cv_live_/), revoked_at: null });
    expect(rotated.body.id).not.toBe(first.id);
    expect(rotated.body.key).not.toBe(first.key);
    expect((await api('POST', '/contacts', { phone: '+5511955550002' }, { token: first.key })).status).toBe(401);
    expect((await api('POST', '/contacts', { phone: '+5511955550002' }, { token: rotated.body.key })).status).toBe(201);
    const old = (await admin('GET', '/api-keys')).body.data.find((k: Json) => k.id === first.id);
    expect(old).toMatchObject({ revoked_at: expect.any(String), replaced_by: rotated.body.id });
    expect((await admin('POST', `/api-keys/${first.id}/rotate`)).status).toBe(409);

    const revoked = await admin('DELETE', `/api-keys/${rotated.body.id}`);
    expect(revoked.status).toBe(204);
    expect(revoked.text).toBe('');
    expect((await api('GET', '/contacts', undefined, { token: rotated.body.key })).status).toBe(401);
    expect((await admin('DELETE', `/api-keys/${rotated.body.id}`)).status).toBe(204);
    expect((await admin('DELETE', '/api-keys/key_unknown')).status).toBe(404);
    expect((await admin('POST', '/api-keys/key_unknown/rotate')).status).toBe(404);
    // The workspace's last admin key cannot be revoked: nobody could manage its keys after that.
    const last = await admin('DELETE', `/api-keys/${tenant.keyId}`);
    expect(last.status).toBe(409);
    expect(last.body.error).toMatchObject({ code: 'CONVERSA_ERR_CONFLICT', message: expect.stringContaining('last admin key') });
    expect((await admin('GET', '/workspaces/current')).status).toBe(200);
    const second = (await admin('POST', '/api-keys', { name: 'second admin', scopes: ['admin'] })).body;
    expect((await admin('DELETE', `/api-keys/${tenant.keyId}`)).status).toBe(204);
    expect((await admin('GET', '/workspaces/current')).status).toBe(401);
    expect((await api('DELETE', `/api-keys/${second.id}`, undefined, { token: second.key })).status).toBe(409);
  });

  it('keeps last_used_at to the minute: written on first use, not on every request', async () => {
    const tenant = await newWorkspace('Last used');
    const admin = platformApi(() => running, tenant.key);
    const key = (await admin('POST', '/api-keys', { name: 'probe', scopes: ['contacts:read'] })).body;
    const lastUsed = async () => (await admin('GET', `/api-keys`)).body.data.find((k: Json) => k.id === key.id).last_used_at as string | null;
    expect(await lastUsed()).toBeNull();
    await api('GET', '/contacts', undefined, { token: key.key });
    const first = await lastUsed();
    expect(first).toEqual(expect.any(String));
    await api('GET', '/contacts', undefined, { token: key.key });
    await api('GET', '/contacts', undefined, { token: key.key });
    expect(await lastUsed()).toBe(first);
    shiftMs += 61_000;
    await api('GET', '/contacts', undefined, { token: key.key });
    const later = await lastUsed();
    expect(Date.parse(later as string) - Date.parse(first as string)).toBeGreaterThanOrEqual(61_000);
  });

  it("keeps two workspaces apart: neither key reads or changes the other's contacts, messages or keys (404)", async () => {
    const tenants = [await newWorkspace('Loja A'), await newWorkspace('Loja B')];
    const owned = [];
    for (const [i, tenant] of tenants.entries()) {
      const own = platformApi(() => running, tenant.key);
      const number = await own('POST', '/phone-numbers', { provider: 'sandbox', verified_name: `Loja ${i}` });
      expect(number.status, number.text).toBe(201);
      const waId = `55119777700${i}1`;
      await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: number.body.phone_number_id, type: 'text', text: { body: 'Oi' } });
      const conversation = await until(async () => (await own('GET', '/conversations')).body.data[0] as Json | undefined, `the inbound message in workspace ${i}`);
      const reply = await own('POST', '/messages', { to: waId, type: 'text', text: { body: 'Olá!' } });
      expect(reply.status, reply.text).toBe(202);
      const key = (await own('POST', '/api-keys', { name: 'integração', scopes: ['contacts:read'] })).body;
      tenantWithNumber ??= { key: tenant.key, waId };
      owned.push({ tenant, own, number: number.body.phone_number_id as string, contact: conversation.contact_id as string, inbound: conversation.last_messages[0].id as string, outbound: reply.body.id as string, key });
    }
    for (const [i, mine] of owned.entries()) {
      const theirs = owned[1 - i] as (typeof owned)[number];
      const as = (method: string, path: string, body?: unknown) => mine.own(method, path, body);
      for (const [method, path, body] of [
        ['GET', `/contacts/${theirs.contact}`],
        ['GET', `/contacts/${theirs.contact}/consents`],
        ['POST', `/contacts/${theirs.contact}/consents`, { purpose: 'marketing', status: 'opted_out', source: 'api' }],
        ['GET', `/messages/${theirs.inbound}`],
        ['GET', `/messages/${theirs.outbound}`],
        ['DELETE', `/api-keys/${theirs.key.id}`],
        ['POST', `/api-keys/${theirs.key.id}/rotate`],
        ['DELETE', `/api-keys/${theirs.tenant.keyId}`],
      ] as Array<[string, string, unknown?]>) {
        const answer = await as(method, path, body);
        expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(404);
        expect(answer.body.error.code).toBe('CONVERSA_ERR_NOT_FOUND');
      }
      // Lists show only their own.
      const lists = [await as('GET', '/contacts'), await as('GET', '/conversations'), await as('GET', '/api-keys'), await as('GET', `/conversations?contact_id=${theirs.contact}`)];
      for (const list of lists) for (const id of [theirs.contact, theirs.inbound, theirs.outbound, theirs.key.id, theirs.tenant.keyId]) expect(list.text).not.toContain(id);
      expect(lists[3]?.body.data).toEqual([]);
      // Sending from the other workspace's number is refused, and nothing reaches its conversation.
      const borrowed = await as('POST', '/messages', { to: '5511977770099', from: theirs.number, type: 'text', text: { body: 'de quem?' } });
      expect(borrowed.status).toBeGreaterThanOrEqual(400);
      expect(borrowed.status).toBeLessThan(500);
    }
    for (const mine of owned) {
      // Everything is still there and untouched, and every key still works.
      expect((await mine.own('GET', `/contacts/${mine.contact}/consents`)).body.data).toEqual([]);
      expect((await mine.own('GET', `/messages/${mine.outbound}`)).status).toBe(200);
      expect((await api('GET', `/contacts/${mine.contact}`, undefined, { token: mine.key.key })).status).toBe(200);
      expect((await mine.own('GET', '/api-keys')).body.data.every((k: Json) => k.revoked_at === null)).toBe(true);
    }
  }, 30_000);

  it("gives an existing installation's admin key workspaces:admin (migration 0013), never its other keys; API-made workspaces' sandbox numbers follow a restart", async () => {
    const tenant = await newWorkspace('Antes');
    const db = running.app.database.db;
    // Back to the shape of an installation before 0013: the admin key had ["admin"] only.
    await db.updateTable('api_keys').set({ scopes: '["admin"]' }).execute();
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0013-workspace-admin' as never).execute();
    await sql`alter table api_keys drop column replaced_by`.execute(db);
    // Migrations after 0013 did not exist then either (Kysely runs them in order): undo 0032 to 0016 too.
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0032-unread-index' as never).execute();
    await sql`drop index messages_unread`.execute(db);
    await sql`create index messages_unread on messages (conversation_id) where direction = 'in' and business_read_at is null`.execute(db);
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0031-retention' as never).execute();
    await sql`drop table retention_settings`.execute(db);
    for (const index of ['webhook_deliveries_finished', 'bot_log_created', 'media_downloads_completed']) await sql`drop index ${sql.id(index)}`.execute(db);
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0030-audit-log' as never).execute();
    await sql`drop table audit_log`.execute(db);
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0029-consent-tombstones' as never).execute();
    await sql`drop table consent_tombstones`.execute(db);
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0028-leads' as never).execute();
    for (const table of ['leads', 'lead_sources']) await sql`drop table ${sql.id(table)}`.execute(db);
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0027-groups' as never).execute();
    for (const table of ['group_participants', 'groups']) await sql`drop table ${sql.id(table)}`.execute(db);
    await sql`alter table conversations drop column group_id`.execute(db);
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0026-message-author' as never).execute();
    for (const column of ['sent_by_type', 'sent_by_id']) await sql`alter table messages drop column ${sql.id(column)}`.execute(db);
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0025-blocked-users' as never).execute();
    await sql`drop table blocked_users`.execute(db);
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0024-desk' as never).execute();
    for (const table of ['note_mentions', 'conversation_notes', 'conversation_labels', 'canned_replies']) await sql`drop table ${sql.id(table)}`.execute(db);
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0023-inbox' as never).execute();
    for (const table of ['assignment_rotations', 'assignment_settings']) await sql`drop table ${sql.id(table)}`.execute(db);
    for (const column of ['snoozed_until', 'snooze_until_next_message']) await sql`alter table conversations drop column ${sql.id(column)}`.execute(db);
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0022-users' as never).execute();
    for (const table of ['user_sessions', 'team_members', 'teams', 'users']) await sql`drop table ${sql.id(table)}`.execute(db);
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0021-forms-surveys' as never).execute();
    for (const table of ['form_submissions', 'survey_responses']) await sql`drop table ${sql.id(table)}`.execute(db);
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0020-flows' as never).execute();
    for (const table of ['flow_secrets', 'bot_log', 'bot_tasks', 'bot_sessions', 'flow_deployments', 'flow_versions', 'flows']) await sql`drop table ${sql.id(table)}`.execute(db);
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0019-conversation-ownership' as never).execute();
    await sql`drop index conversations_owner`.execute(db);
    await sql`drop table conversation_transitions`.execute(db);
    for (const column of ['queue', 'owner_since', 'resolved_at', 'handoff_transition_id']) await sql`alter table conversations drop column ${sql.id(column)}`.execute(db);
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0018-hot-path-indexes' as never).execute();
    await sql`create index messages_conversation on messages (conversation_id, created_at)`.execute(db);
    await sql`create index conversations_workspace on conversations (workspace_id, last_message_at)`.execute(db);
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0017-inbound-router' as never).execute();
    for (const index of ['messages_reacts_to', 'contacts_workspace_user_id']) await sql`drop index ${sql.id(index)}`.execute(db);
    await sql`drop table contact_aliases`.execute(db);
    for (const column of ['provider_pricing', 'provider_conversation', 'cost_source', 'played_at', 'reacts_to']) await sql`alter table messages drop column ${sql.id(column)}`.execute(db);
    await sql`alter table contacts drop column user_id`.execute(db);
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '0016-conversation-api' as never).execute();
    for (const index of ['messages_unread', 'messages_conversation_page', 'messages_workspace_page', 'conversations_activity']) await sql`drop index ${sql.id(index)}`.execute(db);
    for (const column of ['business_read_at', 'deleted_at']) await sql`alter table messages drop column ${sql.id(column)}`.execute(db);
    running = await running.restart();
    expect((await api('POST', '/workspaces', { name: 'Depois' })).status).toBe(201);
    const tenantKey = await api('POST', '/workspaces', { name: 'Tenant' }, { token: tenant.key });
    expect(tenantKey.status).toBe(403);
    // The restart moved the sandbox (a new port): the sandbox numbers of workspaces made through
    // the API followed it, as the first workspace's do, and still send.
    const moved = tenantWithNumber as { key: string; waId: string };
    const sent = await api('POST', '/messages', { to: moved.waId, type: 'text', text: { body: 'Ainda aqui' } }, { token: moved.key });
    expect(sent.status, sent.text).toBe(202);
    const status = await until(async () => {
      const message = (await api('GET', `/messages/${sent.body.id}`, undefined, { token: moved.key })).body;
      return ['sent', 'delivered', 'read', 'failed'].includes(message.status) ? message : undefined;
    }, 'the message of a tenant workspace after a restart');
    expect(status.status, JSON.stringify(status)).not.toBe('failed');
  }, 30_000);

  it('does not bring a revoked CONVERSA_ADMIN_KEY back on the next start', async () => {
    const successor = (await api('POST', '/api-keys', { name: 'successor', scopes: ['admin', 'workspaces:admin'] })).body.key as string;
    const installation = (await api('GET', '/workspaces/current')).body.api_key.id as string;
    expect((await api('DELETE', `/api-keys/${installation}`, undefined, { token: successor })).status).toBe(204);
    running = await running.restart();
    expect((await api('GET', '/contacts')).status).toBe(401);
    expect((await api('GET', '/contacts', undefined, { token: successor })).status).toBe(200);
  }, 30_000);
});
