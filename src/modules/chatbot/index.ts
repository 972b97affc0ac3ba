// The chatbot module's public surface.
export type * from './document/index.js';
export type * from './engine/types.js';
export { runEngine } from './engine/engine.js';
export { validateAnswer, type Validation, type ValidateOptions } from './engine/validators.js';
export { buildFlow, keywordClassifier, keywordSearch, type FlowInput, type StepInput } from './engine/stand-ins.js';
export { bodyOf, choicesOf, describeEffect, describeMessage, formatTranscriptReport, runTranscript, type CaseReport, type TranscriptDeps, type TranscriptReport } from './transcript.js';
