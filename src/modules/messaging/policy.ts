import { ERROR_CATALOGUE, POLICY_ERROR_CODES, type PolicyErrorCode } from '../../errors/index.js';
import type { MessageType, TemplateSendObject } from '../../whatsapp/wire.js';
import { priceMessage, type Cost, type PricingType, type RateCard } from './pricing.js';
import { checkTemplateParameters, type LocalTemplate } from './template-params.js';

// Declared beside the code that needs them; re-exported because they are part of PolicyInput/PolicyDecision.
export type { Cost } from './pricing.js';
export type { LocalTemplate } from './template-params.js';

/** What a contact consented (or objected) to. Authentication messages follow `utility`. */
export type Purpose = 'marketing' | 'utility';
export type ConsentState = 'opted_in' | 'opted_out' | 'none';

export interface PolicyInput {
  /** The clock, epoch ms: the policy never reads the time itself. */
  now: number;
  type: MessageType;
  /** The template send object, when `type === 'template'`. */
  template?: TemplateSendObject;
  /** The WABA's known templates with that name, in all their languages. */
  templates: LocalTemplate[];
  /** The contact's last message to this phone number (epoch ms), or null if they never wrote. */
  lastInboundAt: number | null;
  /** End of a 72 h free entry point window (epoch ms), when one was granted. */
  freeEntryPointUntil?: number | null;
  /** The latest consent ledger state per purpose. */
  consent: Record<Purpose, ConsentState>;
  /** ISO 3166-1 alpha-2 of the recipient number, e.g. 'BR'; picks the rate and the US rule. */
  recipientCountry: string | undefined;
  /** Country calling code of the recipient number, e.g. '55', '1'. */
  recipientCallingCode: string | undefined;
  /** Rates to price with; defaults to the shipped `rate-card.json`. */
  rateCard?: RateCard;
  /** The sending number blocked this recipient (`blocked_users`): WhatsApp refuses any send to them. */
  blocked?: boolean;
}

export type PolicyDecision =
  | {
      ok: true;
      category: 'marketing' | 'utility' | 'authentication' | 'service';
      pricingType: PricingType;
      windowOpen: boolean;
      cost: Cost;
    }
  | { ok: false; error: PolicyError };

export interface PolicyError {
  code: PolicyErrorCode;
  message: string;
  fix: string;
  details?: Record<string, unknown>;
}

/**
 * Every refusal `checkSendPolicy` can answer, with a title and how to fix it: the catalogue's
 * policy codes (src/errors/catalogue.ts). All are permanent: retrying the same send never helps.
 */
export const POLICY_ERRORS = Object.fromEntries(POLICY_ERROR_CODES.map((code) => [code, ERROR_CATALOGUE[code]])) as { [C in PolicyErrorCode]: (typeof ERROR_CATALOGUE)[C] };

export type { PolicyErrorCode };

/** The customer service window: 24 h after the contact's last message. */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * The one check before a message is queued: the customer service window for free-form
 * messages; template existence, language, approval and parameters; consent per purpose;
 * Meta's US marketing block; and what the message will cost under per-message pricing.
 * Pure: the clock, the templates, the consent and the rates are all passed in.
 *
 * @example
 * checkSendPolicy({ now, type: 'text', templates: [], lastInboundAt: now - 3_600_000,
 *   consent: { marketing: 'none', utility: 'none' }, recipientCountry: 'BR', recipientCallingCode: '55' });
 * // { ok: true, category: 'service', pricingType: 'free_customer_service', windowOpen: true, cost: { amountMicros: 0, ... } }
 */
export function checkSendPolicy(input: PolicyInput): PolicyDecision {
  if (input.blocked) return refuse('CONVERSA_ERR_RECIPIENT_BLOCKED', 'This phone number blocked the recipient: WhatsApp refuses every message to a blocked user (131026).');
  const windowOpen = input.lastInboundAt !== null && input.now - input.lastInboundAt <= CUSTOMER_SERVICE_WINDOW_MS;
  if (input.type !== 'template') {
    // A service message answers someone who wrote: consent does not apply, only the window.
    return windowOpen ? allow('service', windowOpen, input) : windowClosed(input);
  }
  const send = input.template;
  if (!send) return refuse('CONVERSA_ERR_TEMPLATE_MISSING', 'The message type is "template" but no template object was given.');
  const found = findTemplate(send, input.templates);
  if ('error' in found) return found;
  const params = checkTemplateParameters(found.template, send);
  if (!params.ok) {
    const { component, expected, received, message } = params;
    return refuse('CONVERSA_ERR_TEMPLATE_PARAMETERS', `Template "${send.name}" (${send.language.code}): ${message}`, { component, expected, received });
  }
  const category = CATEGORIES[found.template.category];
  return checkConsent(category, windowOpen, input) ?? allow(category, windowOpen, input);
}

