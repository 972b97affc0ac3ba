import { ConfigError, loadCliConfig } from '../config/index.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- API answers are read field by field

/**
 * The REST API of a running Conversa, as the CLI commands call it. The server is found the way
 * it was started: `--url`, else CONVERSA_URL, else `http://HOST:PORT` (see `loadCliConfig`).
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly key: string,
    /** What chose `baseUrl`: named when the server cannot be reached. */
    readonly urlFrom: '--url' | 'CONVERSA_URL' | 'PORT/HOST' = '--url',
  ) {}

  async call(method: string, path: string, body?: unknown, contentType = 'application/json', extra: RequestInit = {}): Promise<{ ok: boolean; status: number; body: Json }> {
    const response = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${this.key}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
      ...(body === undefined ? {} : { body: contentType === 'application/json' ? JSON.stringify(body) : (body as RequestInit['body']) }),
      ...extra,
    });
    const text = await response.text();
    let parsed: Json;
    try {
      parsed = JSON.parse(text) as Json;
    } catch {
      parsed = { error: { code: `HTTP_${response.status}`, message: text.slice(0, 500) } };
    }
    return { ok: response.ok, status: response.status, body: parsed };
  }

  /** The raw answer of a call, for a body that is not JSON (a file to stream). */
  async fetch(method: string, path: string): Promise<Response> {
    return fetch(`${this.baseUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${this.key}` } });
  }

  /** What to print when a call threw (the server is down, or elsewhere): the URL tried and the setting that chose it. */
  unreachable(error: unknown): string {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    const hint =
      this.urlFrom === '--url'
        ? 'Check the --url option.'
        : this.urlFrom === 'CONVERSA_URL'
          ? 'CONVERSA_URL chose this URL: set it to the address of the running server.'
          : 'No CONVERSA_URL is set, so the URL comes from PORT (default 3000) and HOST, as `conversa serve` uses them: set CONVERSA_URL to the address of the running server.';
    return `Could not reach Conversa at ${this.baseUrl} (${reason}). ${hint}`;
  }
}

/**
 * The client for a command's options and environment, or the usage error to print (exit 2).
 * The key is `--api-key`, else CONVERSA_API_KEY, else CONVERSA_ADMIN_KEY.
 */
export function apiClientFor(options: { url?: string | undefined; apiKey?: string | undefined }, env: Record<string, string | undefined>): { ok: true; api: ApiClient } | { ok: false; message: string } {
  let cli;
  try {
    cli = loadCliConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, message: error.message };
    throw error;
  }
  const apiKey = options.apiKey ?? cli.apiKey;
  if (!apiKey) return { ok: false, message: 'No API key: pass --api-key or set CONVERSA_API_KEY (or CONVERSA_ADMIN_KEY, as the server was started with).' };
  const url = options.url ?? cli.url;
  return { ok: true, api: new ApiClient(url.replace(/\/+$/, ''), apiKey, options.url ? '--url' : cli.urlFrom) };
}
