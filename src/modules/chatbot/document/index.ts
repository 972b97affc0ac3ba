export { parseFlowDocument, type ParseFlowOptions, type ParseFlowResult } from './parse.js';
export { MAX_DOCUMENT_BYTES, MAX_STEPS, flowDocumentSchema } from './schema.js';
export { STEP_TYPES, TRIGGER_TYPES, type JsonSchema } from './schema-parts.js';
export { DEFAULT_TEXTS } from './default-texts.js';
export { formatDuration, parseDuration } from './duration.js';
export { ANSWER_SCOPE, TEXT_SCOPE, isSecretPlaceholder, placeholders } from './lint-expressions.js';
export { WHATSAPP_LIMITS } from './lint-limits.js';
export type * from './types.js';
