import pg from 'pg';
import { Serial } from './serial.js';

/**
 * Exclusive, process-lifetime claims on named resources (a phone number's send stream), so that
 * exactly one node acts for a resource at a time. On PostgreSQL they are session-level advisory
 * locks held on one dedicated connection: when a node dies, its connection closes and the
 * server releases its locks, so another node takes over without any lease to expire.
 */
export interface SessionLocks {
  /** Takes (or keeps) the lock on `key`; answers whether this node holds it now. */
  tryHold(key: string): Promise<boolean>;
  release(key: string): Promise<void>;
  /** The keys this node holds. */
  held(): ReadonlySet<string>;
  close(): Promise<void>;
}

/** A single-writer database (SQLite) has one node: it holds every lock. */
export class LocalLocks implements SessionLocks {
  readonly #held = new Set<string>();
  async tryHold(key: string): Promise<boolean> {
    this.#held.add(key);
    return true;
  }
  async release(key: string): Promise<void> {
    this.#held.delete(key);
  }
  held(): ReadonlySet<string> {
    return this.#held;
  }
  async close(): Promise<void> {
    this.#held.clear();
  }
}

/** `pg_try_advisory_lock(namespace, hashtext(key))`; the namespace is "Conv" in ASCII. */
const NAMESPACE = 0x436f6e76;

export class PostgresAdvisoryLocks implements SessionLocks {
  readonly #held = new Set<string>();
  #client: Promise<pg.Client> | undefined;
  /** The connection's queries, one at a time (numbers ask for their locks together). */
  readonly #serial = new Serial();
  #closed = false;

  constructor(
    private readonly connectionString: string,
    private readonly onConnectionError?: (error: Error) => void,
  ) {}

  async tryHold(key: string): Promise<boolean> {
    if (this.#held.has(key)) return true;
    if (this.#closed) return false;
    const client = await this.#connection();
    const result = await this.#serial.run(() => client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as ok', [NAMESPACE, key]));
    if (result.rows[0]?.ok) this.#held.add(key);
    return this.#held.has(key);
  }

  async release(key: string): Promise<void> {
    if (!this.#held.delete(key) || !this.#client) return;
    const client = await this.#client;
    await this.#serial.run(() => client.query('select pg_advisory_unlock($1, hashtext($2))', [NAMESPACE, key]));
  }

  held(): ReadonlySet<string> {
    return this.#held;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#held.clear();
    const client = this.#client;
    this.#client = undefined;
    if (client) await (await client.catch(() => undefined))?.end().catch(() => undefined);
  }

  #connection(): Promise<pg.Client> {
    if (!this.#client) {
      const client = new pg.Client({ connectionString: this.connectionString, application_name: 'conversa-locks' });
      // The server released every lock of this session when the connection was lost: forget
      // them, so the next pass asks again (and another node may have taken them meanwhile).
      const lost = (error?: Error) => {
        this.#held.clear();
        this.#client = undefined;
        if (error) this.onConnectionError?.(error);
      };
      client.on('error', lost);
      client.on('end', () => lost());
      this.#client = client.connect().then(
        () => client,
        (error: unknown) => {
          this.#client = undefined;
          throw error;
        },
      );
    }
    return this.#client;
  }
}
