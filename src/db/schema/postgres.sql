table api_keys
  id text not null
  workspace_id text not null
  name text not null
  key_prefix text not null
  key_hash text not null
  scopes text not null
  created_at text not null
  last_used_at text
  revoked_at text
  replaced_by text
table assignment_rotations
  workspace_id text not null
  queue text not null
  last_user_id text
  updated_at text not null
table assignment_settings
  workspace_id text not null
  strategy text not null
  updated_by text
  updated_at text not null
table audit_log
  id bigint not null default nextval('audit_log_id_seq'::regclass)
  workspace_id text
  at text not null
  actor_type text not null
  actor_id text
  actor_label text
  action text not null
  method text not null
  route text not null
  target_type text
  target_id text
  ip text
  outcome text not null
  status_code integer not null
  request_id text
  details text
table blocked_users
  phone_number_id text not null
  workspace_id text not null
  wa_id text not null
  blocked_at text not null
  blocked_by text
table bot_log
  id text not null
  workspace_id text not null
  conversation_id text not null
  flow text not null
  version integer not null
  step text
  level text not null
  message text not null
  created_at text not null
table bot_sessions
  conversation_id text not null
  workspace_id text not null
  flow_id text not null
  version_id text not null
  state text not null
  rev integer not null
  expires_at text not null
  claimed_until text
  created_at text not null
  updated_at text not null
table bot_tasks
  id text not null
  workspace_id text not null
  conversation_id text not null
  kind text not null
  effect_id text not null
  payload text not null
  due_at text not null
  claimed_until text
  attempts integer not null
  done_at text
  last_error text
  created_at text not null
table campaign_recipients
  campaign_id text not null
  seq integer not null
  contact_id text
  wa_id text
  phone text not null
  country text
  calling_code text
  line integer
  vars text
  state text not null
  reason text
  planned text
  message_id text not null
  queued_at text
table campaign_rejections
  campaign_id text not null
  line integer not null
  field text not null
  reason text not null
table campaigns
  id text not null
  workspace_id text not null
  name text not null
  phone_number_id text not null
  template_name text not null
  template_language text not null
  components text not null
  audience text not null
  status text not null
  pause_reason text
  pause_details text
  start_at text
  failure_threshold real not null
  failure_min_sample integer not null
  recipients_total integer not null
  audience_report text not null
  estimate text
  created_at text not null
  updated_at text not null
  launched_at text
  completed_at text
table canned_replies
  id text not null
  workspace_id text not null
  shortcut text not null
  title text not null
  text text not null
  created_by text not null
  updated_by text not null
  created_at text not null
  updated_at text not null
table consent_tombstones
  workspace_id text not null
  subject_hash text not null
  purpose text not null
  status text not null
  source text not null
  recorded_at text not null
  erased_at text not null
table consents
  id bigint not null default nextval('consents_id_seq'::regclass)
  workspace_id text not null
  contact_id text not null
  purpose text not null
  status text not null
  source text not null
  text text
  actor text not null
  proof text not null
  recorded_at text not null
table contact_aliases
  workspace_id text not null
  wa_id text not null
  contact_id text not null
  created_at text not null
table contacts
  id text not null
  workspace_id text not null
  wa_id text not null
  e164 text not null
  name text
  language text
  time_zone text
  attributes text not null
  tags text not null
  created_at text not null
  updated_at text not null
  user_id text
table conversation_labels
  conversation_id text not null
  label_key text not null
  label text not null
  position integer not null
  workspace_id text not null
  created_at text not null
table conversation_notes
  id text not null
  workspace_id text not null
  conversation_id text not null
  author_id text not null
  text text not null
  mentions text not null
  created_at text not null
table conversation_transitions
  id bigint not null default nextval('conversation_transitions_id_seq'::regclass)
  workspace_id text not null
  conversation_id text not null
  action text not null
  from_type text not null
  from_id text
  to_type text not null
  to_id text
  queue text
  actor_type text not null
  actor_id text
  reason text
  summary text
  created_at text not null
table conversations
  id text not null
  workspace_id text not null
  contact_id text not null
  phone_number_id text not null
  owner_type text not null
  owner_id text
  last_inbound_at text
  window_expires_at text
  free_entry_point_until text
  last_message_at text
  created_at text not null
  updated_at text not null
  queue text
  owner_since text
  resolved_at text
  handoff_transition_id bigint
  snoozed_until text
  snooze_until_next_message integer not null default 0
  group_id text
