export { loadCliConfig, loadConfig, ConfigError, DEFAULT_SANDBOX_ACCESS_TOKEN, type CliConfig, type Config } from './config.js';
