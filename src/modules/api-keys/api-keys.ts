import type { Kysely } from 'kysely';
import { newId, type ApiKeysTable, type Schema } from '../../db/index.js';
import { hashToken, newToken } from '../../security/index.js';
import type { Scope } from './scopes.js';
import { realClock } from '../../clock/index.js';

export interface ApiKeyPrincipal {
  keyId: string;
  /** The key's name (what the audit log shows beside its id). */
  name: string;
  workspaceId: string;
  scopes: Scope[];
}

/** A key as listed: never its secret (not even its hash), only a prefix to recognise it by. */
export interface ApiKeyView {
  id: string;
  name: string;
  /** The first characters of the key (`cv_live_` and four more). */
  prefix: string;
  scopes: Scope[];
  created_at: string;
  /** When the key last authenticated a request; written at most once a minute per key. */
  last_used_at: string | null;
  revoked_at: string | null;
  /** Set on a key retired by a rotation: the id of the key that took its place. */
  replaced_by: string | null;
}

export interface CreatedApiKey {
  id: string;
  /** The key itself: shown once, never stored. */
  key: string;
  prefix: string;
  view: ApiKeyView;
}

const KEY_PREFIX = 'cv_live_';

/** How stale `last_used_at` may get before a request writes it again. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** API keys, stored as SHA-256 hashes; the plain key exists only in the creation answer. */
export class ApiKeys {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => Date = () => realClock.now(),
  ) {}

  /**
   * Creates a key for a workspace. Pass `key` to adopt a given value (CONVERSA_ADMIN_KEY);
   * otherwise a random `cv_live_...` key is generated. The caller checks the scopes.
   */
  async create(input: { workspaceId: string; name: string; scopes: Scope[]; key?: string }, now = this.now()): Promise<CreatedApiKey> {
    return insertKey(this.db, input, now);
  }

  /** Answers whether a key with this exact value was ever stored, revoked or not. */
  async exists(key: string): Promise<boolean> {
    const row = await this.db.selectFrom('api_keys').select('id').where('key_hash', '=', hashToken(key)).executeTakeFirst();
    return row !== undefined;
  }

  /** The workspace's keys, newest first, revoked ones included (with `revoked_at`). */
  async list(workspaceId: string): Promise<ApiKeyView[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    return rows.map(viewOf);
  }

  /** One key of the workspace; undefined for an unknown id or another workspace's key. */
  async get(workspaceId: string, id: string): Promise<ApiKeyView | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row ? viewOf(row) : undefined;
  }

  /**
   * Revokes a key of the workspace: it stops authenticating at once. Revoking a revoked key
   * changes nothing. Refused for the workspace's last active `admin` key, which would lock the
   * workspace out for good (no other workspace's key may manage its keys).
   */
  async revoke(workspaceId: string, id: string, now = this.now()): Promise<{ ok: true; key: ApiKeyView } | { ok: false; reason: 'not_found' | 'last_admin' }> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('api_keys').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      if (!row) return { ok: false, reason: 'not_found' } as const;
      if (row.revoked_at !== null) return { ok: true, key: viewOf(row) } as const;
      if (parseScopes(row.scopes).includes('admin')) {
        const others = await trx.selectFrom('api_keys').select(['scopes']).where('workspace_id', '=', workspaceId).where('id', '!=', id).where('revoked_at', 'is', null).execute();
        if (!others.some((other) => parseScopes(other.scopes).includes('admin'))) return { ok: false, reason: 'last_admin' } as const;
      }
      const revokedAt = now.toISOString();
      await trx.updateTable('api_keys').set({ revoked_at: revokedAt }).where('id', '=', id).where('revoked_at', 'is', null).execute();
      return { ok: true, key: viewOf({ ...row, revoked_at: revokedAt }) } as const;
    });
  }

  /**
   * Rotates a key: a new key (new id, new secret) with the same name and scopes takes its place
   * and the old one is revoked, in one transaction. The old row keeps its hash, so a rotated
   * CONVERSA_ADMIN_KEY is not created again on the next start.
   */
  async rotate(workspaceId: string, id: string, now = this.now()): Promise<{ ok: true; created: CreatedApiKey } | { ok: false; reason: 'not_found' | 'revoked' }> {
    return this.db.transaction().execute(async (trx) => {
      const old = await trx.selectFrom('api_keys').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      if (!old) return { ok: false, reason: 'not_found' } as const;
      const retired = await trx.updateTable('api_keys').set({ revoked_at: now.toISOString() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      if (Number(retired.numUpdatedRows) === 0) return { ok: false, reason: 'revoked' } as const;
      const created = await insertKey(trx, { workspaceId, name: old.name, scopes: parseScopes(old.scopes) }, now);
      await trx.updateTable('api_keys').set({ replaced_by: created.id }).where('id', '=', id).execute();
      return { ok: true, created } as const;
    });
  }

  /**
   * The principal behind a presented key, or undefined for an unknown or revoked key. Records
   * `last_used_at` when it is older than a minute (so not one write per request; on several
   * nodes the conditional update lets one of them win).
   */
  async authenticate(key: string, now = this.now()): Promise<ApiKeyPrincipal | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .select(['id', 'name', 'workspace_id', 'scopes', 'last_used_at'])
      .where('key_hash', '=', hashToken(key))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS).toISOString();
    if (row.last_used_at === null || row.last_used_at <= stale) {
      await this.db
        .updateTable('api_keys')
        .set({ last_used_at: now.toISOString() })
        .where('id', '=', row.id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', stale)]))
        .execute();
    }
    return { keyId: row.id, name: row.name, workspaceId: row.workspace_id, scopes: parseScopes(row.scopes) };
  }
}

async function insertKey(db: Kysely<Schema>, input: { workspaceId: string; name: string; scopes: Scope[]; key?: string }, now: Date): Promise<CreatedApiKey> {
  const key = input.key ?? newToken(KEY_PREFIX);
  const row: ApiKeysTable = {
    id: newId('key'),
    workspace_id: input.workspaceId,
    name: input.name,
    key_prefix: key.slice(0, KEY_PREFIX.length + 4),
    key_hash: hashToken(key),
    scopes: JSON.stringify(input.scopes),
    created_at: now.toISOString(),
    last_used_at: null,
    revoked_at: null,
    replaced_by: null,
  };
  await db.insertInto('api_keys').values(row).execute();
  return { id: row.id, key, prefix: row.key_prefix, view: viewOf(row) };
}

function viewOf(row: ApiKeysTable): ApiKeyView {
  return { id: row.id, name: row.name, prefix: row.key_prefix, scopes: parseScopes(row.scopes), created_at: row.created_at, last_used_at: row.last_used_at, revoked_at: row.revoked_at, replaced_by: row.replaced_by };
}

function parseScopes(json: string): Scope[] {
  return JSON.parse(json) as Scope[];
}
