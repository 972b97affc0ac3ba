import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../clock/index.js';
import type { Schema } from '../../db/index.js';
import { backoffDelayMs, PollingLoop, type Backoff } from '../../jobs/index.js';
import type { ConsentLedger } from '../consent/index.js';
import type { Contacts } from '../contacts/index.js';
import type { Events } from '../events/index.js';
import type { Conversations } from '../conversations/index.js';
import type { InboundEvents, StoredInboundEvent } from '../inbound/index.js';
import type { PhoneNumbers, PhoneNumberView } from '../phone-numbers/index.js';
import { TEMPLATE_WEBHOOK_FIELDS, type TemplateCache } from '../templates/index.js';
import type { Messages } from './messages.js';
import { consentConfirmationText, matchConsentKeyword, type KeywordConfig } from './opt-out-keywords.js';

export interface ProcessorDeps {
  db: Kysely<Schema>;
  inbound: InboundEvents;
  phoneNumbers: PhoneNumbers;
  contacts: Contacts;
  conversations: Conversations;
  consent: ConsentLedger;
  messages: Messages;
  templates: TemplateCache;
  events: Events;
  logger: Logger;
  /** For events without a provider timestamp: the receiving number's time. */
  clock: Clock;
  /** Queues the keyword confirmation reply (a service message inside the window just opened), in `trx`. */
  reply: (input: { workspaceId: string; phoneNumberRowId: string; conversationId: string; contactId: string; waId: string; text: string }, trx: Kysely<Schema>) => Promise<void>;
  keywords?: KeywordConfig;
  /** Records inbound media for download (the media module); without it media stays at the provider. */
  media?: InboundMediaRecorder;
  /**
   * A template webhook named a template we do not have yet (made outside Conversa, or its
   * status arrived while a sync was listing it as PENDING): sync the templates now.
   */
  unknownTemplate?: () => void;
  /**
   * Replies were queued and their transaction committed: wake the dispatcher, so they go now
   * rather than at its next poll (a wake from inside the transaction may come before the commit).
   */
  repliesCommitted?: () => void;
}

/** Where inbound media goes: our id for it, then its record and download job in the message's transaction. */
export interface InboundMediaRecorder {
  newInboundId(): string;
  recordInbound(
    input: { mediaId: string; workspaceId: string; phoneNumberRowId: string; messageId: string; type: string; media: { id: string; mime_type?: string; sha256?: string; filename?: string } },
    trx: Kysely<Schema>,
  ): Promise<void>;
}

const MEDIA_MESSAGE_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);

type MessagePayload = {
  metadata?: { phone_number_id?: string };
  contact?: { wa_id?: string; profile?: { name?: string } };
  message: { id: string; from: string; timestamp?: string; type: string; context?: unknown; referral?: unknown; [key: string]: unknown };
};
type StatusPayload = {
  status: {
    id: string;
    status: 'sent' | 'delivered' | 'read' | 'failed' | 'played';
    timestamp?: string;
    biz_opaque_callback_data?: string;
    errors?: Array<{ code: number; title: string; message?: string; error_data?: { details?: string } }>;
  };
};
type OtherPayload = { field: string; value: Record<string, unknown> };

/** A failed event is retried after 2 s, 4 s, … up to 256 s (its lease, shortened; no jitter: one node's own backlog). */
const EVENT_RETRY: Backoff = { baseMs: 2000, maxMs: 256_000, jitter: 0 };

/**
 * Turns stored webhook events into contacts, conversations, messages, statuses and consent.
 * Runs as a durable loop over `inbound_events`: an event is marked processed only after its
 * effects commit, and processing is idempotent, so a crash anywhere repeats work, never loses it.
 */
export class IngestProcessor {
  readonly #loop: PollingLoop;
  #repliesQueued = false;

