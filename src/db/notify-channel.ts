import pg from 'pg';
import { Serial } from './serial.js';

/**
 * Short messages between the nodes of one installation (wake-ups, typing indicators): on
 * PostgreSQL `LISTEN/NOTIFY` on one dedicated connection, so every node hears every message;
 * on a single-writer database (one node) an in-process hand-over. Best effort: a message sent
 * while a node's listening connection is being replaced is lost to it, hence `onReconnect`.
 */
export interface NotifyChannel {
  /** Calls `handler` with each payload sent on `channel` from now on (by any node, this one too). */
  listen(channel: string, handler: (payload: string) => void): Promise<void>;
  /** Sends `payload` (at most 7,900 bytes) on `channel`, outside any transaction. */
  notify(channel: string, payload: string): Promise<void>;
  /** `handler` runs after a lost listening connection was replaced: whatever was sent meanwhile was missed. */
  onReconnect(handler: () => void): void;
  close(): Promise<void>;
}

type Handlers = Map<string, Set<(payload: string) => void>>;

function deliver(handlers: Handlers, channel: string, payload: string): void {
  for (const handler of handlers.get(channel) ?? []) handler(payload);
}

/** One node: messages are handed to this process's listeners (on the next microtask). */
export class LocalNotifyChannel implements NotifyChannel {
  readonly #handlers: Handlers = new Map();

  async listen(channel: string, handler: (payload: string) => void): Promise<void> {
    const set = this.#handlers.get(channel) ?? new Set();
    set.add(handler);
    this.#handlers.set(channel, set);
  }

  async notify(channel: string, payload: string): Promise<void> {
    queueMicrotask(() => deliver(this.#handlers, channel, payload));
  }

  onReconnect(): void {}

  async close(): Promise<void> {
    this.#handlers.clear();
  }
}

/**
 * `LISTEN` on one dedicated connection (not from the pool: a pooled connection would be handed
 * to queries and lose its listens); replaced after 0.5 s, 1 s, 2 s … (at most 10 s) when lost.
 * `notify` uses the same connection.
 */
export class PostgresNotifyChannel implements NotifyChannel {
  readonly #handlers: Handlers = new Map();
  readonly #reconnected = new Set<() => void>();
  #client: Promise<pg.Client> | undefined;
  /** The connection's queries, one at a time. */
  readonly #serial = new Serial();
  /** Notifications queued and not yet sent, by channel and payload. */
  readonly #waiting = new Map<string, Promise<void>>();
  #closed = false;
  #retryMs = 500;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly onConnectionError?: (error: Error) => void,
  ) {}

  async listen(channel: string, handler: (payload: string) => void): Promise<void> {
    const fresh = !this.#handlers.has(channel);
    const set = this.#handlers.get(channel) ?? new Set();
    set.add(handler);
    this.#handlers.set(channel, set);
    const client = await this.#connection();
    if (fresh) await this.#serial.run(() => client.query(`LISTEN ${quoteIdent(channel)}`));
  }

  /**
   * One query at a time on the connection (pg deprecates overlapping queries on a client): calls
   * wait their turn, and a call that finds the same notification still waiting its turn shares
   * it (a listener wakes on it all the same).
   */
  async notify(channel: string, payload: string): Promise<void> {
    const key = `${channel}\u0000${payload}`;
    const waiting = this.#waiting.get(key);
    if (waiting) return waiting;
    const turn = this.#serial.run(async () => {
      this.#waiting.delete(key);
      const client = await this.#connection();
      await client.query('select pg_notify($1, $2)', [channel, payload]);
    });
    this.#waiting.set(key, turn);
    return turn;
  }

  onReconnect(handler: () => void): void {
    this.#reconnected.add(handler);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    this.#handlers.clear();
    if (client) await (await client.catch(() => undefined))?.end().catch(() => undefined);
  }

  #connection(): Promise<pg.Client> {
    if (this.#closed) return Promise.reject(new Error('the notify channel is closed'));
    if (!this.#client) {
      const client = new pg.Client({ connectionString: this.connectionString, application_name: 'conversa-notify' });
      client.on('notification', (message) => deliver(this.#handlers, message.channel, message.payload ?? ''));
      const lost = (error?: Error) => {
        if (this.#closed || this.#client !== connecting) return;
        if (error) this.onConnectionError?.(error);
        this.#client = undefined;
        this.#timer = setTimeout(() => void this.#reconnect(), this.#retryMs);
        this.#timer.unref();
        this.#retryMs = Math.min(this.#retryMs * 2, 10_000);
      };
      client.on('error', lost);
      client.on('end', () => lost());
      const connecting: Promise<pg.Client> = client.connect().then(() => client);
      this.#client = connecting;
      connecting.catch((error: Error) => lost(error));
    }
    return this.#client;
  }

  async #reconnect(): Promise<void> {
    if (this.#closed) return;
    try {
      const client = await this.#connection();
      for (const channel of this.#handlers.keys()) await this.#serial.run(() => client.query(`LISTEN ${quoteIdent(channel)}`));
      this.#retryMs = 500;
      for (const handler of this.#reconnected) handler();
    } catch {
      // `lost` has scheduled the next attempt.
    }
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
