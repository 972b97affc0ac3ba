import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { POSTGRES_TEST_URL, postgresAdmin, postgresDatabaseUrl } from './postgres-admin.js';

export { POSTGRES_TEST_URL };

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export interface CreateOptions {
  /**
   * A copy of the run's database already migrated to the latest migration (made once by
   * test/support/global-setup.ts), for files that start the platform; default: empty, for tests
   * of the migrations themselves.
   */
  migrated?: boolean;
}

export interface Dialect {
  name: 'sqlite' | 'postgres';
  /** A new database for one test file: empty, or migrated (see `CreateOptions`). */
  create(options?: CreateOptions): Promise<TestDatabase>;
}

/** Every storage test runs once per dialect: `describe.each(DIALECTS)`. */
export const DIALECTS: Dialect[] = [
  { name: 'sqlite', create: createSqliteDatabase },
  { name: 'postgres', create: createPostgresDatabase },
];

async function createSqliteDatabase(options: CreateOptions = {}): Promise<TestDatabase> {
  const file = join(tmpdir(), `conversa-t-${randomBytes(6).toString('hex')}.db`);
  if (options.migrated) copyMigratedSqlite(file);
  return {
    url: `sqlite:${file}`,
    drop: async () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    },
  };
}

/** Writes a copy of the run's migrated SQLite database at `file` (0600, as the platform makes it). */
export function copyMigratedSqlite(file: string): void {
  copyFileSync(inject('sqliteTemplate'), file);
  chmodSync(file, 0o600);
}

async function createPostgresDatabase(options: CreateOptions = {}): Promise<TestDatabase> {
  const name = `conversa_t_${randomBytes(6).toString('hex')}`;
  await postgresAdmin(options.migrated ? `CREATE DATABASE ${name} TEMPLATE ${inject('postgresTemplate')}` : `CREATE DATABASE ${name}`);
  return {
    url: postgresDatabaseUrl(name),
    drop: () => postgresAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
