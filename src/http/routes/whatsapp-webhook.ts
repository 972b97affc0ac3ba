import type { FastifyInstance, FastifyRequest } from 'fastify';
import { safeEqual } from '../../security/index.js';
import { jsonDepthExceeds, scopeWebhookEvents, splitWebhook } from '../../modules/inbound/index.js';
import { parseSignatureHeader, WebhookSignatureChecker } from '../../whatsapp/index.js';
import type { HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

/** Meta's payloads nest about 8 levels; anything past this is refused before it is parsed. */
const MAX_DEPTH = 64;

/**
 * Meta's webhook endpoint. `GET` answers the subscription handshake; `POST` checks the
 * signature over the raw bytes (constant time) before anything parses them, bounds the body's
 * size and nesting, stores each event in the workspace its number or WABA belongs to (only
 * among the workspaces whose app secret signed it), and only then answers 200.
 */
export function registerWhatsappWebhookRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'phoneNumbers' | 'inboundEvents' | 'logger' | 'eventsStored' | 'clock'>): void {
  // Keep the exact bytes: the signature is over them, not over re-serialised JSON.
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 4 * 1024 * 1024 }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, body);
  });

  // Each hub.* parameter once, as text: a repeated one arrives as an array and is refused (400).
  const hubParam = { type: 'string', maxLength: 1024 } as const;
  const handshake = { querystring: { type: 'object', properties: { 'hub.mode': hubParam, 'hub.verify_token': hubParam, 'hub.challenge': hubParam } } };
  app.get<{ Querystring: Record<string, string | undefined> }>('/webhooks/whatsapp', { schema: handshake }, async (request, reply) => {
    const mode = request.query['hub.mode'];
    const token = request.query['hub.verify_token'];
    const challenge = request.query['hub.challenge'];
    if (mode !== 'subscribe' || !challenge) {
      return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'hub.mode must be "subscribe" and hub.challenge must be present.', {
        field: mode !== 'subscribe' ? 'hub.mode' : 'hub.challenge',
        rule: mode !== 'subscribe' ? 'must be "subscribe"' : 'is required',
      });
    }
    const tokens = await deps.phoneNumbers.verifyTokens();
    if (!token || !tokens.some((known) => safeEqual(known, token))) return sendError(reply, 'CONVERSA_ERR_WEBHOOK_VERIFY_TOKEN');
    return reply.type('text/plain').send(challenge);
  });

  const signatures = new WebhookSignatureChecker();
  const signatureOf = (request: FastifyRequest): Buffer | undefined => {
    const header = request.headers['x-hub-signature-256'];
    return parseSignatureHeader(Array.isArray(header) ? header[0] : header);
  };
  app.post('/webhooks/whatsapp', {
    // No well-formed signature: refused before the body is read, let alone parsed.
    onRequest: async (request, reply) => {
      if (signatureOf(request)) return;
      deps.logger.warn({ hasSignature: request.headers['x-hub-signature-256'] !== undefined }, 'whatsapp webhook rejected: missing or malformed signature');
      return sendError(reply, 'CONVERSA_ERR_WEBHOOK_SIGNATURE');
    },
  }, async (request, reply) => {
    const raw = request.rawBody;
    if (!raw) return sendError(reply, 'CONVERSA_ERR_UNSUPPORTED_MEDIA_TYPE', 'Meta webhooks are application/json.');
    const signature = signatureOf(request)!;
    // The signature first, over the raw bytes, against every distinct app secret: only the
    // workspaces whose secret signed the body may be changed by it. A number connected on
    // another node moments ago is not in the cached directory yet: re-read it (at most once a second).
    let directory = await deps.phoneNumbers.webhookDirectory();
    let signers = await signatures.matching(raw, signature, directory.signers);
    if (signers.length === 0) {
      directory = await deps.phoneNumbers.webhookDirectory({ fresh: 1000 });
      signers = await signatures.matching(raw, signature, directory.signers);
    }
    if (signers.length === 0) {
      deps.logger.warn({ bytes: raw.length }, 'whatsapp webhook rejected: bad signature');
      return sendError(reply, 'CONVERSA_ERR_WEBHOOK_SIGNATURE');
    }
    if (jsonDepthExceeds(raw, MAX_DEPTH)) {
      return sendError(reply, 'CONVERSA_ERR_VALIDATION', `body: nests deeper than ${MAX_DEPTH} levels`, { field: 'body', rule: `must nest at most ${MAX_DEPTH} levels deep` });
    }
    let payload: { object?: unknown; entry?: Array<{ id?: unknown }> };
    try {
      payload = JSON.parse(raw.toString('utf8')) as typeof payload;
    } catch {
      return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'body: is not valid JSON', { field: 'body', rule: 'must be valid JSON' });
    }
    const wabaId = Array.isArray(payload?.entry) && typeof payload.entry[0]?.id === 'string' ? payload.entry[0].id : undefined;
    if (!wabaId) {
      return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'entry[0].id: the WABA id is required', { field: 'entry[0].id', rule: 'is required' });
    }
    const verified = new Set(signers.flatMap((signer) => signer.workspaceIds));
    const events = splitWebhook(payload);
    let scoped = scopeWebhookEvents(events, verified, directory);
    if (scoped.dropped.length > 0 && deps.clock.now().getTime() - directory.at >= 1000) {
      directory = await deps.phoneNumbers.webhookDirectory({ fresh: 1000 });
      scoped = scopeWebhookEvents(events, new Set([...verified, ...(await signatures.matching(raw, signature, directory.signers)).flatMap((signer) => signer.workspaceIds)]), directory);
    }
    if (scoped.dropped.length > 0) {
      // Signed, but naming a WABA or number outside the signers' workspaces: never applied elsewhere.
      deps.logger.warn({ dropped: scoped.dropped.slice(0, 20), count: scoped.dropped.length, workspaces: [...verified] }, 'whatsapp webhook: events for a WABA or phone number outside the verifying workspaces dropped');
    }
    const counts = await Promise.all([...scoped.byWorkspace].map(([workspaceId, list]) => deps.inboundEvents.store(workspaceId, list)));
    const inserted = counts.reduce((sum, count) => sum + count, 0);
    if (inserted > 0) deps.eventsStored();
    if (deps.logger.isLevelEnabled('debug')) deps.logger.debug({ wabaId, events: events.length, inserted, dropped: scoped.dropped.length, summary: summarise(payload) }, 'whatsapp webhook stored (signature valid)');
    return reply.code(200).send('EVENT_RECEIVED');
  });
}

/** A one-line summary for the log: what kinds of events arrived, never their content. */
function summarise(payload: unknown): Record<string, number> {
  const counts: Record<string, number> = {};
  // The body is signed but not necessarily shaped like Meta's: any level may be missing or of another type.
  const entries: unknown = (payload as { entry?: unknown }).entry;
  for (const entry of Array.isArray(entries) ? (entries as Array<{ changes?: unknown } | null>) : []) {
    const changes = entry?.changes;
    for (const change of Array.isArray(changes) ? (changes as Array<{ field?: unknown; value?: Record<string, unknown> | null } | null>) : []) {
      for (const key of ['messages', 'statuses', 'errors']) {
        const list = change?.value?.[key];
        if (Array.isArray(list)) counts[key] = (counts[key] ?? 0) + list.length;
      }
      if (typeof change?.field === 'string' && change.field !== 'messages') counts[change.field] = (counts[change.field] ?? 0) + 1;
    }
  }
  return counts;
}
