import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type Database } from '../src/db/index.js';
import { ApiKeys } from '../src/modules/api-keys/index.js';
import { PhoneNumbers } from '../src/modules/phone-numbers/index.js';
import { WebhookEvents } from '../src/modules/webhook-events/index.js';
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
    expect(await migrateToLatest(database)).toEqual(['0001-foundation']);
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
    expect(await keys.authenticate(created.key)).toEqual({ keyId: created.id, workspaceId: workspace.id, scopes: ['messages:write'] });
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

  it('keeps webhook events per workspace, newest first, with the exact bytes', async () => {
    const workspaces = new Workspaces(database.db);
    const [a, b] = [await workspaces.create('A'), await workspaces.create('B')];
    const log = new WebhookEvents(database.db);
    const body = '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"text":"Ol\\u00e1 \\ud83d\\udc4b"}}]}]}';
    const first = await log.record({ workspaceId: a.id, wabaId: '1', body });
    const second = await log.record({ workspaceId: a.id, wabaId: '1', body });
    await log.record({ workspaceId: b.id, wabaId: '2', body });
    const page = await log.list(a.id, { limit: 10 });
    expect(page.data.map((e) => e.id)).toEqual([second, first]);
    expect(page.data[0]?.payload).toEqual({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ value: { text: 'Olá 👋' } }] }] });
    const stored = await database.db.selectFrom('webhook_events').select('body').where('id', '=', first).executeTakeFirstOrThrow();
    expect(stored.body).toBe(body);
    expect((await log.list(b.id, { limit: 10 })).data).toHaveLength(1);
  });
});
