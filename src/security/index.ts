export { SecretBox } from './secret-box.js';
export { hashToken, newToken, safeEqual } from './tokens.js';
export { subjectHasher, type SubjectHasher } from './subject-hash.js';
export {
  OUTBOUND_BLOCKED,
  checkOutboundAddress,
  checkOutboundHost,
  checkOutboundUrl,
  createGuardedAgent,
  createGuardedLookup,
  isOutboundBlocked,
  type GuardedAgentOptions,
  type OutboundBlockReason,
  type OutboundCheck,
  type OutboundPolicy,
  type OutboundUrlCheck,
} from './outbound-guard.js';
