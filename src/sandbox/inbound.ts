import type { InboundMessage } from '../whatsapp/wire.js';
import type { SandboxEngine } from './engine.js';
import { newWamid } from './ids.js';
import { webhookErrorOf, metaFailure } from './meta-errors.js';
import { isParticipant } from './group-messages.js';
import { automationOf, isBlocked } from './routes-graph-settings.js';
import type { SandboxPhoneNumber, SimulatedPhone } from './state.js';
import type { SimulatedInbound } from './validate-inbound.js';

const INBOUND_MEDIA_TTL_MS = 7 * 24 * 3600 * 1000;
const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);

/** `delivered: false`: the business blocked this customer, so Meta never delivers the message to it. */
export type InboundOutcome = { ok: true; message: InboundMessage; delivered: boolean } | { ok: false; status: 404 | 422; field: string; rule: string };

/**
 * A simulated customer writes to a business phone number: the message is built as Meta
 * builds it (wamid, string timestamp, media stored and referenced by id, reply context),
 * the customer service window opens, and the `messages` webhook goes out signed.
 */
export function receiveFromPhone(engine: SandboxEngine, phone: SimulatedPhone, input: SimulatedInbound): InboundOutcome {
  // `to` is a business phone number id, or a group id: the customer writes in the group.
  const group = engine.state.groups.get(input.to);
  const number = engine.state.phoneNumbers.get(group ? group.phoneNumberId : input.to);
  if (!number) return { ok: false, status: 404, field: 'to', rule: `is not a phone number id or group id of the sandbox (${input.to})` };
  if (!phone.hasWhatsapp) return { ok: false, status: 422, field: 'wa_id', rule: 'this simulated phone has no WhatsApp account' };
  if (group && !isParticipant(group, phone.waId)) return { ok: false, status: 422, field: 'to', rule: `${phone.waId} is not a participant of group ${group.id} (join it with POST /sandbox/v1/phones/${phone.waId}/groups/join)` };
  if (group && group.suspended) return { ok: false, status: 422, field: 'to', rule: `group ${group.id} is suspended` };
  if (group && (input.type === 'request_welcome' || input.type === 'system')) return { ok: false, status: 422, field: 'type', rule: `${input.type} is not a message a customer writes in a group` };
  if (input.type === 'request_welcome' && !automationOf(number).enable_welcome_message) {
    return { ok: false, status: 422, field: 'type', rule: `Meta sends request_welcome only when the number's welcome message is on (POST /${number.id}/conversational_automation {"enable_welcome_message": true})` };
  }

  const content: Record<string, unknown> = { ...input.content };
  if (MEDIA_TYPES.has(input.type) && input.media) {
    const now = engine.clock.now();
    const item =
      'id' in input.media
        ? engine.media.get(input.media.id, now)
        : engine.media.put({
            phoneNumberId: number.id,
            mimeType: input.media.mime_type,
            data: input.media.data,
            ...(input.media.filename === undefined ? {} : { filename: input.media.filename }),
            expiresAt: now + INBOUND_MEDIA_TTL_MS,
          });
    if (!item) return { ok: false, status: 422, field: `${input.type}.id`, rule: 'is not a media id known to the sandbox' };
    Object.assign(content, { mime_type: item.mimeType, sha256: item.sha256, id: item.id });
    if (input.type === 'document' && item.filename && content.filename === undefined) content.filename = item.filename;
  }

  const context = resolveContext(engine, phone, number, input, group?.id);
  if (!context.ok) return context;

  const message: InboundMessage = {
    from: phone.waId,
    id: newWamid(),
    timestamp: engine.clock.unixSeconds(),
    type: input.type,
    ...(context.value ? { context: context.value as InboundMessage['context'] } : {}),
    ...(input.referral ? { referral: input.referral } : {}),
    ...(group ? { group_id: group.id } : {}),
  };
  if (input.type === 'unsupported') {
    // Meta's unsupported-message webhook: the error without `href`, and `unsupported.type`
    // saying what it was (`edit` and `revoke` for a customer's edit or delete-for-everyone).
    const { title } = webhookErrorOf(metaFailure(131051, ''));
    message.errors = [{ code: 131051, title, message: title, error_data: { details: 'Message type is currently not supported.' } }];
    if (typeof input.content.type === 'string') message.unsupported = { type: input.content.type };
  } else if (input.type !== 'request_welcome') {
    message[input.type] =
      input.type === 'interactive'
        ? completeInteractiveReply(engine, content, context.value?.id)
        : input.type === 'contacts'
          ? content.contacts
          : content;
  }

  if (!group && isBlocked(number, phone.waId)) {
    // Blocked: the customer's phone shows it sent; the business never gets it, and no window opens.
    phone.sent.push({ id: message.id, to: number.id, type: input.type, timestamp: message.timestamp, read_by_business: false });
    return { ok: true, message, delivered: false };
  }
  // A message in a group opens no customer service window with the author (none is documented for groups).
  if (!group) phone.lastInboundAt[number.id] = engine.clock.now();
  if (input.referral && !group) recordReferral(phone, number.id, engine.clock.now());
  phone.sent.push({ id: message.id, to: group ? group.id : number.id, type: input.type, timestamp: message.timestamp, read_by_business: false, content: message[input.type] ?? content, ...(message.context ? { context: message.context } : {}) });
  engine.state.inbound.set(message.id, { id: message.id, from: phone.waId, to: group ? group.id : number.id, type: input.type, timestamp: message.timestamp, read_by_business: false });
  engine.state.touch();

  const contacts = input.type === 'system' ? undefined : [{ profile: { name: phone.name }, wa_id: phone.waId }];
  engine.emitMessages(number, { ...(contacts ? { contacts } : {}), messages: [message] });
  return { ok: true, message, delivered: true };
}

