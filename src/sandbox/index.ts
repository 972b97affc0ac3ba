export { createSandbox, type Sandbox, type SandboxOptions } from './server.js';
export { serializeLikeMeta } from './meta-json.js';
