export { RetentionJob, type RetentionDeps, type RetentionReport, type RetentionRules } from './retention-job.js';
export { RETENTION_DAYS, RetentionSettings, type RetentionSettingsView, type WorkspaceRetention } from './retention-settings.js';
