export {
  AUDIT_ACTOR_TYPES,
  AUDIT_OUTCOMES,
  AuditLog,
  MAX_AUDIT_PAGE,
  type AuditActor,
  type AuditActorType,
  type AuditDetails,
  type AuditEntry,
  type AuditFilter,
  type AuditOutcome,
  type AuditView,
} from './audit-log.js';
export { auditPruneLoop, type AuditPruneOptions } from './audit-prune.js';
