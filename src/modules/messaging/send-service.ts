import type { Kysely } from 'kysely';
import type { Clock } from '../../clock/index.js';
import { appError, type AppErrorValue } from '../../errors/index.js';
import type { Schema } from '../../db/index.js';
import type { MessageType, TemplateSendObject, WhatsAppClient } from '../../whatsapp/index.js';
import type { ConsentLedger } from '../consent/index.js';
import { normalizePhone, type Contacts } from '../contacts/index.js';
import type { Conversations } from '../conversations/index.js';
import type { PhoneNumbers, PhoneNumberView } from '../phone-numbers/index.js';
import type { TemplateCache } from '../templates/index.js';
import type { MessageAuthor, Messages, MessageView } from './messages.js';
import { checkGroupSendPolicy } from './group-policy.js';
import { checkSendPolicy, type PolicyError } from './policy.js';
import { OUR_MESSAGE_ID, validateOutbound } from './outbound-validation.js';
import { canonicalHash } from './request-hash.js';

/** A message `queueInTransaction` queues to a contact of a known conversation. */
export interface TransactionalSend {
  workspaceId: string;
  number: { id: string; waba_id: string; provider: string };
  conversationId: string;
  contact: { id: string; wa_id: string; phone: string };
  type: MessageType;
  content: unknown;
  idempotencyKey?: string | undefined;
  /** The conversation's window as the caller read it in `trx` (else read here). */
  window?: { last_inbound_at: string | null; free_entry_point_until: string | null } | undefined;
  /** Who queues it (published with `message.created`). */
  sentBy?: MessageAuthor | undefined;
}

/** The consent a service message is checked with: none is needed (checkSendPolicy ignores it for non-templates). */
const NO_CONSENT_NEEDED = { marketing: 'none', utility: 'none' } as const;

export const MESSAGE_TYPES: readonly MessageType[] = ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'interactive', 'template', 'reaction'];

/** `POST /api/v1/messages`: where to, what type, the Cloud-API-shaped content under `type`. */
export interface SendRequest {
  to: string;
  type: MessageType;
  /** Our phone number id or Meta's phone_number_id; default: the workspace's first number. */
  from?: string | undefined;
  context?: { message_id: string } | undefined;
  content: unknown;
  /**
   * Send into this conversation of the workspace (the agent inbox): its contact and number,
   * exactly, instead of `to` and `from` (a wa_id Meta sent without Brazil's ninth digit would
   * otherwise normalise to another contact).
   */
  conversationId?: string | undefined;
  /** `group`: `to` is a group (our `grp_…` id or Meta's group id), see docs/groups.md. */
  recipientType?: 'individual' | 'group' | undefined;
}

/** Where a message to a group goes: the groups module's lookup (by our id or Meta's), typed by what the send needs. */
export interface GroupDirectory {
  recipient(
    workspaceId: string,
    to: string,
  ): Promise<{ ok: true; value: { number: PhoneNumberView; providerGroupId: string; conversationId: string; contact: { id: string; wa_id: string } } } | { ok: false; error: string }>;
}

export type SendOutcome =
  | { ok: true; message: MessageView; duplicate: boolean }
  | { ok: false; error: PolicyError | AppErrorValue<'CONVERSA_ERR_VALIDATION' | 'CONVERSA_ERR_INVALID_RECIPIENT' | 'CONVERSA_ERR_NO_PHONE_NUMBER' | 'CONVERSA_ERR_IDEMPOTENCY_MISMATCH' | 'CONVERSA_ERR_MESSAGE_NOT_FOUND' | 'CONVERSA_ERR_MESSAGE_NOT_SENT' | 'CONVERSA_ERR_GROUP_PENDING' | MediaRefusalCode> };

export type MediaRefusalCode = 'CONVERSA_ERR_MEDIA_NOT_FOUND' | 'CONVERSA_ERR_MEDIA_NOT_READY' | 'CONVERSA_ERR_MEDIA_TYPE_MISMATCH';

/** The send-time check on media a message names by our id (`med_...`); the media module. */
export interface OutboundMediaCheck {
  checkForSend(workspaceId: string, type: string, content: unknown): Promise<AppErrorValue<MediaRefusalCode> | undefined>;
}

