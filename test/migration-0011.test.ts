import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest, openDatabase, type Database } from '../src/db/index.js';
import { InboundEvents, splitWebhook, statusRef } from '../src/modules/inbound/index.js';
import { Workspaces } from '../src/modules/workspaces/index.js';
import { DIALECTS, type TestDatabase } from './support/databases.js';

/**
 * 0011 moves webhook events stored before it to the per-workspace dedupe keys and number-scoped
 * status refs: a retry of such an event after the upgrade is still a duplicate, and a status
 * stored but not processed at the upgrade still holds its message back from a second send.
 */
describe.each(DIALECTS)('migration 0011 on $name', (dialect) => {
  let target: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    target = await dialect.create();
    database = openDatabase(target.url);
  });
  afterAll(async () => {
    await database.close();
    await target.drop();
  });

  it('keeps events stored before it deduplicated and their refs held', async () => {
    await migrateTo(database, '0010-number-refresh');
    const workspace = await new Workspaces(database.db).create('Loja');
    const webhook = {
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'messages', value: { metadata: { phone_number_id: '10' }, statuses: [{ id: 'wamid.old', status: 'sent', biz_opaque_callback_data: 'msg_old' }] } }] }],
    };
    const [event] = splitWebhook(webhook);
    // As 0010's code stored it: the bare key, our id as the ref.
    await database.db
      .insertInto('inbound_events')
      .values({ workspace_id: workspace.id, dedupe_key: event!.dedupeKey, field: 'messages', kind: 'status', payload: event!.payload, ref: 'msg_old', received_at: new Date().toISOString(), processed_at: null, claimed_until: null, attempts: 0, last_error: null })
      .execute();
    expect((await migrateToLatest(database))[0]).toBe('0011-webhook-scope');
    const store = new InboundEvents(database.db, database.capabilities);
    expect(await store.store(workspace.id, splitWebhook(webhook))).toBe(0);
    expect(await store.referenced([{ workspaceId: workspace.id, ref: statusRef('10', 'msg_old') }])).toEqual(new Set([statusRef('10', 'msg_old')]));
  });
});
