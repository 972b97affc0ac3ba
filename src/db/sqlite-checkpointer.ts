import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface SqliteCheckpointerOptions {
  /** The database file. */
  path: string;
  /**
   * Runs `work` while the platform's connection is idle and stays so: no statement, no open
   * transaction (Kysely's connection, held). Other queries wait for it without blocking the thread.
   */
  hold: (work: () => Promise<void>) => Promise<void>;
  /** Called when the worker cannot run: the connection should checkpoint itself again. */
  fallback: () => void;
  /** WAL size past which checkpoints move to the worker (default 4 MiB: SQLite's 1,000 pages). */
  startAtBytes?: number;
  /** WAL content past which the worker has the WAL started over (default 16 MiB). */
  restartAtBytes?: number;
  /** How often the worker checkpoints (default 200 ms). */
  everyMs?: number;
}

/**
 * The worker: its own connection to the file, a PASSIVE checkpoint every `everyMs` (it copies
 * what it can without waiting for the platform's readers or writers, and never blocks them). When
 * the WAL holds more than `restartAtBytes` it asks for a restart and, once the platform's
 * connection is held idle, runs a RESTART checkpoint. Plain CommonJS run with `eval`, so it needs
 * no TypeScript loader in the thread.
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const connection = new SQLite(workerData.path, { fileMustExist: true });
connection.pragma('busy_timeout = 0');
connection.pragma('synchronous = NORMAL');
const pageSize = connection.pragma('page_size', { simple: true });
let asked = false;
const checkpoint = (mode) => connection.pragma('wal_checkpoint(' + mode + ')')[0];
const timer = setInterval(() => {
  if (asked) return;
  try {
    const result = checkpoint('PASSIVE');
    if (result.log * pageSize > workerData.restartAtBytes) {
      asked = true;
      parentPort.postMessage('restart wanted');
    }
  } catch {
    // a file being closed: the next tick tries again.
  }
}, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message === 'restart') {
    let result;
    try {
      connection.pragma('busy_timeout = 1000');
      result = checkpoint('RESTART');
    } catch {
      result = undefined;
    } finally {
      connection.pragma('busy_timeout = 0');
      asked = false;
    }
    parentPort.postMessage({ restarted: result !== undefined && result.busy === 0 });
    return;
  }
  clearInterval(timer);
  connection.close();
  parentPort.close();
});
`;

/**
 * Takes SQLite's checkpoints off the event loop. By default the connection that commits past
 * 1,000 WAL pages copies them into the database file and syncs it, inside that commit: on the
 * platform's one thread that stopped every request, webhook and send for 10–15 ms about once a
 * second under load (bench/RESULTS.md, "checkpoints"). Here the platform's connection never
 * checkpoints (`wal_autocheckpoint = 0`); once its WAL passes 4 MiB (a small installation or a
 * test may never get there) a worker thread with its own connection checkpoints it every
 * 200 ms, PASSIVE: it copies without waiting for anyone and never blocks the platform.
 *
 * A writer starts the WAL over only when a checkpoint has copied all of it. Under steady load new
 * commits always come first, and the WAL grew without end (160 MB in 25 s of the bot bench). So
 * when it holds more than 16 MiB, the platform's connection is held idle (queries wait, the
 * thread does not) while the worker runs a RESTART checkpoint: it copies the little the PASSIVE
 * ones left and syncs the file, and the platform's next write starts the WAL over.
 * Should the worker fail, the connection checkpoints itself again as SQLite does by default.
 */
export class SqliteCheckpointer {
  readonly #watch: NodeJS.Timeout;
  #worker: Worker | undefined;
  #closed = false;
  #restarts = 0;
  /** Settles the RESTART the worker is running, with whether it restarted the WAL. */
  #answered: ((restarted: boolean) => void) | undefined;
  readonly #options: Required<SqliteCheckpointerOptions>;

  constructor(options: SqliteCheckpointerOptions) {
    this.#options = { startAtBytes: 4 * 1024 * 1024, restartAtBytes: 16 * 1024 * 1024, everyMs: 200, ...options };
    this.#watch = setInterval(() => this.#check(), 1000).unref();
  }

  /** Whether checkpoints run on the worker thread now. */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  /** How many times the WAL was started over. */
  get restarts(): number {
    return this.#restarts;
  }

  #check(): void {
    if (this.#worker || this.#closed) return;
    let size = 0;
    try {
      size = statSync(`${this.#options.path}-wal`).size;
    } catch {
      return; // no WAL yet
    }
    if (size < this.#options.startAtBytes) return;
    clearInterval(this.#watch);
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const { path, everyMs, restartAtBytes } = this.#options;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, everyMs, restartAtBytes } });
    worker.unref();
    worker.on('message', (message: unknown) => {
      if (message === 'restart wanted') void this.#restart(worker);
      else if (typeof message === 'object' && message !== null && 'restarted' in message) this.#answered?.(message.restarted === true);
    });
    worker.once('error', () => this.#options.fallback());
    worker.once('exit', (code) => {
      this.#answered?.(false);
      if (!this.#closed && code !== 0) this.#options.fallback();
    });
    this.#worker = worker;
  }

  async #restart(worker: Worker): Promise<void> {
    await this.#options
      .hold(async () => {
        if (this.#closed) return;
        const answered = new Promise<boolean>((resolve) => (this.#answered = resolve));
        worker.postMessage('restart');
        if (await answered) this.#restarts += 1;
        this.#answered = undefined;
      })
      .catch(() => undefined);
  }

  /** Stops the worker (its connection closed) before the platform's connection closes. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#watch);
    const worker = this.#worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('close');
    await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 2000).unref())]);
    await worker.terminate();
  }
}
