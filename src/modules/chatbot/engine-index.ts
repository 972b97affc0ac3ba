// What the CLI's offline tools (flow test, flow chat) use of the engine layer besides ./index.ts.
export { compileFlow } from './engine/compile.js';
export { trainIntents } from './engine/nlu.js';
