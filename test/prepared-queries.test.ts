import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/index.js';
import { prepared } from '../src/db/prepared.js';
import { DIALECTS, type TestDatabase } from './support/databases.js';

interface Things {
  things: { id: string; workspace_id: string; label: string | null; n: number };
}

// Module-level, as the platform keeps them: one object serves every database it is run on.
const insertThing = prepared((db: Kysely<Things>, p: { id: string; workspaceId: string; label: string | null; n: number }) =>
  db.insertInto('things').values({ id: p.id, workspace_id: p.workspaceId, label: p.label, n: p.n }).onConflict((oc) => oc.column('id').doNothing()),
);
const thingsOf = prepared((db: Kysely<Things>, p: { workspaceId: string; atLeast: number; limit: number }) =>
  db.selectFrom('things').select(['id', 'label', 'n']).where('workspace_id', '=', p.workspaceId).where('n', '>=', p.atLeast).orderBy('n').limit(p.limit),
);
const bump = prepared((db: Kysely<Things>, p: { workspaceId: string; by: number }) =>
  db
    .updateTable('things')
    .set((eb) => ({ n: eb('n', '+', p.by) }))
    .where('workspace_id', '=', p.workspaceId)
    .where('label', 'is not', null),
);

describe.each(DIALECTS)('prepared queries on $name', (dialect) => {
  let target: TestDatabase;
  let database: Database;
  let db: Kysely<Things>;

  beforeAll(async () => {
    target = await dialect.create();
    database = openDatabase(target.url);
    db = database.db as unknown as Kysely<Things>;
    await sql`create table things (id text primary key, workspace_id text not null, label text, n integer not null)`.execute(db);
  });
  afterAll(async () => {
    await database.close();
    await target.drop();
  });

  it('runs with each call’s values, in and out of transactions, and answers what a built query answers', async () => {
    expect(await insertThing.affected(db, { id: 'a', workspaceId: 'w1', label: 'first', n: 1 })).toBe(1);
    expect(await insertThing.affected(db, { id: 'a', workspaceId: 'w1', label: 'again', n: 9 })).toBe(0);
    await db.transaction().execute(async (trx) => {
      await insertThing.run(trx, { id: 'b', workspaceId: 'w1', label: null, n: 2 });
      await insertThing.run(trx, { id: 'c', workspaceId: 'w2', label: 'other', n: 3 });
    });
    const rows = await thingsOf.rows(db, { workspaceId: 'w1', atLeast: 0, limit: 10 });
    expect(rows).toEqual([
      { id: 'a', label: 'first', n: 1 },
      { id: 'b', label: null, n: 2 },
    ]);
    // The same as Kysely builds it each time.
    expect(rows).toEqual(await db.selectFrom('things').select(['id', 'label', 'n']).where('workspace_id', '=', 'w1').orderBy('n').execute());
    expect(await thingsOf.first(db, { workspaceId: 'w1', atLeast: 2, limit: 10 })).toEqual({ id: 'b', label: null, n: 2 });
    expect(await thingsOf.rows(db, { workspaceId: 'w1', atLeast: 0, limit: 1 })).toHaveLength(1);
    expect(await thingsOf.first(db, { workspaceId: 'nobody', atLeast: 0, limit: 10 })).toBeUndefined();
    // Only w1's labelled row moves: the where clause is the query's, the values the call's.
    expect(await bump.affected(db, { workspaceId: 'w1', by: 10 })).toBe(1);
    expect((await thingsOf.rows(db, { workspaceId: 'w1', atLeast: 0, limit: 10 })).map((row) => [row.id, row.n])).toEqual([
      ['b', 2],
      ['a', 11],
    ]);
  });

  it('takes a whole row for an insert: its columns are the first call’s keys', async () => {
    const insertRow = prepared((db: Kysely<Things>, row: Things['things']) => db.insertInto('things').values(row));
    await insertRow.run(db, { id: 'r1', workspace_id: 'w3', label: 'row', n: 7 });
    await insertRow.run(db, { n: 8, label: null, workspace_id: 'w3', id: 'r2' });
    expect(await db.selectFrom('things').selectAll().where('workspace_id', '=', 'w3').orderBy('n').execute()).toEqual([
      { id: 'r1', workspace_id: 'w3', label: 'row', n: 7 },
      { id: 'r2', workspace_id: 'w3', label: null, n: 8 },
    ]);
    // A later row without a column the query has is refused, not stored with NULL.
    await expect(insertRow.run(db, { id: 'r3', workspace_id: 'w3', n: 9 } as Things['things'])).rejects.toThrow(/no value for "label"/);
    // A value the query never reads is a mistake at the first run.
    const narrow = prepared((db: Kysely<Things>, p: { id: string; label: string }) => db.selectFrom('things').selectAll().where('id', '=', p.id));
    await expect(narrow.rows(db, { id: 'r1', label: 'row' })).rejects.toThrow(/"label" was given but the query does not use it/);
  });

  it('refuses a missing value instead of storing or matching NULL', async () => {
    await expect(insertThing.run(db, { id: 'd', workspaceId: 'w1', label: undefined as unknown as null, n: 4 })).rejects.toThrow(/no value for "label"/);
    expect(await db.selectFrom('things').select('id').where('id', '=', 'd').execute()).toEqual([]);
  });

  it('refuses a query whose SQL would depend on a value', async () => {
    const texty = prepared((db: Kysely<Things>, p: { label: string }) => db.selectFrom('things').selectAll().where('label', '=', `${p.label}%`));
    await expect(texty.rows(db, { label: 'x' })).rejects.toThrow(/"label" was used as text/);
    const inlined = prepared((db: Kysely<Things>, p: { n: number }) => db.selectFrom('things').selectAll().where('n', '=', sql.lit(p.n)));
    await expect(inlined.rows(db, { n: 1 })).rejects.toThrow(/"n" was used as text/);
    const unused = prepared((db: Kysely<Things>, p: { id: string }) => db.selectFrom('things').selectAll().where('id', '=', 'a').$if(p.id !== undefined, (query) => query));
    await expect(unused.rows(db, { id: 'a' })).rejects.toThrow(/"id" was read while building but is not a parameter/);
  });
});
