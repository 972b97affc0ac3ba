export { Dispatcher, type DispatcherOptions, type MediaResolver, type MessageSender, type OutboundContent, type SenderDirectory } from './dispatcher.js';
export { IngestProcessor, type InboundMediaRecorder, type ProcessorDeps } from './ingest-processor.js';
export { Messages, canAdvance, type MessageView, type OutboundStatus } from './messages.js';
export { DEFAULT_CONSENT_KEYWORDS, consentConfirmationText, matchConsentKeyword, type KeywordConfig } from './opt-out-keywords.js';
export { POLICY_ERRORS, checkSendPolicy, checkTemplateSend, type PolicyDecision, type PolicyError, type PolicyInput } from './policy.js';
export { canonicalHash } from './request-hash.js';
export { loadRateCard, priceMessage, type Cost, type RateCard } from './pricing.js';
export { MESSAGE_TYPES, SendService, type MediaRefusalCode, type OutboundMediaCheck, type SendOutcome, type SendRequest } from './send-service.js';
export { templateVariables } from './template-params.js';
