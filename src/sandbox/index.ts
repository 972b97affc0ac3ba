export { createSandbox, type Sandbox, type SandboxOptions } from './server.js';
export { serializeLikeMeta } from './meta-json.js';
export { CONTROL_TOKEN_HEADER, isLoopbackHost } from './control-auth.js';
