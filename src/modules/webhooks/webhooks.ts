import type { Kysely } from 'kysely';
import { newId, type Schema, type WebhookDeliveriesTable, type WebhookSubscriptionsTable } from '../../db/index.js';
import { EVENT_TYPES, isInternalEventType, type EventType } from '../events/index.js';
import { checkOutboundUrl, newToken, type OutboundPolicy, type OutboundUrlCheck } from '../../security/index.js';
import { realClock } from '../../clock/index.js';

/** What a subscription may list in `events`: an event type, or `*` for every type (also those added later). */
export const WEBHOOK_EVENT_FILTERS = ['*', ...EVENT_TYPES] as const;
export type WebhookEventFilter = (typeof WEBHOOK_EVENT_FILTERS)[number];

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface WebhookSubscriptionView {
  id: string;
  url: string;
  events: WebhookEventFilter[];
  description: string | null;
  active: boolean;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveryView {
  id: string;
  subscription_id: string;
  /** The event's id, the same in the payload, for every subscription and every replay. */
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  /** Attempts since the delivery was created or last replayed (every one is in `attempt_log`). */
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

export interface WebhookDeliveryDetail extends WebhookDeliveryView {
  /** The body sent, parsed. */
  payload: unknown;
  attempt_log: Array<{ attempted_at: string; status_code: number | null; error: string | null; duration_ms: number }>;
}

export type UrlCheck = { ok: true; url: string } | { ok: false; rule: string };

/** The only thing the service needs of the outbox: where it ends now. */
export interface OutboxHead {
  lastId(): Promise<number>;
}

/** Seals and opens secrets at rest (the app's SecretBox). */
export interface SecretSealer {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

const SECRET_PREFIX = 'whsec_';

/**
 * Outbound webhook subscriptions and their delivery log. A subscription receives the events
 * recorded after it was created; its secret is generated here, sealed at rest and shown only
 * in the answers to `create` and to `update` with `rotateSecret`.
 */
export class Webhooks {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly box: SecretSealer,
    private readonly outbox: OutboxHead,
    private readonly now: () => Date = () => realClock.now(),
    /** Called after deliveries were queued again (wakes the delivery worker). */
    private readonly queued: () => void = () => undefined,
    /** Which targets subscriptions may have (CONVERSA_WEBHOOKS_ALLOW_PRIVATE); the transport enforces the same when connecting. */
    private readonly targets: OutboundPolicy = { allowPrivate: false },
  ) {}

  /**
   * Erasure of a person (issue 13): deletes the workspace's webhook deliveries whose payload
   * `mentions` them (and, by cascade, their attempts), in keyset pages of `batch` rows. A
   * delivery still waiting is not sent. Answers how many.
   */
  async eraseDeliveriesMentioning(workspaceId: string, mentions: (payload: string) => boolean, batch = 500): Promise<number> {
    let after = '';
    let deleted = 0;
    for (;;) {
      const rows = await this.db.selectFrom('webhook_deliveries').select(['id', 'payload', 'last_error']).where('workspace_id', '=', workspaceId).where('id', '>', after).orderBy('id').limit(batch).execute();
      if (rows.length === 0) return deleted;
      after = rows[rows.length - 1]?.id ?? after;
      const ids = rows.filter((row) => mentions(row.payload) || (row.last_error !== null && mentions(row.last_error))).map((row) => row.id);
      if (ids.length > 0) {
        await this.db.deleteFrom('webhook_delivery_attempts').where('delivery_id', 'in', ids).execute();
        deleted += Number((await this.db.deleteFrom('webhook_deliveries').where('workspace_id', '=', workspaceId).where('id', 'in', ids).executeTakeFirst()).numDeletedRows);
      }
    }
  }

  /**
   * Checks a subscription URL against the SSRF guard: no credentials, no loopback, private,
   * link-local, unique-local, CGNAT, multicast, reserved or metadata address (private ones
   * allowed when the operator set CONVERSA_WEBHOOKS_ALLOW_PRIVATE). Names are checked again by
   * the address they resolve to at each delivery.
   */
  checkTarget(url: string): OutboundUrlCheck {
    return checkOutboundUrl(url, this.targets);
  }

  /** Creates a subscription; the answer carries the signing secret, the only time it is shown. */
  async create(workspaceId: string, input: { url: string; events: WebhookEventFilter[]; description?: string | null; active?: boolean }): Promise<WebhookSubscriptionView & { secret: string }> {
    const secret = newToken(SECRET_PREFIX, 32);
    const at = this.now().toISOString();
    const row: WebhookSubscriptionsTable = {
      id: newId('whs'),
      workspace_id: workspaceId,
      url: input.url,
      events: JSON.stringify(normaliseFilters(input.events)),
      secret_enc: this.box.seal(secret),
      description: input.description ?? null,
      active: input.active === false ? 0 : 1,
      after_event_id: await this.outbox.lastId(),
      created_at: at,
      updated_at: at,
    };
    await this.db.insertInto('webhook_subscriptions').values(row).execute();
    return { ...toSubscriptionView(row), secret };
  }

  async list(workspaceId: string): Promise<WebhookSubscriptionView[]> {
    const rows = await this.db.selectFrom('webhook_subscriptions').selectAll().where('workspace_id', '=', workspaceId).orderBy('id').execute();
    return rows.map(toSubscriptionView);
  }

  async get(workspaceId: string, id: string): Promise<WebhookSubscriptionView | undefined> {
    const row = await this.#row(workspaceId, id);
    return row && toSubscriptionView(row);
  }

  /** Changes a subscription. `rotateSecret` replaces the secret at once and answers the new one. */
  async update(
    workspaceId: string,
    id: string,
    patch: { url?: string; events?: WebhookEventFilter[]; description?: string | null; active?: boolean; rotateSecret?: boolean },
  ): Promise<(WebhookSubscriptionView & { secret?: string }) | undefined> {
    const secret = patch.rotateSecret ? newToken(SECRET_PREFIX, 32) : undefined;
    const changes: Partial<WebhookSubscriptionsTable> = { updated_at: this.now().toISOString() };
    if (patch.url !== undefined) changes.url = patch.url;
    if (patch.events !== undefined) changes.events = JSON.stringify(normaliseFilters(patch.events));
    if (patch.description !== undefined) changes.description = patch.description;
    if (patch.active !== undefined) changes.active = patch.active ? 1 : 0;
    if (secret) changes.secret_enc = this.box.seal(secret);
    const result = await this.db.updateTable('webhook_subscriptions').set(changes).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    if (patch.active) this.queued();
    const view = await this.get(workspaceId, id);
    return view && (secret ? { ...view, secret } : view);
  }

  /** Deletes a subscription with its delivery log; deliveries not yet sent are dropped. */
  async remove(workspaceId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('webhook_subscriptions').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The delivery log of a subscription, newest first; `cursor` is the last id of the previous page. */
  async deliveries(
    workspaceId: string,
    subscriptionId: string,
    options: { limit: number; cursor?: string; status?: DeliveryStatus },
  ): Promise<{ data: WebhookDeliveryView[]; next_cursor: string | null }> {
    let query = this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('subscription_id', '=', subscriptionId)
      .orderBy('id', 'desc')
      .limit(options.limit + 1);
    if (options.cursor) query = query.where('id', '<', options.cursor);
    if (options.status) query = query.where('status', '=', options.status);
    const rows = await query.execute();
    const page = rows.slice(0, options.limit);
    return { data: page.map(toDeliveryView), next_cursor: rows.length > options.limit ? (page.at(-1)?.id ?? null) : null };
  }

  /** One delivery with its body and every attempt. */
  async delivery(workspaceId: string, subscriptionId: string, deliveryId: string): Promise<WebhookDeliveryDetail | undefined> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('subscription_id', '=', subscriptionId)
      .where('id', '=', deliveryId)
      .executeTakeFirst();
    if (!row) return undefined;
    const attempts = await this.db
      .selectFrom('webhook_delivery_attempts')
      .select(['attempted_at', 'status_code', 'error', 'duration_ms'])
      .where('delivery_id', '=', deliveryId)
      .orderBy('id')
      .execute();
    return { ...toDeliveryView(row), payload: JSON.parse(row.payload) as unknown, attempt_log: attempts };
  }

  /**
   * Sends a delivery again, now, with the same body: a delivered or failed one is queued with
   * a fresh retry budget; a pending one is made due at once.
   */
  async replayDelivery(workspaceId: string, subscriptionId: string, deliveryId: string): Promise<WebhookDeliveryView | undefined> {
    const at = this.now().toISOString();
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .select('status')
      .where('workspace_id', '=', workspaceId)
      .where('subscription_id', '=', subscriptionId)
      .where('id', '=', deliveryId)
      .executeTakeFirst();
    if (!row) return undefined;
    const changes: Partial<WebhookDeliveriesTable> =
      row.status === 'pending' ? { next_attempt_at: at, updated_at: at } : { status: 'pending', attempts: 0, next_attempt_at: at, updated_at: at };
    await this.db.updateTable('webhook_deliveries').set(changes).where('id', '=', deliveryId).where('status', '=', row.status).execute();
    this.queued();
    const detail = await this.delivery(workspaceId, subscriptionId, deliveryId);
    if (!detail) return undefined;
    const { payload: _payload, attempt_log: _log, ...view } = detail;
    return view;
  }

  /** Queues every delivery of a subscription in `status` (`failed`) again; answers how many. */
  async replayAll(workspaceId: string, subscriptionId: string, status: Extract<DeliveryStatus, 'failed'>): Promise<number> {
    const at = this.now().toISOString();
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', attempts: 0, next_attempt_at: at, updated_at: at })
      .where('workspace_id', '=', workspaceId)
      .where('subscription_id', '=', subscriptionId)
      .where('status', '=', status)
      .executeTakeFirst();
    const count = Number(result.numUpdatedRows);
    if (count > 0) this.queued();
    return count;
  }

  async #row(workspaceId: string, id: string): Promise<WebhookSubscriptionsTable | undefined> {
    return this.db.selectFrom('webhook_subscriptions').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  }
}

/**
 * Checks a subscription URL: absolute `http:` or `https:` with a host. Production consumers
 * should use https (the body carries customer messages); http is allowed for local systems.
 */
export function checkWebhookUrl(value: string): UrlCheck {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, rule: 'must be an absolute http(s) URL such as https://crm.example.com/conversa' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, rule: 'must use https (or http for local systems)' };
  if (!url.hostname) return { ok: false, rule: 'must name a host' };
  if (url.hash) return { ok: false, rule: 'must not have a #fragment' };
  return { ok: true, url: url.toString() };
}

/** Answers whether a subscription's filter takes an event type (never an inbox-only one, even for `*`). */
export function matchesEventFilter(filters: readonly string[], type: EventType | string): boolean {
  if (isInternalEventType(type)) return false;
  return filters.includes('*') || filters.includes(type);
}

function normaliseFilters(filters: WebhookEventFilter[]): WebhookEventFilter[] {
  return filters.includes('*') ? ['*'] : [...new Set(filters)];
}

function toSubscriptionView(row: WebhookSubscriptionsTable): WebhookSubscriptionView {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as WebhookEventFilter[],
    description: row.description,
    active: Number(row.active) === 1,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** `evt_<outbox id>`: the id consumers see for an event. */
export function eventIdOf(outboxId: number): string {
  return `evt_${outboxId}`;
}

function toDeliveryView(row: WebhookDeliveriesTable): WebhookDeliveryView {
  return {
    id: row.id,
    subscription_id: row.subscription_id,
    event_id: eventIdOf(Number(row.event_id)),
    event_type: row.event_type,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    next_attempt_at: row.status === 'pending' ? row.next_attempt_at : null,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    created_at: row.created_at,
    updated_at: row.updated_at,
    delivered_at: row.delivered_at,
  };
}
