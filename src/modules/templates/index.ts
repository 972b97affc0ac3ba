export { TemplateCache, type CachedTemplate } from './template-cache.js';
