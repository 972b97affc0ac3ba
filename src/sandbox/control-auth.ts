import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The header that carries the control token when `Authorization` is taken (e.g. by a proxy). */
export const CONTROL_TOKEN_HEADER = 'x-sandbox-control-token';

/**
 * True when `host` only accepts connections from this machine: `localhost`, 127.0.0.0/8, `::1`
 * (and its IPv4-mapped form). A name or a wildcard (`0.0.0.0`, `::`) counts as reachable from elsewhere.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare) || bare === '0:0:0:0:0:0:0:1';
  return false;
}

/** A fresh control token (32 url-safe characters). */
export function generateControlToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The `onRequest` check of the control API: when a token is required (`expected()` answers
 * one), the request must carry it as `Authorization: Bearer <token>` or `X-Sandbox-Control-Token`.
 * Both sides are hashed before a constant-time comparison, so neither the token nor its length
 * leaks through timing.
 */
export function requireControlToken(expected: () => string | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const token = expected();
    if (token === undefined) return undefined;
    const given = controlTokenOf(request);
    if (given !== undefined && sameToken(given, token)) return undefined;
    const rule = given === undefined ? 'is required' : 'does not match';
    return reply.code(401).send({
      error: {
        code: 'SANDBOX_ERR_UNAUTHORIZED',
        message: `The sandbox control API needs its token (SANDBOX_CONTROL_TOKEN, or the one printed at start): send "Authorization: Bearer <token>" or "X-Sandbox-Control-Token: <token>". ${given === undefined ? 'This request carried none.' : 'The token sent does not match.'}`,
        details: { field: 'authorization', rule: `the control token ${rule}` },
      },
    });
  };
}

function controlTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers[CONTROL_TOKEN_HEADER];
  if (typeof header === 'string' && header.trim()) return header.trim();
  const authorization = request.headers.authorization;
  if (authorization?.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim() || undefined;
  return undefined;
}

function sameToken(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
