import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { request, type Agent } from 'undici';
import type { Clock } from '../../clock/index.js';
import type { Capabilities, Schema } from '../../db/index.js';
import { claimDue, leaseFrom, PollingLoop } from '../../jobs/index.js';
import { checkOutboundUrl, createGuardedAgent, isOutboundBlocked } from '../../security/index.js';
import type { Chatbot } from './chatbot.js';
import type { Flows } from './flows.js';
import type { Effect, EffectResult } from './engine/types.js';

export interface BotTaskDeps {
  db: Kysely<Schema>;
  capabilities: Capabilities;
  chatbot: Chatbot;
  flows: Flows;
  clock: Clock;
  logger: Logger;
  /** CONVERSA_FLOWS_ALLOW_PRIVATE: HTTP steps may call loopback and private networks (default false). */
  allowPrivate: boolean;
  /**
   * The platform's own demo API (`/demo/…`, served with the embedded sandbox): the one
   * loopback origin HTTP steps may call without `allowPrivate`, and only under `/demo/`.
   */
  demoOrigin?: () => string | undefined;
  /** "typing…" on the conversation while an HTTP step runs (best effort). */
  typing: (workspaceId: string, conversationId: string) => Promise<void>;
  /** Something was queued or stored: wake the dispatcher (after the commit). */
  committed: () => void;
  pollMs?: number;
}

const LEASE_MS = 60_000;
/** An HTTP step's answer is read up to this size; more fails the step. */
const MAX_BODY_BYTES = 256 * 1024;
const SECRET_REF = /\{\{\s*secrets\.([A-Z][A-Z0-9_]{0,63})\s*\}\}/g;

interface TaskRow {
  id: string;
  workspace_id: string;
  conversation_id: string;
  kind: string;
  effect_id: string;
  payload: string;
  due_at: string;
  attempts: number;
}

/**
 * Runs the engine's effects that cannot happen inside a transaction — HTTP steps (through the
 * same SSRF guard as outbound webhooks, with the step's timeout and retries, secrets filled in
 * only here) and waits — and feeds each result back to its session in a transaction that also
 * marks the task done: a crash repeats the call, never the answer. Also ends sessions whose
 * idle time ran out. A job like the others (docs/architecture-jobs.md): claimed with a lease.
 */
export class BotTasks {
  readonly #loop: PollingLoop;
  readonly #guarded: Agent;
  readonly #open: Agent;

  constructor(private readonly deps: BotTaskDeps) {
    this.#loop = new PollingLoop(() => this.drain(), deps.pollMs ?? 1000, deps.logger, 'bot tasks');
    this.#guarded = createGuardedAgent({ allowPrivate: deps.allowPrivate }, { connections: 32, connectTimeoutMs: 10_000 });
    this.#open = createGuardedAgent({ allowPrivate: true }, { connections: 4, connectTimeoutMs: 5_000 });
  }

