export { TemplateCache, TEMPLATE_WEBHOOK_FIELDS, type CachedTemplate, type SyncSummary, type TemplateWebhook } from './template-cache.js';
export { TemplateService, type TemplateDetail, type TemplateError, type TemplateErrorCode, type TemplateListOptions, type TemplateOutcome, type TemplatePatch, type TemplateServiceDeps } from './template-service.js';
export { templateSyncLoop } from './template-sync-worker.js';
export { DELETED, DRAFT, type TemplateEventView, type TemplateVersionView, type TemplateView } from './template-rows.js';
export { lintTemplate, type LintProblem, type LintReport } from './lint.js';
export { previewFromSend, previewTemplate, type PreviewParams, type TemplatePreview } from './preview.js';
export { registerTemplateInbound } from './template-inbound.js';
