import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Capabilities, NotifyChannel, Schema } from '../../db/index.js';
import { PollingLoop } from '../../jobs/index.js';
import { OUTBOX_CHANNEL, advanceOutboxCursor, readOutboxAt, type DomainEvent, type OutboxCursor, type OutboxReader } from '../events/index.js';
import { canSeeConversation, type ConversationScope, type Viewer } from '../users/index.js';
import { eventFrame, type EphemeralKind, type ServerFrame } from './frames.js';
import { conversationScopes, lookUpEventScopes } from './scopes.js';
import { mayReceive } from './visibility.js';

/** The channel typing and presence cross nodes on (never stored). */
export const EPHEMERAL_CHANNEL = 'conversa_ephemeral';

/** What the hub reads of the outbox (the Events module). */
export interface RealtimeOutbox extends OutboxReader {
  lastId(): Promise<number>;
  firstId(): Promise<number>;
}

/** A browser connection as the hub sees it: the route owns the socket and its send buffer. */
export interface Subscriber {
  readonly viewer: Viewer;
  /** Sends one serialised frame (the route drops a connection whose buffer is full). */
  send(frame: string): void;
  /** Ends the connection with a WebSocket close code. */
  close(code: number, reason: string): void;
}

export interface Subscription {
  /** Forget the connection (its socket closed). */
  end(): void;
}

export interface RealtimeOptions {
  /** Safety-net poll interval (default 1 s): wake-ups (in process, LISTEN/NOTIFY) normally come first. */
  pollMs?: number;
  /**
   * How long delivery waits for an outbox id that is missing below newer ones (a transaction
   * still committing on PostgreSQL) before sending the newer ones anyway (default 1 s). Within
   * it events go out in id order; an event that commits later still goes out when it appears.
   */
  holdMs?: number;
  /** How long a missing id is looked for before it is taken as rolled back (default 60 s). */
  gapTimeoutMs?: number;
  /** Events read per pass (default 500). */
  batchSize?: number;
  /** At most this many outbox events are scanned to replay a resume; more answers `reset` (default 20,000). */
  maxReplayScan?: number;
  /** Frames held for a connection while its replay runs; past it the connection is closed (default 10,000). */
  maxPendingFrames?: number;
  /** At most one typing frame per person and conversation in this many ms (default 2 s). */
  typingIntervalMs?: number;
  /** Wall clock in ms (gap ages). */
  wallClock?: () => number;
}

export interface RealtimeDeps {
  db: Kysely<Schema>;
  capabilities: Capabilities;
  outbox: RealtimeOutbox;
  channel: NotifyChannel;
  logger: Logger;
}

/** Close code for a connection that fell behind: reconnect with `after` = the last id seen. */
export const CLOSE_TOO_SLOW = 4008;

/**
 * The realtime hub of one node: follows the event outbox and pushes each committed event to the
 * WebSocket connections of this node whose viewer may see it (`mayReceive`); carries typing and
 * presence between nodes without storing them. One reader per node however many connections:
 * each pass reads the outbox once and looks the events' conversations up once.
 *
 * Wake-ups: on SQLite `Events` wakes the hub right after an insert (its read waits on the one
 * connection, so it sees the commit); on PostgreSQL each recording transaction notifies
 * `conversa_outbox` at commit and every node listens; a slow poll covers a lost notification.
 * With no connection the hub reads nothing (a first connection starts it at the outbox's end).
 *
 * Order and gaps: PostgreSQL ids can commit out of order; the position follows
 * `advanceOutboxCursor` (shared with the webhook fan-out), and delivery holds newer events up
 * to `holdMs` for a missing id, so a browser sees ids in order and can resume from the last.
 */
export class RealtimeHub {
  readonly #loop: PollingLoop;
  readonly #byWorkspace = new Map<string, Set<Connection>>();
  readonly #perUser = new Map<string, number>();
  #cursor: OutboxCursor | undefined;
  #starting: Promise<void> | undefined;
  /** Every event up to this id was handed to the connections (or is known missing past `holdMs`). */
  #deliveredUpTo = 0;
  /** Read but held behind a missing id. */
  readonly #held = new Map<number, DomainEvent>();
  readonly #typingAt = new Map<string, number>();
  #listening: Promise<void> | undefined;
  readonly #options: Required<Omit<RealtimeOptions, 'wallClock'>> & { wallClock: () => number };