table event_consumers
  name text not null
  position bigint not null
  updated_at text not null
table flow_deployments
  workspace_id text not null
  phone_number_id text not null
  flow_id text not null
  version_id text not null
  deployed_at text not null
table flow_secrets
  workspace_id text not null
  name text not null
  value text not null
  created_at text not null
  updated_at text not null
table flow_versions
  id text not null
  workspace_id text not null
  flow_id text not null
  version integer not null
  format text not null
  source text not null
  document text not null
  model text
  created_at text not null
table flows
  id text not null
  workspace_id text not null
  name text not null
  description text
  format text not null
  source text not null
  document text not null
  created_at text not null
  updated_at text not null
table form_submissions
  id text not null
  workspace_id text not null
  flow text not null
  flow_version integer not null
  form text not null
  contact_id text not null
  conversation_id text not null
  fields text not null
  field_names text not null
  submitted_at text not null
table group_participants
  group_id text not null
  workspace_id text not null
  wa_id text not null
  contact_id text not null
  status text not null
  joined_at text not null
  left_at text
table groups
  id text not null
  workspace_id text not null
  phone_number_id text not null
  request_id text not null
  provider_group_id text
  status text not null
  subject text not null
  description text not null
  join_approval_mode text not null
  invite_link text
  suspended integer not null default 0
  conversation_id text
  created_at text not null
  updated_at text not null
  deleted_at text
table inbound_events
  id bigint not null default nextval('inbound_events_id_seq'::regclass)
  workspace_id text not null
  dedupe_key text not null
  field text not null
  kind text not null
  payload text not null
  ref text
  received_at text not null
  processed_at text
  claimed_until text
  attempts integer not null
  last_error text
table invoices
  id text not null
  workspace_id text not null
  number text not null
  issue_date text not null
  due_date text not null
  customer_name text not null
  currency text not null
  total_cents bigint not null
  data text not null
  media_id text not null
  filename text not null
  pix_code text
  pix_qr_media_id text
  payment_link text
  created_at text not null
table lead_sources
  workspace_id text not null
  source_type text not null
  source_id text not null
  keywords text not null
  created_at text not null
  updated_at text not null
table leads
  id text not null
  workspace_id text not null
  contact_id text not null
  source_type text not null
  source_id text not null
  fields text not null
  field_names text not null
  created_at text not null
  updated_at text not null
table media
  id text not null
  workspace_id text not null
  direction text not null
  kind text not null
  mime_type text not null
  size integer
  sha256 text
  filename text
  storage_key text
  source_message_id text
  status text not null
  created_at text not null
  updated_at text not null
table media_downloads
  media_id text not null
  workspace_id text not null
  phone_number_id text not null
  provider_media_id text not null
  expected_sha256 text
  attempts integer not null
  next_attempt_at text
  give_up_at text not null
  last_error text
  created_at text not null
  completed_at text
table media_provider_ids
  media_id text not null
  phone_number_id text not null
  provider_media_id text not null
  uploaded_at text not null
  expires_at text not null
table messages
  id text not null
  workspace_id text not null
  conversation_id text not null
  contact_id text not null
  phone_number_id text not null
  direction text not null
  type text not null
  content text not null
  status text not null
  wamid text
  idempotency_key text
  attempts integer not null
  next_attempt_at text
  claimed_at text
  error_code integer
  error_title text
  error_details text
  category text
  pricing_type text
  cost_micros integer
  created_at text not null
  updated_at text not null
  sent_at text
  delivered_at text
  read_at text
  failed_at text
  request_hash text
  business_read_at text
  deleted_at text
  provider_pricing text
  provider_conversation text
  cost_source text
  played_at text
  reacts_to text
  sent_by_type text
  sent_by_id text
table messaging_limits
  phone_number_id text not null
  workspace_id text not null
  tier integer
  updated_at text not null
table note_mentions
  note_id text not null
  user_id text not null
  workspace_id text not null
  conversation_id text not null
  created_at text not null
  read_at text
