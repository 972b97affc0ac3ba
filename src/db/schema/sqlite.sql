CREATE TABLE "api_keys" ("id" text primary key, "workspace_id" text not null references "workspaces" ("id") on delete cascade, "name" text not null, "key_prefix" text not null, "key_hash" text not null unique, "scopes" text not null, "created_at" text not null, "last_used_at" text, "revoked_at" text);
CREATE TABLE "phone_numbers" ("id" text primary key, "workspace_id" text not null references "workspaces" ("id") on delete cascade, "provider" text not null, "waba_id" text not null, "phone_number_id" text not null unique, "display_phone_number" text not null, "verified_name" text not null, "graph_base_url" text not null, "graph_version" text not null, "access_token_enc" text not null, "app_secret_enc" text not null, "verify_token_enc" text not null, "throughput_mps" integer not null, "created_at" text not null, "updated_at" text not null);
CREATE TABLE "webhook_events" ("id" integer primary key autoincrement, "workspace_id" text references "workspaces" ("id") on delete cascade, "waba_id" text, "received_at" text not null, "body" text not null);
CREATE TABLE "workspaces" ("id" text primary key, "name" text not null, "created_at" text not null);
CREATE INDEX "api_keys_workspace" on "api_keys" ("workspace_id");
CREATE INDEX "phone_numbers_waba" on "phone_numbers" ("waba_id");
CREATE INDEX "phone_numbers_workspace" on "phone_numbers" ("workspace_id");
CREATE INDEX "webhook_events_workspace" on "webhook_events" ("workspace_id", "id");
