export { loadConfig, ConfigError, DEFAULT_SANDBOX_ACCESS_TOKEN, type Config } from './config.js';
