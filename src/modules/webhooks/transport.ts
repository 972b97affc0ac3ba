import type { lookup as dnsLookup } from 'node:dns';
import { request, type Agent } from 'undici';
import { checkOutboundUrl, createGuardedAgent, isOutboundBlocked } from '../../security/index.js';

/**
 * The answer of a consumer's endpoint, or why there was none. `permanent`: sending again cannot
 * help (the URL targets an address the SSRF guard refuses), so the delivery fails at once.
 */
export type PostOutcome = { ok: true; status: number; body: string } | { ok: false; error: string; permanent?: boolean };

/** The one HTTP call the delivery worker makes (undici in the app, a fake in tests). */
export interface WebhookTransport {
  post(url: string, body: string, headers: Record<string, string>): Promise<PostOutcome>;
  close(): Promise<void>;
}

export interface TransportOptions {
  /** Connecting may take this long (default 10 s). */
  connectTimeoutMs?: number;
  /** The answer (headers, then body) must come within this (default 15 s). */
  timeoutMs?: number;
  /** CONVERSA_WEBHOOKS_ALLOW_PRIVATE: deliver to loopback and private networks too (default false). */
  allowPrivate?: boolean;
  /** Replaces `dns.lookup` when connecting (tests: a name that resolves to 127.0.0.1). */
  lookup?: typeof dnsLookup;
}

/** Keeps at most this much of an answer's body: the delivery log shows no more of it (1 KB). */
export const BODY_SNIPPET_BYTES = 1024;

/**
 * POSTs webhooks with undici: keep-alive, connect and answer timeouts, no redirects followed
 * (a 3xx is a failed attempt: the consumer should give the final URL). Every connection goes
 * through the SSRF guard (src/security): the URL is checked before the request, and the
 * address a name resolves to when connecting, so a subscription cannot reach loopback,
 * private or metadata addresses unless `allowPrivate`.
 */
export class UndiciWebhookTransport implements WebhookTransport {
  readonly #agent: Agent;
  readonly #policy: { allowPrivate: boolean };

  constructor(options: TransportOptions = {}) {
    const timeout = options.timeoutMs ?? 15_000;
    this.#policy = { allowPrivate: options.allowPrivate ?? false };
    this.#agent = createGuardedAgent(this.#policy, {
      connections: 64,
      keepAliveTimeout: 30_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      ...(options.lookup ? { lookup: options.lookup } : {}),
    });
  }

  async post(url: string, body: string, headers: Record<string, string>): Promise<PostOutcome> {
    // Subscriptions stored before the guard existed are checked again here.
    const checked = checkOutboundUrl(url, this.#policy);
    if (!checked.ok) return { ok: false, error: `${checked.reason}: the URL ${checked.rule}`, permanent: true };
    try {
      const response = await request(url, { method: 'POST', dispatcher: this.#agent, headers, body });
      return { ok: true, status: response.statusCode, body: await readSnippet(response.body) };
    } catch (error) {
      const code = (error as { code?: string }).code;
      return { ok: false, error: `${code ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}`, ...(isOutboundBlocked(error) ? { permanent: true } : {}) };
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

async function readSnippet(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= BODY_SNIPPET_BYTES) break;
    }
  } catch {
    // The status code is what counts; a body cut short changes nothing.
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, BODY_SNIPPET_BYTES).toString('utf8');
}
