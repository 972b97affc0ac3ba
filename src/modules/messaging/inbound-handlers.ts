import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../clock/index.js';
import type { ConversationsTable, Schema } from '../../db/index.js';
import { messageSender, type ErrorsEventPayload, type MessageEventPayload } from '../../whatsapp/index.js';
import type { ConsentLedger } from '../consent/index.js';
import { normalizePhone, type Contacts } from '../contacts/index.js';
import type { Conversations } from '../conversations/index.js';
import type { Events } from '../events/index.js';
import type { InboundContext, InboundRouter, InboundRunItem } from '../inbound/index.js';
import type { Messages, StatusInput } from './messages.js';
import { consentConfirmationText, matchConsentKeyword, type KeywordConfig } from './opt-out-keywords.js';
import { priceMessage, type PricedCategory, type PricingType } from './pricing.js';

export interface MessagingInboundDeps {
  contacts: Contacts;
  conversations: Conversations;
  consent: ConsentLedger;
  messages: Messages;
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
   * The conversation of a group by Meta's group id on a number (the groups module), for a message
   * written in a group (`group_id`); without it, or for a group the platform does not know, the
   * message stays in inbound_events only.
   */
  groupConversation?: (workspaceId: string, phoneNumberRowId: string, providerGroupId: string, trx: Kysely<Schema>) => Promise<ConversationsTable | undefined>;
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
const PRICED_CATEGORIES = new Set<string>(['marketing', 'utility', 'authentication', 'service']);
const PRICING_TYPES = new Set<string>(['regular', 'free_customer_service', 'free_entry_point']);

/**
 * What messaging does with inbound webhook events: messages (contacts, conversations and their
 * window, media, reactions, consent keywords, number changes), statuses (with Meta's pricing and
 * billing conversation, and voice messages' plays) and value-level errors. Registered on the
 * inbound router by the composition root; every write goes through the batch's transaction.
 */
export class MessagingInbound {
  constructor(private readonly deps: MessagingInboundDeps) {}

  /** Registers `message`, `status` and `errors` handlers. */
  register(router: InboundRouter): void {
    router.on('message', (event, context) => this.onMessage(event.payload, context));
    router.onRun('status', (items) => this.onStatuses(items));
    router.on('errors', (event, context) => this.onErrors(event.payload, context));
  }

