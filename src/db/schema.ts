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
  contact_aliases: ContactAliasesTable;
  consents: ConsentsTable;
  consent_tombstones: ConsentTombstonesTable;
  conversations: ConversationsTable;
  conversation_transitions: ConversationTransitionsTable;
  messages: MessagesTable;
  inbound_events: InboundEventsTable;
  templates: TemplatesTable;
  template_versions: TemplateVersionsTable;
  template_events: TemplateEventsTable;
  outbox_events: OutboxEventsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_delivery_attempts: WebhookDeliveryAttemptsTable;
  event_consumers: EventConsumersTable;
  media: MediaTable;
  media_provider_ids: MediaProviderIdsTable;
  media_downloads: MediaDownloadsTable;
  campaigns: CampaignsTable;
  campaign_recipients: CampaignRecipientsTable;
  campaign_rejections: CampaignRejectionsTable;
  messaging_limits: MessagingLimitsTable;
  notifications: NotificationsTable;
  invoices: InvoicesTable;
  flows: FlowsTable;
  flow_versions: FlowVersionsTable;
  flow_deployments: FlowDeploymentsTable;
  bot_sessions: BotSessionsTable;
  bot_tasks: BotTasksTable;
  bot_log: BotLogTable;
  flow_secrets: FlowSecretsTable;
  form_submissions: FormSubmissionsTable;
  survey_responses: SurveyResponsesTable;
  users: UsersTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  user_sessions: UserSessionsTable;
  blocked_users: BlockedUsersTable;
  groups: GroupsTable;
  group_participants: GroupParticipantsTable;
  assignment_settings: AssignmentSettingsTable;
  assignment_rotations: AssignmentRotationsTable;
  conversation_notes: ConversationNotesTable;
  note_mentions: NoteMentionsTable;
  conversation_labels: ConversationLabelsTable;
  canned_replies: CannedRepliesTable;
  leads: LeadsTable;
  lead_sources: LeadSourcesTable;
  audit_log: AuditLogTable;
  retention_settings: RetentionSettingsTable;
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
  /** Written at most once a minute per key (not on every request). */
  last_used_at: string | null;
  revoked_at: string | null;
  /** A key retired by a rotation: the id of the key that replaced it (migration 0013). */
  replaced_by: string | null;
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
  /** What the provider last reported (migration 0010): GREEN, YELLOW, RED, NA, UNKNOWN. */
  quality_rating: string | null;
  /** Meta's messaging-limit tier as reported, e.g. `TIER_2K`; null until first read. */
  messaging_limit_tier: string | null;
  /** 1 when throughput_mps was set by hand at connect; refreshes then keep it. */
  throughput_pinned: number;
  refreshed_at: string | null;
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
  /** Meta's business-scoped user id (BSUID); a contact known only by it has `wa_id` = it and `e164` '' (migration 0017). */
  user_id?: string | null;
}

