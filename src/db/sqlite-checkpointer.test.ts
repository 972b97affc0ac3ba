import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { SqliteCheckpointer } from './sqlite-checkpointer.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function tempPath(): string {
  const folder = mkdtempSync(join(tmpdir(), 'conversa-checkpoint-'));
  folders.push(folder);
  return join(folder, 'db.sqlite');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const walBytes = (path: string) => statSync(`${path}-wal`).size;

describe('SQLite checkpoints on a worker thread', () => {
  it('leaves a small WAL alone, and once it grows keeps it bounded from its own thread', async () => {
    const path = tempPath();
    const connection = new SQLite(path);
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = NORMAL');
    connection.pragma('wal_autocheckpoint = 0');
    connection.exec('create table t (id integer primary key, body blob)');
    // `hold` as Kysely's connection does it: no transaction starts until the work is done.
    let held: Promise<void> | undefined;
    const checkpointer = new SqliteCheckpointer({
      path,
      hold: async (work) => {
        const done = work();
        held = done;
        await done;
        held = undefined;
      },
      fallback: () => connection.pragma('wal_autocheckpoint = 1000'),
      everyMs: 50,
      restartAtBytes: 4 * 1024 * 1024,
    });
    const insert = connection.prepare('insert into t (body) values (?)');
    const chunk = Buffer.alloc(64 * 1024, 7);
    const write = (rows: number) => connection.transaction(() => {
      for (let i = 0; i < rows; i++) insert.run(chunk);
    })();

    // A small WAL stays with the connection's own thread: no worker for a small installation.
    write(16); // 1 MiB
    await sleep(1200);
    expect(checkpointer.running).toBe(false);

    // Past 4 MiB the worker starts; with the connection's autocheckpoint off, only it can copy.
    write(80); // 5 MiB more
    for (let i = 0; i < 40 && !checkpointer.running; i++) await sleep(100);
    expect(checkpointer.running).toBe(true);

    // Then steady writes, a transaction after another with no pause a PASSIVE checkpoint could
    // use to catch up (as under load): past 4 MiB the worker has the connection held for a
    // RESTART, and the next write starts the WAL over, so it stays far below the 60 MiB written.
    let largest = 0;
    let written = 0;
    while (written < 60 * 1024 * 1024) {
      if (held) await held;
      write(1);
      written += chunk.length;
      largest = Math.max(largest, walBytes(path));
      await sleep(1);
    }
    expect(checkpointer.restarts).toBeGreaterThan(0);
    expect(largest).toBeLessThan(30 * 1024 * 1024);
    await checkpointer.close();
    const rows = 16 + 80 + written / chunk.length;
    expect(connection.prepare('select count(*) as n from t').get()).toEqual({ n: rows });
    connection.close();
    // Every row is in the file after the last connection closed.
    const reopened = new SQLite(path, { readonly: true });
    expect(reopened.prepare('select count(*) as n from t').get()).toEqual({ n: rows });
    reopened.close();
  }, 30_000);

  it('is how the platform opens its SQLite file, and closes with it', async () => {
    const path = tempPath();
    const database = openDatabase(`sqlite:${path}`);
    const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(database.db);
    expect(rows[0]?.wal_autocheckpoint).toBe(0);
    await database.close();
    const memory = openDatabase('sqlite::memory:');
    const inMemory = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(memory.db);
    expect(inMemory.rows[0]?.wal_autocheckpoint).toBe(1000);
    await memory.close();
  });
});
