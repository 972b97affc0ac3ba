import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasScope, type ApiKeyPrincipal, type ApiKeys, type Scope } from '../modules/api-keys/index.js';
import { sendError } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: ApiKeyPrincipal | null;
  }
  interface FastifyInstance {
    /**
     * A hook that admits API keys holding `scope` (or `admin`, which implies every scope of its
     * workspace but not `workspaces:admin`). Routes run it `onRequest`, so a request without a
     * valid key answers 401 before its body is parsed or validated. Without `scope`, any valid
     * key is admitted (`GET /api/v1/workspaces/current`).
     */
    requireScope(scope?: Scope): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

/** API-key authentication: `Authorization: Bearer <key>`; every route names the scope it needs. */
export function installAuth(app: FastifyInstance, apiKeys: ApiKeys): void {
  app.decorateRequest('principal', null);
  app.decorate('requireScope', (scope?: Scope) => async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    const key = header?.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : undefined;
    if (!key) {
      await sendError(reply, 'CONVERSA_ERR_UNAUTHENTICATED');
      return;
    }
    const principal = await apiKeys.authenticate(key);
    if (!principal) {
      await sendError(reply, 'CONVERSA_ERR_UNAUTHENTICATED', 'The API key is unknown or revoked.');
      return;
    }
    // Known from here on: a refused scope is recorded in the audit log as denied.
    request.auditActor = { type: 'api_key', id: principal.keyId, label: principal.name, workspaceId: principal.workspaceId };
    if (scope && !hasScope(principal.scopes, scope)) {
      await sendError(reply, 'CONVERSA_ERR_FORBIDDEN', `This API key lacks the "${scope}" scope.`, { scope });
      return;
    }
    request.principal = principal;
  });
}

/** The authenticated principal of a route that ran `requireScope`. */
export function principalOf(request: FastifyRequest): ApiKeyPrincipal {
  if (!request.principal) throw new Error('principalOf() called on a route without requireScope()');
  return request.principal;
}