  constructor(private readonly deps: ProcessorDeps) {
    this.#loop = new PollingLoop(() => this.drain(), 100, deps.logger, 'inbound processor');
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

  /** Processes what is pending now; answers how many events it handled. */
  async drain(batch = 200): Promise<number> {
    const events = await this.deps.inbound.claim(batch);
    if (events.length === 0) return 0;
    // Lookups through caches happen before the transaction: on SQLite the transaction holds
    // the only connection, so nothing inside it may use another.
    const prepared: Array<{ event: StoredInboundEvent; payload: unknown; number: PhoneNumberView | undefined }> = [];
    for (const event of events) {
      try {
        const payload = JSON.parse(event.payload) as unknown;
        const scoped = await this.#scope(event, payload);
        if (scoped === 'elsewhere') {
          // Routing at the webhook keeps these out; an event stored before it did is kept, not applied.
          await this.deps.inbound.markProcessed([event.id]);
          continue;
        }
        prepared.push({ event, payload, number: scoped });
      } catch (error) {
        await this.#failed(event, error);
      }
    }
    try {
      // The whole batch in one transaction, marked processed in it: one commit for many events.
      await this.deps.db.transaction().execute(async (trx) => {
        for (const item of prepared) await this.#process(item.event, item.payload, item.number, trx);
        await this.deps.inbound.markProcessed(prepared.map((item) => item.event.id), trx);
      });
    } catch {
      // One bad event must not hold the others back: redo them one transaction each.
      for (const item of prepared) {
        try {
          await this.deps.db.transaction().execute(async (trx) => {
            await this.#process(item.event, item.payload, item.number, trx);
            await this.deps.inbound.markProcessed([item.event.id], trx);
          });
        } catch (error) {
          await this.#failed(item.event, error);
        }
      }
    }
    if (this.#repliesQueued) {
      // Committed (or rolled back, then redone one by one above): nothing is left in a transaction.
      this.#repliesQueued = false;
      this.deps.repliesCommitted?.();
    }
    return events.length;
  }

  async #failed(event: StoredInboundEvent, error: unknown): Promise<void> {
    const retryInMs = backoffDelayMs(event.attempts, EVENT_RETRY);
    this.deps.logger.error({ err: error, eventId: event.id, attempt: event.attempts, retryInMs }, 'inbound event processing failed; will retry');
    await this.deps.inbound.markFailed(event.id, error instanceof Error ? error.message : String(error), retryInMs);
  }

