import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendGroupMessage } from './group-messages.js';
import { registerGraphGroupRoutes } from './routes-graph-groups.js';
import { replyGraphError, replyUnknownPath, unknownObject, type GraphContext } from './graph-reply.js';
import { metaFailure } from './meta-errors.js';
import { markRead, sendMessage } from './outbound.js';
import { registerGraphAccountRoutes } from './routes-graph-account.js';
import { registerGraphMediaRoutes } from './routes-graph-media.js';
import { registerGraphSettingsRoutes } from './routes-graph-settings.js';
import { registerGraphUploadRoutes } from './routes-graph-uploads.js';
import { validateSendRequest } from './validate-send.js';

/**
 * The Graph API surface (`/{version}/...`; the server strips the version prefix, so unversioned
 * paths work too): auth, faults, and the message, template, media, upload and account routes.
 */
export async function registerGraphRoutes(app: FastifyInstance, ctx: GraphContext): Promise<void> {
  const expected = Buffer.from(ctx.accessToken);
  // The path patterns served (any method), to tell an unsupported method from an unknown path.
  const routes: RegExp[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(new RegExp(`^${route.url.replace(/\/+$/, '').replace(/:[^/]+/g, '[^/]+')}$`));
  });

  app.addHook('onRequest', async (request, reply) => {
    const faults = ctx.engine.faults;
    if (faults.graph_latency_ms > 0) await new Promise((r) => setTimeout(r, faults.graph_latency_ms));
    const token = bearerOf(request);
    if (!token) {
      return replyGraphError(reply, metaFailure(104, 'An access token is required to request this resource.'));
    }
    const given = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return replyGraphError(reply, metaFailure(190, 'Invalid OAuth access token - Cannot parse access token', 467));
    }
    if (faults.graph_error_rate > 0 && Math.random() < faults.graph_error_rate) {
      return replyGraphError(reply, metaFailure(131000, 'Injected fault: something went wrong (retry).'));
    }
    return undefined;
  });

  app.setErrorHandler((error: { statusCode?: number; message: string; code?: string }, _request, reply) => {
    if (error.statusCode && error.statusCode < 500) {
      const code = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.code === 'FST_REQ_FILE_TOO_LARGE' ? 131053 : 100;
      return replyGraphError(reply, metaFailure(code, `Invalid request: ${error.message}`));
    }
    ctx.engine.logger.error({ err: error }, 'sandbox graph route failed');
    return replyGraphError(reply, metaFailure(131000, 'Something went wrong in the sandbox.'));
  });

  // First: its hook and parser take the raw bytes of an upload step before any route parses a body.
  await registerGraphUploadRoutes(app, ctx);

  app.post<{ Params: { id: string } }>('/:id/messages', async (request, reply) => {
    const number = ctx.engine.state.phoneNumbers.get(request.params.id);
    if (!number) return replyGraphError(reply, unknownObject(request.params.id, 'POST'));
    const validation = validateSendRequest(request.body);
    if (!validation.ok) return replyGraphError(reply, validation.failure);
    if (validation.kind === 'mark_read') {
      const failure = markRead(ctx.engine, number, validation.request);
      return failure ? replyGraphError(reply, failure) : { success: true };
    }
    const outcome =
      validation.message.recipient_type === 'group'
        ? sendGroupMessage(ctx.engine, number, validation.message, validation.type)
        : sendMessage(ctx.engine, number, validation.message, validation.type);
    return outcome.ok ? outcome.response : replyGraphError(reply, outcome.failure);
  });

  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>('/:id/message_templates', async (request, reply) => {
    if (!ctx.engine.state.wabas.has(request.params.id)) return replyGraphError(reply, unknownObject(request.params.id, 'GET'));
    return ctx.templates.list(request.params.id, request.query);
  });

  app.post<{ Params: { id: string } }>('/:id/message_templates', async (request, reply) => {
    if (!ctx.engine.state.wabas.has(request.params.id)) return replyGraphError(reply, unknownObject(request.params.id, 'POST'));
    const outcome = ctx.templates.create(request.params.id, request.body);
    return outcome.ok ? outcome.value : replyGraphError(reply, outcome.failure);
  });

  app.delete<{ Params: { id: string }; Querystring: { name?: string; hsm_id?: string } }>('/:id/message_templates', async (request, reply) => {
    if (!ctx.engine.state.wabas.has(request.params.id)) return replyGraphError(reply, unknownObject(request.params.id, 'DELETE'));
    const outcome = ctx.templates.delete(request.params.id, request.query.name, request.query.hsm_id);
    return outcome.ok ? outcome.value : replyGraphError(reply, outcome.failure);
  });

  await registerGraphMediaRoutes(app, ctx);
  await registerGraphAccountRoutes(app, ctx);
  await registerGraphSettingsRoutes(app, ctx);
  await registerGraphGroupRoutes(app, ctx);

  // Graph answers every path, known or not, in its own error shape: a path the sandbox serves
  // with another method is "Unsupported <method> request" (100, subcode 33); any other path
  // is "Unknown path components" (2500), as graph.facebook.com does.
  app.setNotFoundHandler((request, reply) => {
    const path = (request.url.split('?')[0] ?? '/').replace(/\/+$/, '') || '/';
    const segments = path.split('/').filter(Boolean);
    if (segments.length > 0 && routes.some((route) => route.test(path))) return replyGraphError(reply, unknownObject(segments[0] ?? '', request.method));
    const state = ctx.engine.state;
    const id = segments[0] ?? '';
    const known = state.phoneNumbers.has(id) || state.wabas.has(id) || state.groups.has(id) || state.templates.has(id) || ctx.engine.media.get(id, ctx.engine.clock.now()) !== undefined;
    return replyUnknownPath(reply, known ? `/${segments.slice(1).join('/')}` : path);
  });
}

/** The access token: `Authorization: Bearer <token>` or `OAuth <token>` (the Resumable Upload API's form), or `?access_token=`. */
function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const scheme = /^(bearer|oauth) +/i.exec(header ?? '');
  if (header && scheme) return header.slice(scheme[0].length).trim() || undefined;
  const query = request.query as { access_token?: unknown } | undefined;
  return typeof query?.access_token === 'string' && query.access_token ? query.access_token : undefined;
}
