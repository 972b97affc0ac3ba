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
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_delivery_attempts: WebhookDeliveryAttemptsTable;
  event_consumers: EventConsumersTable;
  media: MediaTable;
  media_provider_ids: MediaProviderIdsTable;
  media_downloads: MediaDownloadsTable;
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
  /** For statuses: our message id, echoed by Meta in `biz_opaque_callback_data`. */
  ref: string | null;
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

/** An outbound webhook subscription of a company system. */
export interface WebhookSubscriptionsTable {
  id: string;
  workspace_id: string;
  url: string;
  /** JSON array of event types, or `["*"]` for all. */
  events: string;
  /** The signing secret, sealed with the SecretBox. */
  secret_enc: string;
  description: string | null;
  /** 1 active, 0 paused. */
  active: number;
  /** The subscription receives outbox events with an id above this (the newest when it was created). */
  after_event_id: number;
  created_at: string;
  updated_at: string;
}

/** One outbox event for one subscription; the row is also the delivery queue. */
export interface WebhookDeliveriesTable {
  id: string;
  subscription_id: string;
  workspace_id: string;
  /** outbox_events.id */
  event_id: number;
  event_type: string;
  /** The exact JSON body sent, the same bytes on every attempt and replay. */
  payload: string;
  /** `pending`, `delivered` or `failed`. */
  status: string;
  /** Attempts since the delivery was last queued (created or replayed). */
  attempts: number;
  /** When pending: when it is due (while an attempt runs, the end of that attempt's lease). */
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

/** Every HTTP attempt of a delivery, for the delivery log. */
export interface WebhookDeliveryAttemptsTable {
  id: Generated<number>;
  delivery_id: string;
  attempted_at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** A consumer's position in outbox_events: every event up to it has been handled. */
export interface EventConsumersTable {
  name: string;
  position: number;
  updated_at: string;
}

/** A file uploaded by the workspace (`out`) or received from a customer (`in`). */
export interface MediaTable {
  id: string;
  workspace_id: string;
  direction: 'in' | 'out';
  /** Meta's media kind: image, audio, video, document or sticker. */
  kind: string;
  mime_type: string;
  /** Bytes; null until inbound media is downloaded. */
  size: number | null;
  /** SHA-256 (hex) of the bytes; null until inbound media is downloaded. */
  sha256: string | null;
  filename: string | null;
  /** Where media storage keeps the bytes (content-addressed); null until stored. */
  storage_key: string | null;
  /** The inbound message that carried it. */
  source_message_id: string | null;
  /** `ready`, `downloading` or `failed`. */
  status: string;
  created_at: string;
  updated_at: string;
}

/** The provider's id of an uploaded file, per phone number (our row id); valid until `expires_at`. */
export interface MediaProviderIdsTable {
  media_id: string;
  phone_number_id: string;
  provider_media_id: string;
  uploaded_at: string;
  expires_at: string;
}

/** The job that fetches inbound media from the provider; retried until done or `give_up_at`. */
export interface MediaDownloadsTable {
  media_id: string;
  workspace_id: string;
  /** Our phone_numbers.id that received it (its endpoint and token fetch it). */
  phone_number_id: string;
  provider_media_id: string;
  /** The sha256 the webhook announced (Meta sends base64 or hex). */
  expected_sha256: string | null;
  attempts: number;
  /** When the next attempt is due (while one runs, the end of its lease); null once done or given up. */
  next_attempt_at: string | null;
  give_up_at: string;
  last_error: string | null;
  created_at: string;
  completed_at: string | null;
}