export interface SendServiceDeps {
  db: Kysely<Schema>;
  phoneNumbers: PhoneNumbers;
  contacts: Contacts;
  conversations: Conversations;
  consent: ConsentLedger;
  messages: Messages;
  templates: TemplateCache;
  client: Pick<WhatsAppClient, 'listTemplates'>;
  /** Checks media named by our id exists in the workspace (optional). */
  media?: OutboundMediaCheck;
  /** Tells the dispatcher something was queued. */
  queued: () => void;
  /** The window is checked on the sending number's clock. */
  clock: Clock;
  /** Groups (`recipient_type: "group"`); without it a group send is an invalid recipient. */
  groups?: GroupDirectory;
  /** Whether a number blocked a wa_id (phone-numbers' blocked users); a send to a blocked user is refused before the wire. */
  blocked?: { isBlocked(phoneNumberRowId: string, waId: string): Promise<boolean> };
}

/**
 * Queues outbound messages after the one policy check: consent, the customer service window,
 * template status and parameters, price. A refused send stores nothing and answers why.
 */
export class SendService {
  constructor(private readonly deps: SendServiceDeps) {}

  /**
   * Queues one message after checking its content (`validateOutbound`, 400) and the send
   * policy (422). With an `idempotencyKey` already used in the workspace, answers the
   * message that key queued, before any check (a retry after the window closed still gets its
   * 202), or 409 when the request differs from the one that used the key (compared by
   * `canonicalHash`, so key order does not matter).
   */
  async send(workspaceId: string, request: SendRequest, idempotencyKey?: string, options: { sentBy?: MessageAuthor } = {}): Promise<SendOutcome> {
    const { deps } = this;
    const requestHash = idempotencyKey ? canonicalHash(request) : undefined;
    if (idempotencyKey) {
      const earlier = await deps.messages.keyed(workspaceId, idempotencyKey);
      if (earlier) return replayOf(earlier, requestHash);
    }
    // What WhatsApp would refuse (131008, 131009, 100) is refused now rather than queued to fail later.
    const valid = validateOutbound(request.type, request.content, request.context);
    if (!valid.ok) {
      const { field, rule } = valid.error;
      return { ok: false, error: { code: 'CONVERSA_ERR_VALIDATION', message: `${field}: ${rule}`, fix: 'Correct that field; the rules per message type are in docs/messaging.md.', details: { field, rule } } };
    }
    const resolved = await this.#resolveReferences(workspaceId, request);
    if (!resolved.ok) return resolved;
    request = resolved.request;
    if (request.recipientType === 'group') return this.#sendToGroup(workspaceId, request, idempotencyKey, requestHash, options);
    const into = request.conversationId
      ? await deps.db.selectFrom('conversations').select(['phone_number_id', 'contact_id', 'group_id']).where('workspace_id', '=', workspaceId).where('id', '=', request.conversationId).executeTakeFirst()
      : undefined;
    if (request.conversationId && !into) return { ok: false, error: appError('CONVERSA_ERR_VALIDATION', 'conversation: not found in this workspace', { field: 'conversation_id', rule: 'must be a conversation of this workspace' }) };
    // A group's conversation (the inbox answering a group): the message goes to the group.
    if (into?.group_id) return this.#sendToGroup(workspaceId, { ...request, to: into.group_id, recipientType: 'group' }, idempotencyKey, requestHash, options);
    const from = into ? into.phone_number_id : request.from;
    const number = from ? await deps.phoneNumbers.resolve(workspaceId, from) : (await deps.phoneNumbers.list(workspaceId))[0];
    if (!number) {
      return {
        ok: false,
        error: {
          code: 'CONVERSA_ERR_NO_PHONE_NUMBER',
          message: request.from ? `No phone number ${request.from} in this workspace.` : 'This workspace has no phone number.',
          fix: 'Connect a phone number first (see /api/v1/phone-numbers).',
          ...(request.from ? { variant: 'unknown_sender' } : {}),
        },
      };
    }
    const phone = normalizePhone(request.to);
    if (!phone.ok) {
      return { ok: false, error: { code: 'CONVERSA_ERR_INVALID_RECIPIENT', message: `to: ${phone.rule}`, fix: 'Send the number in international format, e.g. +5511988887777.', details: { field: 'to', rule: phone.rule } } };
    }
    const mediaRefusal = await deps.media?.checkForSend(workspaceId, request.type, request.content);
    if (mediaRefusal) return { ok: false, error: mediaRefusal };
    const existing = into ? await deps.contacts.get(workspaceId, into.contact_id) : await deps.contacts.findByWaId(workspaceId, phone.waId);
    const contact = existing ?? (await deps.contacts.upsert(workspaceId, { e164: phone.e164, waId: phone.waId })).contact;
    const conversation = await deps.conversations.ensure(workspaceId, number.id, contact.id);

    const template = request.type === 'template' ? (request.content as TemplateSendObject) : undefined;
    let templates = template ? await deps.templates.byName(workspaceId, number.waba_id, template.name) : [];
    if (template && templates.length === 0) templates = await this.#syncTemplates(workspaceId, number.id, number.waba_id, template.name);

    const decision = checkSendPolicy({
      now: deps.clock.forNumber(number).getTime(),
      type: request.type,
      ...(template ? { template } : {}),
      templates,
      lastInboundAt: conversation.last_inbound_at ? Date.parse(conversation.last_inbound_at) : null,
      freeEntryPointUntil: conversation.free_entry_point_until ? Date.parse(conversation.free_entry_point_until) : null,
      consent: await deps.consent.state(workspaceId, contact.id),
      recipientCountry: phone.country,
      recipientCallingCode: phone.callingCode,
      blocked: (await deps.blocked?.isBlocked(number.id, contact.wa_id)) ?? false,
    });
    if (!decision.ok) return { ok: false, error: decision.error };

    const queued = await deps.messages.queue({
      workspaceId,
      conversationId: conversation.id,
      contactId: contact.id,
      phoneNumberRowId: number.id,
      type: request.type,
      content: { to: contact.wa_id, type: request.type, [request.type]: request.content, ...(request.context ? { context: request.context } : {}) },
      idempotencyKey,
      requestHash,
      category: decision.category,
      pricingType: decision.pricingType,
      costMicros: decision.cost.amountMicros,
      sentBy: options.sentBy,
    });
    // A concurrent request with the same key won the insert: answer it only if it was this request.
    if (queued.duplicate) return replayOf(queued, requestHash);
    await deps.conversations.touch(conversation.id, deps.clock.forNumber(number));
    deps.queued();
    return { ok: true, message: queued.message, duplicate: false };
  }

