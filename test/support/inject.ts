import type { FastifyInstance } from 'fastify';
import type { RestClient } from './http.js';
import type { Json } from './wait.js';

/**
 * The same client as `restClient` (test/support/http.ts), but through Fastify's `inject()`: the
 * request goes straight into the server's router, hooks and serializers, with no socket and no
 * fetch. Use it for calls that only need the API; the server's own outgoing calls (the sandbox's
 * webhooks to the platform, the dispatcher's sends to the sandbox) still go over real HTTP.
 *
 * `server` is a function because the app is started in `beforeAll` and may be restarted.
 */
export function injectClient(server: () => FastifyInstance, prefix: string, token: string | null): RestClient {
  return async (method, path, body, options = {}) => {
    const bearer = options.token === undefined ? token : options.token;
    const raw = typeof body === 'string' || body instanceof Uint8Array;
    const contentType = body === undefined || body instanceof FormData ? null : raw ? (options.contentType === undefined ? 'application/json' : options.contentType) : 'application/json';
    const target = server();
    // The Host a socket client would send (inject's default is localhost:80): URLs the server
    // builds from it (media URLs, links) must stay reachable.
    const address = target.server.address();
    const host = address && typeof address === 'object' ? `127.0.0.1:${address.port}` : 'localhost';
    const response = await target.inject({
      method: method as 'GET',
      url: `${prefix}${path}`,
      headers: { host, ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }), ...(contentType === null ? {} : { 'content-type': contentType }), ...options.headers },
      ...(body === undefined ? {} : { payload: raw ? Buffer.from(body as string | Uint8Array) : body instanceof FormData ? body : JSON.stringify(body) }),
    });
    const text = response.body;
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) headers.append(name, String(one));
    }
    let parsed: Json = text === '' ? undefined : text;
    if (text !== '' && /[/+]json\b/i.test(headers.get('content-type') ?? '')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error(`${method} ${path} answered ${response.statusCode} with a JSON content type but a body that is not JSON: ${text.slice(0, 200)}`);
      }
    }
    return { status: response.statusCode, body: parsed, headers, text };
  };
}

/**
 * Whether `inject()` would receive `url` exactly as a socket client sends it. inject parses the
 * URL with `new URL`, which resolves `../` and re-encodes some characters: a probe whose path is
 * the point (`/contacts/../../etc`, `%zz`) must go over a socket (test/support/bad-input.ts `send`).
 */
export function injectKeepsUrl(url: string): boolean {
  try {
    const parsed = new URL(url, 'http://localhost');
    return `${parsed.pathname}${parsed.search}` === url;
  } catch {
    return false;
  }
}

/** test/support/bad-input.ts `send`, through `inject()` (only for URLs `injectKeepsUrl` accepts). */
export async function injectSend(server: FastifyInstance, probe: { method: string; url: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<{ status: number; text: string; json: unknown; contentType: string | undefined }> {
  const response = await server.inject({ method: probe.method as 'GET', url: probe.url, headers: probe.headers ?? {}, ...(probe.body === undefined ? {} : { payload: probe.body }) });
  const text = response.body;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const contentType = response.headers['content-type'];
  return { status: response.statusCode, text, json, contentType: contentType === undefined ? undefined : String(contentType) };
}
