import type { Kysely } from 'kysely';
import { newId, type Schema } from '../../db/index.js';
import { hashToken, newToken } from '../../security/index.js';

/** What a key may do. `admin` may do everything in its workspace. */
export type Scope = 'admin' | 'messages:write' | 'messages:read' | 'contacts:write' | 'contacts:read' | 'webhooks:write' | 'templates:read' | 'templates:write' | 'campaigns:read' | 'campaigns:write';

export interface ApiKeyPrincipal {
  keyId: string;
  workspaceId: string;
  scopes: Scope[];
}

export interface CreatedApiKey {
  id: string;
  /** The key itself: shown once, never stored. */
  key: string;
  prefix: string;
}

const KEY_PREFIX = 'cv_live_';

/** API keys, stored as SHA-256 hashes; the plain key exists only in the creation answer. */
export class ApiKeys {
  constructor(private readonly db: Kysely<Schema>) {}

  /**
   * Creates a key for a workspace. Pass `key` to adopt a given value (CONVERSA_ADMIN_KEY);
   * otherwise a random `cv_live_...` key is generated.
   */
  async create(input: { workspaceId: string; name: string; scopes: Scope[]; key?: string }, now = new Date()): Promise<CreatedApiKey> {
    const key = input.key ?? newToken(KEY_PREFIX);
    const row = {
      id: newId('key'),
      workspace_id: input.workspaceId,
      name: input.name,
      key_prefix: key.slice(0, KEY_PREFIX.length + 4),
      key_hash: hashToken(key),
      scopes: JSON.stringify(input.scopes),
      created_at: now.toISOString(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.db.insertInto('api_keys').values(row).execute();
    return { id: row.id, key, prefix: row.key_prefix };
  }

  /** Answers whether a key with this exact value exists (and is not revoked). */
  async exists(key: string): Promise<boolean> {
    return (await this.authenticate(key)) !== undefined;
  }

  /** The principal behind a presented key, or undefined for an unknown or revoked key. */
  async authenticate(key: string): Promise<ApiKeyPrincipal | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .select(['id', 'workspace_id', 'scopes'])
      .where('key_hash', '=', hashToken(key))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    return { keyId: row.id, workspaceId: row.workspace_id, scopes: JSON.parse(row.scopes) as Scope[] };
  }
}
