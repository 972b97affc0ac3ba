import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../clock/index.js';
import { newId, type Capabilities, type Schema } from '../../db/index.js';
import { leaseFrom, PollingLoop } from '../../jobs/index.js';
import type { WhatsAppClient } from '../../whatsapp/index.js';
import { normalizePhone, type Contacts } from '../contacts/index.js';
import type { Events } from '../events/index.js';
import type { Groups } from '../groups/index.js';
import { checkTemplateSend, type Messages, type MessageView, type SendService } from '../messaging/index.js';
import type { PhoneNumbers, PhoneNumberView } from '../phone-numbers/index.js';
import type { CachedTemplate, TemplateCache } from '../templates/index.js';
import { buildSend, fail, friendlyOf, hashRequest, outcomeOf, withField, type NotificationError, type NotificationOutcome, type NotificationRequest } from './notification-request.js';
import { NotificationStore, toView, type NotificationRow, type NotificationStatus, type NotificationView, type Postponement } from './notification-store.js';
import { DEFAULT_TIME_ZONE, quietHoursEnd, type QuietHours } from './quiet-hours.js';
import type { FriendlyParameters } from './template-components.js';

export interface NotificationsOptions {
  /** Quiet hours for marketing templates in the contact's time zone; undefined: none. */
  quietHours?: QuietHours | undefined;
  /** Time zone of contacts without one (default America/Sao_Paulo). */
  defaultTimeZone?: string | undefined;
  /** Idle poll interval of the scheduler (default 1 s). */
  pollMs?: number | undefined;
  /** A claim older than this (wall-clock ms) belongs to a dead node (default 2 min). */
  leaseMs?: number | undefined;
}

export interface NotificationsDeps {
  db: Kysely<Schema>;
  capabilities: Capabilities;
  phoneNumbers: Pick<PhoneNumbers, 'resolve' | 'list' | 'sender'>;
  contacts: Pick<Contacts, 'findByWaId' | 'upsert' | 'get'>;
  templates: Pick<TemplateCache, 'byName' | 'syncFromProvider'>;
  client: Pick<WhatsAppClient, 'listTemplates'>;
  sender: Pick<SendService, 'send'>;
  messages: Pick<Messages, 'get' | 'byIdempotencyKey'>;
  events: Pick<Events, 'record'>;
  logger: Logger;
  /** Send times, quiet hours and timestamps follow the sending number's clock; claims real time. */
  clock: Clock;
  /** Groups (`recipient_type: "group"`); without it a group notification is an invalid recipient. */
  groups?: Pick<Groups, 'recipient'>;
}

/**
 * Transactional notifications: validates a template send up front (recipient, template
 * approved in that language, parameters placed and checked by the messaging policy), then
 * sends it through `SendService` now, or stores it `scheduled` for the scheduler. Marketing
 * templates inside the contact's quiet hours are postponed to their end. Each notification
 * is sent with the idempotency key `notification:<id>`, so a crash between claiming and
 * recording re-queues nothing.
 */
export class Notifications {
  readonly #store: NotificationStore;
  readonly #loop: PollingLoop;

  constructor(
    private readonly deps: NotificationsDeps,
    private readonly options: NotificationsOptions = {},
  ) {
    this.#store = new NotificationStore(deps.db, deps.capabilities);
    this.#loop = new PollingLoop(() => this.tick(), options.pollMs ?? 1000, deps.logger, 'notification scheduler');
  }

