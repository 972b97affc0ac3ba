/**
 * The app's one way to the server: JSON over fetch to /app/api with the session cookie
 * (same-origin) and, on unsafe methods, the session's CSRF token (`x-csrf-token`, from
 * GET/POST /app/api/session). A refusal becomes an ApiError carrying the server's code,
 * message and fix, which the screens show as they are.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fix?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | undefined;

/** Remembers the session's CSRF token (after a sign-in or GET /app/api/session). */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Calls `/app/api${path}`; answers the parsed JSON (undefined for 204), throws ApiError otherwise. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const isForm = typeof FormData !== 'undefined' && body instanceof FormData;
  if (body !== undefined && !isForm) headers['content-type'] = 'application/json';
  if (UNSAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/app/api${path}`, {
      method,
      credentials: 'same-origin',
      headers,
      ...(body === undefined ? {} : { body: isForm ? (body as FormData) : JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server cannot be reached.', 'Check your connection; the app retries on its own.');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined)?.error;
    const fix = typeof error?.details?.fix === 'string' ? error.details.fix : undefined;
    throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? (response.statusText || `HTTP ${response.status}`), fix, error?.details);
  }
  return json as T;
}

/** The message and fix of any error, for display. */
export function describeError(error: unknown): { message: string; fix?: string; code?: string } {
  if (error instanceof ApiError) return { message: error.message, code: error.code, ...(error.fix ? { fix: error.fix } : {}) };
  return { message: error instanceof Error ? error.message : String(error) };
}
