import type { Generated } from 'kysely';

/**
 * Table types for Kysely. Timestamps are ISO-8601 UTC strings in both dialects so that rows
 * read the same from SQLite and PostgreSQL; JSON columns are text.
 */
export interface Schema {
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  phone_numbers: PhoneNumbersTable;
  webhook_events: WebhookEventsTable;
}

export interface WorkspacesTable {
  id: string;
  name: string;
  created_at: string;
}

export interface ApiKeysTable {
  id: string;
  workspace_id: string;
  name: string;
  /** The first characters of the key, shown in listings so people can tell keys apart. */
  key_prefix: string;
  /** SHA-256 (hex) of the whole key; the key itself is never stored. */
  key_hash: string;
  /** JSON array of scopes, e.g. ["admin"]. */
  scopes: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface PhoneNumbersTable {
  id: string;
  workspace_id: string;
  /** `sandbox` (the built-in emulator) or `cloud_api` (Meta). */
  provider: string;
  waba_id: string;
  phone_number_id: string;
  display_phone_number: string;
  verified_name: string;
  graph_base_url: string;
  graph_version: string;
  /** Secrets encrypted at rest (AES-256-GCM, see app/secret-box.ts). */
  access_token_enc: string;
  app_secret_enc: string;
  verify_token_enc: string;
  throughput_mps: number;
  created_at: string;
  updated_at: string;
}

export interface WebhookEventsTable {
  id: Generated<number>;
  workspace_id: string | null;
  waba_id: string | null;
  received_at: string;
  /** The raw body exactly as received (the signed bytes, as UTF-8 text). */
  body: string;
}
