import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { migrateToLatest, openDatabase, type Database } from '../db/index.js';
import { buildHttpServer } from '../http/server.js';
import { ApiKeys } from '../modules/api-keys/index.js';
import { PhoneNumbers } from '../modules/phone-numbers/index.js';
import { WebhookEvents } from '../modules/webhook-events/index.js';
import { Workspaces } from '../modules/workspaces/index.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../sandbox/index.js';
import { SecretBox } from '../security/index.js';
import { bootstrap, type BootstrapResult } from './bootstrap.js';
import { createLogger } from './logger.js';
import { resolveSecretKey } from './secret-key.js';

export interface Modules {
  workspaces: Workspaces;
  apiKeys: ApiKeys;
  phoneNumbers: PhoneNumbers;
  webhookEvents: WebhookEvents;
}

export interface StartResult extends BootstrapResult {
  platformUrl: string;
  sandboxUrl?: string;
}

export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly modules: Modules;
  readonly http: FastifyInstance;
  /** The embedded sandbox, when `config.sandbox.enabled`. */
  readonly sandbox: Sandbox | undefined;
  /** Listens (sandbox first, then the platform) and runs the first-start bootstrap. */
  start(): Promise<StartResult>;
  close(): Promise<void>;
}

export interface BuildOptions {
  logger?: Logger;
  /** Test knobs for the embedded sandbox (review delay, retry base). */
  sandbox?: Partial<Pick<SandboxOptions, 'templateReviewDelayMs' | 'webhookRetryBaseMs'>>;
}

/**
 * The composition root: builds the database, modules, HTTP server and (optionally) the
 * embedded sandbox from one frozen config. The CLI, the server and the tests all call it.
 */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const database = openDatabase(config.databaseUrl);
  try {
    const applied = await migrateToLatest(database);
    if (applied.length > 0) logger.info({ migrations: applied, database: database.description }, 'database migrated');
  } catch (error) {
    await database.close();
    throw error;
  }
  const box = new SecretBox(resolveSecretKey(config.secretKey, config.dataDir));
  const modules: Modules = {
    workspaces: new Workspaces(database.db),
    apiKeys: new ApiKeys(database.db),
    phoneNumbers: new PhoneNumbers(database.db, box),
    webhookEvents: new WebhookEvents(database.db),
  };
  const http = await buildHttpServer({ logger, database, ...modules });
  const sandbox = config.sandbox.enabled
    ? await createSandbox({
        logger: logger.child({ component: 'sandbox' }),
        accessToken: config.sandbox.accessToken,
        stateFile: join(config.dataDir, 'sandbox', 'state.json'),
        seedAccount: false,
        ...options.sandbox,
      })
    : undefined;

  return {
    config,
    logger,
    database,
    modules,
    http,
    sandbox,
    async start() {
      const sandboxUrl = sandbox ? await sandbox.listen(config.sandbox.port, config.host) : undefined;
      const listening = await http.listen({ port: config.port, host: config.host });
      const platformUrl = config.port === 0 ? listening.replace('[::1]', '127.0.0.1') : config.publicUrl;
      const result = await bootstrap({
        ...modules,
        logger,
        adminKey: config.adminKey,
        webhookUrl: `${platformUrl}/webhooks/whatsapp`,
        ...(sandboxUrl ? { sandbox: { baseUrl: sandboxUrl, accessToken: config.sandbox.accessToken } } : {}),
      });
      return { ...result, platformUrl, ...(sandboxUrl ? { sandboxUrl } : {}) };
    },
    async close() {
      await http.close();
      await sandbox?.close();
      await database.close();
    },
  };
}
