import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { installAudit } from './audit.js';
import { installAuth } from './auth.js';
import type { HttpDeps } from './deps.js';
import { answerFrameworkError, installErrorHandlers } from './errors.js';
import { installOpenApi } from './openapi.js';
import { registerApiKeyRoutes } from './routes/api-keys.js';
import { registerAuditRoutes } from './routes/audit.js';
import { installResponseCheck, installResponseDefaults } from './responses.js';
import { registerCampaignRoutes } from './routes/campaigns.js';
import { registerContactImportRoutes } from './routes/contact-import.js';
import { registerContactRoutes } from './routes/contacts.js';
import { registerContactExportRoutes } from './routes/contact-export.js';
import { registerPersonExportRoutes } from './routes/person-export.js';
import { registerContactEraseRoutes } from './routes/contact-erase.js';
import { registerAppLeadRoutes, registerLeadRoutes } from './routes/leads.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerDemoRoutes } from './routes/demo.js';
import { registerFlowRoutes } from './routes/flows.js';
import { registerFormRoutes } from './routes/forms.js';
import { registerInvoiceRoutes } from './routes/invoices.js';
import { registerMediaRoutes } from './routes/media.js';
import { registerConversationRoutes } from './routes/conversations.js';
import { registerMessageActionRoutes } from './routes/message-actions.js';
import { registerMessageRoutes } from './routes/messages.js';
import { registerNotificationRoutes } from './routes/notifications.js';
import { registerOptInRoutes } from './routes/optin.js';
import { registerPaymentRoutes } from './routes/payments.js';
import { registerPhoneNumberRoutes } from './routes/phone-numbers.js';
import { registerNumberSettingsRoutes } from './routes/number-settings.js';
import { registerGroupRoutes } from './routes/groups.js';
import { registerWebhookEventRoutes } from './routes/webhook-events.js';
import { registerTemplateRoutes } from './routes/templates.js';
import { registerWebhookRoutes } from './routes/webhooks.js';
import { registerWhatsappWebhookRoutes } from './routes/whatsapp-webhook.js';
import { registerWorkspaceRoutes } from './routes/workspaces.js';
import { registerRetentionRoutes } from './routes/retention.js';
import { installTextGuard } from './text-guard.js';
import { registerAppAdminRoutes } from './routes/app-admin.js';
import { registerAppMediaRoutes } from './routes/app-media.js';
import { registerAppAuthRoutes } from './routes/app-auth.js';
import { registerAppInboxRoutes } from './routes/app-inbox.js';
import { registerAppPhoneRoutes } from './routes/app-phone.js';
import { registerDeskRoutes } from './routes/app-desk.js';
import { installSessions, viewerFromCookie } from './session.js';
import { registerAppWsRoutes } from './routes/app-ws.js';
import { installWebApp } from './web-app.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * With `checkResponses`: every answer of an `/api/v1` route whose status (or error code)
     * its schema's `response` does not declare, as `METHOD /route answered STATUS ...`; else [].
     */
    undeclaredResponses(): string[];
  }
}

export interface HttpServerOptions {
  /** Record answers the routes' response schemas do not declare (tests; off in production). */
  checkResponses?: boolean;
  /** Serve the demo company API (`/demo/…`) the demo bot calls: only with the embedded sandbox. */
  demoApi?: boolean;
  /** The built web app's folder (default dist/web; see web-app.ts). */
  webDir?: string;
}

