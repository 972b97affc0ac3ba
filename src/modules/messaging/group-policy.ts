import type { MessageType, TemplateSendObject } from '../../whatsapp/index.js';
import { priceMessage, type Cost, type PricingType } from './pricing.js';
import { POLICY_ERRORS, checkTemplateSend, type LocalTemplate, type PolicyError } from './policy.js';

/** What Meta's Groups API takes (cloud-api-facts.md §1.7): text, media, text and media templates (reactions, locations and contacts: the facts are silent; allowed). */
export const GROUP_MESSAGE_TYPES: readonly MessageType[] = ['text', 'image', 'video', 'audio', 'document', 'sticker', 'template', 'location', 'contacts', 'reaction'];

export type GroupPolicyDecision =
  | { ok: true; category: 'group_marketing' | 'group_utility' | 'group_service'; pricingType: PricingType; cost: Cost }
  | { ok: false; error: PolicyError };

/**
 * The send policy of a message to a group: the type must be one Meta takes in groups
 * (interactive never is), a template must exist, be approved, get its parameters and not be an
 * authentication template. No 24-hour window applies (Meta documents none for groups), and
 * participants joined by the group's invite link themselves, which is their opt-in. Priced in
 * Meta's `group_*` categories at the ordinary per-message rate (a service message is free).
 *
 * @example checkGroupSendPolicy({ type: 'text', templates: [] }) // { ok: true, category: 'group_service', ... }
 */
export function checkGroupSendPolicy(input: { type: MessageType; template?: TemplateSendObject; templates: LocalTemplate[]; country?: string | undefined }): GroupPolicyDecision {
  if (!GROUP_MESSAGE_TYPES.includes(input.type)) {
    return refuse(`A ${input.type} message cannot be sent to a group: WhatsApp groups take text, media and text or media templates.`, { type: input.type, allowed: GROUP_MESSAGE_TYPES });
  }
  if (input.type !== 'template') return { ok: true, category: 'group_service', pricingType: 'free_customer_service', cost: priceMessage('service', 'free_customer_service', input.country) };
  if (!input.template) return { ok: false, error: { code: 'CONVERSA_ERR_TEMPLATE_MISSING', message: 'The message type is "template" but no template object was given.', fix: POLICY_ERRORS.CONVERSA_ERR_TEMPLATE_MISSING.fix } };
  const checked = checkTemplateSend(input.template, input.templates);
  if (!checked.ok) return checked;
  if (checked.template.category === 'AUTHENTICATION') {
    return refuse(`Template "${input.template.name}" is an authentication template; WhatsApp groups do not take those.`, { template: input.template.name, category: 'AUTHENTICATION' });
  }
  const category = checked.template.category === 'MARKETING' ? 'marketing' : 'utility';
  return { ok: true, category: `group_${category}`, pricingType: 'regular', cost: priceMessage(category, 'regular', input.country) };
}

function refuse(message: string, details: Record<string, unknown>): GroupPolicyDecision {
  return { ok: false, error: { code: 'CONVERSA_ERR_GROUP_MESSAGE_TYPE', message, fix: POLICY_ERRORS.CONVERSA_ERR_GROUP_MESSAGE_TYPE.fix, details } };
}
