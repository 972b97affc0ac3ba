import { Agent, errors as undiciErrors, request } from 'undici';
import type { GraphErrorResponse, SendMessageRequest, SendMessageResponse, TemplateRecord } from './wire.js';

/** Where and how to reach the Graph API for one phone number. */
export interface GraphEndpoint {
  baseUrl: string;
  version: string;
  accessToken: string;
}

/**
 * The outcome of a Graph call as a value. `unknown` means the request may have reached Meta
 * but no answer came back (timeout, connection reset after sending): the caller must not assume
 * it failed, since a resend could deliver the message twice.
 */
export type GraphResult<T> =
  | { ok: true; value: T }
  | { ok: false; kind: 'error'; status: number; code: number; title: string; details: string; transient: boolean }
  | { ok: false; kind: 'unreachable'; reason: string }
  | { ok: false; kind: 'unknown'; reason: string };

/** Meta codes that succeed on a later try (cloud-api-facts.md §3.2, §5.1). */
const TRANSIENT_CODES = new Set([1, 2, 4, 80007, 130429, 131000, 131016, 131056, 131057, 133004]);

/**
 * A typed client for the Graph calls the platform makes, over undici with keep-alive. The
 * endpoint (Meta or the sandbox) comes per call from the phone number's connection.
 */
export class WhatsAppClient {
  readonly #agent: Agent;

  constructor(options: { timeoutMs?: number; connections?: number } = {}) {
    const timeout = options.timeoutMs ?? 20_000;
    this.#agent = new Agent({ connections: options.connections ?? 256, keepAliveTimeout: 30_000, headersTimeout: timeout, bodyTimeout: timeout, connectTimeout: 10_000 });
  }

  /** `POST /{phone-number-id}/messages`. */
  sendMessage(endpoint: GraphEndpoint, phoneNumberId: string, message: SendMessageRequest): Promise<GraphResult<SendMessageResponse>> {
    return this.#call(endpoint, 'POST', `/${phoneNumberId}/messages`, message);
  }

  /** `POST /{phone-number-id}/messages` marking an inbound message as read. */
  markRead(endpoint: GraphEndpoint, phoneNumberId: string, wamid: string): Promise<GraphResult<{ success: boolean }>> {
    return this.#call(endpoint, 'POST', `/${phoneNumberId}/messages`, { messaging_product: 'whatsapp', status: 'read', message_id: wamid });
  }

  /** `GET /{waba-id}/message_templates`, following the cursor to the end. */
  async listTemplates(endpoint: GraphEndpoint, wabaId: string): Promise<GraphResult<TemplateRecord[]>> {
    const all: TemplateRecord[] = [];
    let after: string | undefined;
    for (let page = 0; page < 100; page += 1) {
      const query = `?limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      const result = await this.#call<{ data: TemplateRecord[]; paging?: { cursors?: { after?: string }; next?: string } }>(endpoint, 'GET', `/${wabaId}/message_templates${query}`);
      if (!result.ok) return result;
      all.push(...result.value.data);
      if (!result.value.paging?.next) break;
      after = result.value.paging.cursors?.after;
    }
    return { ok: true, value: all };
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  async #call<T>(endpoint: GraphEndpoint, method: 'GET' | 'POST', path: string, body?: unknown): Promise<GraphResult<T>> {
    const url = `${endpoint.baseUrl}/${endpoint.version}${path}`;
    let sent = false;
    try {
      const response = await request(url, {
        method,
        dispatcher: this.#agent,
        headers: { authorization: `Bearer ${endpoint.accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      sent = true;
      const text = await response.body.text();
      const parsed = parseJson(text);
      if (response.statusCode >= 200 && response.statusCode < 300) return { ok: true, value: parsed as T };
      const error = (parsed as GraphErrorResponse | undefined)?.error;
      const code = typeof error?.code === 'number' ? error.code : 0;
      const details = typeof error?.error_data === 'object' ? error.error_data.details : typeof error?.error_data === 'string' ? error.error_data : (error?.message ?? text.slice(0, 300));
      return {
        ok: false,
        kind: 'error',
        status: response.statusCode,
        code,
        title: error?.message?.replace(/^\(#\d+\)\s*/, '') ?? `HTTP ${response.statusCode}`,
        details,
        transient: error?.is_transient === true || TRANSIENT_CODES.has(code) || response.statusCode >= 500 || response.statusCode === 429,
      };
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (sent) return { ok: false, kind: 'unknown', reason };
      const code = (error as { code?: string }).code;
      // Refused or not connected: the request never left, so a retry cannot duplicate it.
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || error instanceof undiciErrors.ConnectTimeoutError) {
        return { ok: false, kind: 'unreachable', reason };
      }
      return { ok: false, kind: 'unknown', reason };
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