table notifications
  id text not null
  workspace_id text not null
  idempotency_key text
  request_hash text not null
  contact_id text not null
  phone_number_id text not null
  recipient text not null
  template_name text not null
  language text not null
  category text not null
  parameters text not null
  status text not null
  send_at text not null
  requested_send_at text
  postponed text
  attempts integer not null
  claimed_at text
  message_id text
  error_code text
  error_message text
  error_details text
  created_at text not null
  updated_at text not null
  sent_at text
  cancelled_at text
  refused_at text
table outbox_events
  id bigint not null default nextval('outbox_events_id_seq'::regclass)
  workspace_id text not null
  type text not null
  data text not null
  created_at text not null
table phone_numbers
  id text not null
  workspace_id text not null
  provider text not null
  waba_id text not null
  phone_number_id text not null
  display_phone_number text not null
  verified_name text not null
  graph_base_url text not null
  graph_version text not null
  access_token_enc text not null
  app_secret_enc text not null
  verify_token_enc text not null
  throughput_mps integer not null
  created_at text not null
  updated_at text not null
  quality_rating text
  messaging_limit_tier text
  throughput_pinned integer not null default 0
  refreshed_at text
table retention_settings
  workspace_id text not null
  message_content_days integer
  media_days integer
  messages_cursor text
  media_cursor text
  updated_at text not null
table survey_responses
  id text not null
  workspace_id text not null
  flow text not null
  kind text not null
  score integer not null
  comment text
  contact_id text not null
  conversation_id text not null
  agent text
  queue text
  answered_at text not null
table team_members
  team_id text not null
  user_id text not null
table teams
  id text not null
  workspace_id text not null
  name text not null
  queue text not null
  created_at text not null
table template_events
  id bigint not null default nextval('template_events_id_seq'::regclass)
  workspace_id text not null
  template_id text not null
  kind text not null
  version integer
  status text
  previous_status text
  reason text
  quality_score text
  previous_quality_score text
  category text
  previous_category text
  details text
  source text not null
  at text not null
table template_versions
  template_id text not null
  version integer not null
  category text not null
  parameter_format text
  components text not null
  created_by text not null
  created_at text not null
  submitted_at text
  status text not null
table templates
  id text not null
  workspace_id text not null
  waba_id text not null
  provider_template_id text
  name text not null
  language text not null
  category text not null
  status text not null
  parameter_format text
  components text not null
  version integer not null
  rejected_reason text
  status_details text
  quality_score text
  previous_category text
  submitted_at text
  submitting_since text
  created_at text not null
  updated_at text not null
  deleted_at text
table user_sessions
  id text not null
  user_id text not null
  created_at text not null
  expires_at text not null
  last_seen_at text not null
table users
  id text not null
  workspace_id text not null
  email text not null
  name text not null
  role text not null
  password_hash text not null
  must_change_password integer not null default 0
  capacity integer not null default 5
  presence text not null default 'offline'::text
  presence_at text
  active integer not null default 1
  created_at text not null
  updated_at text not null
  last_login_at text
table webhook_deliveries
  id text not null
  subscription_id text not null
  workspace_id text not null
  event_id bigint not null
  event_type text not null
  payload text not null
  status text not null
  attempts integer not null
  next_attempt_at text
  last_status_code integer
  last_error text
  created_at text not null
  updated_at text not null
  delivered_at text
table webhook_delivery_attempts
  id bigint not null default nextval('webhook_delivery_attempts_id_seq'::regclass)
  delivery_id text not null
  attempted_at text not null
  status_code integer
  error text
  duration_ms integer not null
table webhook_subscriptions
  id text not null
  workspace_id text not null
  url text not null
  events text not null
  secret_enc text not null
  description text
  active integer not null
  after_event_id bigint not null
  created_at text not null
  updated_at text not null
table workspaces
  id text not null
  name text not null
  created_at text not null