/**
 * A message through a Click-to-WhatsApp ad or post: the business's reply within 24 h opens a
 * free entry point window (outbound.ts). While such a window is open, a new referral changes
 * nothing (Meta does not stack them).
 */
function recordReferral(phone: SimulatedPhone, numberId: string, now: number): void {
  const entryPoints = (phone.entryPoints ??= {});
  const current = entryPoints[numberId];
  if (current?.openedAt !== undefined && now - current.openedAt < 72 * 3600 * 1000) return;
  entryPoints[numberId] = { referralAt: now };
}

/** The customer taps "Stop promotions" / "Resume" (Meta's `user_preferences` webhook). */
export function setMarketingPreference(engine: SandboxEngine, phone: SimulatedPhone, number: SandboxPhoneNumber, value: 'stop' | 'resume'): void {
  phone.marketingStopped = value === 'stop';
  engine.state.touch();
  engine.emit(number.wabaId, 'user_preferences', {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: number.displayPhoneNumber, phone_number_id: number.id },
    contacts: [{ profile: { name: phone.name }, wa_id: phone.waId }],
    user_preferences: [
      {
        wa_id: phone.waId,
        detail: value === 'stop' ? 'User requested to stop marketing messages' : 'User requested to resume marketing messages',
        category: 'marketing_messages',
        value,
        timestamp: Number(engine.clock.unixSeconds()),
      },
    ],
  });
}

type WebhookContext = {
  from?: string;
  id?: string;
  forwarded?: true;
  frequently_forwarded?: true;
  referred_product?: { catalog_id: string; product_retailer_id: string };
};

type ContextResult = { ok: true; value?: WebhookContext } | { ok: false; status: 422; field: string; rule: string };

/**
 * The message's `context` as Meta writes it: a reply names a message this phone received from
 * this number (or sent to it); a product inquiry names a product of a catalog connected to the
 * number's WABA and gets an id of its own, as Meta's do; forwards carry only their flags.
 */
