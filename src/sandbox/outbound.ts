import { createHash } from 'node:crypto';
import type { MarkReadRequest, MessageType, SendMessageRequest, SendMessageResponse, StatusEvent } from '../whatsapp/wire.js';
import { checkCommerceRefs } from './commerce-refs.js';
import type { SandboxEngine } from './engine.js';
import { newWamid } from './ids.js';
import { checkMediaLink, type MediaKind } from './media-link.js';
import { isBlocked } from './routes-graph-settings.js';
import { metaFailure, webhookErrorOf, type MetaFailure } from './meta-errors.js';
import type { ReceivedMessage, SandboxPhoneNumber, SimulatedPhone, StatusEntry, StoredTemplate } from './state.js';
import { checkTemplateSend, templateStatusFailure } from './template-send.js';

const WINDOW_MS = 24 * 3600 * 1000;
/** Meta: a reply within 24 h to a Click-to-WhatsApp ad or post opens 72 h of free messages. */
const ENTRY_POINT_MS = 72 * 3600 * 1000;
/** Meta: the typing indicator disappears when the business replies or after 25 seconds. */
const TYPING_MS = 25 * 1000;
const MEDIA_KINDS: readonly string[] = ['image', 'audio', 'video', 'document', 'sticker'];
const REACTION_MAX_AGE_MS = 30 * 24 * 3600 * 1000;
const ORDER: Record<StatusEntry['status'], number> = { accepted: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

export type SendOutcome = { ok: true; response: SendMessageResponse } | { ok: false; failure: MetaFailure };

/**
 * Accepts a business-sent message for a simulated phone the way Meta does: synchronous checks
 * (registration, throughput, pair rate, template existence and parameters) answer an error at
 * once; everything Meta decides later (window, WhatsApp account, paused template, opt-out of
 * marketing) is accepted and then fails through a `failed` status webhook.
 */
export function sendMessage(
  engine: SandboxEngine,
  number: SandboxPhoneNumber,
  request: SendMessageRequest,
  type: MessageType,
): SendOutcome {
  if (!number.registered) {
    return fail(133010, `Phone number ${number.id} is not registered on the Cloud API; call POST /${number.id}/register first.`);
  }
  // Group sends go to group-messages.ts (routes-graph.ts dispatches on recipient_type).
  const waId = request.to.replace(/\D/g, '');
  if (waId.length < 7 || waId.length > 15) {
    return fail(100, `to: "${request.to}" is not a valid phone number or WhatsApp ID`);
  }
  if (waId === number.displayPhoneNumber.replace(/\D/g, '')) {
    return fail(131021, 'to: the recipient cannot be the sender phone number');
  }
  if (isBlocked(number, waId)) {
    // Meta: "Your business cannot message the user. Attempts to message a blocked user return an error."
    return fail(131026, `Message undeliverable: ${waId} is blocked by this business phone number; unblock them first (DELETE /${number.id}/block_users).`);
  }
  const waba = engine.state.wabas.get(number.wabaId);
  const unknownRef = waba ? checkCommerceRefs(waba, request) : undefined;
  if (unknownRef) return { ok: false, failure: unknownRef };
  const realNow = Date.now();
  if (!engine.limits.takeNumber(number.id, number.throughputMps, realNow)) {
    return fail(130429, `Throughput of ${number.throughputMps} messages per second reached for this phone number; retry with backoff.`);
  }
  if (!engine.limits.takePair(number.id, waId, realNow)) {
    return fail(131056, `Too many messages sent to ${waId} in a short time; retry to this recipient later.`);
  }

  let template: StoredTemplate | undefined;
  let asyncFailure: MetaFailure | undefined;
  let content: unknown = request[type];
  if (type === 'template' && request.template) {
    const wanted = request.template;
    template = [...engine.state.templates.values()].find(
      (t) => t.wabaId === number.wabaId && t.name === wanted.name && t.language === wanted.language.code && t.status !== 'DELETED',
    );
    if (!template) {
      return fail(132001, `template name (${wanted.name}) does not exist in ${wanted.language.code}`);
    }
    const statusFailure = templateStatusFailure(template);
    if (statusFailure && statusFailure.code !== 132015 && statusFailure.code !== 132016) return { ok: false, failure: statusFailure };
    asyncFailure = statusFailure;
    const checked = checkTemplateSend(template, wanted);
    if (!checked.ok) return { ok: false, failure: checked.failure };
    content = { ...wanted, rendered: checked.rendered };
  }

  const now = engine.clock.now();
  const phone = engine.state.phoneFor(waId);
  const lastInbound = phone.lastInboundAt[number.id];
  const windowOpen = lastInbound !== undefined && now - lastInbound <= WINDOW_MS;
  const category = template ? template.category.toLowerCase() : 'service';
  asyncFailure ??= decideAsyncFailure(engine, phone, number, request, type, { windowOpen, category, now });

  const message: ReceivedMessage = {
    id: newWamid(),
    from: number.id,
    to: waId,
    type,
    content,
    ...(request.context ? { context: request.context } : {}),
    ...(request.biz_opaque_callback_data === undefined ? {} : { biz_opaque_callback_data: request.biz_opaque_callback_data }),
    timestamp: engine.clock.unixSeconds(),
    status: 'accepted',
    statuses: [{ status: 'accepted', timestamp: engine.clock.unixSeconds() }],
  };
  let openedEntryPoint = false;
  if (!asyncFailure) {
    const entryPoint = openFreeEntryPoint(engine, phone, number, now);
    openedEntryPoint = entryPoint?.opened === true;
    const entryPointOpenedAt = entryPoint?.openedAt;
    if (entryPointOpenedAt !== undefined) {
      message.pricing = {
        category: 'referral_conversion',
        type: 'free_entry_point',
        conversation: {
          id: conversationIdOf(number.id, waId, `referral_conversion:${entryPointOpenedAt}`),
          expiration_timestamp: String(Math.floor((entryPointOpenedAt + ENTRY_POINT_MS) / 1000)),
        },
      };
    } else {
      const free = category === 'service' || (category === 'utility' && windowOpen);
      message.pricing = { category, type: free ? 'free_customer_service' : 'regular' };
    }
  }
  // The business answered: its typing indicator on this phone goes away (Meta).
  if (phone.businessTyping?.phoneNumberId === number.id) phone.businessTyping = null;
  phone.received.push(message);
  engine.state.messages.set(message.id, message);
  const link = asyncFailure ? undefined : mediaLinkOf(request, type);
  const linkFailure = link
    ? checkMediaLink(link.url, link.kind, { signal: engine.closing }).then((checked) => {
        if (checked.ok) return undefined;
        // A reply that never goes out opens no free entry point.
        const entry = phone.entryPoints?.[number.id];
        if (openedEntryPoint && entry?.openedAt === now) delete entry.openedAt;
        return metaFailure(131053, `Media upload error: ${checked.details}`);
      })
    : undefined;
  scheduleLifecycle(engine, number, phone, message, asyncFailure, linkFailure);

  return {
    ok: true,
    response: {
      messaging_product: 'whatsapp',
      contacts: [{ input: request.to, wa_id: waId }],
      messages: [{ id: message.id, message_status: 'accepted' }],
    },
  };
}

/**
 * Marks an inbound message, and every earlier one that customer sent to this number, as read
 * (Meta: marking a message read marks the earlier ones too). With `typing_indicator`, the
 * customer's phone shows the business typing until its next message there or 25 s of sandbox
 * time, whichever comes first.
 */
export function markRead(engine: SandboxEngine, number: SandboxPhoneNumber, request: MarkReadRequest): MetaFailure | undefined {
  const inbound = engine.state.inbound.get(request.message_id);
  if (!inbound || inbound.to !== number.id) {
    return metaFailure(100, `message_id: no message ${request.message_id} was received by phone number ${number.id}`);
  }
  const phone = engine.state.phones.get(inbound.from);
  if (!phone) return undefined;
  // Order of arrival, not timestamps: several messages can share one second.
  const upTo = phone.sent.findIndex((sent) => sent.id === inbound.id);
  for (const sent of phone.sent.slice(0, upTo + 1)) {
    if (sent.to !== number.id) continue;
    sent.read_by_business = true;
    const tracked = engine.state.inbound.get(sent.id);
    if (tracked) tracked.read_by_business = true;
  }
  if (request.typing_indicator) {
    const now = engine.clock.now();
    phone.businessTyping = { phoneNumberId: number.id, since: now, until: now + TYPING_MS };
  }
  return undefined;
}

/** The business's typing indicator as the phone shows it now, or null. */
export function businessTypingOf(engine: SandboxEngine, phone: SimulatedPhone): { phone_number_id: string; since: string; until: string } | null {
  const typing = phone.businessTyping;
  if (!typing || engine.clock.now() >= typing.until) return null;
  return { phone_number_id: typing.phoneNumberId, since: new Date(typing.since).toISOString(), until: new Date(typing.until).toISOString() };
}

/**
 * The start of the free entry point window this send falls in, opening it when the customer
 * came through a Click-to-WhatsApp ad or post less than 24 h ago (cloud-api-facts.md §4.2).
 */
function openFreeEntryPoint(
  engine: SandboxEngine,
  phone: SimulatedPhone,
  number: SandboxPhoneNumber,
  now: number,
): { openedAt: number; opened: boolean } | undefined {
  const entry = phone.entryPoints?.[number.id];
  if (!entry) return undefined;
  if (entry.openedAt !== undefined) return now - entry.openedAt < ENTRY_POINT_MS ? { openedAt: entry.openedAt, opened: false } : undefined;
  if (now - entry.referralAt > WINDOW_MS) return undefined;
  entry.openedAt = now;
  engine.state.touch();
  return { openedAt: now, opened: true };
}

/** The media link a send asks Meta to fetch: a media message's `link` or a template header's. */
function mediaLinkOf(request: SendMessageRequest, type: MessageType): { url: string; kind: MediaKind } | undefined {
  if (MEDIA_KINDS.includes(type)) {
    const link = (request[type as 'image'] as { link?: unknown } | undefined)?.link;
    return typeof link === 'string' ? { url: link, kind: type as MediaKind } : undefined;
  }
  if (type !== 'template') return undefined;
  const components = (request.template?.components ?? []) as Array<{ type?: string; parameters?: Array<Record<string, unknown>> }>;
  const header = components.find((c) => c.type?.toLowerCase() === 'header');
  for (const parameter of header?.parameters ?? []) {
    const kind = String(parameter.type);
    const link = (parameter[kind] as { link?: unknown } | undefined)?.link;
    if (['image', 'video', 'document'].includes(kind) && typeof link === 'string') return { url: link, kind: kind as MediaKind };
  }
  return undefined;
}

export function conversationIdOf(numberId: string, waId: string, key: string): string {
  return createHash('sha256').update(`${numberId}:${waId}:${key}`).digest('hex').slice(0, 32);
}

/** Moves a phone's undelivered messages on once it is back online. */
export function deliverPending(engine: SandboxEngine, phone: SimulatedPhone): void {
  for (const message of phone.received) {
    if (message.status !== 'sent') continue;
    const number = engine.state.phoneNumbers.get(message.from);
    if (number) scheduleDeliveredAndRead(engine, number, phone, message);
  }
}

function decideAsyncFailure(
  engine: SandboxEngine,
  phone: SimulatedPhone,
  number: SandboxPhoneNumber,
  request: SendMessageRequest,
  type: MessageType,
  at: { windowOpen: boolean; category: string; now: number },
): MetaFailure | undefined {
  if (!phone.hasWhatsapp) {
    return metaFailure(131026, 'Message undeliverable: the recipient is not a WhatsApp user, has not accepted the terms, or blocked this business.');
  }
  if (type !== 'template' && !at.windowOpen) {
    return metaFailure(
      131047,
      'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    );
  }
  if (at.category === 'marketing' && phone.marketingStopped) {
    return metaFailure(131050, 'The user has stopped receiving marketing messages from this business.');
  }
  const media = request[type as 'image'];
  if (['image', 'audio', 'video', 'document', 'sticker'].includes(type) && media?.id && !engine.media.get(media.id, at.now)) {
    return metaFailure(131053, `Media upload error: media id ${media.id} does not exist or has expired.`);
  }
  if (type === 'reaction' && request.reaction) {
    const target = request.reaction.message_id;
    const received = engine.state.messages.get(target);
    const sent = engine.state.inbound.get(target);
    const inChat =
      (received && received.to === phone.waId && received.from === number.id && received.type !== 'reaction') ||
      (sent && sent.from === phone.waId && sent.to === number.id && sent.type !== 'reaction');
    const timestamp = Number((received ?? sent)?.timestamp ?? 0) * 1000;
    if (!inChat || at.now - timestamp > REACTION_MAX_AGE_MS) {
      return metaFailure(131009, `reaction.message_id: ${target} is unknown, a reaction, or older than 30 days.`);
    }
  }
  return undefined;
}

function scheduleLifecycle(
  engine: SandboxEngine,
  number: SandboxPhoneNumber,
  phone: SimulatedPhone,
  message: ReceivedMessage,
  failure: MetaFailure | undefined,
  linkFailure?: Promise<MetaFailure | undefined>,
): void {
  if (linkFailure) {
    // Meta fetches a linked file before it sends anything: no `sent` until the link is checked.
    void linkFailure.then((found) => {
      if (found) delete message.pricing;
      scheduleLifecycle(engine, number, phone, message, found);
    });
    return;
  }
  engine.later(0, () => {
    if (failure) {
      message.error = { code: failure.code, title: webhookErrorOf(failure).title, details: failure.details };
      advance(engine, number, message, 'failed', [webhookErrorOf(failure)]);
      return;
    }
    advance(engine, number, message, 'sent');
    scheduleDeliveredAndRead(engine, number, phone, message);
  });
}

function scheduleDeliveredAndRead(engine: SandboxEngine, number: SandboxPhoneNumber, phone: SimulatedPhone, message: ReceivedMessage): void {
  if (phone.behaviour.offline) return;
  engine.later(phone.behaviour.delivery_delay_ms, () => {
    if (phone.behaviour.offline) return;
    const readDelay = phone.behaviour.read_delay_ms;
    // Meta skips `delivered` when a message is delivered and read at once.
    if (readDelay !== 0) advance(engine, number, message, 'delivered');
    if (readDelay !== null) engine.later(readDelay, () => advance(engine, number, message, 'read'));
  });
}

/** Moves a sent message's status forward (never back) and sends its status webhook. */
export function advance(
  engine: SandboxEngine,
  number: SandboxPhoneNumber,
  message: ReceivedMessage,
  status: StatusEvent['status'] & StatusEntry['status'],
  errors?: StatusEvent['errors'],
): void {
  if (ORDER[status] <= ORDER[message.status] || message.status === 'failed') return;
  const timestamp = engine.clock.unixSeconds();
  message.status = status;
  message.statuses.push({ status, timestamp });
  const event: StatusEvent = { id: message.id, status, timestamp, recipient_id: message.to };
  if (message.biz_opaque_callback_data !== undefined) event.biz_opaque_callback_data = message.biz_opaque_callback_data;
  if (errors) event.errors = errors;
  if (message.group_id) {
    event.recipient_type = 'group';
    event.group_id = message.group_id;
  }
  if (message.pricing && status !== 'failed') {
    const conversation = message.pricing.conversation;
    event.conversation = {
      id: conversation?.id ?? conversationIdOf(number.id, message.to, `${message.pricing.category}:${Math.floor(Number(message.timestamp) / 86400)}`),
      ...(status === 'sent' ? { expiration_timestamp: conversation?.expiration_timestamp ?? String(Number(timestamp) + 86400) } : {}),
      origin: { type: message.pricing.category },
    };
    event.pricing = {
      billable: message.pricing.type === 'regular',
      pricing_model: 'PMP',
      category: message.pricing.category,
      type: message.pricing.type,
    };
  }
  engine.emitMessages(number, { statuses: [event] });
}

function fail(code: MetaFailure['code'], details: string): { ok: false; failure: MetaFailure } {
  return { ok: false, failure: metaFailure(code, details) };
}
