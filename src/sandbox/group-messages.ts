import type { MessageType, SendMessageRequest } from '../whatsapp/wire.js';
import type { SandboxEngine } from './engine.js';
import { suspendedFailure } from './groups.js';
import { newWamid } from './ids.js';
import { metaFailure, webhookErrorOf, type MetaFailure } from './meta-errors.js';
import { advance, type SendOutcome } from './outbound.js';
import type { ReceivedMessage, SandboxGroup, SandboxPhoneNumber, SimulatedPhone, StoredTemplate } from './state.js';
import { checkTemplateSend, templateStatusFailure } from './template-send.js';

const MEDIA_KINDS: readonly string[] = ['image', 'audio', 'video', 'document', 'sticker'];

/**
 * A business message to a group (`recipient_type: "group"`, `to`: the group id), as Meta takes
 * it (cloud-api-facts.md §1.7): text, media and text or media templates go; interactive messages
 * (refused by the request check) and authentication templates do not. No 24-hour window is
 * documented for groups, so none is applied. A group with no participant besides the business
 * is 131020; an unknown group 131041; a suspended one 131207. Statuses carry `recipient_type:
 * "group"` and `group_id`, and pricing in the `group_*` categories. `delivered` and `read`
 * are the group's: once every participant's phone got (read) it.
 */
export function sendGroupMessage(engine: SandboxEngine, number: SandboxPhoneNumber, request: SendMessageRequest, type: MessageType): SendOutcome {
  if (!number.registered) {
    return fail(133010, `Phone number ${number.id} is not registered on the Cloud API; call POST /${number.id}/register first.`);
  }
  const group = engine.state.groups.get(request.to);
  if (!group || group.phoneNumberId !== number.id) return fail(131041, `to: ${request.to} is not a group of phone number ${number.id}`);
  const suspended = suspendedFailure(group);
  if (suspended) return { ok: false, failure: suspended };
  if (group.participants.length === 0) return fail(131020, `Group ${group.id} has no participant besides the business; share its invite link first.`);
  if (!engine.limits.takeNumber(number.id, number.throughputMps, Date.now())) {
    return fail(130429, `Throughput of ${number.throughputMps} messages per second reached for this phone number; retry with backoff.`);
  }
  const perMinute = engine.faults.group_messages_per_minute;
  if (perMinute > 0 && !engine.limits.takeGroup(group.id, perMinute, Date.now())) {
    return fail(131208, `Group rate limit hit: at most ${perMinute} messages a minute to group ${group.id} (set with PUT /sandbox/v1/faults); retry with backoff.`);
  }
  let content: unknown = request[type];
  let category = 'service';
  let asyncFailure: MetaFailure | undefined;
  if (type === 'template' && request.template) {
    const wanted = request.template;
    const template: StoredTemplate | undefined = [...engine.state.templates.values()].find(
      (t) => t.wabaId === number.wabaId && t.name === wanted.name && t.language === wanted.language.code && t.status !== 'DELETED',
    );
    if (!template) return fail(132001, `template name (${wanted.name}) does not exist in ${wanted.language.code}`);
    if (template.category === 'AUTHENTICATION') return fail(131009, 'template: authentication templates cannot be sent to groups (Meta supports text and media templates there)');
    const statusFailure = templateStatusFailure(template);
    if (statusFailure && statusFailure.code !== 132015 && statusFailure.code !== 132016) return { ok: false, failure: statusFailure };
    asyncFailure = statusFailure;
    const checked = checkTemplateSend(template, wanted);
    if (!checked.ok) return { ok: false, failure: checked.failure };
    content = { ...wanted, rendered: checked.rendered };
    category = template.category.toLowerCase();
  }
  const media = request[type as 'image'];
  if (MEDIA_KINDS.includes(type) && media?.id && !engine.media.get(media.id, engine.clock.now())) {
    asyncFailure ??= metaFailure(131053, `Media upload error: media id ${media.id} does not exist or has expired.`);
  }
  const now = engine.clock.unixSeconds();
  const message: ReceivedMessage = {
    id: newWamid(),
    from: number.id,
    to: group.id,
    group_id: group.id,
    type,
    content,
    ...(request.context ? { context: request.context } : {}),
    ...(request.biz_opaque_callback_data === undefined ? {} : { biz_opaque_callback_data: request.biz_opaque_callback_data }),
    timestamp: now,
    status: 'accepted',
    statuses: [{ status: 'accepted', timestamp: now }],
    ...(asyncFailure ? {} : { pricing: { category: `group_${category}`, type: category === 'service' ? ('free_customer_service' as const) : ('regular' as const) } }),
  };
  const phones = group.participants.map((p) => engine.state.phoneFor(p.waId));
  for (const phone of phones) phone.received.push(message);
  engine.state.messages.set(message.id, message);
  engine.later(0, () => {
    if (asyncFailure) {
      message.error = { code: asyncFailure.code, title: webhookErrorOf(asyncFailure).title, details: asyncFailure.details };
      advance(engine, number, message, 'failed', [webhookErrorOf(asyncFailure)]);
      return;
    }
    advance(engine, number, message, 'sent');
    scheduleGroupDelivery(engine, number, phones, message);
  });
  return { ok: true, response: { messaging_product: 'whatsapp', contacts: [{ input: request.to, wa_id: group.id }], messages: [{ id: message.id, message_status: 'accepted' }] } };
}

/** Whether a customer is in the group now. */
export function isParticipant(group: SandboxGroup, waId: string): boolean {
  return group.participants.some((p) => p.waId === waId);
}

/** `delivered` once every participant's phone (all online) got it; `read` once every one read it. */
function scheduleGroupDelivery(engine: SandboxEngine, number: SandboxPhoneNumber, phones: SimulatedPhone[], message: ReceivedMessage): void {
  if (phones.some((p) => p.behaviour.offline)) return;
  const deliveryDelay = Math.max(...phones.map((p) => p.behaviour.delivery_delay_ms));
  const readDelays = phones.map((p) => p.behaviour.read_delay_ms);
  engine.later(deliveryDelay, () => {
    advance(engine, number, message, 'delivered');
    if (readDelays.some((d) => d === null)) return;
    engine.later(Math.max(...(readDelays as number[])), () => advance(engine, number, message, 'read'));
  });
}

function fail(code: MetaFailure['code'], details: string): SendOutcome {
  return { ok: false, failure: metaFailure(code, details) };
}
