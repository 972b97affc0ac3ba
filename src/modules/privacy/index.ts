export { PersonEraser, type ErasureReport, type PersonEraserDeps } from './erase.js';
export { mentionsPerson, readErasureInventory, type CascadedKind, type ErasureInventory } from './erase-inventory.js';
