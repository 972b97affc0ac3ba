import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type Database } from '../src/db/index.js';
import { Events } from '../src/modules/events/index.js';
import { DIALECTS, type TestDatabase } from './support/databases.js';

/**
 * The inbound processor holds the events its handlers record in a transaction and writes them in
 * one statement before the commit (`Events.hold` / `release`): the same rows, in the same order,
 * committed with the transaction or not at all.
 */
describe.each(DIALECTS)('outbox events held in a transaction on $name', (dialect) => {
  let target: TestDatabase;
  let database: Database;
  let events: Events;
  beforeAll(async () => {
    target = await dialect.create({ migrated: true });
    database = openDatabase(target.url);
    await migrateToLatest(database);
    await database.db.insertInto('workspaces').values({ id: 'ws_hold', name: 'Hold', created_at: new Date().toISOString() } as never).execute();
    events = new Events(database.db, () => new Date('2026-12-06T12:00:00Z'), database.capabilities.supportsListenNotify ? { notifyAtCommit: true } : {});
  });
  afterAll(async () => {
    await database?.close();
    await target?.drop();
  });

  const rows = async () => (await database.db.selectFrom('outbox_events').select(['id', 'type', 'data']).where('workspace_id', '=', 'ws_hold').orderBy('id').execute()).map((row) => ({ type: row.type, data: JSON.parse(row.data) as unknown }));

  it('writes what was recorded, in order, at release; nothing before it; a later change to the data does not leak in', async () => {
    await database.db.transaction().execute(async (trx) => {
      events.hold(trx);
      const data = { n: 1 };
      await events.record(trx, 'ws_hold', 'message.received', data);
      data.n = 99;
      await events.recordMany(trx, [
        { workspaceId: 'ws_hold', type: 'message.status', data: { n: 2 } },
        { workspaceId: 'ws_hold', type: 'message.status', data: { n: 3 } },
      ]);
      await events.record(trx, 'ws_hold', 'conversation.updated', { n: 4 });
      expect(await trx.selectFrom('outbox_events').select('id').where('workspace_id', '=', 'ws_hold').execute()).toEqual([]);
      await events.release(trx);
      // Released: recording again goes straight in.
      await events.record(trx, 'ws_hold', 'contact.created', { n: 5 });
    });
    expect(await rows()).toEqual([
      { type: 'message.received', data: { n: 1 } },
      { type: 'message.status', data: { n: 2 } },
      { type: 'message.status', data: { n: 3 } },
      { type: 'conversation.updated', data: { n: 4 } },
      { type: 'contact.created', data: { n: 5 } },
    ]);
  });

  it('writes nothing of a transaction that rolls back', async () => {
    const before = (await rows()).length;
    await expect(
      database.db.transaction().execute(async (trx) => {
        events.hold(trx);
        await events.record(trx, 'ws_hold', 'message.received', { n: 6 });
        await events.release(trx);
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect((await rows()).length).toBe(before);
  });
});