  async onMessage(payload: MessageEventPayload, { workspaceId, number, trx, stored: facts }: InboundContext): Promise<void> {
    if (!number) {
      this.deps.logger.warn({ wamid: payload.message.id }, 'inbound message without its phone number; kept in inbound_events only');
      return;
    }
    const { message } = payload;
    const at = new Date(Number(message.timestamp ?? 0) * 1000 || this.deps.clock.forNumber(number).getTime());
    const sender = messageSender(payload);
    // The user changed number: the contact moves to the new wa_id (keeping its id, so its
    // conversations and consent history), and the old number stays as an alias.
    if (message.type === 'system' && message.system?.type === 'user_changed_number' && sender.waId && typeof message.system.wa_id === 'string' && message.system.wa_id !== '') {
      await this.deps.contacts.changeNumber(workspaceId, sender.waId, message.system.wa_id, trx);
    }
    const contact = await this.deps.contacts.ensureFromSender(workspaceId, sender, trx);
    if (!contact) {
      this.deps.logger.warn({ wamid: message.id }, 'inbound message names no sender (neither from nor from_user_id); kept in inbound_events only');
      return;
    }
    // A message written in a group goes to the group's conversation; its author is the contact.
    const providerGroupId = typeof message.group_id === 'string' && message.group_id !== '' ? message.group_id : undefined;
    const conversation = providerGroupId
      ? await this.deps.groupConversation?.(workspaceId, number.id, providerGroupId, trx)
      : await this.deps.conversations.ensure(workspaceId, number.id, contact.id, trx);
    if (!conversation) {
      this.deps.logger.warn({ wamid: message.id, group_id: providerGroupId }, 'message in a group this workspace does not know; kept in inbound_events only');
      return;
    }
    const { id: wamid, from: _from, timestamp: _ts, group_id: _group, ...content } = message;
    const media = MEDIA_MESSAGE_TYPES.has(message.type) ? (message[message.type] as { id?: unknown } | undefined) : undefined;
    const mediaId = this.deps.media && typeof media?.id === 'string' ? this.deps.media.newInboundId() : undefined;
    if (mediaId) content.media_id = mediaId;
    const reactsTo = message.type === 'reaction' && typeof message.reaction?.message_id === 'string' ? await this.#messageIdOf(workspaceId, message.reaction.message_id, trx) : undefined;
    const stored = await this.deps.messages.recordInbound(
      { workspaceId, conversationId: conversation.id, contactId: contact.id, phoneNumberRowId: number.id, wamid, type: message.type, content, at, reactsTo },
      trx,
    );
    if (!stored.created) return;
    if (mediaId && this.deps.media) {
      await this.deps.media.recordInbound(
        { mediaId, workspaceId, phoneNumberRowId: number.id, messageId: stored.id, type: message.type, media: media as { id: string; mime_type?: string; sha256?: string; filename?: string } },
        trx,
      );
    }
    const window = await this.deps.conversations.recordInbound(conversation, at, { referral: message.referral !== undefined }, trx);
    await this.deps.events.record(trx, workspaceId, 'message.received', {
      message_id: stored.id,
      conversation_id: conversation.id,
      contact_id: contact.id,
      from: contact.wa_id,
      ...(contact.user_id ? { from_user_id: contact.user_id } : {}),
      phone_number_id: number.phone_number_id,
      wamid,
      type: message.type,
      content,
      ...(reactsTo ? { reacts_to: reactsTo } : {}),
      ...(providerGroupId ? { group_id: conversation.group_id ?? null, provider_group_id: providerGroupId } : {}),
      timestamp: at.toISOString(),
    });
    await this.deps.events.record(trx, workspaceId, 'conversation.updated', {
      conversation_id: conversation.id,
      contact_id: conversation.contact_id,
      phone_number_id: number.phone_number_id,
      reason: window.opened ? 'window_opened' : 'message_received',
      message_id: stored.id,
      owner: { type: conversation.owner_type, id: conversation.owner_id },
      window_open: window.expiresAt !== null && window.expiresAt > at.toISOString(),
      window_expires_at: window.expiresAt,
      last_message_at: window.lastMessageAt,
      free_entry_point_until: window.freeEntryPointUntil,
    });

    // In a group, no keyword changes anyone's consent and no bot answers: the message is stored,
    // and later handlers (leads from a sales group) learn where it was written.
    if (providerGroupId) {
      if (conversation.group_id) facts.message = { id: stored.id, wamid, conversationId: conversation.id, contactId: contact.id, contactCreated: contact.created, consentKeyword: false, at, groupId: conversation.group_id };
      return;
    }
    const text = message.type === 'text' ? (message.text as { body?: string } | undefined)?.body : message.type === 'button' ? (message.button as { text?: string } | undefined)?.text : undefined;
    const keyword = text ? matchConsentKeyword(text, this.deps.keywords) : undefined;
    facts.message = { id: stored.id, wamid, conversationId: conversation.id, contactId: contact.id, contactCreated: contact.created, consentKeyword: keyword !== undefined, at };
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

  /**
   * A run of status webhooks (sent, delivered, read, failed, played), in order, in the batch's
   * transaction: the messages they name are read at once, and their `message.status` events
   * written in one statement.
   */
  async onStatuses(items: ReadonlyArray<InboundRunItem<'status'>>): Promise<void> {
    const trx = items[0]?.context.trx;
    if (!trx) return;
    const inputs: StatusInput[] = items.map(({ event: { payload }, context: { workspaceId, number } }) => {
      const { status } = payload;
      const error = status.errors?.[0];
      return {
        workspaceId,
        phoneNumberRowId: number?.id,
        wamid: status.id,
        ourId: typeof status.biz_opaque_callback_data === 'string' ? status.biz_opaque_callback_data : undefined,
        status: status.status,
        at: new Date(Number(status.timestamp ?? 0) * 1000 || this.deps.clock.now().getTime()),
        error: error ? { code: error.code, title: error.title, details: error.error_data?.details ?? error.message ?? '' } : undefined,
        pricing: status.pricing && typeof status.pricing === 'object' ? status.pricing : undefined,
        conversation: status.conversation && typeof status.conversation === 'object' ? status.conversation : undefined,
        reprice: (category, pricingType) => repriceFor(status.recipient_id, category, pricingType),
      };
    });
    const applied = await this.deps.messages.applyStatuses(inputs, trx);
    const events: Array<{ workspaceId: string; type: 'message.status'; data: Record<string, unknown> }> = [];
    applied.forEach((moved, i) => {
      const input = inputs[i]!;
      const { status } = items[i]!.event.payload;
      if (!moved) return;
      events.push({
        workspaceId: moved.workspaceId,
        type: 'message.status',
        data: {
          message_id: moved.messageId,
          wamid: status.id,
          status: status.status,
          previous_status: moved.from,
          timestamp: input.at.toISOString(),
          ...(input.error ? { error: { code: input.error.code, title: input.error.title, details: input.error.details } } : {}),
          ...(status.pricing ? { pricing: status.pricing } : {}),
        },
      });
    });
    await this.deps.events.recordMany(trx, events);
  }

  /**
   * Value-level errors (`entry.changes[].value.errors`, e.g. 131052 media download failed, or a
   * system error about the number): not tied to one message, published as `message.error`.
   */
  async onErrors(payload: ErrorsEventPayload, { workspaceId, number, trx }: InboundContext): Promise<void> {
    const at = (number ? this.deps.clock.forNumber(number) : this.deps.clock.now()).toISOString();
    for (const error of Array.isArray(payload.errors) ? payload.errors : []) {
      if (!error || typeof error !== 'object') continue;
      await this.deps.events.record(trx, workspaceId, 'message.error', {
        phone_number_id: number?.phone_number_id ?? payload.metadata?.phone_number_id ?? null,
        waba_id: payload.waba_id ?? null,
        error: { code: error.code, title: error.title ?? null, message: error.message ?? null, details: error.error_data?.details ?? null, href: error.href ?? null },
        timestamp: at,
      });
    }
  }

  async #messageIdOf(workspaceId: string, wamid: string, trx: Kysely<Schema>): Promise<string | undefined> {
    const row = await trx.selectFrom('messages').select('id').where('wamid', '=', wamid).where('workspace_id', '=', workspaceId).executeTakeFirst();
    return row?.id;
  }
}

/** The rate card's price of Meta's category and pricing type for the recipient's country; undefined for a category the card does not price. */
function repriceFor(recipientWaId: string | undefined, category: string, pricingType: string): number | undefined {
  if (!PRICED_CATEGORIES.has(category) || !PRICING_TYPES.has(pricingType)) return undefined;
  const phone = recipientWaId ? normalizePhone(`+${recipientWaId}`) : undefined;
  return priceMessage(category as PricedCategory, pricingType as PricingType, phone?.ok ? phone.country : undefined).amountMicros;
}
