export { PersonData, textOf, type PersonContact, type PersonMedia, type PersonMessage, type PersonRecord } from './person-data.js';
export { ARCHIVE_FILES, exportPerson, type MediaBytes } from './export-archive.js';
export { SUMMARY_CSP, escapeText } from './export-summary.js';
export { PersonEraser, type ErasureReport, type PersonEraserDeps } from './erase.js';
export { mentionsPerson, readErasureInventory, type CascadedKind, type ErasureInventory } from './erase-inventory.js';
