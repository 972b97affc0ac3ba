import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { App, BuildOptions, StartResult } from '../../src/app/index.js';
import { SANDBOX_TOKEN, TEST_ADMIN_KEY, startTestApp, type RunningApp } from './app.js';
import { copyMigratedSqlite, type Dialect, type TestDatabase } from './databases.js';
import { platformApi, sandboxApi, type RestClient } from './http.js';
import { injectClient } from './inject.js';
import { until } from './wait.js';

export interface UseAppOptions {
  /** Extra environment, as `startTestApp({ env })`. */
  env?: Record<string, string>;
  /** Build options (shorter poll intervals, manual workers, ...), as `startTestApp({ build })`. */
  build?: BuildOptions;
  /**
   * How `api` and `sandbox` reach the servers. `inject` (default): Fastify's `inject()`, no
   * socket per call. `socket`: real HTTP with fetch, for tests about the transport itself
   * (client addresses, keep-alive, streamed bodies, a request cut mid-way).
   * Either way the app listens: the sandbox's webhooks and the dispatcher's sends use sockets.
   */
  transport?: 'inject' | 'socket';
}

/** One started app per test file (per dialect): a `RunningApp` plus the usual clients and ids. */
export interface AppFixture extends RunningApp {
  /** The platform's REST API under /api/v1, with the installation's admin key (see `RestClient`). */
  readonly api: RestClient;
  /** The embedded sandbox (Graph API paths and /sandbox/v1), with its access token. */
  readonly sandbox: RestClient;
  /** The embedded sandbox's number: its Meta phone number id and WABA id. */
  readonly pn: string;
  readonly waba: string;
  /** The database this file runs on (undefined: the data folder's SQLite file). */
  readonly testDatabase: TestDatabase | undefined;
  /**
   * Restarts on the same data folder and database (a second `npm start`), optionally with other
   * env/build options (merged over the fixture's); answers this same fixture.
   */
  restart(overrides?: Pick<UseAppOptions, 'env' | 'build'>): Promise<AppFixture>;
}

/**
 * Registers `beforeAll`/`afterAll` that create a fresh database of `dialect` (none: SQLite in
 * the data folder), start the whole platform with its embedded sandbox (startTestApp), and at
 * the end close it (failing on undeclared answers, see test/support/app.ts) and drop the database.
 *
 * Call it at the top of a `describe.each(DIALECTS)` block; your own `beforeAll` hooks run after
 * the start, your `afterAll` hooks before the close. `restart()` restarts in place (same data
 * folder and database) and answers the same fixture.
 */
export function useApp(dialect?: Dialect, options: UseAppOptions = {}): AppFixture {
  let database: TestDatabase | undefined;
  let current: RunningApp | undefined;
  let closed = false;
  let dataDir: string | undefined;
  const running = (): RunningApp => {
    if (!current) throw new Error('useApp: the app is not started (use it inside tests or beforeAll hooks)');
    return current;
  };
  const inject = (options.transport ?? 'inject') === 'inject';
  const fixture: AppFixture = {
    get app(): App {
      return running().app;
    },
    get started(): StartResult {
      return running().started;
    },
    get dataDir(): string {
      return running().dataDir;
    },
    get pn(): string {
      return running().started.sandboxNumber?.phone_number_id as string;
    },
    get waba(): string {
      return running().started.sandboxNumber?.waba_id as string;
    },
    get testDatabase() {
      return database;
    },
    api: inject ? injectClient(() => running().app.http, '/api/v1', TEST_ADMIN_KEY) : platformApi(running),
    sandbox: inject
      ? injectClient(
          () => {
            const sandbox = running().app.sandbox;
            if (!sandbox) throw new Error('this app runs without the embedded sandbox');
            return sandbox.app;
          },
          '',
          SANDBOX_TOKEN,
        )
      : sandboxApi(running),
    async restart(overrides = {}) {
      await running().close(); // checks the undeclared answers; keeps the data folder (ours)
      current = await start(overrides);
      return fixture;
    },
    async close() {
      if (closed || !current) return;
      closed = true;
      await current.close();
    },
  };

  const start = (overrides: Pick<UseAppOptions, 'env' | 'build'> = {}) =>
    startTestApp({
      ...(database ? { databaseUrl: database.url } : {}),
      dataDir,
      env: { ...options.env, ...overrides.env },
      build: { ...options.build, ...overrides.build },
    });

  beforeAll(async () => {
    database = await dialect?.create({ migrated: true });
    // Our own data folder (startTestApp keeps a folder it is given): restarts reuse it, afterAll removes it.
    dataDir = mkdtempSync(join(tmpdir(), 'conversa-test-'));
    // No dialect: the data folder's SQLite file, from the run's migrated copy (global-setup.ts).
    if (!database && !options.env?.DATABASE_URL) copyMigratedSqlite(join(dataDir, 'conversa.db'));
    current = await start();
  });
  afterAll(async () => {
    try {
      await fixture.close();
    } finally {
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      await database?.drop();
    }
  });
  return fixture;
}

export interface TemplateSpec {
  name: string;
  /** Default pt_BR. */
  language?: string;
  /** Default UTILITY. */
  category?: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  /** Default: one BODY with one variable and its example. */
  components?: unknown[];
  /** The number whose WABA gets it (its Meta phone number id); default the workspace's only WABA. */
  phone_number?: string;
  /** Any other field of `POST /templates` (parameter_format, ...). */
  [field: string]: unknown;
}

/**
 * A template approved at the provider and known as APPROVED by the platform, made through the
 * public API as a user would: `POST /templates` with `submit: true`, then the sandbox's review
 * (templateReviewDelayMs) and its status webhook. Answers the platform's template.
 */
export async function approvedTemplate(app: RunningApp | AppFixture, spec: TemplateSpec): Promise<{ id: string; name: string; language: string; provider_template_id: string; [key: string]: unknown }> {
  const api = 'api' in app ? app.api : platformApi(() => app);
  const created = await api('POST', '/templates', {
    language: 'pt_BR',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: 'Olá {{1}}, temos uma novidade sobre o seu pedido nesta semana.', example: { body_text: [['Maria']] } }],
    ...spec,
    submit: true,
  });
  if (created.status !== 201) throw new Error(`POST /templates ${spec.name} answered ${created.status}: ${created.text.slice(0, 300)}`);
  const id = created.body.id as string;
  return until(async () => {
    const template = (await api('GET', `/templates/${id}`)).body;
    if (template.status === 'REJECTED') throw new Error(`template ${spec.name} was rejected: ${JSON.stringify(template)}`);
    return template.status === 'APPROVED' && template;
  }, `template ${spec.name} approved`);
}