  /**
   * Queues one message to a contact of a known conversation inside the caller's transaction
   * (the chatbot answers inside the inbound batch's): the same content check (400) and policy
   * (consent, window, template, price: 422) as {@link send}, every read through `trx`. The
   * caller wakes the dispatcher after its commit. Templates are not synced from the provider
   * here (no network inside a transaction): an unknown template is refused.
   */
  async queueInTransaction(
    trx: Kysely<Schema>,
    input: TransactionalSend,
  ): Promise<SendOutcome> {
    const { deps } = this;
    const request = { to: input.contact.wa_id, type: input.type, content: input.content };
    // A repeated key is found by the insert's conflict (messages.queue): no read before it.
    const requestHash = input.idempotencyKey ? canonicalHash(request) : undefined;
    const valid = validateOutbound(input.type, input.content, undefined);
    if (!valid.ok) {
      const { field, rule } = valid.error;
      return { ok: false, error: { code: 'CONVERSA_ERR_VALIDATION', message: `${field}: ${rule}`, fix: 'Correct that field; the rules per message type are in docs/messaging.md.', details: { field, rule } } };
    }
    const conversation =
      input.window ?? (await trx.selectFrom('conversations').select(['last_inbound_at', 'free_entry_point_until']).where('id', '=', input.conversationId).where('workspace_id', '=', input.workspaceId).executeTakeFirst());
    if (!conversation) return { ok: false, error: appError('CONVERSA_ERR_VALIDATION', 'conversation: not found in this workspace', { field: 'conversation_id', rule: 'must be a conversation of this workspace' }) };
    const phone = normalizePhone(input.contact.phone || `+${input.contact.wa_id}`);
    const template = input.type === 'template' ? (input.content as TemplateSendObject) : undefined;
    const templates = template ? await deps.templates.byName(input.workspaceId, input.number.waba_id, template.name, trx) : [];
    const now = deps.clock.forNumber(input.number);
    const decision = checkSendPolicy({
      now: now.getTime(),
      type: input.type,
      ...(template ? { template } : {}),
      templates,
      lastInboundAt: conversation.last_inbound_at ? Date.parse(conversation.last_inbound_at) : null,
      freeEntryPointUntil: conversation.free_entry_point_until ? Date.parse(conversation.free_entry_point_until) : null,
      // A service message (not a template) answers someone who wrote: consent is not asked.
      consent: template ? await deps.consent.state(input.workspaceId, input.contact.id, trx) : NO_CONSENT_NEEDED,
      recipientCountry: phone.ok ? phone.country : undefined,
      recipientCallingCode: phone.ok ? phone.callingCode : undefined,
    });
    if (!decision.ok) return { ok: false, error: decision.error };
    const queued = await deps.messages.queue(
      {
        workspaceId: input.workspaceId,
        conversationId: input.conversationId,
        contactId: input.contact.id,
        phoneNumberRowId: input.number.id,
        type: input.type,
        content: { to: input.contact.wa_id, type: input.type, [input.type]: input.content },
        idempotencyKey: input.idempotencyKey,
        requestHash,
        category: decision.category,
        pricingType: decision.pricingType,
        costMicros: decision.cost.amountMicros,
        sentBy: input.sentBy,
      },
      trx,
    );
    if (!queued.duplicate) await deps.conversations.touch(input.conversationId, now, trx);
    return { ok: true, message: queued.message, duplicate: queued.duplicate };
  }

