import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIPv4 } from 'node:net';
import { MEDIA_RULES, contentMatches } from './media-store.js';

/** How long the sandbox waits for a media link, connection to last byte (Meta's is unpublished). */
export const MEDIA_LINK_TIMEOUT_MS = 10_000;

export type MediaKind = keyof typeof MEDIA_RULES;

export type LinkCheck = { ok: true; mimeType: string; size: number } | { ok: false; details: string };

/**
 * Fetches a media `link` of an outbound message the way Meta does before delivering it, and
 * checks the answer like an upload: HTTP 200, a Content-Type among Meta's types for the kind,
 * at most the kind's size limit, content matching the type. Never rejects: every problem is a
 * `details` text for Meta's 131053 (media upload error).
 *
 * The sandbox fetches ONLY loopback addresses: `localhost` (connected as 127.0.0.1, no DNS),
 * IPv4 127.0.0.0/8 and `[::1]`. A link to any other host is not fetched and counts as
 * unreachable, so a sandbox can never be made to call into a network. Redirects are not
 * followed; the body is read up to the size limit and discarded; the whole fetch is bounded by
 * `timeoutMs` and ends when `signal` aborts (the sandbox closing).
 *
 * @example
 * await checkMediaLink('http://127.0.0.1:8080/a.png', 'image')   // → { ok: true, mimeType: 'image/png', size: 1234 }
 * await checkMediaLink('https://example.com/a.png', 'image')      // → { ok: false, details: '... only loopback ...' }
 */
export async function checkMediaLink(
  link: string,
  kind: MediaKind,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<LinkCheck> {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return { ok: false, details: `${kind}.link: ${link} is not a valid URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, details: `${kind}.link: only http and https links can be fetched` };
  }
  const address = loopbackAddressOf(url.hostname);
  if (!address) {
    return {
      ok: false,
      details: `${kind}.link: ${url.hostname} could not be reached (the Conversa sandbox fetches only loopback addresses: 127.0.0.0/8, ::1, localhost)`,
    };
  }
  return fetchAndCheck(url, address, kind, options.timeoutMs ?? MEDIA_LINK_TIMEOUT_MS, options.signal);
}

/** The address to connect to when `hostname` (as `URL` writes it) is loopback, else undefined. */
export function loopbackAddressOf(hostname: string): string | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost') return '127.0.0.1';
  if (host === '[::1]') return '::1';
  if (isIPv4(host) && host.startsWith('127.')) return host;
  return undefined;
}

function fetchAndCheck(url: URL, address: string, kind: MediaKind, timeoutMs: number, signal: AbortSignal | undefined): Promise<LinkCheck> {
  const rule = MEDIA_RULES[kind];
  const allowed: readonly string[] = rule.types;
  return new Promise<LinkCheck>((resolve) => {
    let settled = false;
    const finish = (result: LinkCheck): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      request.destroy();
      resolve(result);
    };
    const onAbort = (): void => finish({ ok: false, details: `${kind}.link: the fetch was cancelled` });
    const timer = setTimeout(() => finish({ ok: false, details: `${kind}.link: no complete answer within ${timeoutMs} ms` }), timeoutMs);
    timer.unref();

    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send({
      host: address,
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: { host: url.host, 'user-agent': 'conversa-sandbox (media link check)' },
      // TLS checks the certificate against the name in the link, not the address connected to.
      ...(url.protocol === 'https:' && url.hostname.toLowerCase().startsWith('localhost') ? { servername: 'localhost' } : {}),
    });
    request.on('error', (error) => finish({ ok: false, details: `${kind}.link: ${url.host} could not be reached (${error.message})` }));
    request.on('response', (response: IncomingMessage) => {
      if (response.statusCode !== 200) {
        finish({ ok: false, details: `${kind}.link: the server answered HTTP ${response.statusCode} (redirects are not followed)` });
        return;
      }
      const mimeType = (response.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (!allowed.includes(mimeType)) {
        finish({ ok: false, details: `${kind}.link: Content-Type ${mimeType || '(none)'} is not one of ${allowed.join(', ')}` });
        return;
      }
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > rule.maxBytes) {
        finish({ ok: false, details: `${kind}.link: ${kind} files may be at most ${rule.maxBytes} bytes; this one has ${declared}` });
        return;
      }
      let size = 0;
      let head = Buffer.alloc(0);
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (head.length < 16) head = Buffer.concat([head, chunk]).subarray(0, 16);
        if (size > rule.maxBytes) finish({ ok: false, details: `${kind}.link: ${kind} files may be at most ${rule.maxBytes} bytes; this one is larger` });
      });
      response.on('error', (error) => finish({ ok: false, details: `${kind}.link: the download failed (${error.message})` }));
      response.on('end', () => {
        if (size === 0) finish({ ok: false, details: `${kind}.link: the file is empty` });
        else if (!contentMatches(mimeType, head)) finish({ ok: false, details: `${kind}.link: the content is not a valid ${mimeType} file` });
        else finish({ ok: true, mimeType, size });
      });
    });
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    request.end();
  });
}