/** Builds the platform's Fastify server (not listening): health, Meta's webhook, the REST API. */
export async function buildHttpServer(deps: HttpDeps, options: HttpServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 2 * 1024 * 1024,
    // Only the proxies the operator names may set the client's address (X-Forwarded-For):
    // trusting every hop let anyone choose the IP of a consent proof and dodge rate limits.
    trustProxy: fastifyTrustProxy(deps.trustProxy),
    frameworkErrors: answerFrameworkError,
  });
  installErrorHandlers(app);
  // Response schemas document the answers (OpenAPI, /docs); they do not shape them: answers are
  // serialised as before with JSON.stringify, so a property a schema forgets is never dropped.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const check = options.checkResponses ? installResponseCheck(app) : undefined;
  app.decorate('undeclaredResponses', () => check?.problems() ?? []);
  installResponseDefaults(app);
  await installOpenApi(app);
  // Before the keys and sessions: they name the actor the audit log records.
  installAudit(app, { log: deps.auditLog, reads: deps.auditReads });
  installAuth(app, deps.apiKeys);
  await installSessions(app, { users: deps.users, sessions: deps.sessions });
  registerHealthRoutes(app, deps.database);
  if (options.demoApi) registerDemoRoutes(app);
  await app.register(async (scope) => registerWhatsappWebhookRoutes(scope, deps));
  await app.register(async (scope) => registerOptInRoutes(scope, deps));
  await app.register(
    async (scope) => {
      installTextGuard(scope);
      registerWebhookEventRoutes(scope, deps);
      registerContactRoutes(scope, deps);
      registerContactExportRoutes(scope, deps);
      registerPersonExportRoutes(scope, deps);
      registerContactEraseRoutes(scope, deps);
      registerMessageRoutes(scope, deps);
      registerMessageActionRoutes(scope, deps);
      registerConversationRoutes(scope, deps);
      registerNotificationRoutes(scope, deps);
      registerPhoneNumberRoutes(scope, deps);
      registerNumberSettingsRoutes(scope, deps);
      registerGroupRoutes(scope, deps);
      // Its own scope too: multipart and the text/csv parser for the CSV import only.
      await scope.register(async (csv) => registerContactImportRoutes(csv, deps));
      // Its own scope: the multipart parser (and its limits) applies to the media routes only.
      await scope.register(async (media) => registerMediaRoutes(media, deps));
      registerWebhookRoutes(scope, deps);
      // Its own scope: the streamed text/csv parser applies to the campaign routes only.
      await scope.register(async (campaigns) => registerCampaignRoutes(campaigns, deps));
      registerTemplateRoutes(scope, deps);
      registerInvoiceRoutes(scope, deps);
      await scope.register(async (flows) => registerFlowRoutes(flows, deps));
      registerPaymentRoutes(scope, deps);
      registerFormRoutes(scope, deps);
      registerLeadRoutes(scope, deps);
      registerWorkspaceRoutes(scope, deps);
      registerRetentionRoutes(scope, deps);
      registerApiKeyRoutes(scope, deps);
      registerAuditRoutes(scope, deps);
    },
    { prefix: '/api/v1' },
  );
  // The agent inbox's API (issue 11): cookie sessions, not API keys (docs/inbox.md).
  await app.register(
    async (scope) => {
      installTextGuard(scope);
      registerAppAuthRoutes(scope, deps);
      registerAppAdminRoutes(scope, deps);
      registerAppInboxRoutes(scope, deps);
      registerAppPhoneRoutes(scope, deps);
      registerDeskRoutes(scope, deps);
      registerAppLeadRoutes(scope, deps);
      // Its own scope: the multipart parser applies to the media routes only.
      await scope.register(async (media) => registerAppMediaRoutes(media, deps));
    },
    { prefix: '/app/api' },
  );
  // Its own scope: the WebSocket plugin (and its frame size bound) applies to /app/ws only.
  await app.register(async (scope) => registerAppWsRoutes(scope, { realtime: deps.realtime, viewerFromCookie, publicUrl: deps.publicUrl }));
  // The agent inbox (web/, built into dist/web) at `/`.
  await installWebApp(app, options.webDir);
  return app;
}

// Fastify's types leave out the hop count its runtime takes; a hop count is "trust the n nearest hops".
function fastifyTrustProxy(trust: HttpDeps['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return typeof trust === 'boolean' ? trust : [...trust];
}