  constructor(
    private readonly deps: RealtimeDeps,
    options: RealtimeOptions = {},
  ) {
    this.#options = {
      pollMs: 1_000,
      holdMs: 1_000,
      gapTimeoutMs: 60_000,
      batchSize: 500,
      maxReplayScan: 20_000,
      maxPendingFrames: 10_000,
      typingIntervalMs: 2_000,
      wallClock: Date.now,
      ...options,
    };
    this.#loop = new PollingLoop(() => this.tick(), this.#options.pollMs, deps.logger, 'realtime hub');
  }

  start(): void {
    this.#listening ??= this.#listen().catch((error: unknown) => this.deps.logger.error({ err: error }, 'realtime: could not listen for other nodes; polling only'));
    this.#loop.start();
  }

  /** Settles once the hub listens for other nodes (or could not, and polls only). */
  async listening(): Promise<void> {
    await this.#listening;
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
    for (const set of this.#byWorkspace.values()) for (const connection of set) connection.subscriber.close(1001, 'server shutting down');
    await this.deps.channel.close();
  }

  /** Something was recorded in the outbox: read now. */
  wake(): void {
    this.#loop.wake();
  }

  /**
   * The outbox id up to which this node handed events to its connections (0 before its first
   * read, when it starts at the end anyway): the outbox retention keeps what is above it.
   */
  position(): number {
    return this.#deliveredUpTo;
  }

  /** This node's open connections of `userId` (the route bounds them). */
  connectionsOf(userId: string): number {
    return this.#perUser.get(userId) ?? 0;
  }

  /**
   * Registers a connection: sends `hello` with the position it starts from, then (with `after`)
   * every event after `after` the viewer may see, in order, then live events; none twice. When
   * `after` is older than the outbox keeps, newer than it holds, or too far behind to replay,
   * sends `reset` instead of the replay (the browser reloads its lists).
   */
  async subscribe(subscriber: Subscriber, after?: number): Promise<Subscription> {
    const connection = new Connection(subscriber, this.#options.maxPendingFrames);
    this.#add(connection);
    const subscription = { end: () => this.#remove(connection) };
    try {
      await this.#ready();
      const upTo = this.#deliveredUpTo;
      connection.sendNow(JSON.stringify({ type: 'hello', last_id: upTo } satisfies ServerFrame));
      if (after !== undefined && after !== upTo) await this.#replay(connection, after, upTo);
      connection.goLive();
    } catch (error) {
      this.#remove(connection);
      throw error;
    }
    return subscription;
  }

  /**
   * A person types in a conversation: the others who may see it get `ephemeral` typing. Answers
   * false when the conversation is not one the viewer may see (nothing is sent). At most one per
   * person and conversation every `typingIntervalMs`.
   */
  async typing(viewer: Viewer, conversationId: string): Promise<boolean> {
    const key = `${viewer.userId} ${conversationId}`;
    const now = this.#options.wallClock();
    const last = this.#typingAt.get(key);
    if (last !== undefined && now - last < this.#options.typingIntervalMs) return true;
    const scope = (await conversationScopes(this.deps.db, [conversationId])).get(conversationId);
    if (!scope || !canSeeConversation(viewer, scope)) return false;
    this.#typingAt.set(key, now);
    if (this.#typingAt.size > 10_000) for (const [k, at] of this.#typingAt) if (now - at >= this.#options.typingIntervalMs) this.#typingAt.delete(k);
    await this.#publish({ workspace_id: viewer.workspaceId, kind: 'typing', from: viewer.userId, scope, data: { conversation_id: conversationId, user_id: viewer.userId, name: viewer.name } });
    return true;
  }

  /**
   * A person's presence changed (online, away, offline): everyone of the workspace gets
   * `ephemeral` presence (the transfer picker shows it). For the users module.
   */
  async presence(workspaceId: string, data: { user_id: string; presence: string; name?: string }): Promise<void> {
    await this.#publish({ workspace_id: workspaceId, kind: 'presence', from: null, scope: null, data });
  }

  /** One pass: reads the outbox (new events and gap refills), delivers what is in order. Answers the events read when more may wait. */
  async tick(): Promise<number> {
    if (this.#byWorkspace.size === 0) {
      this.#cursor = undefined;
      this.#starting = undefined;
      this.#held.clear();
      return 0;
    }
    await this.#ready();
    const cursor = this.#cursor;
    if (!cursor) return 0;
    const { refilled, fresh } = await readOutboxAt(this.deps.outbox, cursor, this.#options.batchSize);
    const nowMs = this.#options.wallClock();
    const next = advanceOutboxCursor(
      cursor,
      [...fresh, ...refilled].map((event) => event.id),
      { trackGaps: !this.deps.capabilities.singleWriter, nowMs, gapTimeoutMs: this.#options.gapTimeoutMs },
    );
    if (this.#cursor !== cursor) return 0; // the last connection left meanwhile
    this.#cursor = next.cursor;
    for (const event of [...fresh, ...refilled]) this.#held.set(event.id, event);
    const blocking = next.cursor.gaps.find((gap) => nowMs - gap.since < this.#options.holdMs);
    const upTo = blocking ? blocking.from - 1 : next.cursor.seenUpTo;
    const ready = [...this.#held.values()].filter((event) => event.id <= upTo).sort((a, b) => a.id - b.id);
    for (const event of ready) this.#held.delete(event.id);
    await this.#deliver(ready, upTo);
    if (blocking) this.#loop.wakeIn(blocking.since + this.#options.holdMs - nowMs + 1);
    return fresh.length >= this.#options.batchSize ? fresh.length : 0;
  }

  /** Looks up the events' conversations, then hands them out and moves the delivered position in one synchronous step (a connection registering meanwhile replays up to it). */
  async #deliver(events: DomainEvent[], upTo: number): Promise<void> {
    const watched = events.filter((event) => this.#byWorkspace.has(event.workspace_id));
    const scopes = watched.length > 0 ? await lookUpEventScopes(this.deps.db, watched) : new Map();
    for (const event of events) {
      const connections = this.#byWorkspace.get(event.workspace_id);
      const where = scopes.get(event.id);
      if (!connections || !where) continue;
      let frame: string | undefined;
      for (const connection of connections) {
        if (!mayReceive(connection.subscriber.viewer, event, where)) continue;
        frame ??= eventFrame(event);
        connection.deliver(event.id, frame);
      }
    }
    this.#deliveredUpTo = Math.max(this.#deliveredUpTo, upTo);
  }

  async #replay(connection: Connection, after: number, upTo: number): Promise<void> {
    const reset = () => connection.reset(JSON.stringify({ type: 'reset' } satisfies ServerFrame));
    const first = await this.deps.outbox.firstId();
    if (after > upTo) {
      // Ahead of this node (another node was faster): fine while the outbox has it; a bogus id resets.
      if (after > (await this.deps.outbox.lastId())) reset();
      else connection.skipUpTo(after);
      return;
    }
    if (first > 0 && after < first - 1) return reset();
    connection.skipUpTo(after);
    let position = after;
    let scanned = 0;
    while (position < upTo && !connection.ended) {
      const page = (await this.deps.outbox.after(position, this.#options.batchSize)).filter((event) => event.id <= upTo);
      if (page.length === 0) break;
      scanned += page.length;
      if (scanned > this.#options.maxReplayScan) return reset();
      const scopes = await lookUpEventScopes(this.deps.db, page.filter((event) => event.workspace_id === connection.subscriber.viewer.workspaceId));
      for (const event of page) {
        const where = scopes.get(event.id);
        if (where && mayReceive(connection.subscriber.viewer, event, where)) connection.replayed(event.id, eventFrame(event));
      }
      position = page[page.length - 1]!.id;
    }
  }

  #ready(): Promise<void> {
    if (this.#cursor) return Promise.resolve();
    this.#starting ??= this.deps.outbox.lastId().then((last) => {
      if (this.#cursor) return;
      // Starting at the end: ids below it still committing are not waited for (the connections that start now load their lists after `hello`).
      this.#cursor = { seenUpTo: last, gaps: [] };
      this.#deliveredUpTo = Math.max(this.#deliveredUpTo, last);
    });
    const starting = this.#starting;
    return starting.finally(() => {
      if (this.#starting === starting) this.#starting = undefined;
    });
  }

  #add(connection: Connection): void {
    const { viewer } = connection.subscriber;
    const set = this.#byWorkspace.get(viewer.workspaceId) ?? new Set();
    set.add(connection);
    this.#byWorkspace.set(viewer.workspaceId, set);
    this.#perUser.set(viewer.userId, (this.#perUser.get(viewer.userId) ?? 0) + 1);
  }

  #remove(connection: Connection): void {
    if (connection.ended) return;
    connection.ended = true;
    const { viewer } = connection.subscriber;
    const set = this.#byWorkspace.get(viewer.workspaceId);
    set?.delete(connection);
    if (set && set.size === 0) this.#byWorkspace.delete(viewer.workspaceId);
    const count = (this.#perUser.get(viewer.userId) ?? 1) - 1;
    if (count <= 0) this.#perUser.delete(viewer.userId);
    else this.#perUser.set(viewer.userId, count);
  }

  async #listen(): Promise<void> {
    const { channel, capabilities } = this.deps;
    await channel.listen(EPHEMERAL_CHANNEL, (payload) => this.#onEphemeral(payload));
    // The outbox channel is notified by PostgreSQL at commit; in process the Events module wakes the hub itself.
    if (capabilities.supportsListenNotify) await channel.listen(OUTBOX_CHANNEL, () => this.wake());
    channel.onReconnect(() => this.wake());
  }

  async #publish(message: EphemeralMessage): Promise<void> {
    await this.deps.channel.notify(EPHEMERAL_CHANNEL, JSON.stringify(message));
  }

  #onEphemeral(payload: string): void {
    let message: EphemeralMessage;
    try {
      message = JSON.parse(payload) as EphemeralMessage;
    } catch {
      return;
    }
    const connections = this.#byWorkspace.get(message.workspace_id);
    if (!connections) return;
    const frame = JSON.stringify({ type: 'ephemeral', kind: message.kind, data: message.data } satisfies ServerFrame);
    for (const connection of connections) {
      const { viewer } = connection.subscriber;
      if (message.from !== null && viewer.userId === message.from) continue;
      if (message.scope && !canSeeConversation(viewer, message.scope)) continue;
      connection.ephemeral(frame);
    }
  }
}

/** What crosses nodes on the ephemeral channel: the scope travels with it, so no node looks it up again. */
interface EphemeralMessage {
  workspace_id: string;
  kind: EphemeralKind;
  /** The sender's user id (their own connections do not get it). */
  from: string | null;
  scope: ConversationScope | null;
  data: Record<string, unknown>;
}

/** One connection's delivery state: frames wait while its replay runs; ids already sent are not sent again. */
class Connection {
  ended = false;
  #live = false;
  #pending: Array<{ id: number; frame: string }> = [];
  /** Ids the browser has (it said so with `after`): live copies are skipped. */
  #skipUpTo = 0;
  /** Ids sent by the replay: a live copy (a late commit seen by both) is skipped. */
  readonly #sent = new Set<number>();

  constructor(
    readonly subscriber: Subscriber,
    private readonly maxPending: number,
  ) {}

  sendNow(frame: string): void {
    if (!this.ended) this.subscriber.send(frame);
  }

  skipUpTo(id: number): void {
    this.#skipUpTo = id;
  }

  replayed(id: number, frame: string): void {
    this.#sent.add(id);
    this.sendNow(frame);
  }

  /** The browser must reload: nothing it was told about before counts. */
  reset(frame: string): void {
    this.#skipUpTo = 0;
    this.sendNow(frame);
  }

  deliver(id: number, frame: string): void {
    if (this.ended || id <= this.#skipUpTo || this.#sent.has(id)) return;
    if (this.#live) {
      this.subscriber.send(frame);
      return;
    }
    this.#pending.push({ id, frame });
    if (this.#pending.length > this.maxPending) this.subscriber.close(CLOSE_TOO_SLOW, 'too far behind: reconnect with after');
  }

  ephemeral(frame: string): void {
    if (this.#live && !this.ended) this.subscriber.send(frame);
  }

  goLive(): void {
    const pending = this.#pending;
    this.#pending = [];
    this.#live = true;
    for (const { id, frame } of pending) this.deliver(id, frame);
  }
}