function resolveContext(engine: SandboxEngine, phone: SimulatedPhone, number: SandboxPhoneNumber, input: SimulatedInbound, groupId?: string): ContextResult {
  const needsContext = input.type === 'button' || (input.type === 'interactive' && input.content.type !== 'nfm_reply');
  const given = input.context;
  if (given?.id === undefined && needsContext) {
    return { ok: false, status: 422, field: 'context.id', rule: `is required for a ${input.type} reply: name the message that was tapped` };
  }
  if (!given) return { ok: true };
  const context: WebhookContext = {};
  if (given.id !== undefined) {
    const replied = engine.state.messages.get(given.id);
    const ownSent = engine.state.inbound.get(given.id);
    const chat = groupId ?? phone.waId;
    const inGroup = groupId !== undefined && ownSent?.to === groupId;
    if (!(replied && replied.to === chat && replied.from === number.id) && !(ownSent && (groupId === undefined ? ownSent.from === phone.waId : inGroup))) {
      return { ok: false, status: 422, field: 'context.id', rule: 'is not a message in this chat' };
    }
    if (input.type === 'interactive' && replied && replied.type !== 'interactive') {
      return { ok: false, status: 422, field: 'context.id', rule: 'a button or list reply must answer an interactive message' };
    }
    if (input.type === 'button' && replied && replied.type !== 'template') {
      return { ok: false, status: 422, field: 'context.id', rule: 'a quick-reply button tap must answer a template message' };
    }
    if (input.type === 'interactive' && replied) {
      const known = optionsOf(replied.content);
      const reply = (input.content[String(input.content.type)] ?? {}) as { id?: string };
      if (known.size > 0 && reply.id !== undefined && !known.has(reply.id)) {
        return { ok: false, status: 422, field: `interactive.${String(input.content.type)}.id`, rule: `is not one of the options of message ${replied.id}` };
      }
    }
    Object.assign(context, { from: number.displayPhoneNumber, id: given.id });
  }
  if (given.forwarded) context.forwarded = true;
  if (given.frequently_forwarded) context.frequently_forwarded = true;
  if (given.referred_product) {
    const { catalog_id: catalogId, product_retailer_id: retailerId } = given.referred_product;
    const catalog = engine.state.wabas.get(number.wabaId)?.catalogs?.find((c) => c.id === catalogId);
    if (!catalog) return { ok: false, status: 422, field: 'context.referred_product.catalog_id', rule: `is not a catalog connected to WABA ${number.wabaId}` };
    if (!catalog.products.includes(retailerId)) {
      return { ok: false, status: 422, field: 'context.referred_product.product_retailer_id', rule: `is not a product of catalog ${catalogId}` };
    }
    // Meta points a product inquiry at a message of its own making (the "Message business" tap).
    if (context.id === undefined) Object.assign(context, { from: number.displayPhoneNumber, id: newWamid() });
    context.referred_product = { catalog_id: catalogId, product_retailer_id: retailerId };
  }
  return { ok: true, value: context };
}

/** Fills in a reply's title (and description) from the interactive message it answers. */
function completeInteractiveReply(engine: SandboxEngine, content: Record<string, unknown>, repliedId: string | undefined): Record<string, unknown> {
  const replied = repliedId ? engine.state.messages.get(repliedId) : undefined;
  const kind = String(content.type);
  const reply = { ...((content[kind] ?? {}) as Record<string, unknown>) };
  const option = replied && typeof reply.id === 'string' ? optionsOf(replied.content).get(reply.id) : undefined;
  if (option) {
    reply.title ??= option.title;
    if (kind === 'list_reply' && option.description !== undefined) reply.description ??= option.description;
  }
  return { ...content, [kind]: reply };
}

function optionsOf(content: unknown): Map<string, { title: string; description?: string }> {
  const options = new Map<string, { title: string; description?: string }>();
  const action = (content as { action?: { buttons?: unknown[]; sections?: unknown[] } } | undefined)?.action;
  for (const button of action?.buttons ?? []) {
    const reply = (button as { reply?: { id: string; title: string } }).reply;
    if (reply) options.set(reply.id, { title: reply.title });
  }
  for (const section of action?.sections ?? []) {
    for (const row of (section as { rows?: Array<{ id: string; title: string; description?: string }> }).rows ?? []) {
      options.set(row.id, row.description === undefined ? { title: row.title } : { title: row.title, description: row.description });
    }
  }
  return options;
}
