import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { withDefaultUser } from '../../src/db/database.js';

/** PostgreSQL server used by storage tests; each test file gets its own fresh database on it. */
export const POSTGRES_TEST_URL = process.env.DATABASE_URL_TEST ?? 'postgres://127.0.0.1:5432/test';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export interface Dialect {
  name: 'sqlite' | 'postgres';
  /** A new, empty database for one test file. */
  create(): Promise<TestDatabase>;
}

/** Every storage test runs once per dialect: `describe.each(DIALECTS)`. */
export const DIALECTS: Dialect[] = [
  { name: 'sqlite', create: createSqliteDatabase },
  { name: 'postgres', create: createPostgresDatabase },
];

async function createSqliteDatabase(): Promise<TestDatabase> {
  const file = join(tmpdir(), `conversa-t-${randomBytes(6).toString('hex')}.db`);
  return {
    url: `sqlite:${file}`,
    drop: async () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    },
  };
}

async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `conversa_t_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_TEST_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDefaultUser(POSTGRES_TEST_URL) });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
