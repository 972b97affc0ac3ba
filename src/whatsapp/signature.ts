import { createHmac, timingSafeEqual, webcrypto } from 'node:crypto';

/**
 * Checks Meta's `X-Hub-Signature-256` header (`sha256=<hex>`) against the HMAC-SHA256 of the
 * raw request bytes keyed with the app secret, in constant time. Hash the bytes as received:
 * re-serialised JSON does not match what Meta signed.
 */
export function verifyWebhookSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  const given = parseSignatureHeader(header);
  if (!given) return false;
  return timingSafeEqual(given, createHmac('sha256', appSecret).update(rawBody).digest());
}

/**
 * The 32 bytes of a well-formed `X-Hub-Signature-256` header (`sha256=` and 64 hex digits), or
 * undefined: a request without one can be refused before its body is even read.
 */
export function parseSignatureHeader(header: string | undefined): Buffer | undefined {
  if (header === undefined || header.length !== 71 || !/^sha256=[0-9a-fA-F]{64}$/.test(header)) return undefined;
  return Buffer.from(header.slice(7), 'hex');
}

/** Bodies above this are hashed on libuv's thread pool, so a big one never stalls the event loop. */
const OFF_THREAD_BYTES = 64 * 1024;

/**
 * Which of `secrets` signed `rawBody` (compared in constant time with the header's bytes from
 * {@link parseSignatureHeader}). Small bodies are hashed inline (the ingest hot path); large
 * ones through WebCrypto, which runs on the thread pool. Keys are imported once per secret.
 */
export class WebhookSignatureChecker {
  readonly #keys = new Map<string, Promise<webcrypto.CryptoKey>>();

  async matching<T extends { appSecret: string }>(rawBody: Buffer, given: Buffer, secrets: readonly T[]): Promise<T[]> {
    const matches: T[] = [];
    for (const secret of secrets) {
      const expected = rawBody.length <= OFF_THREAD_BYTES ? createHmac('sha256', secret.appSecret).update(rawBody).digest() : Buffer.from(await webcrypto.subtle.sign('HMAC', await this.#key(secret.appSecret), rawBody));
      if (timingSafeEqual(given, expected)) matches.push(secret);
    }
    return matches;
  }

  #key(secret: string): Promise<webcrypto.CryptoKey> {
    let key = this.#keys.get(secret);
    if (!key) {
      if (this.#keys.size > 1000) this.#keys.clear();
      key = webcrypto.subtle.importKey('raw', Buffer.from(secret, 'utf8'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      this.#keys.set(secret, key);
    }
    return key;
  }
}