  /**
   * A message to a group: the group's own policy (types, templates; no window: see
   * group-policy.ts), queued in the group's conversation with `recipient_type: "group"` and the
   * group's Meta id as `to`, priced in Meta's `group_*` categories.
   */
  async #sendToGroup(workspaceId: string, request: SendRequest, idempotencyKey: string | undefined, requestHash: string | undefined, options: { sentBy?: MessageAuthor }): Promise<SendOutcome> {
    const { deps } = this;
    const found = deps.groups ? await deps.groups.recipient(workspaceId, request.to) : { ok: false as const, error: 'not_found' };
    if (!found.ok) {
      if (found.error === 'pending') {
        return { ok: false, error: appError('CONVERSA_ERR_GROUP_PENDING', `to: group ${request.to} is not confirmed by Meta yet.`, { field: 'to', rule: 'must be an active group' }, 'Wait for the group.created event (or GET /api/v1/groups/{id} showing status "active"), then send.') };
      }
      return { ok: false, error: { code: 'CONVERSA_ERR_INVALID_RECIPIENT', message: `to: ${request.to} is not an active group of this workspace`, fix: 'Give the id of a group (GET /api/v1/groups lists them: its id or provider_group_id).', details: { field: 'to', rule: 'must be an active group of this workspace (recipient_type is "group")' } } };
    }
    const { number, providerGroupId, conversationId, contact } = found.value;
    const mediaRefusal = await deps.media?.checkForSend(workspaceId, request.type, request.content);
    if (mediaRefusal) return { ok: false, error: mediaRefusal };
    const template = request.type === 'template' ? (request.content as TemplateSendObject) : undefined;
    let templates = template ? await deps.templates.byName(workspaceId, number.waba_id, template.name) : [];
    if (template && templates.length === 0) templates = await this.#syncTemplates(workspaceId, number.id, number.waba_id, template.name);
    const decision = checkGroupSendPolicy({ type: request.type, ...(template ? { template } : {}), templates });
    if (!decision.ok) return { ok: false, error: decision.error };
    const queued = await deps.messages.queue({
      workspaceId,
      conversationId,
      contactId: contact.id,
      phoneNumberRowId: number.id,
      type: request.type,
      content: { recipient_type: 'group', to: providerGroupId, type: request.type, [request.type]: request.content, ...(request.context ? { context: request.context } : {}) },
      idempotencyKey,
      requestHash,
      category: decision.category,
      pricingType: decision.pricingType,
      costMicros: decision.cost.amountMicros,
      sentBy: options.sentBy,
    });
    if (queued.duplicate) return replayOf(queued, requestHash);
    await deps.conversations.touch(conversationId, deps.clock.forNumber(number));
    deps.queued();
    return { ok: true, message: queued.message, duplicate: false };
  }

  /** Queues a plain text service reply inside an open window (keyword confirmations), in `trx`. */
  async queueServiceText(input: { workspaceId: string; phoneNumberRowId: string; conversationId: string; contactId: string; waId: string; text: string }, trx: Kysely<Schema>): Promise<void> {
    await this.deps.messages.queue(
      {
        workspaceId: input.workspaceId,
        conversationId: input.conversationId,
        contactId: input.contactId,
        phoneNumberRowId: input.phoneNumberRowId,
        type: 'text',
        content: { to: input.waId, type: 'text', text: { body: input.text } },
        category: 'service',
        pricingType: 'free_customer_service',
        costMicros: 0,
        sentBy: { type: 'system', id: null },
      },
      trx,
    );
    setImmediate(() => this.deps.queued());
  }

  /**
   * Our own message ids (`msg_…`) in `context.message_id` (a quoted reply) and
   * `reaction.message_id`, translated to the wamid WhatsApp knows the message by. An id that is
   * not a message of this workspace, or one without a wamid yet (not sent), is refused naming
   * the field; nothing is queued.
   */
  async #resolveReferences(workspaceId: string, request: SendRequest): Promise<{ ok: true; request: SendRequest } | Extract<SendOutcome, { ok: false }>> {
    const wamidOf = async (id: string, field: string): Promise<string | AppErrorValue<'CONVERSA_ERR_MESSAGE_NOT_FOUND' | 'CONVERSA_ERR_MESSAGE_NOT_SENT'>> => {
      const message = await this.deps.messages.get(workspaceId, id);
      if (!message) {
        return appError('CONVERSA_ERR_MESSAGE_NOT_FOUND', `${field}: ${id} is not a message of this workspace.`, { field, rule: 'must be a message of this workspace', message_id: id }, 'Give the id of a message of this workspace (GET /api/v1/conversations/{id}/messages lists them), or its wamid.');
      }
      if (!message.wamid) {
        return appError('CONVERSA_ERR_MESSAGE_NOT_SENT', `${field}: message ${id} has not reached WhatsApp yet (status ${message.status}), so it has no WhatsApp id to point at.`, { field, rule: 'must be a message WhatsApp knows (sent or received)', message_id: id, status: message.status }, 'Wait until the message is sent (GET /api/v1/messages/{id} shows its wamid), then send again.');
      }
      return message.wamid;
    };
    let next = request;
    const quoted = request.context?.message_id;
    if (quoted && OUR_MESSAGE_ID.test(quoted)) {
      const wamid = await wamidOf(quoted, 'context.message_id');
      if (typeof wamid !== 'string') return { ok: false, error: wamid };
      next = { ...next, context: { message_id: wamid } };
    }
    const reaction = request.type === 'reaction' ? (request.content as { message_id?: unknown }) : undefined;
    if (reaction && typeof reaction.message_id === 'string' && OUR_MESSAGE_ID.test(reaction.message_id)) {
      const wamid = await wamidOf(reaction.message_id, 'reaction.message_id');
      if (typeof wamid !== 'string') return { ok: false, error: wamid };
      next = { ...next, content: { ...reaction, message_id: wamid } };
    }
    return { ok: true, request: next };
  }

  async #syncTemplates(workspaceId: string, numberRowId: string, wabaId: string, name: string) {
    const sender = await this.deps.phoneNumbers.sender(numberRowId);
    if (!sender) return [];
    const synced = await this.deps.templates.syncFromProvider(workspaceId, wabaId, () => this.deps.client.listTemplates(sender.endpoint, wabaId));
    if (!synced.ok) return [];
    return this.deps.templates.byName(workspaceId, wabaId, name);
  }
}

/** The answer to a request whose key already queued a message: that message, or 409 for another body. */
function replayOf(earlier: { message: MessageView; requestHash: string | null }, requestHash: string | undefined): SendOutcome {
  // Rows queued before request hashes were stored (null) keep answering any retry with their key.
  if (earlier.requestHash === null || earlier.requestHash === requestHash) return { ok: true, message: earlier.message, duplicate: true };
  return {
    ok: false,
    error: {
      code: 'CONVERSA_ERR_IDEMPOTENCY_MISMATCH',
      message: `This Idempotency-Key was used for another request (message ${earlier.message.id}).`,
      fix: 'Use a new key for a different message; repeat a request only with the same body.',
      details: { message_id: earlier.message.id },
    },
  };
}
