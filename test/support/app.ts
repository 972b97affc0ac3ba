import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App, type BuildOptions, type StartResult } from '../../src/app/index.js';
import { loadConfig } from '../../src/config/index.js';
import { copyMigratedSqlite } from './databases.js';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';
export const SANDBOX_TOKEN = 'sandbox-access-token';

export interface RunningApp {
  app: App;
  started: StartResult;
  dataDir: string;
  /** Restart on the same data folder and database (a second `npm start`). */
  restart(): Promise<RunningApp>;
  close(): Promise<void>;
}

/**
 * Starts the whole platform with the embedded sandbox on random ports, in a temporary data
 * folder, as `npm start` would. Pass a database URL from test/support/databases.ts.
 */
export async function startTestApp(options: { databaseUrl?: string; dataDir?: string; env?: Record<string, string>; build?: BuildOptions } = {}): Promise<RunningApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'conversa-test-'));
  // A new folder of ours, on its SQLite file: start from the run's migrated copy (global-setup.ts).
  if (!options.dataDir && !options.databaseUrl && !options.env?.DATABASE_URL) copyMigratedSqlite(join(dataDir, 'conversa.db'));
  const env = {
    PORT: '0',
    SANDBOX_PORT: '0',
    HOST: '127.0.0.1',
    CONVERSA_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    CONVERSA_ADMIN_KEY: TEST_ADMIN_KEY,
    // Test consumers listen on 127.0.0.1; test/webhooks-ssrf.test.ts turns the guard back on.
    CONVERSA_WEBHOOKS_ALLOW_PRIVATE: 'true',
    // No demo bot answering the customers of tests about other things; test/chatbot*.test.ts turn it on.
    CONVERSA_DEMO_FLOW: 'off',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  };
  // checkResponses: an API answer whose status (or error code) the OpenAPI document does not
  // declare fails the test file at close (see closeChecked).
  const app = await buildApp(loadConfig(env), { sandbox: { templateReviewDelayMs: 50, webhookRetryBaseMs: 50 }, checkResponses: true, ...options.build });
  const started = await app.start();
  const running: RunningApp = {
    app,
    started,
    dataDir,
    async restart() {
      await closeChecked(app);
      return startTestApp({ ...options, dataDir });
    },
    async close() {
      // A shutdown that hangs is a bug (it was once: a keep-alive connection held the HTTP close
      // for a minute); let it fail the teardown, but say first on which step it waits.
      const slow = setTimeout(() => console.warn(`startTestApp: app.close() still waiting on "${app.closingStep}" after 20 s`), 20_000);
      try {
        await closeChecked(app);
      } finally {
        clearTimeout(slow);
        if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
  return running;
}

/**
 * Closes the app, then fails if any API route answered a status (or an error code) that its
 * OpenAPI responses do not declare: the document must say what comes back (docs/api.md).
 */
async function closeChecked(app: App): Promise<void> {
  await app.close();
  const undeclared = app.http.undeclaredResponses();
  if (undeclared.length > 0) {
    throw new Error(`Answers the OpenAPI document does not declare (add them to the route's responses(), see docs/api.md):\n${undeclared.join('\n')}`);
  }
}
