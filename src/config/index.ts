export { loadCliConfig, loadConfig, ConfigError, DEFAULT_SANDBOX_ACCESS_TOKEN, UNKNOWN_GRACE_FLOOR_SECONDS, type CliConfig, type Config } from './config.js';
