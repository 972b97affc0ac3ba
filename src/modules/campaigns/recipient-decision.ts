import type { TemplateSendComponent, TemplateSendObject } from '../../whatsapp/index.js';
import { checkSendPolicy, type Cost, type PolicyError, type PolicyInput, type RateCard } from '../messaging/index.js';

type LocalTemplate = PolicyInput['templates'][number];

/** Why a recipient does not receive the campaign. Stable: clients and the estimate group by it. */
export type SkipReason =
  | 'invalid_number'
  | 'no_whatsapp'
  | 'missing_parameter'
  | 'no_opt_in'
  | 'opted_out'
  | 'marketing_us_blocked'
  | 'template_parameters'
  | 'template_unavailable'
  | 'window_closed'
  | 'blocked';

export const SKIP_REASONS: readonly SkipReason[] = [
  'invalid_number',
  'no_whatsapp',
  'missing_parameter',
  'no_opt_in',
  'opted_out',
  'marketing_us_blocked',
  'template_parameters',
  'template_unavailable',
  'window_closed',
  'blocked',
];

/** What the campaign sends: a template by name and language, with parameters that may hold `{{variable}}`. */
export interface CampaignTemplate {
  name: string;
  language: string;
  components: TemplateSendComponent[];
  /** The WABA's known templates with that name (every language). */
  templates: LocalTemplate[];
  rateCard?: RateCard;
}

/** What is known about one recipient when deciding, read in bulk per chunk. */
export interface RecipientFacts {
  /** False for a CSV row whose phone is not a valid number. */
  valid: boolean;
  country: string | undefined;
  callingCode: string | undefined;
  /** Values of the variables the parameters use. */
  vars: Readonly<Record<string, string>>;
  /** An earlier send to this contact failed with 131026 (the number has no WhatsApp). */
  undeliverable: boolean;
  lastInboundAt: number | null;
  freeEntryPointUntil: number | null;
  consent: { marketing: 'opted_in' | 'opted_out' | 'none'; utility: 'opted_in' | 'opted_out' | 'none' };
  /** The campaign's number blocked this person (`blocked_users`): WhatsApp refuses every send to them. */
  blocked?: boolean;
}

export type RecipientDecision =
  | { send: true; template: TemplateSendObject; category: 'marketing' | 'utility' | 'authentication' | 'service'; pricingType: string; cost: Cost }
  | { send: false; reason: SkipReason; error?: PolicyError };

/**
 * The one per-recipient rule of a campaign, used by the estimate and again when the recipient
 * is queued, so the estimate predicts exactly who is skipped: an invalid number, a number known
 * to have no WhatsApp (an earlier 131026) or a missing parameter value skip it; otherwise the
 * messaging module's `checkSendPolicy` decides (consent, the US marketing block, template
 * parameters, price). Pure: the clock and every fact are passed in.
 *
 * @example
 * decideRecipient(template, facts, Date.now());
 * // { send: false, reason: 'opted_out', error: { code: 'CONVERSA_ERR_OPTED_OUT', ... } }
 */
export function decideRecipient(template: CampaignTemplate, facts: RecipientFacts, now: number): RecipientDecision {
  if (!facts.valid) return { send: false, reason: 'invalid_number' };
  if (facts.undeliverable) return { send: false, reason: 'no_whatsapp' };
  const components = fillComponents(template.components, facts.vars);
  if (!components) return { send: false, reason: 'missing_parameter' };
  const send: TemplateSendObject = { name: template.name, language: { code: template.language }, ...(components.length > 0 ? { components } : {}) };
  const decision = checkSendPolicy({
    now,
    type: 'template',
    template: send,
    templates: template.templates,
    lastInboundAt: facts.lastInboundAt,
    freeEntryPointUntil: facts.freeEntryPointUntil,
    consent: facts.consent,
    recipientCountry: facts.country,
    recipientCallingCode: facts.callingCode,
    ...(facts.blocked ? { blocked: true } : {}),
    ...(template.rateCard ? { rateCard: template.rateCard } : {}),
  });
  if (!decision.ok) return { send: false, reason: REASONS[decision.error.code] ?? 'template_unavailable', error: decision.error };
  return { send: true, template: send, category: decision.category, pricingType: decision.pricingType, cost: decision.cost };
}

/**
 * Whether the template itself can be sent (exists in that language and is APPROVED), apart from
 * any recipient: the refusal when not, else undefined.
 */
export function templateProblem(template: Pick<CampaignTemplate, 'name' | 'language' | 'templates'>): PolicyError | undefined {
  const decision = checkSendPolicy({
    now: 0,
    type: 'template',
    template: { name: template.name, language: { code: template.language } },
    templates: template.templates,
    lastInboundAt: null,
    consent: { marketing: 'opted_in', utility: 'opted_in' },
    recipientCountry: 'BR',
    recipientCallingCode: '55',
  });
  if (decision.ok || REASONS[decision.error.code] !== 'template_unavailable') return undefined;
  return decision.error;
}

/** The `{{variable}}` names used in the parameters' text values, in order of first use. */
export function referencedVariables(components: readonly TemplateSendComponent[]): string[] {
  const names = new Set<string>();
  visitStrings(components, (text) => {
    for (const match of text.matchAll(PLACEHOLDER)) names.add(match[1] as string);
    return text;
  });
  return [...names];
}

/** The components with every `{{variable}}` replaced by its value; undefined when one is missing or empty. */
export function fillComponents(components: readonly TemplateSendComponent[], vars: Readonly<Record<string, string>>): TemplateSendComponent[] | undefined {
  let missing = false;
  const filled = visitStrings(components, (text) =>
    text.replace(PLACEHOLDER, (_all, name: string) => {
      const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
      if (value === undefined || value.trim() === '') missing = true;
      return value ?? '';
    }),
  ) as TemplateSendComponent[];
  return missing ? undefined : filled;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Keys whose values are identifiers, never text to fill. */
const NOT_TEXT = new Set(['type', 'sub_type', 'parameter_name', 'index']);

function visitStrings(value: unknown, fill: (text: string) => string): unknown {
  if (typeof value === 'string') return value.includes('{{') ? fill(value) : value;
  if (Array.isArray(value)) return value.map((item) => visitStrings(item, fill));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = NOT_TEXT.has(key) ? item : visitStrings(item, fill);
    return out;
  }
  return value;
}

const REASONS: Partial<Record<PolicyError['code'], SkipReason>> = {
  CONVERSA_ERR_NO_MARKETING_OPT_IN: 'no_opt_in',
  CONVERSA_ERR_OPTED_OUT: 'opted_out',
  CONVERSA_ERR_MARKETING_US_BLOCKED: 'marketing_us_blocked',
  CONVERSA_ERR_TEMPLATE_PARAMETERS: 'template_parameters',
  CONVERSA_ERR_WINDOW_CLOSED: 'window_closed',
  CONVERSA_ERR_RECIPIENT_BLOCKED: 'blocked',
  CONVERSA_ERR_TEMPLATE_MISSING: 'template_unavailable',
  CONVERSA_ERR_TEMPLATE_NOT_FOUND: 'template_unavailable',
  CONVERSA_ERR_TEMPLATE_LANGUAGE: 'template_unavailable',
  CONVERSA_ERR_TEMPLATE_NOT_APPROVED: 'template_unavailable',
};
