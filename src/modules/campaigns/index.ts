export { Campaigns, type CampaignRefusal, type CampaignResult, type CampaignStatus, type CampaignView, type CreateCampaign, type PauseReason } from './campaigns.js';
export { CampaignRunner, type CampaignRunnerOptions } from './campaign-runner.js';
export type { CampaignDeps } from './deps.js';
export type { AudienceFilter, AudienceReport, AudienceSpec } from './audience.js';
export type { CampaignEstimate } from './estimate.js';
export { DEFAULT_TIER, MESSAGING_TIERS, MessagingLimits, tierFromProvider, type MessagingLimitView, type TierSource } from './messaging-limits.js';
export { SKIP_REASONS, decideRecipient, fillComponents, referencedVariables, type RecipientDecision, type RecipientFacts, type SkipReason } from './recipient-decision.js';
export { RECIPIENT_FILTERS, listRecipients, type CampaignTotals, type RecipientFilter, type RecipientView } from './totals.js';
