import { SANDBOX_TOKEN, TEST_ADMIN_KEY, type RunningApp } from './app.js';
import type { Json } from './wait.js';

/** What a REST call answered. */
export interface RestResponse {
  status: number;
  /**
   * The parsed body when the answer is JSON (by its content type), the text otherwise, and
   * undefined when the answer has no body (a 204, say).
   */
  body: Json;
  headers: Headers;
  /** The body exactly as received, for assertions on the raw bytes (no secret leaked, say). */
  text: string;
}

export interface RestOptions {
  /** Extra request headers (`idempotency-key`, ...); they win over the defaults. */
  headers?: Record<string, string>;
  /**
   * The content type of a string or byte body (default `application/json`); null sends none.
   * Ignored for a FormData body, whose multipart boundary fetch sets itself.
   */
  contentType?: string | null;
  /** Another bearer token for this one call (a key with fewer scopes, another workspace); null sends no authorization. */
  token?: string | null;
}

/**
 * `body`: a string or bytes are sent as they are (with `options.contentType`, JSON by default),
 * a FormData as multipart, anything else JSON-encoded; undefined sends no body.
 */
export type RestClient = (method: string, path: string, body?: unknown, options?: RestOptions) => Promise<RestResponse>;

/**
 * A small fetch wrapper for end-to-end tests: `client(method, path, body?, options?)` calls
 * `baseUrl() + path` with `Authorization: Bearer <token>` (none when token is null).
 *
 * `baseUrl` is a function because test files start the app in `beforeAll`, after the client is
 * made, and may restart it on another port.
 */
export function restClient(baseUrl: () => string, token: string | null): RestClient {
  return async (method, path, body, options = {}) => {
    const bearer = options.token === undefined ? token : options.token;
    const raw = typeof body === 'string' || body instanceof Uint8Array;
    const contentType = body === undefined || body instanceof FormData ? null : raw ? (options.contentType === undefined ? 'application/json' : options.contentType) : 'application/json';
    const response = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: { ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }), ...(contentType === null ? {} : { 'content-type': contentType }), ...options.headers },
      ...(body === undefined ? {} : { body: raw || body instanceof FormData ? (body as string | Uint8Array | FormData) : JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: Json = text === '' ? undefined : text;
    if (text !== '' && /[/+]json\b/i.test(response.headers.get('content-type') ?? '')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error(`${method} ${path} answered ${response.status} with a JSON content type but a body that is not JSON: ${text.slice(0, 200)}`);
      }
    }
    return { status: response.status, body: parsed, headers: response.headers, text };
  };
}

/** The platform's REST API: paths are under /api/v1 (`api('GET', '/contacts')`), with the test admin key unless `token`. */
export function platformApi(running: () => RunningApp, token: string = TEST_ADMIN_KEY): RestClient {
  return restClient(() => `${running().started.platformUrl}/api/v1`, token);
}

/**
 * The embedded sandbox, Graph API and control API alike: paths are whole
 * (`/v23.0/{waba}/message_templates`, `/sandbox/v1/phones/...`), with the sandbox's access token.
 */
export function sandboxApi(running: () => RunningApp): RestClient {
  return restClient(() => {
    const url = running().started.sandboxUrl;
    if (!url) throw new Error('this app runs without the embedded sandbox (no sandboxUrl)');
    return url;
  }, SANDBOX_TOKEN);
}

/**
 * What the sandbox (the provider) holds under its media id, fetched as any Cloud API client
 * would: `GET /{media-id}` for the URL, then the bytes with the access token.
 */
export async function providerMediaBytes(sandbox: RestClient, providerMediaId: string): Promise<Buffer> {
  const info = await sandbox('GET', `/v23.0/${providerMediaId}`);
  if (info.status !== 200) throw new Error(`GET /v23.0/${providerMediaId} answered ${info.status}: ${info.text.slice(0, 200)}`);
  const response = await fetch(info.body.url as string, { headers: { authorization: `Bearer ${SANDBOX_TOKEN}` } });
  if (response.status !== 200) throw new Error(`the media URL answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}
