export { buildApp, type App, type BuildOptions, type Modules, type StartResult } from './build-app.js';
export { createLogger } from './logger.js';
