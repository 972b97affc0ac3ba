import { mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Schema } from './schema.js';

/**
 * What the rest of the code may ask of the database instead of "which database is this".
 * Only `db/` knows the dialect.
 */
export interface Capabilities {
  /** `SELECT ... FOR UPDATE SKIP LOCKED` is available for claiming rows. */
  readonly supportsSkipLocked: boolean;
  /** `LISTEN/NOTIFY` can carry events between nodes. */
  readonly supportsListenNotify: boolean;
  /** One writer at a time (SQLite): writes are serialised in-process, no cross-node claiming. */
  readonly singleWriter: boolean;
}

export interface Database {
  readonly db: Kysely<Schema>;
  readonly capabilities: Capabilities;
  /** A short, loggable description (no credentials). */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * Opens a database from a URL: `sqlite:<path>`, `sqlite::memory:`, or `postgres://...`.
 * SQLite files get WAL mode, a busy timeout and foreign keys on.
 */
export function openDatabase(url: string, options: { onConnectionError?: (error: Error) => void } = {}): Database {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url, options.onConnectionError);
  throw new Error(`Unsupported database URL (expected sqlite: or postgres://): ${redactUrl(url)}`);
}

function openSqlite(path: string): Database {
  const memory = path === ':memory:' || path === '';
  if (!memory) mkdirSync(dirname(path), { recursive: true });
  const connection = new SQLite(memory ? ':memory:' : path);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('foreign_keys = ON');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: connection }) });
  return {
    db,
    capabilities: { supportsSkipLocked: false, supportsListenNotify: false, singleWriter: true },
    description: memory ? 'sqlite (in memory)' : `sqlite ${path}`,
    close: () => db.destroy(),
  };
}

function openPostgres(url: string, onConnectionError?: (error: Error) => void): Database {
  // Keep int8 (COUNT(*), bigserial) as JS numbers: our counters stay far below 2^53.
  pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
  const pool = new pg.Pool({ connectionString: withDefaultUser(url), max: 10 });
  // An idle pooled connection can be cut by the server (restart, failover, an administrator):
  // the pool drops it and opens a new one when needed. Unhandled, the event would end the process.
  pool.on('error', (error) => onConnectionError?.(error));
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    capabilities: { supportsSkipLocked: true, supportsListenNotify: true, singleWriter: false },
    description: `postgres ${redactUrl(url)}`,
    close: () => db.destroy(),
  };
}

/** Answers whether the database takes a trivial query; used by `/readyz`. */
export async function pingDatabase(database: Database): Promise<boolean> {
  try {
    await sql`select 1`.execute(database.db);
    return true;
  } catch {
    return false;
  }
}

/**
 * libpq's default when the URL names no user is the operating-system user; node-postgres reads
 * $USER instead, which service managers often leave unset. Do what libpq does.
 */
export function withDefaultUser(url: string): string {
  const parsed = new URL(url);
  if (parsed.username) return url;
  try {
    parsed.username = userInfo().username;
  } catch {
    return url;
  }
  return parsed.toString();
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}
