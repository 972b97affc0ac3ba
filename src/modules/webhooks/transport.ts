import { Agent, request } from 'undici';

/** The answer of a consumer's endpoint, or why there was none. */
export type PostOutcome = { ok: true; status: number; body: string } | { ok: false; error: string };

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
}

/** Keeps at most this much of an answer's body, for the delivery log. */
const BODY_SNIPPET_BYTES = 512;

/**
 * POSTs webhooks with undici: keep-alive, connect and answer timeouts, no redirects followed
 * (a 3xx is a failed attempt: the consumer should give the final URL).
 */
export class UndiciWebhookTransport implements WebhookTransport {
  readonly #agent: Agent;

  constructor(options: TransportOptions = {}) {
    const timeout = options.timeoutMs ?? 15_000;
    this.#agent = new Agent({ connections: 64, keepAliveTimeout: 30_000, connectTimeout: options.connectTimeoutMs ?? 10_000, headersTimeout: timeout, bodyTimeout: timeout });
  }

  async post(url: string, body: string, headers: Record<string, string>): Promise<PostOutcome> {
    try {
      const response = await request(url, { method: 'POST', dispatcher: this.#agent, headers, body });
      return { ok: true, status: response.statusCode, body: await readSnippet(response.body) };
    } catch (error) {
      const code = (error as { code?: string }).code;
      return { ok: false, error: `${code ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}` };
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