CREATE UNIQUE INDEX api_keys_key_hash_key ON api_keys USING btree (key_hash);
CREATE UNIQUE INDEX api_keys_pkey ON api_keys USING btree (id);
CREATE INDEX api_keys_workspace ON api_keys USING btree (workspace_id);
CREATE UNIQUE INDEX assignment_rotations_pk ON assignment_rotations USING btree (workspace_id, queue);
CREATE UNIQUE INDEX assignment_settings_pkey ON assignment_settings USING btree (workspace_id);
CREATE INDEX audit_log_at ON audit_log USING btree (at);
CREATE INDEX audit_log_page ON audit_log USING btree (workspace_id, id);
CREATE UNIQUE INDEX audit_log_pkey ON audit_log USING btree (id);
CREATE INDEX audit_log_target ON audit_log USING btree (workspace_id, target_id, id);
CREATE UNIQUE INDEX blocked_users_pkey ON blocked_users USING btree (phone_number_id, wa_id);
CREATE INDEX bot_log_conversation ON bot_log USING btree (conversation_id, created_at, id);
CREATE INDEX bot_log_created ON bot_log USING btree (created_at);
CREATE UNIQUE INDEX bot_log_pkey ON bot_log USING btree (id);
CREATE INDEX bot_sessions_expires ON bot_sessions USING btree (expires_at);
CREATE UNIQUE INDEX bot_sessions_pkey ON bot_sessions USING btree (conversation_id);
CREATE INDEX bot_tasks_conversation ON bot_tasks USING btree (conversation_id);
CREATE INDEX bot_tasks_due ON bot_tasks USING btree (done_at, due_at);
CREATE UNIQUE INDEX bot_tasks_pkey ON bot_tasks USING btree (id);
CREATE UNIQUE INDEX campaign_recipients_message ON campaign_recipients USING btree (message_id);
CREATE UNIQUE INDEX campaign_recipients_pk ON campaign_recipients USING btree (campaign_id, seq);
CREATE INDEX campaign_recipients_state ON campaign_recipients USING btree (campaign_id, state, seq);
CREATE UNIQUE INDEX campaign_recipients_wa_id ON campaign_recipients USING btree (campaign_id, wa_id);
CREATE INDEX campaign_rejections_campaign ON campaign_rejections USING btree (campaign_id, line);
CREATE UNIQUE INDEX campaigns_pkey ON campaigns USING btree (id);
CREATE INDEX campaigns_status ON campaigns USING btree (status, start_at);
CREATE INDEX campaigns_workspace ON campaigns USING btree (workspace_id, id);
CREATE UNIQUE INDEX canned_replies_pkey ON canned_replies USING btree (id);
CREATE UNIQUE INDEX canned_replies_shortcut ON canned_replies USING btree (workspace_id, shortcut);
CREATE UNIQUE INDEX consent_tombstones_pkey ON consent_tombstones USING btree (workspace_id, subject_hash, purpose);
CREATE INDEX consents_contact ON consents USING btree (contact_id, purpose, id);
CREATE UNIQUE INDEX consents_pkey ON consents USING btree (id);
CREATE INDEX contact_aliases_contact ON contact_aliases USING btree (contact_id);
CREATE UNIQUE INDEX contact_aliases_pkey ON contact_aliases USING btree (workspace_id, wa_id);
CREATE UNIQUE INDEX contacts_pkey ON contacts USING btree (id);
CREATE UNIQUE INDEX contacts_workspace_user_id ON contacts USING btree (workspace_id, user_id);
CREATE UNIQUE INDEX contacts_workspace_wa_id ON contacts USING btree (workspace_id, wa_id);
CREATE UNIQUE INDEX conversation_labels_pk ON conversation_labels USING btree (conversation_id, label_key);
CREATE INDEX conversation_labels_workspace ON conversation_labels USING btree (workspace_id, label_key);
CREATE INDEX conversation_notes_conversation ON conversation_notes USING btree (conversation_id, created_at, id);
CREATE UNIQUE INDEX conversation_notes_pkey ON conversation_notes USING btree (id);
CREATE INDEX conversation_transitions_conversation ON conversation_transitions USING btree (conversation_id, id);
CREATE UNIQUE INDEX conversation_transitions_pkey ON conversation_transitions USING btree (id);
CREATE INDEX conversations_activity ON conversations USING btree (workspace_id, COALESCE(last_message_at, created_at), id);
CREATE UNIQUE INDEX conversations_number_contact ON conversations USING btree (phone_number_id, contact_id);
CREATE INDEX conversations_owner ON conversations USING btree (workspace_id, owner_type, owner_id);
CREATE UNIQUE INDEX conversations_pkey ON conversations USING btree (id);
CREATE UNIQUE INDEX event_consumers_pkey ON event_consumers USING btree (name);
CREATE INDEX flow_deployments_flow ON flow_deployments USING btree (flow_id);
CREATE UNIQUE INDEX flow_deployments_pk ON flow_deployments USING btree (phone_number_id, flow_id);
CREATE UNIQUE INDEX flow_secrets_pk ON flow_secrets USING btree (workspace_id, name);
CREATE UNIQUE INDEX flow_versions_flow ON flow_versions USING btree (flow_id, version);
CREATE UNIQUE INDEX flow_versions_pkey ON flow_versions USING btree (id);
CREATE UNIQUE INDEX flows_pkey ON flows USING btree (id);
CREATE UNIQUE INDEX flows_workspace_name ON flows USING btree (workspace_id, name);
CREATE INDEX form_submissions_contact ON form_submissions USING btree (contact_id, submitted_at, id);
CREATE INDEX form_submissions_form ON form_submissions USING btree (workspace_id, form, submitted_at, id);
CREATE INDEX form_submissions_page ON form_submissions USING btree (workspace_id, submitted_at, id);
CREATE UNIQUE INDEX form_submissions_pkey ON form_submissions USING btree (id);
CREATE UNIQUE INDEX group_participants_pkey ON group_participants USING btree (group_id, wa_id);
CREATE UNIQUE INDEX groups_pkey ON groups USING btree (id);
CREATE UNIQUE INDEX groups_provider_id ON groups USING btree (phone_number_id, provider_group_id);
CREATE UNIQUE INDEX groups_request ON groups USING btree (phone_number_id, request_id);
CREATE INDEX groups_workspace ON groups USING btree (workspace_id, created_at, id);
CREATE UNIQUE INDEX inbound_events_dedupe_key_key ON inbound_events USING btree (dedupe_key);
CREATE INDEX inbound_events_pending ON inbound_events USING btree (processed_at, id);
CREATE UNIQUE INDEX inbound_events_pkey ON inbound_events USING btree (id);
CREATE INDEX inbound_events_ref ON inbound_events USING btree (ref);
CREATE INDEX inbound_events_workspace ON inbound_events USING btree (workspace_id, id);
CREATE UNIQUE INDEX invoices_pkey ON invoices USING btree (id);
CREATE INDEX invoices_workspace_created ON invoices USING btree (workspace_id, created_at);
CREATE UNIQUE INDEX invoices_workspace_number ON invoices USING btree (workspace_id, number);
CREATE UNIQUE INDEX lead_sources_pkey ON lead_sources USING btree (workspace_id, source_type, source_id);
CREATE INDEX leads_contact ON leads USING btree (contact_id);
CREATE UNIQUE INDEX leads_contact_source ON leads USING btree (workspace_id, contact_id, source_type, source_id);
CREATE INDEX leads_page ON leads USING btree (workspace_id, created_at, id);
CREATE UNIQUE INDEX leads_pkey ON leads USING btree (id);
CREATE INDEX leads_source ON leads USING btree (workspace_id, source_type, source_id, created_at, id);
CREATE INDEX media_downloads_completed ON media_downloads USING btree (completed_at);
CREATE INDEX media_downloads_due ON media_downloads USING btree (next_attempt_at);
CREATE UNIQUE INDEX media_downloads_pkey ON media_downloads USING btree (media_id);
CREATE UNIQUE INDEX media_pkey ON media USING btree (id);
CREATE UNIQUE INDEX media_provider_ids_media_number ON media_provider_ids USING btree (media_id, phone_number_id);
CREATE INDEX media_workspace ON media USING btree (workspace_id, created_at);
CREATE INDEX messages_contact_failed ON messages USING btree (contact_id, error_code) WHERE (error_code IS NOT NULL);
CREATE INDEX messages_conversation_page ON messages USING btree (conversation_id, created_at, id);
CREATE INDEX messages_dispatch ON messages USING btree (status, phone_number_id, next_attempt_at);
CREATE UNIQUE INDEX messages_idempotency ON messages USING btree (workspace_id, idempotency_key);
CREATE INDEX messages_number_created ON messages USING btree (phone_number_id, created_at);
CREATE UNIQUE INDEX messages_pkey ON messages USING btree (id);
CREATE INDEX messages_reacts_to ON messages USING btree (reacts_to) WHERE (reacts_to IS NOT NULL);
CREATE INDEX messages_unread ON messages USING btree (conversation_id, created_at, id) WHERE ((direction = 'in'::text) AND (business_read_at IS NULL));
CREATE UNIQUE INDEX messages_wamid_key ON messages USING btree (wamid);
CREATE INDEX messages_workspace_page ON messages USING btree (workspace_id, created_at, id);
CREATE UNIQUE INDEX messaging_limits_pkey ON messaging_limits USING btree (phone_number_id);
CREATE UNIQUE INDEX note_mentions_pk ON note_mentions USING btree (note_id, user_id);
CREATE INDEX note_mentions_user ON note_mentions USING btree (user_id, read_at, created_at);
CREATE INDEX notifications_due ON notifications USING btree (status, send_at);
CREATE UNIQUE INDEX notifications_pkey ON notifications USING btree (id);
CREATE INDEX notifications_workspace_contact ON notifications USING btree (workspace_id, contact_id);
CREATE UNIQUE INDEX notifications_workspace_idempotency_key ON notifications USING btree (workspace_id, idempotency_key);
CREATE UNIQUE INDEX outbox_events_pkey ON outbox_events USING btree (id);
CREATE INDEX outbox_events_workspace ON outbox_events USING btree (workspace_id, id);
CREATE UNIQUE INDEX phone_numbers_phone_number_id_key ON phone_numbers USING btree (phone_number_id);
CREATE UNIQUE INDEX phone_numbers_pkey ON phone_numbers USING btree (id);
CREATE INDEX phone_numbers_waba ON phone_numbers USING btree (waba_id);
CREATE INDEX phone_numbers_workspace ON phone_numbers USING btree (workspace_id);
CREATE UNIQUE INDEX retention_settings_pkey ON retention_settings USING btree (workspace_id);
CREATE INDEX survey_responses_contact ON survey_responses USING btree (contact_id, answered_at, id);
CREATE INDEX survey_responses_kind ON survey_responses USING btree (workspace_id, kind, answered_at, id);
CREATE INDEX survey_responses_page ON survey_responses USING btree (workspace_id, answered_at, id);
CREATE UNIQUE INDEX survey_responses_pkey ON survey_responses USING btree (id);
CREATE UNIQUE INDEX team_members_pk ON team_members USING btree (team_id, user_id);
CREATE INDEX team_members_user ON team_members USING btree (user_id);
CREATE UNIQUE INDEX teams_pkey ON teams USING btree (id);
CREATE UNIQUE INDEX teams_queue ON teams USING btree (workspace_id, queue);
CREATE UNIQUE INDEX template_events_pkey ON template_events USING btree (id);
CREATE INDEX template_events_template ON template_events USING btree (template_id, id);
CREATE UNIQUE INDEX template_versions_pk ON template_versions USING btree (template_id, version);
CREATE UNIQUE INDEX templates_live_name_language ON templates USING btree (workspace_id, waba_id, name, language) WHERE (deleted_at IS NULL);
CREATE UNIQUE INDEX templates_pkey ON templates USING btree (id);
CREATE INDEX templates_provider_id ON templates USING btree (workspace_id, provider_template_id);
CREATE INDEX user_sessions_expires ON user_sessions USING btree (expires_at);
CREATE UNIQUE INDEX user_sessions_pkey ON user_sessions USING btree (id);
CREATE INDEX user_sessions_user ON user_sessions USING btree (user_id);
CREATE UNIQUE INDEX users_email ON users USING btree (email);
CREATE UNIQUE INDEX users_pkey ON users USING btree (id);
CREATE INDEX users_workspace ON users USING btree (workspace_id, name, id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries USING btree (status, next_attempt_at);
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries USING btree (status, updated_at);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries USING btree (subscription_id, id);
CREATE UNIQUE INDEX webhook_deliveries_pkey ON webhook_deliveries USING btree (id);
CREATE UNIQUE INDEX webhook_deliveries_subscription_event ON webhook_deliveries USING btree (subscription_id, event_id);
CREATE INDEX webhook_delivery_attempts_delivery ON webhook_delivery_attempts USING btree (delivery_id, id);
CREATE UNIQUE INDEX webhook_delivery_attempts_pkey ON webhook_delivery_attempts USING btree (id);
CREATE UNIQUE INDEX webhook_subscriptions_pkey ON webhook_subscriptions USING btree (id);
CREATE INDEX webhook_subscriptions_workspace ON webhook_subscriptions USING btree (workspace_id, id);
CREATE UNIQUE INDEX workspaces_pkey ON workspaces USING btree (id);