  /** Creates (and, when due, sends) a notification. The same idempotency key answers the first outcome. */
  async create(workspaceId: string, request: NotificationRequest, idempotencyKey?: string): Promise<NotificationOutcome> {
    const hash = hashRequest(request);
    if (idempotencyKey) {
      const existing = await this.#store.byKey(workspaceId, idempotencyKey);
      if (existing) return this.#replay(existing, hash);
    }
    const prepared = await this.#prepare(workspaceId, request);
    if (!prepared.ok) return prepared;
    const { number, contact, recipient, template, sendAt, postponed, now } = prepared;
    const due = postponed ? Date.parse(postponed.until) : Math.max(now.getTime(), sendAt ?? 0);
    const immediate = due <= now.getTime();
    const at = now.toISOString();
    const { row, created } = await this.#store.insert({
      id: newId('ntf'),
      workspace_id: workspaceId,
      idempotency_key: idempotencyKey ?? null,
      request_hash: hash,
      contact_id: contact.id,
      phone_number_id: number.id,
      recipient,
      template_name: template.name,
      language: template.language,
      category: template.category,
      parameters: JSON.stringify(friendlyOf(request)),
      // Sent at once through the same claimed state the scheduler uses: a crash right after this
      // insert leaves a stale claim that the scheduler picks up, sending it exactly once.
      status: immediate ? 'sending' : 'scheduled',
      send_at: new Date(due).toISOString(),
      requested_send_at: sendAt === undefined ? null : new Date(sendAt).toISOString(),
      postponed: postponed ? JSON.stringify(postponed) : null,
      attempts: immediate ? 1 : 0,
      claimed_at: immediate ? this.deps.clock.now().toISOString() : null,
      message_id: null,
      error_code: null,
      error_message: null,
      error_details: null,
      created_at: at,
      updated_at: at,
      sent_at: null,
      cancelled_at: null,
      refused_at: null,
    });
    if (!created) return this.#replay(row, hash);
    return outcomeOf(immediate ? await this.#deliver(row) : row, false);
  }

  async get(workspaceId: string, id: string): Promise<(NotificationView & { message: MessageSummary | null }) | undefined> {
    const row = await this.#store.get(workspaceId, id);
    if (!row) return undefined;
    const message = row.message_id ? await this.deps.messages.get(workspaceId, row.message_id) : undefined;
    return { ...toView(row), message: message ? summarize(message) : null };
  }

  /** Newest first; filter by status, contact or recipient number. */
  async list(
    workspaceId: string,
    filter: { limit: number; cursor?: string | undefined; status?: NotificationStatus | undefined; contactId?: string | undefined; to?: string | undefined },
  ): Promise<{ ok: true; data: NotificationView[]; next_cursor: string | null } | { ok: false; error: NotificationError }> {
    let recipient: string | undefined;
    if (filter.to !== undefined) {
      const phone = normalizePhone(filter.to);
      if (!phone.ok) return { ok: false, error: { code: 'CONVERSA_ERR_VALIDATION', message: `querystring.to: ${phone.rule}`, details: { field: 'querystring.to', rule: phone.rule } } };
      recipient = phone.e164;
    }
    const page = await this.#store.list(workspaceId, { limit: filter.limit, cursor: filter.cursor, status: filter.status, contactId: filter.contactId, recipient });
    return { ok: true, data: page.data.map(toView), next_cursor: page.next_cursor };
  }

  /** Cancels a scheduled notification. Cancelling a cancelled one answers it again; one that went answers 409. */
  async cancel(workspaceId: string, id: string): Promise<NotificationOutcome> {
    const found = await this.#store.get(workspaceId, id);
    const at = found ? await this.deps.clock.at(found.phone_number_id) : this.deps.clock.now();
    const cancelled = await this.#store.cancel(workspaceId, id, at.toISOString());
    const row = await this.#store.get(workspaceId, id);
    if (!row) return { ok: false, error: { code: 'CONVERSA_ERR_NOT_FOUND', message: `No notification ${id}.` } };
    if (cancelled || row.status === 'cancelled') return { ok: true, notification: toView(row), replayed: false };
    return {
      ok: false,
      error: {
        code: 'CONVERSA_ERR_NOT_CANCELLABLE',
        message: `Notification ${id} is ${row.status}; only a scheduled notification can be cancelled.`,
        fix: row.status === 'sent' ? 'It already went: its message is queued or delivered.' : 'Nothing to cancel: it will not be sent.',
        details: { status: row.status, ...(row.message_id ? { message_id: row.message_id } : {}) },
      },
    };
  }

  start(): void {
    this.#loop.start();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
  }

  wake(): void {
    this.#loop.wake();
  }

  /** One scheduler pass: claims due notifications and sends each. Answers how many it claimed. */
  async tick(): Promise<number> {
    // send_at is on the number's clock; claims (the lease) on real time.
    const lease = leaseFrom(this.deps.clock.now(), this.options.leaseMs ?? 120_000);
    const rows: NotificationRow[] = [];
    for (const phoneNumberId of await this.#store.numbersDue({ latest: this.deps.clock.latest().toISOString(), staleBefore: lease.staleBefore })) {
      const now = (await this.deps.clock.at(phoneNumberId)).toISOString();
      rows.push(...(await this.#store.claimDue({ phoneNumberId, now, claimedAt: lease.at, staleBefore: lease.staleBefore, limit: 50 })));
    }
    for (const row of rows) {
      try {
        await this.#deliver(row);
      } catch (error) {
        // Left claimed: the lease runs out and a later pass (on any node) tries again.
        this.deps.logger.error({ err: error, notificationId: row.id, attempt: row.attempts }, `notification send failed (attempt ${row.attempts}); retrying after the claim lease`);
      }
    }
    return rows.length;
  }

  /** Validates everything that can be known before the send; refusals store nothing. */
  async #prepare(workspaceId: string, request: NotificationRequest) {
    const target = request.recipientType === 'group' ? await this.#groupTarget(workspaceId, request) : await this.#personTarget(workspaceId, request);
    if (!target.ok) return target;
    const { number, recipient } = target;
    let sendAt: number | undefined;
    if (request.sendAt !== undefined) {
      sendAt = parseSendAt(request.sendAt);
      if (sendAt === undefined) return fail({ code: 'CONVERSA_ERR_VALIDATION', message: `body.send_at: ${SEND_AT_RULE}`, details: { field: 'body.send_at', rule: SEND_AT_RULE } });
    }
    const now = this.deps.clock.forNumber(number);
    const templates = await this.#templatesFor(workspaceId, number, request.template);
    const built = buildSend(request.template, request.language, templates, friendlyOf(request));
    if (!built.ok) return built;
    const checked = checkTemplateSend(built.send, templates);
    if (!checked.ok) return fail(withField(checked.error));
    // The contact is made only for a request that passed every check.
    const contact = await target.contact();
    const due = Math.max(now.getTime(), sendAt ?? 0);
    const postponed = checked.template.category === 'MARKETING' ? this.#quietUntil(due, contact.time_zone) : undefined;
    return { ok: true as const, number, contact, recipient, template: checked.template as CachedTemplate, sendAt, postponed, now };
  }

  /** One person: a valid number, the sending number (`from` or the first), and their contact (made when missing). */
  async #personTarget(workspaceId: string, request: NotificationRequest) {
    const phone = normalizePhone(request.to);
    if (!phone.ok) {
      return fail({ code: 'CONVERSA_ERR_INVALID_RECIPIENT', message: `body.to: ${phone.rule}`, fix: 'Send the number in international format, e.g. +5511988887777.', details: { field: 'body.to', rule: phone.rule } });
    }
    const number = request.from ? await this.deps.phoneNumbers.resolve(workspaceId, request.from) : (await this.deps.phoneNumbers.list(workspaceId))[0];
    if (!number) {
      return fail({
        code: 'CONVERSA_ERR_NO_PHONE_NUMBER',
        ...(request.from ? { variant: 'unknown_sender' } : {}),
        message: request.from ? `No phone number ${request.from} in this workspace.` : 'This workspace has no phone number.',
        fix: 'Connect a phone number first (see /api/v1/phone-numbers).',
        details: { field: 'body.from' },
      });
    }
    const contact = async () => (await this.deps.contacts.findByWaId(workspaceId, phone.waId)) ?? (await this.deps.contacts.upsert(workspaceId, { e164: phone.e164, waId: phone.waId })).contact;
    return { ok: true as const, number, recipient: phone.e164, contact };
  }

  /**
   * A group (active, of this workspace): it decides the number and the contact record (a group
   * has no time zone); the template is checked as for one person, and the group policy runs at send.
   */
  async #groupTarget(workspaceId: string, request: NotificationRequest) {
    const found = this.deps.groups ? await this.deps.groups.recipient(workspaceId, request.to.trim()) : ({ ok: false, error: 'not_found' } as const);
    if (!found.ok) {
      if (found.error === 'pending') return fail({ code: 'CONVERSA_ERR_GROUP_PENDING', message: `body.to: group ${request.to} is not confirmed by Meta yet.`, fix: 'Wait for the group.created event.', details: { field: 'body.to' } });
      const rule = 'must be an active group of this workspace (grp_… or Meta group id)';
      return fail({ code: 'CONVERSA_ERR_INVALID_RECIPIENT', message: `body.to: ${rule}`, fix: 'List the groups with GET /api/v1/groups.', details: { field: 'body.to', rule } });
    }
    const { group, number, contact } = found.value;
    if (request.from && request.from !== number.id && request.from !== number.phone_number_id) {
      const rule = "must be the group's own number, or absent";
      return fail({ code: 'CONVERSA_ERR_VALIDATION', message: `body.from: ${rule}`, details: { field: 'body.from', rule } });
    }
    return { ok: true as const, number, recipient: group.id, contact: async () => ({ id: contact.id, time_zone: null }) };
  }

  /** Sends a claimed notification through the messaging policy and outbox; answers the row as it ends. */
  async #deliver(row: NotificationRow): Promise<NotificationRow> {
    const key = `notification:${row.id}`;
    const now = await this.deps.clock.at(row.phone_number_id);
    // A second attempt may follow a crash after the message was queued: never queue it again.
    if (row.attempts > 1) {
      const queued = await this.deps.messages.byIdempotencyKey(row.workspace_id, key);
      if (queued) return this.#settle(row, { status: 'sent', message_id: queued.id, sent_at: now.toISOString() });
    }
    const number = await this.deps.phoneNumbers.resolve(row.workspace_id, row.phone_number_id);
    const templates = number ? await this.#templatesFor(row.workspace_id, number, row.template_name) : [];
    const built = buildSend(row.template_name, row.language, templates, JSON.parse(row.parameters) as FriendlyParameters);
    if (!built.ok) return this.#refuse(row, built.error);
    const definition = templates.find((t) => t.language === row.language);
    if (definition?.category === 'MARKETING') {
      // Quiet hours were applied to send_at when it was accepted; look again for a template that
      // became MARKETING since, or a send running late (after downtime), not for poll latency.
      const at = Math.max(Date.parse(row.send_at), now.getTime() - LATE_GRACE_MS);
      const contact = await this.deps.contacts.get(row.workspace_id, row.contact_id);
      const postponed = this.#quietUntil(at, contact?.time_zone ?? null);
      if (postponed) {
        return this.#settle(row, { status: 'scheduled', send_at: postponed.until, postponed: JSON.stringify(postponed), claimed_at: null, updated_at: now.toISOString() });
      }
    }
    const toGroup = row.recipient.startsWith('grp_');
    const outcome = await this.deps.sender.send(row.workspace_id, { to: row.recipient, type: 'template', from: row.phone_number_id, content: built.send, ...(toGroup ? { recipientType: 'group' as const } : {}) }, key);
    if (!outcome.ok) return this.#refuse(row, outcome.error);
    return this.#settle(row, { status: 'sent', message_id: outcome.message.id, sent_at: now.toISOString() });
  }

  async #settle(row: NotificationRow, patch: Partial<NotificationRow>): Promise<NotificationRow> {
    await this.#store.settle(row.id, { claimed_at: null, updated_at: (await this.deps.clock.at(row.phone_number_id)).toISOString(), ...patch });
    return this.#store.reload(row.id);
  }

  /** Stores a send-time refusal and publishes `notification.refused`, in one transaction. */
  async #refuse(row: NotificationRow, error: NotificationError): Promise<NotificationRow> {
    const at = (await this.deps.clock.at(row.phone_number_id)).toISOString();
    const details = { ...(error.fix ? { fix: error.fix } : {}), ...error.details };
    await this.deps.db.transaction().execute(async (trx) => {
      const moved = await this.#store.settle(
        row.id,
        { status: 'refused', claimed_at: null, error_code: error.code, error_message: error.message, error_details: JSON.stringify(details), refused_at: at, updated_at: at },
        trx,
      );
      if (!moved) return;
      await this.deps.events.record(trx, row.workspace_id, 'notification.refused', {
        notification_id: row.id,
        to: row.recipient,
        contact_id: row.contact_id,
        template: { name: row.template_name, language: row.language },
        error: { code: error.code, message: error.message, details },
      });
    });
    this.deps.logger.info({ notificationId: row.id, code: error.code }, 'notification refused by the send policy');
    return this.#store.reload(row.id);
  }

  async #replay(existing: NotificationRow, hash: string): Promise<NotificationOutcome> {
    if (existing.request_hash !== hash) {
      return {
        ok: false,
        error: {
          code: 'CONVERSA_ERR_IDEMPOTENCY_MISMATCH',
          message: `This Idempotency-Key was used for another request (notification ${existing.id}).`,
          fix: 'Use a new key for a different notification; repeat a request only with the same body.',
          details: { notification_id: existing.id },
        },
      };
    }
    // The first request may still be sending it: wait for that outcome (a few ms) to answer it.
    let row = existing;
    for (let i = 0; row.status === 'sending' && i < 100; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      row = await this.#store.reload(row.id);
    }
    return outcomeOf(row, true);
  }

  #quietUntil(at: number, timeZone: string | null): Postponement | undefined {
    const quiet = this.options.quietHours;
    if (!quiet) return undefined;
    const zone = timeZone ?? this.options.defaultTimeZone ?? DEFAULT_TIME_ZONE;
    const until = quietHoursEnd(at, quiet, zone);
    return until === undefined ? undefined : { reason: 'quiet_hours', until: new Date(until).toISOString(), time_zone: zone, quiet_hours: `${quiet.start}-${quiet.end}` };
  }

  /** The WABA's templates with that name; an unknown name triggers one sync from the provider. */
  async #templatesFor(workspaceId: string, number: PhoneNumberView, name: string): Promise<CachedTemplate[]> {
    const cached = await this.deps.templates.byName(workspaceId, number.waba_id, name);
    if (cached.length > 0) return cached;
    const sender = await this.deps.phoneNumbers.sender(number.id);
    if (!sender) return [];
    const synced = await this.deps.templates.syncFromProvider(workspaceId, number.waba_id, () => this.deps.client.listTemplates(sender.endpoint, number.waba_id));
    if (!synced.ok) return [];
    return this.deps.templates.byName(workspaceId, number.waba_id, name);
  }
}

const SEND_AT_RULE = 'must be an ISO 8601 date-time with a time zone offset, e.g. 2026-12-01T10:00:00-03:00';

/** `send_at` as epoch ms, or undefined when it is not an ISO 8601 date-time with an offset. */
function parseSendAt(value: string): number | undefined {
  const at = Date.parse(value);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value) && !Number.isNaN(at) ? at : undefined;
}

/** How late a scheduled send may run before quiet hours are judged by the time it actually goes. */
const LATE_GRACE_MS = 5 * 60_000;

/** A notification's message, as `GET /api/v1/notifications/{id}` shows it. */
export type MessageSummary = Pick<MessageView, 'id' | 'status' | 'wamid' | 'error' | 'category' | 'pricing_type' | 'cost' | 'sent_at' | 'delivered_at' | 'read_at' | 'failed_at'>;

function summarize(message: MessageView): MessageSummary {
  const { id, status, wamid, error, category, pricing_type, cost, sent_at, delivered_at, read_at, failed_at } = message;
  return { id, status, wamid, error, category, pricing_type, cost, sent_at, delivered_at, read_at, failed_at };
}
