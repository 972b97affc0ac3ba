import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpSchema, migrateToLatest, openDatabase, type Database } from '../src/db/index.js';
import { DIALECTS, type TestDatabase } from './support/databases.js';

/**
 * The committed dumps in src/db/schema/ must match what the migrations build. After adding a
 * migration, refresh them with `UPDATE_SCHEMA_DUMP=1 npx vitest run test/schema-dump.test.ts`.
 */
describe.each(DIALECTS)('schema dump on $name', (dialect) => {
  let target: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    target = await dialect.create();
    database = openDatabase(target.url);
    await migrateToLatest(database);
  });
  afterAll(async () => {
    await database.close();
    await target.drop();
  });

  it('matches the committed dump', async () => {
    const file = new URL(`../src/db/schema/${dialect.name}.sql`, import.meta.url);
    const dump = await dumpSchema(database);
    if (process.env.UPDATE_SCHEMA_DUMP) writeFileSync(file, dump);
    expect(dump).toBe(readFileSync(file, 'utf8'));
  });
});
