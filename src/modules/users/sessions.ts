import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { realClock } from '../../clock/index.js';
import type { Schema } from '../../db/index.js';
import { hashToken, safeEqual } from '../../security/index.js';

/** A session ends after this long without a request (sliding). */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** ... and at the latest this long after sign-in, however busy. */
export const SESSION_MAX_MS = 7 * 24 * 60 * 60 * 1000;
// `last_seen_at`/`expires_at` are written at most this often per session, not on every request.
const TOUCH_RESOLUTION_MS = 60_000;

export interface SessionTokens {
  /** The cookie's value: 32 random bytes, base64url. Only its SHA-256 is stored. */
  token: string;
  /** The `x-csrf-token` unsafe requests must carry: an HMAC of the token with the installation's secret. */
  csrfToken: string;
  /** `user_sessions.id` (the token's SHA-256). */
  id: string;
  expiresAt: string;
}

export interface ActiveSession {
  id: string;
  userId: string;
  expiresAt: string;
}

/**
 * Browser sessions of the agent inbox. The token lives only in the browser's cookie; the table
 * keeps its SHA-256, so a database leak holds no usable session. The CSRF token is derived from
 * the session token (HMAC-SHA256 with a key derived from the installation's secret key), so it
 * needs no column and any node can check it.
 */
export class Sessions {
  readonly #db: Kysely<Schema>;
  readonly #now: () => Date;
  readonly #csrfKey: Buffer;

  constructor(deps: { db: Kysely<Schema>; secretKey: string; now?: () => Date }) {
    this.#db = deps.db;
    this.#now = deps.now ?? (() => realClock.now());
    this.#csrfKey = createHmac('sha256', deps.secretKey).update('conversa session csrf v1').digest();
  }

  /** Signs a person in: a new session, its cookie token and CSRF token. Drops their expired sessions. */
  async create(userId: string): Promise<SessionTokens> {
    const token = randomBytes(32).toString('base64url');
    const now = this.#now();
    const id = hashToken(token);
    const expiresAt = new Date(now.getTime() + SESSION_IDLE_MS).toISOString();
    await this.#db.deleteFrom('user_sessions').where('user_id', '=', userId).where('expires_at', '<=', now.toISOString()).execute();
    await this.#db.insertInto('user_sessions').values({ id, user_id: userId, created_at: now.toISOString(), expires_at: expiresAt, last_seen_at: now.toISOString() }).execute();
    return { token, csrfToken: this.csrfTokenOf(token), id, expiresAt };
  }

  /**
   * The live session of a cookie token, sliding its expiry forward (written at most once a
   * minute); undefined for an unknown, expired or too old session.
   */
  async resolve(token: string): Promise<ActiveSession | undefined> {
    if (token.length === 0 || token.length > 128) return undefined;
    const id = hashToken(token);
    const now = this.#now();
    const row = await this.#db.selectFrom('user_sessions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const hardEnd = new Date(new Date(row.created_at).getTime() + SESSION_MAX_MS).toISOString();
    if (row.expires_at <= now.toISOString() || hardEnd <= now.toISOString()) {
      await this.#db.deleteFrom('user_sessions').where('id', '=', id).execute();
      return undefined;
    }
    let expiresAt = row.expires_at;
    if (now.getTime() - new Date(row.last_seen_at).getTime() >= TOUCH_RESOLUTION_MS) {
      expiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_MS, new Date(hardEnd).getTime())).toISOString();
      await this.#db.updateTable('user_sessions').set({ last_seen_at: now.toISOString(), expires_at: expiresAt }).where('id', '=', id).execute();
    }
    return { id, userId: row.user_id, expiresAt };
  }

  /** The CSRF token of a session token. */
  csrfTokenOf(token: string): string {
    return createHmac('sha256', this.#csrfKey).update(token).digest('base64url');
  }

  /** Whether `presented` is the CSRF token of `token` (constant time). */
  checkCsrf(token: string, presented: string | undefined): boolean {
    return presented !== undefined && presented.length > 0 && safeEqual(this.csrfTokenOf(token), presented);
  }

  /** Ends one session (sign-out); unknown tokens change nothing. */
  async revoke(token: string): Promise<void> {
    await this.#db.deleteFrom('user_sessions').where('id', '=', hashToken(token)).execute();
  }
}
