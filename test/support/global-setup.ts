import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { postgresAdmin, postgresDatabaseUrl } from './postgres-admin.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL database migrated to the latest migration, copied by `CREATE DATABASE … TEMPLATE`. */
    postgresTemplate: string;
    /** A SQLite file migrated to the latest migration, copied by file. */
    sqliteTemplate: string;
  }
}

/**
 * Once per run, before any test file: one database of each dialect migrated to the latest
 * migration. The files that start the platform copy it (test/support/databases.ts,
 * `create({ migrated: true })`) instead of running the 30-odd migrations again, which took
 * 1.4 s per file on PostgreSQL. The platform still runs its migrations at start: none is left.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const folder = mkdtempSync(join(tmpdir(), 'conversa-template-'));
  const sqliteFile = join(folder, 'template.db');
  const sqlite = openDatabase(`sqlite:${sqliteFile}`);
  try {
    await migrateToLatest(sqlite);
  } finally {
    await sqlite.close(); // the last connection: SQLite writes the WAL back into the file
  }

  const name = `conversa_template_${randomBytes(6).toString('hex')}`;
  await postgresAdmin(`CREATE DATABASE ${name}`);
  const postgres = openDatabase(postgresDatabaseUrl(name));
  try {
    await migrateToLatest(postgres);
  } finally {
    await postgres.close(); // a template takes no copies while a session is connected to it
  }

  project.provide('sqliteTemplate', sqliteFile);
  project.provide('postgresTemplate', name);
  return async () => {
    rmSync(folder, { recursive: true, force: true });
    await postgresAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
}
