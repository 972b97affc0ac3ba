import pg from 'pg';
import { withDefaultUser } from '../../src/db/database.js';

/** PostgreSQL server used by storage tests; each test file gets its own fresh database on it. */
export const POSTGRES_TEST_URL = process.env.DATABASE_URL_TEST ?? 'postgres://127.0.0.1:5432/test';

/**
 * Runs one statement (create or drop a database) on its own connection to a PostgreSQL server
 * (default: the test server). No Vitest import: test/support/global-setup.ts and the benchmarks
 * use it outside test files.
 */
export async function postgresAdmin(statement: string, serverUrl = POSTGRES_TEST_URL): Promise<void> {
  const client = new pg.Client({ connectionString: withDefaultUser(serverUrl) });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The URL of database `name` on the server of `serverUrl`. */
export function postgresDatabaseUrl(name: string, serverUrl = POSTGRES_TEST_URL): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