/** Former wa_ids of a contact (it changed number): the old number still finds it (migration 0017). */
export interface ContactAliasesTable {
  workspace_id: string;
  wa_id: string;
  contact_id: string;
  created_at: string;
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

/**
 * What is kept of an erased person's consent: the latest state per purpose, the number replaced
 * by a keyed hash (HMAC-SHA256 of workspace and wa_id, src/security/subject-hash.ts).
 */
export interface ConsentTombstonesTable {
  workspace_id: string;
  /** Hex HMAC-SHA256 of `<workspace_id>\n<wa_id>` with the platform's tombstone key. */
  subject_hash: string;
  purpose: string;
  status: string;
  source: string;
  /** When the state was recorded in the erased ledger. */
  recorded_at: string;
  /** When the person was erased. */
  erased_at: string;
}

export interface ConversationsTable {
  id: string;
  workspace_id: string;
  contact_id: string;
  /** Our phone_numbers.id (not Meta's phone_number_id). */
  phone_number_id: string;
  /** `bot`, `queue` or `agent` (src/modules/conversations/ownership-rules.ts). */
  owner_type: string;
  /** The queue's name or the agent's id; null for the bot. */
  owner_id: string | null;
  last_inbound_at: string | null;
  window_expires_at: string | null;
  free_entry_point_until: string | null;
  last_message_at: string | null;
  created_at: string;
  updated_at: string;
  /** The queue it waits in, or the one its agent took it from; null with the bot. (0019) */
  queue: string | null;
  /** When its owner took it (null only on rows older than 0019 that the migration missed). */
  owner_since: string | null;
  /** When it was last resolved; cleared when it leaves the bot again. */
  resolved_at: string | null;
  /** The handoff whose reason and summary an inbox shows; null with the bot. */
  handoff_transition_id: number | null;
  /** Snoozed until then (0023): out of its agent's "mine" view; past means awake. */
  snoozed_until: string | null;
  /** Set on a group's conversation (0027): our groups.id; its contact is the group's own contact record. */
  group_id?: string | null;
  /** 1: snoozed until the customer's next message (0023), which clears it. */
  snooze_until_next_message: number;
}

/** Every change of a conversation's owner, in order (owned by the conversations module). */
export interface ConversationTransitionsTable {
  /** Serial: the order of a conversation's transitions. */
  id: Generated<number>;
  workspace_id: string;
  conversation_id: string;
  /** `handoff`, `assign`, `transfer`, `unassign`, `resolve`. */
  action: string;
  from_type: string;
  from_id: string | null;
  to_type: string;
  to_id: string | null;
  /** The conversation's queue after the transition. */
  queue: string | null;
  /** `bot`, `api_key`, `user` or `system`, and its id (flow name, key id, ...). */
  actor_type: string;
  actor_id: string | null;
  reason: string | null;
  /** JSON object: what the bot collected before a handoff. */
  summary: string | null;
  created_at: string;
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
  /** Canonical SHA-256 of the API request that used `idempotency_key` (migration 0012). */
  request_hash: string | null;
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
  /** Inbound: when the business marked it (or a later message) read; null: unread (migration 0016). */
  business_read_at?: string | null;
  /** Erased here (content null) or, still queued, cancelled; never claimed for sending (migration 0016). */
  deleted_at?: string | null;
  /** JSON `{billable, category, pricing_model, type}` from the status webhook's `pricing` (migration 0017). */
  provider_pricing?: string | null;
  /** JSON `{id, origin_type, expires_at}` from the status webhook's `conversation` (migration 0017). */
  provider_conversation?: string | null;
  /** `provider` (cost from Meta's pricing) or `rate_card` (our estimate) (migration 0017). */
  cost_source?: string | null;
  /** A voice message's first play (status `played`) (migration 0017). */
  played_at?: string | null;
  /** An inbound reaction: our id of the message it reacts to (migration 0017). */
  reacts_to?: string | null;
  /** Outbound: who queued it, `agent`, `bot`, `api` or `system`; null when not known (migration 0026). */
  sent_by_type?: string | null;
  /** Outbound: the user id (agent) or API key id (api) that queued it (migration 0026). */
  sent_by_id?: string | null;
}

/** One webhook event (a message, a status, or another change kept raw), deduplicated. */
export interface InboundEventsTable {
  id: Generated<number>;
  workspace_id: string;
  /** `<workspace_id>/<key>`: deduplicated per workspace (since 0011). */
  dedupe_key: string;
  field: string;
  kind: string;
  payload: string;
  /**
   * For statuses: `<phone_number_id>:<our message id>`, the sending number (Meta's id) and the
   * id Meta echoes in `biz_opaque_callback_data` (since 0011; before, the id alone).
   */
  ref: string | null;
  received_at: string;
  processed_at: string | null;
  /** A processor's lease on the event; expired leases are claimed again. */
  claimed_until: string | null;
  attempts: number;
  last_error: string | null;
}

/** A template: a local draft (no provider id, status DRAFT), one known to the provider, or a deleted one (kept with its history). */
export interface TemplatesTable {
  id: string;
  workspace_id: string;
  waba_id: string;
  provider_template_id: string | null;
  name: string;
  language: string;
  category: string;
  status: string;
  parameter_format: string | null;
  /** JSON: the current version's components. */
  components: string;
  version: number;
  rejected_reason: string | null;
  /** The provider's explanation of the last status (rejection details, disable info), text. */
  status_details: string | null;
  quality_score: string | null;
  previous_category: string | null;
  submitted_at: string | null;
  /** Set while a create, edit or resubmission is on its way to the provider: its review webhook may come back before the answer is stored. */
  submitting_since: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** Every version of a template's definition, with who made it and how its review went. */
export interface TemplateVersionsTable {
  template_id: string;
  version: number;
  category: string;
  parameter_format: string | null;
  components: string;
  /** `api_key:<id>`, `provider` (found by a sync, or changed in WhatsApp Manager). */
  created_by: string;
  created_at: string;
  submitted_at: string | null;
  /** The status this version reached (kept current while it is the template's current version). */
  status: string;
}

/** A template's history: status changes, quality changes and category changes. */
export interface TemplateEventsTable {
  id: Generated<number>;
  workspace_id: string;
  template_id: string;
  /** `status`, `quality` or `category`. */
  kind: string;
  version: number | null;
  status: string | null;
  previous_status: string | null;
  reason: string | null;
  quality_score: string | null;
  previous_quality_score: string | null;
  category: string | null;
  previous_category: string | null;
  /** JSON: what else the provider said (rejection_info, disable_info, other_info). */
  details: string | null;
  /** `webhook`, `sync` or `api`. */
  source: string;
  at: string;
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

/** A template sent to an audience on a schedule (modules/campaigns). */
export interface CampaignsTable {
  id: string;
  workspace_id: string;
  name: string;
  /** Our phone_numbers.id that sends it. */
  phone_number_id: string;
  template_name: string;
  template_language: string;
  /** JSON: the template send components, text parameters may hold `{{variable}}` placeholders. */
  components: string;
  /** JSON: how the audience was chosen (`{type: 'filter', ...}` or `{type: 'csv', ...}`). */
  audience: string;
  /** `draft`, `scheduled`, `running`, `paused`, `completed` or `cancelled`. */
  status: string;
  /** Why it is paused: `manual`, `template_paused`, `failure_threshold`. */
  pause_reason: string | null;
  pause_details: string | null;
  start_at: string | null;
  /** Auto-pause when failed / attempted passes this share (0..1). */
  failure_threshold: number;
  /** ... once at least this many sends have an outcome. */
  failure_min_sample: number;
  recipients_total: number;
  /** JSON: counts of the audience build (rows read, duplicates merged, rejected). */
  audience_report: string;
  /** JSON: the latest estimate. */
  estimate: string | null;
  created_at: string;
  updated_at: string;
  launched_at: string | null;
  completed_at: string | null;
}

/** One audience member of a campaign; the results join its message by `message_id`. */
export interface CampaignRecipientsTable {
  campaign_id: string;
  /** 1..N in audience order; the keyset for every chunked read. */
  seq: number;
  /** Null for a CSV row whose phone is invalid. */
  contact_id: string | null;
  wa_id: string | null;
  /** E.164, or the text as written when it is not a valid number. */
  phone: string;
  country: string | null;
  calling_code: string | null;
  /** CSV line (header = 1), for CSV audiences. */
  line: number | null;
  /** JSON object: the values of the variables the parameters use, for this recipient. */
  vars: string | null;
  /** `pending`, `queued` (its message is in the outbox), `skipped` or `cancelled`. */
  state: string;
  /** Why it was skipped: `invalid_number`, `no_opt_in`, `opted_out`, ... */
  reason: string | null;
  /** The latest estimate's decision: `send` or the skip reason. */
  planned: string | null;
  /** The outbox message id it is (or will be) sent as. */
  message_id: string;
  queued_at: string | null;
}

/** A CSV audience line that could not be read (bad row), with why. */
export interface CampaignRejectionsTable {
  campaign_id: string;
  line: number;
  field: string;
  reason: string;
}

/** The messaging-limit tier configured for a phone number: unique business-initiated recipients per moving 24 h; null = unlimited. */
export interface MessagingLimitsTable {
  phone_number_id: string;
  workspace_id: string;
  tier: number | null;
  updated_at: string;
}

/**
 * Transactional notifications: a template to one recipient, now or at `send_at`. The table is
 * the scheduler's queue; `message_id` links the message queued when it went.
 */
export interface NotificationsTable {
  id: string;
  workspace_id: string;
  idempotency_key: string | null;
  /** SHA-256 of the request body: the same key with another body is refused. */
  request_hash: string;
  contact_id: string;
  /** Our phone_numbers.id. */
  phone_number_id: string;
  /** The recipient in E.164. */
  recipient: string;
  template_name: string;
  language: string;
  /** The template's category when the notification was accepted. */
  category: string;
  /** JSON: the friendly `{parameters, header, buttons}` as given. */
  parameters: string;
  /** `scheduled`, `sending` (claimed), `sent` (message queued), `refused`, `cancelled`. */
  status: string;
  /** When it goes (or went): the requested time, or the end of quiet hours. */
  send_at: string;
  requested_send_at: string | null;
  /** JSON `{reason, until, time_zone, quiet_hours}` when quiet hours moved it. */
  postponed: string | null;
  attempts: number;
  /** Wall-clock time of the claim (a lease: an old claim belongs to a dead node). */
  claimed_at: string | null;
  message_id: string | null;
  error_code: string | null;
  error_message: string | null;
  /** JSON: the refusal's details and fix. */
  error_details: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  cancelled_at: string | null;
  refused_at: string | null;
}

/** An invoice: the checked data with our totals, and the media ids of its PDF and Pix QR. */
export interface InvoicesTable {
  id: string;
  workspace_id: string;
  /** The company's invoice number, unique per workspace. */
  number: string;
  /** YYYY-MM-DD. */
  issue_date: string;
  due_date: string;
  customer_name: string;
  /** Always `BRL` for now. */
  currency: string;
  /** bigint: PostgreSQL hands it back as a string. */
  total_cents: number | string;
  /** JSON: the invoice as checked, amounts as decimal strings. */
  data: string;
  media_id: string;
  filename: string;
  pix_code: string | null;
  pix_qr_media_id: string | null;
  payment_link: string | null;
  created_at: string;
}

/** A workspace's flow: its draft as written (`source`) and normalised (`document`, JSON). */
export interface FlowsTable {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  /** `yaml` or `json`: how `source` is written. */
  format: string;
  source: string;
  document: string;
  created_at: string;
  updated_at: string;
}

/** A published version of a flow: immutable. `model` is the trained intent model (nlp.js export). */
export interface FlowVersionsTable {
  id: string;
  workspace_id: string;
  flow_id: string;
  version: number;
  format: string;
  source: string;
  document: string;
  model: string | null;
  created_at: string;
}

/** Which version of a flow is live on a phone number. */
export interface FlowDeploymentsTable {
  workspace_id: string;
  phone_number_id: string;
  flow_id: string;
  version_id: string;
  deployed_at: string;
}

/** A conversation's running bot session: the engine's state (JSON) on a flow version. */
export interface BotSessionsTable {
  conversation_id: string;
  workspace_id: string;
  flow_id: string;
  version_id: string;
  state: string;
  /** Increases with every change: writes compare and set it. */
  rev: number;
  expires_at: string;
  /** A timeout sweep's lease. */
  claimed_until: string | null;
  created_at: string;
  updated_at: string;
}

/** An effect of the engine run outside a transaction: an HTTP call (`http`) or a timer (`wait`). */
export interface BotTasksTable {
  id: string;
  workspace_id: string;
  conversation_id: string;
  kind: string;
  effect_id: string;
  /** JSON: the effect as the engine issued it. */
  payload: string;
  due_at: string;
  claimed_until: string | null;
  attempts: number;
  done_at: string | null;
  last_error: string | null;
  created_at: string;
}

/** What the bot did or could not do in a conversation. */
export interface BotLogTable {
  id: string;
  workspace_id: string;
  conversation_id: string;
  flow: string;
  version: number;
  step: string | null;
  level: string;
  message: string;
  created_at: string;
}

/** A value HTTP steps reference as `{{secrets.NAME}}`; sealed with the installation's secret key. */
export interface FlowSecretsTable {
  workspace_id: string;
  name: string;
  value: string;
  created_at: string;
  updated_at: string;
}

/** What a chatbot flow's form collected from one contact (migration 0021). */
export interface FormSubmissionsTable {
  id: string;
  workspace_id: string;
  /** The flow's name and the published version the session ran (plain columns: no reference to the flows tables). */
  flow: string;
  flow_version: number;
  /** The form's name in the flow (one sheet per form in the export). */
  form: string;
  contact_id: string;
  conversation_id: string;
  /** JSON object: field name → value. */
  fields: string;
  /** JSON array of the keys of `fields`, in their order (the export's columns, read in one aggregate). */
  field_names: string;
  submitted_at: string;
}

/** A satisfaction survey's answer (CSAT 1–5 or NPS 0–10) with its optional comment (migration 0021). */
export interface SurveyResponsesTable {
  id: string;
  workspace_id: string;
  flow: string;
  /** `csat` or `nps`. */
  kind: string;
  score: number;
  comment: string | null;
  contact_id: string;
  conversation_id: string;
  /** Who owned the conversation before the survey (the agent and queue it is about), when known. */
  agent: string | null;
  queue: string | null;
  answered_at: string;
}

/** A person who signs in to the agent inbox (migration 0022). */
export interface UsersTable {
  id: string;
  workspace_id: string;
  /** Lower-cased; unique across the installation. */
  email: string;
  name: string;
  /** `admin`, `supervisor` or `agent`. */
  role: string;
  /** argon2id PHC string; the password itself is never stored. */
  password_hash: string;
  /** 1 when the password is a one-time password the person must replace at the next sign-in. */
  must_change_password: number;
  /** How many conversations the person takes at once (automatic assignment). */
  capacity: number;
  /** `online`, `away` or `offline`. */
  presence: string;
  presence_at: string | null;
  /** 1 active, 0 deactivated (cannot sign in; kept for history). */
  active: number;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

/** A team of people working one handoff queue (migration 0022). */
export interface TeamsTable {
  id: string;
  workspace_id: string;
  name: string;
  /** The queue a handoff names; unique per workspace. */
  queue: string;
  created_at: string;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
}

/** A signed-in browser (migration 0022). */
export interface UserSessionsTable {
  /** SHA-256 (hex) of the token in the cookie. */
  id: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

/** A user a phone number blocked through the platform (Meta's `block_users`; migration 0025). */
export interface BlockedUsersTable {
  /** Our phone number row id. */
  phone_number_id: string;
  workspace_id: string;
  wa_id: string;
  blocked_at: string;
  /** The API key that blocked them. */
  blocked_by: string | null;
}

/** How a workspace assigns conversations handed to its queues (0023); no row: `manual`. */
export interface AssignmentSettingsTable {
  workspace_id: string;
  /** `manual`, `round_robin` or `least_busy`. */
  strategy: string;
  /** The user who chose it. */
  updated_by: string | null;
  updated_at: string;
}

/** The round robin pointer of one queue (0023): the user it last gave a conversation to. */
export interface AssignmentRotationsTable {
  workspace_id: string;
  queue: string;
  last_user_id: string | null;
  updated_at: string;
}

/** An internal note on a conversation: never sent to the customer (migration 0024, module desk). */
export interface ConversationNotesTable {
  id: string;
  workspace_id: string;
  conversation_id: string;
  /** The user who wrote it (`usr_…`). */
  author_id: string;
  text: string;
  /** JSON array of the user ids the text mentions. */
  mentions: string;
  created_at: string;
}

/** A user mentioned in a note, and when they read it (migration 0024). */
export interface NoteMentionsTable {
  note_id: string;
  user_id: string;
  workspace_id: string;
  conversation_id: string;
  created_at: string;
  read_at: string | null;
}

/** A label of a conversation; `label_key` is the lower-cased label (migration 0024). */
export interface ConversationLabelsTable {
  conversation_id: string;
  label_key: string;
  label: string;
  /** Its place in the list as it was set. */
  position: number;
  workspace_id: string;
  created_at: string;
}

/** A canned reply of a workspace, with its `{{variables}}` (migration 0024). */
export interface CannedRepliesTable {
  id: string;
  workspace_id: string;
  /** `/frete`: lower-cased, unique per workspace. */
  shortcut: string;
  title: string;
  text: string;
  created_by: string;
  updated_by: string;
  created_at: string;
  updated_at: string;
}

/** A WhatsApp group a number created through the platform (0027; the groups module). */
export interface GroupsTable {
  /** `grp_...` */
  id: string;
  workspace_id: string;
  /** Our phone number row id. */
  phone_number_id: string;
  /** The create call's `request_id`: Meta's `group_lifecycle_update` names it beside the new group id. */
  request_id: string;
  /** Meta's group id; null while `pending`. */
  provider_group_id: string | null;
  /** `pending`, `active` or `deleted`. */
  status: string;
  subject: string;
  description: string;
  /** `auto_approve` or `approval_required`. */
  join_approval_mode: string;
  /** The current invite link; null when revoked or not known yet. */
  invite_link: string | null;
  /** 1 while WhatsApp suspends the group. */
  suspended: number;
  /** The group's conversation (created with the group's id). */
  conversation_id: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** Who is (or was) in a group (0027). */
export interface GroupParticipantsTable {
  group_id: string;
  workspace_id: string;
  wa_id: string;
  contact_id: string;
  /** `member` or `left` (left by themselves or removed). */
  status: string;
  joined_at: string;
  left_at: string | null;
}

/** A person who showed interest, per contact and source (migration 0028, module leads). */
export interface LeadsTable {
  /** `lead_…` */
  id: string;
  workspace_id: string;
  contact_id: string;
  /** `form`, `agent`, `api`, `chat` or `group`. */
  source_type: string;
  /** The form's name, the user's id, the API client's label, the phone number's or the group's id. */
  source_id: string;
  /** JSON: field name → { value, from, message_id, rule, confidence, at }. */
  fields: string;
  /** JSON array of the field names in their order (the export's columns). */
  field_names: string;
  created_at: string;
  updated_at: string;
}

/** What is configured for one lead source (migration 0028): its interest keywords; a `chat` row also captures every customer who writes. */
export interface LeadSourcesTable {
  workspace_id: string;
  source_type: string;
  source_id: string;
  /** JSON array of keywords and phrases, as written. */
  keywords: string;
  created_at: string;
  updated_at: string;
}

/**
 * One action of a person, an API key, the CLI or the platform (docs/data-protection.md, "The
 * audit log"). Append-only: a trigger refuses UPDATE; only the retention job deletes old rows.
 */
export interface AuditLogTable {
  id: Generated<number>;
  /** Null only for a failed sign-in with an e-mail no account has. */
  workspace_id: string | null;
  at: string;
  /** api_key | user | cli | system */
  actor_type: string;
  /** The key's id, the person's user id (null: unknown e-mail), the OS user of the CLI. */
  actor_id: string | null;
  /** The key's name, the person's e-mail. */
  actor_label: string | null;
  /** Stable dotted name: `contacts.update`, `messages.send`, `users.sign_in`, ... */
  action: string;
  /** The HTTP method, or CLI for a command. */
  method: string;
  /** The route pattern (`/api/v1/contacts/:id`), never the raw URL; or the command. */
  route: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  /** success | denied | failed | error */
  outcome: string;
  status_code: number;
  /** The id the server's log names the request by (`reqId`). */
  request_id: string | null;
  /** Small JSON object (error code, ...); never a request body, token, password or message text. */
  details: string | null;
}

/** What a workspace keeps of its customers' message contents and media (migration 0031); no row: everything. */
export interface RetentionSettingsTable {
  workspace_id: string;
  /** Message contents older than this many days become a placeholder; null: kept. */
  message_content_days: number | null;
  /** Received media's bytes older than this many days are deleted; null: kept. */
  media_days: number | null;
  /** `created_at|id` of the last message the content rule handled. */
  messages_cursor: string | null;
  /** `created_at|id` of the last media the media rule handled. */
  media_cursor: string | null;
  updated_at: string;
}