  /**
   * The number an event names (`metadata.phone_number_id`), which must belong to the event's
   * workspace (the one whose app secret verified the webhook): 'elsewhere' when it names a
   * number of another workspace, or none we know; undefined when it names none.
   */
  async #scope(event: StoredInboundEvent, payload: unknown): Promise<PhoneNumberView | undefined | 'elsewhere'> {
    const metadata = event.kind === 'other' ? (payload as OtherPayload | null)?.value?.metadata : (payload as { metadata?: unknown } | null)?.metadata;
    const metaNumberId = (metadata as { phone_number_id?: unknown } | null | undefined)?.phone_number_id;
    if (typeof metaNumberId !== 'string') return undefined;
    const number = await this.deps.phoneNumbers.findByMetaId(metaNumberId);
    if (number?.workspace_id === event.workspace_id) return number;
    this.deps.logger.warn({ eventId: event.id, kind: event.kind, metaNumberId }, 'inbound event for a phone number outside its workspace; kept in inbound_events only');
    return 'elsewhere';
  }

  async #process(event: StoredInboundEvent, payload: unknown, number: PhoneNumberView | undefined, trx: Kysely<Schema>): Promise<void> {
    if (event.kind === 'message') {
      if (number) await this.#message(event.workspace_id, number, payload as MessagePayload, trx);
      else this.deps.logger.warn({ eventId: event.id }, 'inbound message without its phone number; kept in inbound_events only');
    }
    else if (event.kind === 'status') await this.#status(event.workspace_id, number, payload as StatusPayload, trx);
    else if (event.kind === 'other') await this.#other(event.workspace_id, payload as OtherPayload, trx);
  }

  async #message(workspaceId: string, number: PhoneNumberView, payload: MessagePayload, trx: Kysely<Schema>): Promise<void> {
    const { message } = payload;
    const at = new Date(Number(message.timestamp ?? 0) * 1000 || this.deps.clock.forNumber(number).getTime());
    const contact = await this.deps.contacts.ensureFromInbound(workspaceId, message.from, payload.contact?.profile?.name, trx);
    const conversation = await this.deps.conversations.ensure(workspaceId, number.id, contact.id, trx);
    const { id: wamid, from: _from, timestamp: _ts, ...content } = message;
    const media = MEDIA_MESSAGE_TYPES.has(message.type) ? (message[message.type] as { id?: unknown } | undefined) : undefined;
    const mediaId = this.deps.media && typeof media?.id === 'string' ? this.deps.media.newInboundId() : undefined;
    if (mediaId) content.media_id = mediaId;
    const stored = await this.deps.messages.recordInbound(
      { workspaceId, conversationId: conversation.id, contactId: contact.id, phoneNumberRowId: number.id, wamid, type: message.type, content, at },
      trx,
    );
    if (!stored.created) return;
    if (mediaId && this.deps.media) {
      await this.deps.media.recordInbound(
        { mediaId, workspaceId, phoneNumberRowId: number.id, messageId: stored.id, type: message.type, media: media as { id: string; mime_type?: string; sha256?: string; filename?: string } },
        trx,
      );
    }
    await this.deps.conversations.recordInbound(conversation, at, { referral: message.referral !== undefined }, trx);
    await this.deps.events.record(trx, workspaceId, 'message.received', {
      message_id: stored.id,
      conversation_id: conversation.id,
      contact_id: contact.id,
      from: contact.wa_id,
      phone_number_id: number.phone_number_id,
      wamid,
      type: message.type,
      content,
      timestamp: at.toISOString(),
    });

    const text = message.type === 'text' ? (message.text as { body?: string } | undefined)?.body : message.type === 'button' ? (message.button as { text?: string } | undefined)?.text : undefined;
    const keyword = text ? matchConsentKeyword(text, this.deps.keywords) : undefined;
    if (!keyword) return;
    await this.deps.consent.record(
      {
        workspaceId,
        contactId: contact.id,
        purpose: 'marketing',
        status: keyword.action === 'opt_out' ? 'opted_out' : 'opted_in',
        source: 'whatsapp_keyword',
        text: text,
        actor: `keyword:${keyword.keyword}`,
        proof: { wamid, received_at: at.toISOString(), phone_number_id: number.phone_number_id },
      },
      trx,
    );
    this.#repliesQueued = true;
    await this.deps.reply(
      {
        workspaceId,
        phoneNumberRowId: number.id,
        conversationId: conversation.id,
        contactId: contact.id,
        waId: contact.wa_id,
        text: consentConfirmationText(keyword.action, keyword.language, number.verified_name),
      },
      trx,
    );
  }

  async #status(workspaceId: string, number: PhoneNumberView | undefined, payload: StatusPayload, trx: Kysely<Schema>): Promise<void> {
    const { status } = payload;
    if (status.status === 'played') return;
    const error = status.errors?.[0];
    const details = error ? (error.error_data?.details ?? error.message ?? '') : undefined;
    const at = new Date(Number(status.timestamp ?? 0) * 1000 || this.deps.clock.now().getTime());
    const applied = await this.deps.messages.applyStatus(
      {
        workspaceId,
        phoneNumberRowId: number?.id,
        wamid: status.id,
        ourId: typeof status.biz_opaque_callback_data === 'string' ? status.biz_opaque_callback_data : undefined,
        status: status.status,
        at,
        error: error ? { code: error.code, title: error.title, details: details ?? '' } : undefined,
      },
      trx,
    );
    if (applied) {
      await this.deps.events.record(trx, applied.workspaceId, 'message.status', {
        message_id: applied.messageId,
        wamid: status.id,
        status: status.status,
        previous_status: applied.from,
        timestamp: at.toISOString(),
        ...(error ? { error: { code: error.code, title: error.title, details } } : {}),
      });
    }
  }

  async #other(workspaceId: string, payload: OtherPayload, trx: Kysely<Schema>): Promise<void> {
    if (payload.field === 'user_preferences') {
      const preferences = (payload.value.user_preferences ?? []) as Array<{ wa_id: string; category: string; value: 'stop' | 'resume'; timestamp?: number }>;
      for (const preference of preferences) {
        if (preference.category !== 'marketing_messages') continue;
        const contact = await this.deps.contacts.ensureFromInbound(workspaceId, preference.wa_id, undefined, trx);
        await this.deps.consent.record(
          {
            workspaceId,
            contactId: contact.id,
            purpose: 'marketing',
            status: preference.value === 'stop' ? 'opted_out' : 'opted_in',
            source: 'whatsapp_preferences',
            actor: 'meta:user_preferences',
            proof: { ...preference },
          },
          trx,
        );
      }
    } else if (TEMPLATE_WEBHOOK_FIELDS.includes(payload.field)) {
      // Status (with the rejection reason), quality and category updates: recorded in the
      // template's history and published as `template.status` by the templates module.
      const applied = await this.deps.templates.applyWebhook(workspaceId, payload, trx);
      if (!applied && this.deps.unknownTemplate) setImmediate(this.deps.unknownTemplate);
    }
  }
}
