import { closeSync, mkdirSync, openSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Schema } from './schema.js';
import { LocalNotifyChannel, PostgresNotifyChannel, type NotifyChannel } from './notify-channel.js';
import { SqliteCheckpointer } from './sqlite-checkpointer.js';
import { LocalLocks, PostgresAdvisoryLocks, type SessionLocks } from './session-locks.js';

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
  /** Opens a set of node-exclusive locks (advisory locks on a dedicated PostgreSQL connection). */
  openSessionLocks(): SessionLocks;
  /** Opens a channel for short messages between nodes (LISTEN/NOTIFY on PostgreSQL, in process on SQLite). */
  openNotifyChannel(): NotifyChannel;
  /**
   * After personal data was erased: leaves no copy of the deleted rows in the database's own
   * files where the database allows it. SQLite (which zeroes deleted content, `secure_delete`)
   * writes its WAL back into the database file and truncates the WAL; PostgreSQL does nothing
   * (dead tuples stay in the heap until VACUUM reuses the space, and in the WAL and backups:
   * docs/data-protection.md, "Erase").
   */
  checkpoint(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens a database from a URL: `sqlite:<path>`, `sqlite::memory:`, or `postgres://...`.
 * SQLite files get WAL mode, a busy timeout and foreign keys on; a new file is created 0600 in a
 * 0700 folder (it holds personal data), and SQLite gives its -wal and -shm the file's mode.
 */
export function openDatabase(url: string, options: { onConnectionError?: (error: Error) => void } = {}): Database {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url, options.onConnectionError);
  throw new Error(`Unsupported database URL (expected sqlite: or postgres://): ${redactUrl(url)}`);
}

function openSqlite(path: string): Database {
  const memory = path === ':memory:' || path === '';
  if (!memory) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // SQLite would create the file 0644; an empty file is a new database to it.
    closeSync(openSync(path, 'a', 0o600));
  }
  const connection = new SQLite(memory ? ':memory:' : path);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('foreign_keys = ON');
  // Deleted content is overwritten with zeros, so an erased person's bytes do not stay in free
  // pages of the file (issue 13, erasure). It costs some writes on deletes and updates.
  connection.pragma('secure_delete = ON');
  // Checkpoints run on a worker thread once the WAL grows (sqlite-checkpointer.ts).
  if (!memory) connection.pragma('wal_autocheckpoint = 0');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) });
  const checkpointer = memory
    ? undefined
    : new SqliteCheckpointer({
        path,
        hold: (work) => db.connection().execute(work),
        fallback: () => {
          if (connection.open) connection.pragma('wal_autocheckpoint = 1000');
        },
      });
  return {
    db,
    capabilities: { supportsSkipLocked: false, supportsListenNotify: false, singleWriter: true },
    description: memory ? 'sqlite (in memory)' : `sqlite ${path}`,
    openSessionLocks: () => new LocalLocks(),
    openNotifyChannel: () => new LocalNotifyChannel(),
    checkpoint: async () => {
      if (!memory) await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
    },
    close: async () => {
      await checkpointer?.close();
      await db.destroy();
    },
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
    openSessionLocks: () => new PostgresAdvisoryLocks(withDefaultUser(url), onConnectionError),
    openNotifyChannel: () => new PostgresNotifyChannel(withDefaultUser(url), onConnectionError),
    checkpoint: async () => undefined,
    close: () => db.destroy(),
  };
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query anew, which costs as much as running a short one
 * on the hot paths (ingest, dispatch, status processing). Prepared statements are kept per SQL
 * text (the oldest dropped past 500); one still being iterated is never handed out twice.
 */
function withStatementCache(connection: SQLite.Database): { close(): void; prepare(sql: string): SQLite.Statement } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => connection.close(),
    prepare(text: string) {
      const cached = cache.get(text);
      if (cached && !cached.busy) return cached;
      const statement = connection.prepare(text);
      if (!cached) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
        cache.set(text, statement);
      }
      return statement;
    },
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
