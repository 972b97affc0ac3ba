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
table webhook_events
  id bigint not null default nextval('webhook_events_id_seq'::regclass)
  workspace_id text
  waba_id text
  received_at text not null
  body text not null
table workspaces
  id text not null
  name text not null
  created_at text not null
CREATE UNIQUE INDEX api_keys_key_hash_key ON api_keys USING btree (key_hash);
CREATE UNIQUE INDEX api_keys_pkey ON api_keys USING btree (id);
CREATE INDEX api_keys_workspace ON api_keys USING btree (workspace_id);
CREATE UNIQUE INDEX phone_numbers_phone_number_id_key ON phone_numbers USING btree (phone_number_id);
CREATE UNIQUE INDEX phone_numbers_pkey ON phone_numbers USING btree (id);
CREATE INDEX phone_numbers_waba ON phone_numbers USING btree (waba_id);
CREATE INDEX phone_numbers_workspace ON phone_numbers USING btree (workspace_id);
CREATE UNIQUE INDEX webhook_events_pkey ON webhook_events USING btree (id);
CREATE INDEX webhook_events_workspace ON webhook_events USING btree (workspace_id, id);
CREATE UNIQUE INDEX workspaces_pkey ON workspaces USING btree (id);
