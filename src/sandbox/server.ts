import { randomBytes } from 'node:crypto';
import multipart from '@fastify/multipart';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { SandboxEngine } from './engine.js';
import { registerAdminRoutes } from './routes-admin.js';
import { registerGraphRoutes } from './routes-graph.js';
import { SandboxState } from './state.js';
import { SandboxTemplates } from './templates.js';

export interface SandboxOptions {
  logger: Logger;
  /** The bearer token Graph calls must carry. */
  accessToken: string;
  /** Where accounts, templates, phones and the subscription are saved (none: memory only). */
  stateFile?: string;
  /** The app's webhook callback; can be set later with `PUT /sandbox/v1/webhook`. */
  webhookUrl?: string;
  /** Signs webhooks; generated when absent and not in the state file. */
  appSecret?: string;
  verifyToken?: string;
  /** Delay before a template review decision (default 2000 ms). */
  templateReviewDelayMs?: number;
  /** First webhook retry delay (default 1000 ms). */
  webhookRetryBaseMs?: number;
  /** Create a WABA with one phone number when the state holds none (default true). */
  seedAccount?: boolean;
}

export interface Sandbox {
  readonly app: FastifyInstance;
  readonly engine: SandboxEngine;
  /** Sandbox time (epoch ms): real time plus the offset `POST /sandbox/v1/clock` added. */
  now(): number;
  /** Starts listening; answers the base URL (`http://host:port`). */
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

const GRAPH_VERSION_PREFIX = /^\/v\d+\.\d+(?=\/|$|\?)/;

/**
 * Builds the Cloud API sandbox: a Fastify server that answers Graph API paths (with or without
 * a `/vNN.N` prefix) and the `/sandbox/v1` control API, with webhooks sent to the subscriber.
 */
export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const state = new SandboxState(
    {
      appSecret: options.appSecret ?? '',
      verifyToken: options.verifyToken ?? '',
      webhookUrl: options.webhookUrl ?? null,
    },
    options.stateFile,
  );
  state.load();
  if (!state.app.appSecret) state.app.appSecret = randomBytes(16).toString('hex');
  if (!state.app.verifyToken) state.app.verifyToken = randomBytes(12).toString('hex');
  if (state.wabas.size === 0 && options.seedAccount !== false) state.ensureAccount({});
  state.touch();

  const engine = new SandboxEngine(state, {
    logger: options.logger,
    ...(options.templateReviewDelayMs === undefined ? {} : { templateReviewDelayMs: options.templateReviewDelayMs }),
    ...(options.webhookRetryBaseMs === undefined ? {} : { webhookRetryBaseMs: options.webhookRetryBaseMs }),
  });
  const templates = new SandboxTemplates(engine);

  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 5 * 1024 * 1024,
    rewriteUrl: (request) => (request.url ?? '/').replace(GRAPH_VERSION_PREFIX, '') || '/',
  });
  await app.register(multipart, { limits: { fileSize: 100 * 1024 * 1024, files: 1, fields: 10 } });
  await app.register(async (admin) => registerAdminRoutes(admin, engine, templates), { prefix: '/sandbox/v1' });
  await app.register(async (graph) => registerGraphRoutes(graph, { engine, templates, accessToken: options.accessToken }));

  return {
    app,
    engine,
    now: () => engine.clock.now(),
    async listen(port, host) {
      await app.listen({ port, host });
      const address = app.server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      return `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
    },
    async close() {
      await engine.close();
      await app.close();
    },
  };
}
