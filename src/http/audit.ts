import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditActor, AuditDetails, AuditEntry, AuditLog, AuditOutcome } from '../modules/audit/index.js';
import { classifyRequest, targetOf } from './audit-actions.js';

/** Who a request acts as, for the audit log: set as soon as the key or session is known. */
export interface RequestActor extends AuditActor {
  /** The workspace acted in; null for a failed sign-in with an unknown e-mail. */
  workspaceId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The actor the audit log records: set by `requireScope` once the key is valid and by
     * `requireUser` once the session is live, before their scope, CSRF and role checks (so a
     * refused request is recorded as `denied`); by the sign-in route for a sign-in attempt.
     */
    auditActor: RequestActor | null;
    /** What a route adds to its entry (a few short values: never a body, token or text). */
    auditDetails: AuditDetails | null;
  }
  interface FastifyInstance {
    /** Resolves once the audit entries of the requests answered so far are stored (tests, shutdown). */
    auditSettled(): Promise<void>;
  }
}

export interface AuditHookOptions {
  log: Pick<AuditLog, 'recordMany'>;
  /** CONVERSA_AUDIT_READS: also record routine reads of single records (default off). */
  reads: boolean;
}

// The start of an error answer, `{"error":{"code":"CONVERSA_ERR_…"`, and of a record, `{"id":"…"`.
const ERROR_CODE = /^\{"error":\{"code":"(CONVERSA_ERR_[A-Z_]{1,60})"/;
const CREATED_ID = /^\{"id":"([A-Za-z0-9_.:-]{1,100})"/;

/**
 * Records the audited requests of `/api/v1` and `/app/api` (docs/data-protection.md, "The audit
 * log"): after the answer is sent (`onResponse`), outside the request's own transaction, never
 * awaited by the client; the entries of one event-loop turn share one multi-row insert. What is recorded is decided by the route
 * pattern and method (`classifyRequest`); a request without a known actor (no valid key or
 * session) is not, except a sign-in attempt. A failed insert is logged, never answered.
 */
export function installAudit(app: FastifyInstance, options: AuditHookOptions): void {
  const pending = new Set<Promise<void>>();
  const createdIds = new WeakMap<FastifyRequest, string>();
  app.decorateRequest('auditActor', null);
  app.decorateRequest('auditDetails', null);
  app.decorate('auditSettled', async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  });
  // The answer's error code and a created record's id, read from the start of the serialised
  // payload (no parse) before it is sent; only for requests that may be recorded.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.auditActor === null || typeof payload !== 'string') return payload;
    const status = reply.statusCode;
    if (status >= 400) {
      const code = ERROR_CODE.exec(payload.slice(0, 80))?.[1];
      if (code) request.auditDetails = { ...request.auditDetails, error: code };
    } else if (request.method === 'POST' && (status === 200 || status === 201)) {
      // What a POST to a collection created or changed (an upsert answers 200): its id.
      const id = CREATED_ID.exec(payload.slice(0, 120))?.[1];
      if (id) createdIds.set(request, id);
    }
    return payload;
  });
  // The entries answered in one event-loop turn go in one multi-row insert (under load, one
  // statement for many requests; alone, one for one).
  let batch: AuditEntry[] = [];
  // One insert at a time, in the order the answers went out: two inserts side by side (on
  // PostgreSQL's pool) could give a later batch the lower ids, and the log is read newest first by id.
  let previous: Promise<void> = Promise.resolve();
  const flush = (): void => {
    const entries = batch;
    batch = [];
    const write = previous.then(() => options.log.recordMany(entries)).catch((error: unknown) => app.log.error({ err: error, actions: entries.map((entry) => entry.action) }, 'audit log: entries could not be stored'));
    previous = write;
    pending.add(write);
    void write.finally(() => pending.delete(write));
  };
  app.addHook('onResponse', async (request, reply) => {
    const entry = entryOf(request, reply, options.reads, createdIds.get(request));
    if (!entry) return;
    if (batch.length === 0) {
      const scheduled = new Promise<void>((resolve) => setImmediate(() => { flush(); resolve(); }));
      pending.add(scheduled);
      void scheduled.finally(() => pending.delete(scheduled));
    }
    batch.push(entry);
  });
  app.addHook('onClose', async () => {
    await app.auditSettled();
  });
}

function entryOf(request: FastifyRequest, reply: FastifyReply, reads: boolean, createdId: string | undefined): AuditEntry | undefined {
  const actor = request.auditActor;
  const route = request.routeOptions.url;
  if (!actor || !route) return undefined;
  const status = reply.statusCode;
  const found = classifyRequest(request.method, route, status);
  if (!found || found.kind === 'none' || (found.kind === 'read' && !reads)) return undefined;
  // A 404 names no record of the workspace: the id is only what the client sent (another
  // workspace's, a guess), so it is not kept as the target.
  const target = status === 404 ? undefined : (targetOf(route, request.params) ?? (createdId ? { type: resourceOf(route), id: createdId } : undefined));
  return {
    workspaceId: actor.workspaceId,
    actor: { type: actor.type, id: actor.id, label: actor.label },
    action: found.action,
    method: request.method,
    route,
    target: target ?? null,
    ip: request.ip,
    // A wrong password is a failed sign-in; too many of them (429) is a refusal.
    outcome: found.kind === 'sign_in' && status === 401 ? 'failed' : outcomeOf(status),
    statusCode: status,
    requestId: request.id,
    details: request.auditDetails,
  };
}

/** 2xx/3xx done; 401/403/429 refused; other 4xx invalid or impossible; 5xx broke. */
export function outcomeOf(status: number): AuditOutcome {
  if (status < 400) return 'success';
  if (status === 401 || status === 403 || status === 429) return 'denied';
  return status < 500 ? 'failed' : 'error';
}

// The first segment after the API's prefix: the kind of record a collection route creates.
function resourceOf(route: string): string {
  return (route.split('/').filter(Boolean)[2] ?? 'unknown').replace(/-/g, '_');
}
