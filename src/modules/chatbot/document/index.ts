// The flow document's public surface (the parser adds parseFlowDocument here).
export type * from './types.js';
