import type { Generated } from 'kysely';

/**
 * Table types for Kysely. Timestamps are ISO-8601 UTC strings in both dialects so that rows
 * read the same from SQLite and PostgreSQL; JSON columns are text.
 */
export interface Schema {
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  phone_numbers: PhoneNumbersTable;
  contacts: ContactsTable;
  consents: ConsentsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  inbound_events: InboundEventsTable;
  templates: TemplatesTable;
  outbox_events: OutboxEventsTable;
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

export interface ContactsTable {
  id: string;
  workspace_id: string;
  /** The WhatsApp id: digits of the E.164 number. */
  wa_id: string;
  e164: string;
  name: string | null;
  language: string | null;
  time_zone: string | null;
  /** JSON object of string attributes. */
  attributes: string;
  /** JSON array of tags. */
  tags: string;
  created_at: string;
  updated_at: string;
}

/** The consent ledger: append-only, the latest row per (contact, purpose) is the state. */
export interface ConsentsTable {
  id: Generated<number>;
  workspace_id: string;
  contact_id: string;
  purpose: string;
  status: string;
  source: string;
  text: string | null;
  actor: string;
  /** JSON: what proves it (form fields, IP, message id, ...). */
  proof: string;
  recorded_at: string;
}

export interface ConversationsTable {
  id: string;
  workspace_id: string;
  contact_id: string;
  /** Our phone_numbers.id (not Meta's phone_number_id). */
  phone_number_id: string;
  owner_type: string;
  owner_id: string | null;
  last_inbound_at: string | null;
  window_expires_at: string | null;
  free_entry_point_until: string | null;
  last_message_at: string | null;
  created_at: string;
  updated_at: string;
}

/** Messages both ways; outbound rows are the outbox the dispatcher claims from. */
export interface MessagesTable {
  id: string;
  workspace_id: string;
  conversation_id: string;
  contact_id: string;
  phone_number_id: string;
  direction: 'in' | 'out';
  type: string;
  /** JSON: the Cloud API content object (and `context`). */
  content: string;
  status: string;
  wamid: string | null;
  idempotency_key: string | null;
  attempts: number;
  next_attempt_at: string | null;
  claimed_at: string | null;
  error_code: number | null;
  error_title: string | null;
  error_details: string | null;
  category: string | null;
  pricing_type: string | null;
  cost_micros: number | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  delivered_at: string | null;
  read_at: string | null;
  failed_at: string | null;
}

/** One webhook event (a message, a status, or another change kept raw), deduplicated. */
export interface InboundEventsTable {
  id: Generated<number>;
  workspace_id: string;
  dedupe_key: string;
  field: string;
  kind: string;
  payload: string;
  received_at: string;
  processed_at: string | null;
  /** A processor's lease on the event; expired leases are claimed again. */
  claimed_until: string | null;
  attempts: number;
  last_error: string | null;
}

export interface TemplatesTable {
  id: string;
  workspace_id: string;
  waba_id: string;
  provider_template_id: string;
  name: string;
  language: string;
  category: string;
  status: string;
  parameter_format: string | null;
  components: string;
  updated_at: string;
}

/** Domain events written in the same transaction as the change they describe. */
export interface OutboxEventsTable {
  id: Generated<number>;
  workspace_id: string;
  /** Dotted name: `message.received`, `message.status`, `conversation.updated`, `consent.changed`, ... */
  type: string;
  /** JSON payload. */
  data: string;
  created_at: string;
}
