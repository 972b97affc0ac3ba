import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type Database } from '../src/db/index.js';
import { ApiKeys } from '../src/modules/api-keys/index.js';
import { PhoneNumbers } from '../src/modules/phone-numbers/index.js';
import { InboundEvents, splitWebhook } from '../src/modules/inbound/index.js';
import { Workspaces } from '../src/modules/workspaces/index.js';
import { SecretBox } from '../src/security/index.js';
import { DIALECTS, type TestDatabase } from './support/databases.js';

describe.each(DIALECTS)('storage on $name', (dialect) => {
  let target: TestDatabase;
  let database: Database;
  const box = new SecretBox(randomBytes(32).toString('hex'));

  beforeAll(async () => {
    target = await dialect.create();
    database = openDatabase(target.url);
    const applied = await migrateToLatest(database);
    // Every migration, in order, on an empty database; none again on the next start.
    expect(applied.slice(0, 5)).toEqual(['0001-foundation', '0002-messaging-core', '0003-events-outbox', '0004-webhooks', '0005-media']);
    expect(applied).toEqual([...applied].sort());
    expect(await migrateToLatest(database)).toEqual([]);
  });
  afterAll(async () => {
    await database.close();
    await target.drop();
  });

  it('runs migrations once: a second run applies nothing', async () => {
    expect(await migrateToLatest(database)).toEqual([]);
  });

  it('stores API keys only as hashes and authenticates the key itself', async () => {
    const workspace = await new Workspaces(database.db).create('Loja');
    const keys = new ApiKeys(database.db);
    const created = await keys.create({ workspaceId: workspace.id, name: 'erp', scopes: ['messages:write'] });
    expect(created.key).toMatch(/^cv_live_/);
    const rows = await database.db.selectFrom('api_keys').selectAll().where('id', '=', created.id).execute();
    expect(JSON.stringify(rows)).not.toContain(created.key);
    expect(await keys.authenticate(created.key)).toEqual({ keyId: created.id, name: 'erp', workspaceId: workspace.id, scopes: ['messages:write'] });
    expect(await keys.authenticate(`${created.key}x`)).toBeUndefined();
    await database.db.updateTable('api_keys').set({ revoked_at: new Date().toISOString() }).where('id', '=', created.id).execute();
    expect(await keys.authenticate(created.key)).toBeUndefined();
  });

  it('seals provider secrets at rest and opens them for their owner', async () => {
    const workspace = await new Workspaces(database.db).create('Clínica');
    const numbers = new PhoneNumbers(database.db, box);
    const view = await numbers.connect({
      workspaceId: workspace.id,
      provider: 'cloud_api',
      wabaId: '102290129340398',
      phoneNumberId: '106540352242922',
      displayPhoneNumber: '5511940000000',
      verifiedName: 'Clínica Exemplo',
      graphBaseUrl: 'https://graph.facebook.com/',
      graphVersion: 'v23.0',
      accessToken: 'EAAG-secret-access-token',
      appSecret: 'meta-app-secret-value',
      verifyToken: 'my-verify-token',
      throughputMps: 80,
    });
    expect(view).not.toHaveProperty('access_token_enc');
    expect(view.graph_base_url).toBe('https://graph.facebook.com');
    const raw = JSON.stringify(await database.db.selectFrom('phone_numbers').selectAll().execute());
    for (const secret of ['EAAG-secret-access-token', 'meta-app-secret-value', 'my-verify-token']) expect(raw).not.toContain(secret);
    expect(await numbers.secretsOf(view.id)).toEqual({ accessToken: 'EAAG-secret-access-token', appSecret: 'meta-app-secret-value', verifyToken: 'my-verify-token' });
    expect(await numbers.webhookSecretsFor('102290129340398')).toEqual([{ workspaceId: workspace.id, appSecret: 'meta-app-secret-value' }]);
    expect(await numbers.verifyTokens()).toContain('my-verify-token');
    await expect(
      numbers.connect({ ...(await numbers.secretsOf(view.id))!, workspaceId: workspace.id, provider: 'cloud_api', wabaId: 'x', phoneNumberId: '106540352242922', displayPhoneNumber: '1', verifiedName: 'dup', graphBaseUrl: 'https://graph.facebook.com', graphVersion: 'v23.0', throughputMps: 80 }),
    ).rejects.toThrow();
  });

  it('stores webhook events once each, per workspace, and leases them to one processor at a time', async () => {
    const workspaces = new Workspaces(database.db);
    const [a, b] = [await workspaces.create('A'), await workspaces.create('B')];
    const store = new InboundEvents(database.db, database.capabilities);
    const webhook = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: '10' },
                contacts: [{ wa_id: '5511999990000', profile: { name: 'Zé' } }],
                messages: [{ id: `wamid.${dialect.name}A`, from: '5511999990000', type: 'text', text: { body: 'Olá 👋' } }],
                statuses: [{ id: `wamid.${dialect.name}B`, status: 'delivered' }, { id: `wamid.${dialect.name}B`, status: 'read' }],
              },
            },
            { field: 'brand_new_field', value: { anything: true } },
          ],
        },
      ],
    };
    const events = splitWebhook(webhook);
    expect(events.map((e) => e.kind)).toEqual(['message', 'status', 'status', 'other']);
    const [first, again] = await Promise.all([store.store(a.id, events), store.store(a.id, events)]);
    expect(first + again).toBe(4);
    expect(await store.store(a.id, splitWebhook(webhook))).toBe(0);
    await store.store(b.id, [{ dedupeKey: `o:${dialect.name}-b`, field: 'x', kind: 'other', payload: '{}' }]);
    const page = await store.list(a.id, { limit: 10 });
    expect(page.data).toHaveLength(4);
    expect((page.data.at(-1)?.payload as { message: { text: { body: string } } }).message.text.body).toBe('Olá 👋');
    const claimed = await store.claim(10);
    expect(claimed.map((e) => e.kind)).toEqual(['message', 'status', 'status', 'other', 'other']);
    expect(await store.claim(10)).toEqual([]); // leased
    await store.markProcessed(claimed.map((e) => e.id));
    expect(await store.pendingCount()).toBe(0);
  });

  it("gives a dead processor's events to the next claim once the configured lease runs out, and never waits more than 60 s", async () => {
    const workspace = await new Workspaces(database.db).create('Lease');
    let now = new Date('2026-12-07T10:00:00.000Z');
    const clock = () => now;
    const later = (ms: number) => (now = new Date(now.getTime() + ms));
    // The test's lease (CONVERSA_CLAIM_LEASE_SECONDS=10 in the crash tests), and the default 120 s.
    const short = new InboundEvents(database.db, database.capabilities, clock, { leaseMs: 10_000 });
    const long = new InboundEvents(database.db, database.capabilities, clock, { leaseMs: 120_000 });
    await short.store(workspace.id, [{ dedupeKey: `o:${dialect.name}-lease`, field: 'x', kind: 'other', payload: '{}' }]);
    const [taken] = await short.claim(10);
    expect(taken).toMatchObject({ attempts: 1 });
    // The processor dies holding it: nobody takes it while the lease runs.
    later(9_000);
    expect(await short.claim(10)).toEqual([]);
    later(1_001);
    // Taken again, now with a longer configured lease (made for sends in flight): an inbound
    // batch is held 60 s at most.
    const [again] = await long.claim(10);
    expect(again).toMatchObject({ id: taken!.id, attempts: 2 });
    later(59_000);
    expect(await long.claim(10)).toEqual([]);
    later(1_001);
    expect(await long.claim(10)).toEqual([expect.objectContaining({ id: taken!.id, attempts: 3 })]);
    await long.markProcessed([taken!.id]);
  });

  it('hands the processor its next events: leased where several may run, read without a commit on a single writer, never applied twice', async () => {
    const workspace = await new Workspaces(database.db).create('Next');
    let now = new Date('2026-12-07T11:00:00.000Z');
    const store = new InboundEvents(database.db, database.capabilities, () => now, { leaseMs: 10_000 });
    await store.store(workspace.id, [
      { dedupeKey: `o:${dialect.name}-next-1`, field: 'x', kind: 'other', payload: '{"n":1}' },
      { dedupeKey: `o:${dialect.name}-next-2`, field: 'x', kind: 'other', payload: '{"n":2}' },
    ]);
    const mine = <E extends { payload: string }>(events: E[]) => events.filter((event) => event.payload.startsWith('{"n"'));
    let failing: Awaited<ReturnType<InboundEvents['next']>>[number] | undefined;
    const first = mine(await store.next(10));
    expect(first.map((event) => [event.payload, event.attempts])).toEqual([
      ['{"n":1}', 1],
      ['{"n":2}', 1],
    ]);
    if (database.capabilities.singleWriter) {
      // Nothing was written: a processor that died now finds them due at once on restart.
      expect(mine(await store.next(10)).map((event) => event.payload)).toEqual(['{"n":1}', '{"n":2}']);
      // Applied once: marking them again (a second processor on the same file) undoes its batch.
      await database.db.transaction().execute((trx) => store.markProcessed([first[0]!.id], trx));
      await expect(database.db.transaction().execute((trx) => store.markProcessed([first[0]!.id, first[1]!.id], trx))).rejects.toThrow(/already processed/);
      expect(mine(await store.next(10)).map((event) => event.payload)).toEqual(['{"n":2}']);
      [failing] = mine(await store.next(10));
    } else {
      // Leased: another node does not get them while the lease runs.
      expect(mine(await store.next(10))).toEqual([]);
      await store.markProcessed([first[0]!.id]);
      now = new Date(now.getTime() + 10_001);
      [failing] = mine(await store.next(10));
      expect([failing?.payload, failing?.attempts]).toEqual(['{"n":2}', 2]);
    }
    // A failure is kept with its attempt and holds the event back for its retry delay.
    await store.markFailed(failing!, 'handler failed', 4_000);
    expect(mine(await store.next(10))).toEqual([]);
    now = new Date(now.getTime() + 4_001);
    const [retried] = mine(await store.next(10));
    expect(retried).toMatchObject({ id: failing!.id, attempts: failing!.attempts + 1 });
    await store.markProcessed([retried!.id]);
    expect(mine(await store.next(10))).toEqual([]);
  });
});