/**
 * The template half of {@link checkSendPolicy}: the template exists in that language, is
 * APPROVED, and the send gives it the right parameters, with the same refusals. For checks made
 * ahead of a later send (scheduled notifications); the send itself runs the whole policy again.
 */
export function checkTemplateSend(send: TemplateSendObject, templates: LocalTemplate[]): { ok: true; template: LocalTemplate } | Refusal {
  const found = findTemplate(send, templates);
  if ('error' in found) return found;
  const params = checkTemplateParameters(found.template, send);
  if (!params.ok) {
    const { component, expected, received, message } = params;
    return refuse('CONVERSA_ERR_TEMPLATE_PARAMETERS', `Template "${send.name}" (${send.language.code}): ${message}`, { component, expected, received });
  }
  return { ok: true, template: found.template };
}

const CATEGORIES = { MARKETING: 'marketing', UTILITY: 'utility', AUTHENTICATION: 'authentication' } as const;

/** Countries whose numbers carry US area codes (+1): the US and its territories. */
const US_AREA_CODE_COUNTRIES = new Set(['US', 'PR', 'VI', 'GU', 'AS', 'MP']);

type TemplateCategory = (typeof CATEGORIES)[keyof typeof CATEGORIES];
type Refusal = Extract<PolicyDecision, { ok: false }>;

function allow(category: TemplateCategory | 'service', windowOpen: boolean, input: PolicyInput): PolicyDecision {
  const inFreeEntryPoint = input.freeEntryPointUntil != null && input.now <= input.freeEntryPointUntil;
  const pricingType: PricingType = inFreeEntryPoint
    ? 'free_entry_point'
    : category === 'service' || (category === 'utility' && windowOpen)
      ? 'free_customer_service'
      : 'regular';
  return { ok: true, category, pricingType, windowOpen, cost: priceMessage(category, pricingType, input.recipientCountry, input.rateCard) };
}

function refuse(code: PolicyErrorCode, message: string, details?: Record<string, unknown>, fix: string = POLICY_ERRORS[code].fix): Refusal {
  return { ok: false, error: { code, message, fix, ...(details ? { details } : {}) } };
}

function windowClosed(input: PolicyInput): Refusal {
  const fix = "Send an approved template instead; once the contact replies, free-form messages are allowed for 24 h.";
  if (input.lastInboundAt === null) {
    return refuse('CONVERSA_ERR_WINDOW_CLOSED', `A ${input.type} message needs an open customer service window, and this contact has never written to this number.`, { lastInboundAt: null, windowClosedAt: null }, fix);
  }
  const closedAt = input.lastInboundAt + CUSTOMER_SERVICE_WINDOW_MS;
  return refuse(
    'CONVERSA_ERR_WINDOW_CLOSED',
    `A ${input.type} message needs an open customer service window; it closed at ${new Date(closedAt).toISOString()} (${describeAgo(input.now - closedAt)} ago), 24 h after the contact's last message.`,
    { lastInboundAt: new Date(input.lastInboundAt).toISOString(), windowClosedAt: new Date(closedAt).toISOString() },
    fix,
  );
}

