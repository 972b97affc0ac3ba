import { createHash } from 'node:crypto';
import type { MarkReadRequest, MessageType, SendMessageRequest, SendMessageResponse, StatusEvent } from '../whatsapp/wire.js';
import type { SandboxEngine } from './engine.js';
import { newWamid } from './ids.js';
import { metaFailure, webhookErrorOf, type MetaFailure } from './meta-errors.js';
import type { ReceivedMessage, SandboxPhoneNumber, SimulatedPhone, StatusEntry, StoredTemplate } from './state.js';
import { checkTemplateSend, templateStatusFailure } from './template-send.js';

const WINDOW_MS = 24 * 3600 * 1000;
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
  if (request.recipient_type === 'group') {
    return fail(100, 'recipient_type: groups are not emulated by the Conversa sandbox');
  }
  const waId = request.to.replace(/\D/g, '');
  if (waId.length < 7 || waId.length > 15) {
    return fail(100, `to: "${request.to}" is not a valid phone number or WhatsApp ID`);
  }
  if (waId === number.displayPhoneNumber.replace(/\D/g, '')) {
    return fail(131021, 'to: the recipient cannot be the sender phone number');
  }
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
  if (!asyncFailure) {
    const free = category === 'service' || (category === 'utility' && windowOpen);
    message.pricing = { category, type: free ? 'free_customer_service' : 'regular' };
  }
  phone.received.push(message);
  engine.state.messages.set(message.id, message);
  scheduleLifecycle(engine, number, phone, message, asyncFailure);

  return {
    ok: true,
    response: {
      messaging_product: 'whatsapp',
      contacts: [{ input: request.to, wa_id: waId }],
      messages: [{ id: message.id, message_status: 'accepted' }],
    },
  };
}

/** Marks an inbound message (and the ones before it from that customer) as read. */
export function markRead(engine: SandboxEngine, number: SandboxPhoneNumber, request: MarkReadRequest): MetaFailure | undefined {
  const inbound = engine.state.inbound.get(request.message_id);
  if (!inbound || inbound.to !== number.id) {
    return metaFailure(100, `message_id: no message ${request.message_id} was received by phone number ${number.id}`);
  }
  const phone = engine.state.phones.get(inbound.from);
  for (const sent of phone?.sent ?? []) {
    if (sent.to === number.id && sent.timestamp <= inbound.timestamp) sent.read_by_business = true;
  }
  return undefined;
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
): void {
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

function advance(
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
  if (message.pricing && status !== 'failed') {
    const conversationId = createHash('sha256')
      .update(`${number.id}:${message.to}:${message.pricing.category}:${Math.floor(Number(message.timestamp) / 86400)}`)
      .digest('hex')
      .slice(0, 32);
    event.conversation = {
      id: conversationId,
      ...(status === 'sent' ? { expiration_timestamp: String(Number(timestamp) + 86400) } : {}),
      origin: { type: message.pricing.category },
    };
    event.pricing = {
      billable: message.pricing.type === 'regular',
      pricing_model: 'PMP',
      category: message.pricing.category,
      type: message.pricing.type as 'regular' | 'free_customer_service',
    };
  }
  engine.emitMessages(number, { statuses: [event] });
}

function fail(code: MetaFailure['code'], details: string): { ok: false; failure: MetaFailure } {
  return { ok: false, failure: metaFailure(code, details) };
}
