import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';
import type { InboundWebhookEvent, InboundWebhookKind } from '../../whatsapp/index.js';

/** The number an event happened on, as the router's caller resolved it (in the event's workspace). */
export interface InboundNumber {
  /** Our row id. */
  id: string;
  /** Meta's phone_number_id. */
  phone_number_id: string;
  workspace_id: string;
  verified_name: string;
  /** `sandbox` or `cloud`: which clock its messages follow. */
  provider: string;
}

/** What a handler gets besides its event: where it happened, and the batch's transaction. */
export interface InboundContext {
  /** The workspace whose app secret verified the webhook. */
  workspaceId: string;
  /** The number the event names (`metadata.phone_number_id`), when it names one of this workspace. */
  number: InboundNumber | undefined;
  /**
   * The transaction of the whole batch: write only through it, and read nothing through another
   * connection (on SQLite it holds the only one). Everything a handler writes commits with the
   * event's "processed" mark, or not at all, so a crash repeats the event, never loses it.
   */
  trx: Kysely<Schema>;
  /**
   * What earlier handlers of this event established, for the later ones: messaging fills
   * `message` once it stored an inbound message (the chatbot answers it). Fresh per event.
   */
  stored: InboundFacts;
}

/** Facts one handler of an event leaves for the next (see {@link InboundContext.stored}). */
export interface InboundFacts {
  message?: StoredInboundMessage;
}

/** An inbound message as messaging stored it (only when new: a replayed event leaves nothing). */
export interface StoredInboundMessage {
  /** Our message id (`msg_…`). */
  id: string;
  wamid: string;
  conversationId: string;
  contactId: string;
  /** The contact was created by this message: the platform did not know them. */
  contactCreated: boolean;
  /** The message was an opt-in or opt-out keyword, already answered: nothing else may answer it. */
  consentKeyword: boolean;
  /** When the customer sent it (their number's clock). */
  at: Date;
  /** Written in a group (our `grp_…` id): stored in the group's conversation; no keyword, no bot. */
  groupId?: string;
}

/** Handles one kind of event; `event` is narrowed to that kind. */
export type InboundHandler<K extends InboundWebhookKind> = (event: Extract<InboundWebhookEvent, { kind: K }>, context: InboundContext) => Promise<void>;

/** One event of a run, with its own context (its workspace and number may differ from the others'). */
export interface InboundRunItem<K extends InboundWebhookKind> {
  event: Extract<InboundWebhookEvent, { kind: K }>;
  context: InboundContext;
}

/**
 * Handles a run of consecutive events of one kind at once (all in the batch's transaction, in
 * arrival order), so that it can read what they name in one query and write in fewer statements:
 * statuses come in long runs (sent, delivered, read for every message sent).
 */
export type InboundRunHandler<K extends InboundWebhookKind> = (items: ReadonlyArray<InboundRunItem<K>>) => Promise<void>;

type Registered = { one: InboundHandler<InboundWebhookKind> } | { run: InboundRunHandler<InboundWebhookKind> };

/**
 * Routes each stored webhook event to the handlers its owning modules registered for its kind
 * (`router.on('message', handler)`), in registration order. Handlers of one event run one after
 * the other in the batch's transaction; a kind without a handler is kept in `inbound_events`
 * and marked processed. Register in the composition root (src/app/build-app.ts), before the
 * processor starts.
 *
 * A kind may instead (or also) have run handlers (`router.onRun('status', handler)`): the
 * processor hands them every run of consecutive events of that kind in its batch
 * ({@link routeRun}); events of other kinds before and after the run keep their place.
 *
 * @example router.on('message', (event, { workspaceId, number, trx }) => chatbot.onMessage(...))
 */
export class InboundRouter {
  readonly #handlers = new Map<InboundWebhookKind, Registered[]>();

  /** Adds a handler for a kind; several handlers of a kind run in the order they were added. */
  on<K extends InboundWebhookKind>(kind: K, handler: InboundHandler<K>): this {
    return this.#add(kind, { one: handler as unknown as InboundHandler<InboundWebhookKind> });
  }

  /** Adds a handler that takes a run of consecutive events of a kind at once (see {@link InboundRunHandler}). */
  onRun<K extends InboundWebhookKind>(kind: K, handler: InboundRunHandler<K>): this {
    return this.#add(kind, { run: handler as unknown as InboundRunHandler<InboundWebhookKind> });
  }

  #add(kind: InboundWebhookKind, handler: Registered): this {
    const list = this.#handlers.get(kind) ?? [];
    list.push(handler);
    this.#handlers.set(kind, list);
    return this;
  }

  /** Whether any handler takes this kind. */
  handles(kind: InboundWebhookKind): boolean {
    return (this.#handlers.get(kind)?.length ?? 0) > 0;
  }

  /** Whether a run handler takes this kind (the processor then gathers its runs). */
  takesRuns(kind: InboundWebhookKind): boolean {
    return (this.#handlers.get(kind) ?? []).some((handler) => 'run' in handler);
  }

  /** Runs the handlers of the event's kind; answers how many ran. */
  async route(event: InboundWebhookEvent, context: InboundContext): Promise<number> {
    return this.routeRun([{ event, context }]);
  }

  /**
   * Runs the handlers of a run of events of one kind, in registration order: a run handler takes
   * the whole run, a one-event handler takes each event in turn. Answers how many handlers ran.
   */
  async routeRun(items: ReadonlyArray<InboundRunItem<InboundWebhookKind>>): Promise<number> {
    const first = items[0];
    if (!first) return 0;
    const kind = first.event.kind;
    if (items.some((item) => item.event.kind !== kind)) throw new Error('routeRun: a run holds events of one kind');
    const handlers = this.#handlers.get(kind) ?? [];
    for (const handler of handlers) {
      if ('run' in handler) await handler.run(items);
      else for (const item of items) await handler.one(item.event, item.context);
    }
    return handlers.length;
  }
}