function describeAgo(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} days`;
}

function findTemplate(send: TemplateSendObject, templates: LocalTemplate[]): { template: LocalTemplate } | Refusal {
  const named = templates.filter((t) => t.name === send.name);
  if (named.length === 0) {
    return refuse('CONVERSA_ERR_TEMPLATE_NOT_FOUND', `No template named "${send.name}" is known for this WhatsApp Business Account.`, { name: send.name });
  }
  const requested = send.language.code;
  const template = named.find((t) => t.language === requested);
  if (!template) {
    const availableLanguages = named.map((t) => t.language);
    const base = requested.split(/[_-]/)[0]?.toLowerCase();
    const suggestion = availableLanguages.find((l) => l.split(/[_-]/)[0]?.toLowerCase() === base);
    return refuse(
      'CONVERSA_ERR_TEMPLATE_LANGUAGE',
      `Template "${send.name}" exists in ${availableLanguages.join(', ')} but not in ${requested}.${suggestion ? ` Did you mean ${suggestion}?` : ''}`,
      { name: send.name, language: requested, availableLanguages, ...(suggestion ? { suggestion } : {}) },
    );
  }
  const status = template.status.toUpperCase();
  if (status !== 'APPROVED') {
    const { reason, fix } = NOT_APPROVED[status] ?? { reason: `its status is ${status}`, fix: POLICY_ERRORS.CONVERSA_ERR_TEMPLATE_NOT_APPROVED.fix };
    return refuse(
      'CONVERSA_ERR_TEMPLATE_NOT_APPROVED',
      `Template "${send.name}" (${requested}) is ${status}, not APPROVED: ${reason}.`,
      { name: send.name, language: requested, status },
      fix,
    );
  }
  return { template };
}

const NOT_APPROVED: Record<string, { reason: string; fix: string }> = {
  PENDING: { reason: "Meta's review is not finished", fix: 'Wait for Meta to approve it (usually minutes, up to 24 h), then send again.' },
  IN_APPEAL: { reason: 'its rejection is being appealed', fix: 'Wait for the appeal decision, or use another approved template.' },
  REJECTED: { reason: 'Meta rejected it', fix: 'Edit the template following the rejection reason and submit it again, or use another approved template.' },
  PAUSED: { reason: 'Meta paused it after negative feedback from recipients', fix: 'Improve the template content (an edit sends it back to review) or use another template until it is unpaused.' },
  DISABLED: { reason: 'Meta disabled it after repeated quality problems', fix: 'Create a new template with different content; a disabled template cannot be sent again.' },
  PENDING_DELETION: { reason: 'it is being deleted', fix: 'Use another approved template.' },
  DELETED: { reason: 'it was deleted', fix: 'Create the template again (a deleted name cannot be reused for 30 days) or use another one.' },
};

function checkConsent(category: TemplateCategory, windowOpen: boolean, input: PolicyInput): Refusal | undefined {
  if (category === 'marketing') {
    if (isUsNumber(input)) {
      return refuse('CONVERSA_ERR_MARKETING_US_BLOCKED', 'Meta does not deliver marketing templates to US phone numbers (+1 with a US area code) since 2025-04-01.', {
        recipientCountry: input.recipientCountry ?? null,
        recipientCallingCode: input.recipientCallingCode ?? null,
      });
    }
    if (input.consent.marketing === 'opted_out') {
      return refuse('CONVERSA_ERR_OPTED_OUT', 'The contact opted out of marketing messages; they are not sent even while the contact is writing to you.', { purpose: 'marketing' });
    }
    if (!windowOpen && input.consent.marketing !== 'opted_in') {
      return refuse('CONVERSA_ERR_NO_MARKETING_OPT_IN', 'A marketing template outside the customer service window needs the contact\'s marketing opt-in, and none is recorded.', {
        purpose: 'marketing',
        consent: input.consent.marketing,
      });
    }
    return undefined;
  }
  if (input.consent.utility === 'opted_out') {
    return refuse('CONVERSA_ERR_OPTED_OUT', `The contact opted out of utility messages, which also covers ${category} templates.`, { purpose: 'utility', category });
  }
  return undefined;
}

/**
 * Meta's block covers numbers with a +1 calling code and a US area code; Canada and the other
 * +1 countries are not blocked. With +1 and no known country, refuse: we cannot tell.
 */
function isUsNumber(input: PolicyInput): boolean {
  const country = input.recipientCountry?.toUpperCase();
  if (input.recipientCallingCode === '1') return country === undefined || US_AREA_CODE_COUNTRIES.has(country);
  return input.recipientCallingCode === undefined && country !== undefined && US_AREA_CODE_COUNTRIES.has(country);
}