  start(): void {
    this.#loop.start();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
    await Promise.all([this.#guarded.close(), this.#open.close()]);
  }

  wake(): void {
    this.#loop.wake();
  }

  /** Runs due tasks and expired sessions; answers how many it handled. */
  async drain(limit = 20): Promise<number> {
    const now = this.deps.clock.latest();
    const lease = leaseFrom(this.deps.clock.now(), LEASE_MS);
    const tasks = (await claimDue(this.deps.db, this.deps.capabilities, {
      limit,
      due: (db) =>
        db
          .selectFrom('bot_tasks')
          .select('id')
          .where('done_at', 'is', null)
          .where('due_at', '<=', now.toISOString())
          .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', lease.at)]))
          .orderBy('due_at'),
      take: (trx, keys) =>
        trx
          .updateTable('bot_tasks')
          .set((eb) => ({ claimed_until: lease.until, attempts: eb('attempts', '+', 1) }))
          .where('id', 'in', keys.map((k) => k.id))
          .returning(['id', 'workspace_id', 'conversation_id', 'kind', 'effect_id', 'payload', 'due_at', 'attempts'])
          .execute(),
    })) as TaskRow[];
    await Promise.all(tasks.map((task) => this.#runTask(task)));
    const expired = await claimDue(this.deps.db, this.deps.capabilities, {
      limit,
      due: (db) =>
        db
          .selectFrom('bot_sessions')
          .select('conversation_id')
          .where('expires_at', '<=', now.toISOString())
          .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', lease.at)]))
          .orderBy('expires_at'),
      take: (trx, keys) =>
        trx
          .updateTable('bot_sessions')
          .set({ claimed_until: lease.until })
          .where('conversation_id', 'in', keys.map((k) => k.conversation_id))
          .returning(['conversation_id'])
          .execute(),
    });
    for (const session of expired) {
      try {
        await this.deps.db.transaction().execute(async (trx) => {
          await this.deps.chatbot.expire(session.conversation_id, trx);
          await trx.updateTable('bot_sessions').set({ claimed_until: null }).where('conversation_id', '=', session.conversation_id).execute();
        });
        this.deps.committed();
      } catch (error) {
        this.deps.logger.error({ err: error, conversationId: session.conversation_id }, 'bot session timeout failed; will retry');
      }
    }
    return tasks.length + expired.length;
  }

  async #runTask(task: TaskRow): Promise<void> {
    try {
      const effect = JSON.parse(task.payload) as Effect;
      let result: EffectResult;
      if (effect.type === 'wait') result = { ok: true, elapsed: true };
      else if (effect.type === 'http') {
        void this.deps.typing(task.workspace_id, task.conversation_id).catch(() => undefined);
        result = await this.#http(task.workspace_id, effect.request);
      } else result = { ok: false, error: `unknown task kind ${task.kind}` };
      await this.deps.db.transaction().execute(async (trx) => {
        // Done in the same transaction as its effect on the session: once, or again after a crash.
        const marked = await trx.updateTable('bot_tasks').set({ done_at: this.deps.clock.now().toISOString(), claimed_until: null }).where('id', '=', task.id).where('done_at', 'is', null).executeTakeFirst();
        if (Number(marked.numUpdatedRows) !== 1) return;
        await this.deps.chatbot.resume(task, result, trx);
      });
      this.deps.committed();
    } catch (error) {
      this.deps.logger.error({ err: error, taskId: task.id }, 'bot task failed; will retry');
      await this.deps.db
        .updateTable('bot_tasks')
        .set({ last_error: (error instanceof Error ? error.message : String(error)).slice(0, 1000), claimed_until: new Date(this.deps.clock.now().getTime() + Math.min(60_000, 1000 * 2 ** task.attempts)).toISOString() })
        .where('id', '=', task.id)
        .execute();
    }
  }

  /** Calls the company's API as the step says, secrets filled in here and nowhere else. */
  async #http(workspaceId: string, step: Extract<Effect, { type: 'http' }>['request']): Promise<EffectResult> {
    const names = new Set<string>();
    const collect = (text: string) => {
      for (const match of text.matchAll(SECRET_REF)) names.add(match[1]!);
    };
    collect(step.url);
    for (const value of Object.values(step.headers)) collect(value);
    const bodyText = step.body === undefined ? undefined : JSON.stringify(step.body);
    if (bodyText) collect(bodyText);
    const secrets = await this.deps.flows.secrets(workspaceId, [...names]);
    const missing = [...names].filter((name) => !secrets.has(name));
    if (missing.length > 0) return { ok: false, error: `secret ${missing.join(', ')} is not set (POST /api/v1/flow-secrets)` };
    const fill = (text: string) => text.replace(SECRET_REF, (_m, name: string) => secrets.get(name) ?? '');
    const fillJson = (text: string) => text.replace(SECRET_REF, (_m, name: string) => JSON.stringify(secrets.get(name) ?? '').slice(1, -1));
    const url = fill(step.url);
    const demo = this.deps.demoOrigin?.();
    let self = false;
    try {
      const parsed = new URL(url);
      self = demo !== undefined && parsed.origin === demo && parsed.pathname.startsWith('/demo/');
    } catch {
      return { ok: false, error: 'the URL is not a valid absolute URL' };
    }
    if (!self) {
      const checked = checkOutboundUrl(url, { allowPrivate: this.deps.allowPrivate });
      if (!checked.ok) return { ok: false, error: `the URL is refused (${checked.reason}: it ${checked.rule})` };
    }
    const headers: Record<string, string> = { 'user-agent': 'Conversa-Flows/1', accept: 'application/json' };
    for (const [name, value] of Object.entries(step.headers)) headers[name.toLowerCase()] = fill(value);
    if (bodyText !== undefined) headers['content-type'] ??= 'application/json';
    let last: EffectResult = { ok: false, error: 'not called' };
    for (let attempt = 0; attempt <= step.retries; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 200 * 2 ** (attempt - 1))));
      try {
        const response = await request(url, {
          method: step.method as 'GET',
          headers,
          ...(bodyText !== undefined && step.method !== 'GET' ? { body: fillJson(bodyText) } : {}),
          dispatcher: self ? this.#open : this.#guarded,
          headersTimeout: step.timeout_ms,
          bodyTimeout: step.timeout_ms,
          signal: AbortSignal.timeout(step.timeout_ms),
        });
        const raw = await readLimited(response.body);
        if (raw === undefined) return { ok: false, error: `the answer is over ${MAX_BODY_BYTES / 1024} KB`, status: response.statusCode };
        const type = String(response.headers['content-type'] ?? '');
        let body: unknown = raw;
        if (type.includes('json')) {
          try {
            body = JSON.parse(raw) as unknown;
          } catch {
            body = raw;
          }
        }
        const answerHeaders = Object.fromEntries(Object.entries(response.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
        if (response.statusCode < 400) return { ok: true, status: response.statusCode, body, headers: answerHeaders };
        last = { ok: false, error: `HTTP ${response.statusCode}`, status: response.statusCode, body };
        if (response.statusCode < 500 && response.statusCode !== 429) return last;
      } catch (error) {
        if (isOutboundBlocked(error)) return { ok: false, error: 'the URL resolves to an address the server does not call' };
        const name = (error as { name?: string }).name;
        last = { ok: false, error: name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${step.timeout_ms} ms` : `the call failed (${(error as { code?: string }).code ?? name ?? 'error'})` };
      }
    }
    return last;
  }
}

async function readLimited(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return undefined;
      chunks.push(chunk);
    }
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}
