export { TemplateCache, type CachedTemplate } from './template-cache.js';
export { lintTemplate, type LintProblem, type LintReport } from './lint.js';
export { previewFromSend, previewTemplate, type PreviewParams, type TemplatePreview } from './preview.js';
