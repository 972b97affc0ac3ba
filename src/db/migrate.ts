import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import * as m0001 from './migrations/0001-foundation.js';
import * as m0002 from './migrations/0002-messaging-core.js';
import * as m0003 from './migrations/0003-events-outbox.js';
import * as m0004 from './migrations/0004-webhooks.js';
import * as m0005 from './migrations/0005-media.js';
import * as m0006 from './migrations/0006-templates.js';
import * as m0007 from './migrations/0007-notifications.js';
import * as m0008 from './migrations/0008-invoices.js';
import * as m0009 from './migrations/0009-campaigns.js';
import * as m0010 from './migrations/0010-number-refresh.js';
import * as m0011 from './migrations/0011-webhook-scope.js';
import * as m0012 from './migrations/0012-message-request-hash.js';
import * as m0013 from './migrations/0013-workspace-admin.js';
import * as m0016 from './migrations/0016-conversation-api.js';
import * as m0017 from './migrations/0017-inbound-router.js';
import * as m0018 from './migrations/0018-hot-path-indexes.js';
import * as m0019 from './migrations/0019-conversation-ownership.js';
import * as m0020 from './migrations/0020-flows.js';
import * as m0021 from './migrations/0021-forms-surveys.js';
import * as m0022 from './migrations/0022-users.js';
import * as m0025 from './migrations/0025-blocked-users.js';
import * as m0023 from './migrations/0023-inbox.js';
import * as m0024 from './migrations/0024-desk.js';
import * as m0026 from './migrations/0026-message-author.js';
import * as m0027 from './migrations/0027-groups.js';
import * as m0028 from './migrations/0028-leads.js';
import * as m0029 from './migrations/0029-consent-tombstones.js';
import * as m0030 from './migrations/0030-audit-log.js';
import * as m0031 from './migrations/0031-retention.js';
import * as m0032 from './migrations/0032-unread-index.js';
import { POSTGRES_MIGRATION_CONTEXT, SQLITE_MIGRATION_CONTEXT, type MigrationContext } from './migrations/context.js';

type MigrationModule = { up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> };

/** Every migration, in order. Never edit one that has landed: add the next number. */
const MIGRATIONS: Record<string, MigrationModule> = {
  '0001-foundation': m0001,
  '0002-messaging-core': m0002,
  '0003-events-outbox': m0003,
  '0004-webhooks': m0004,
  '0005-media': m0005,
  '0006-templates': m0006,
  '0007-notifications': m0007,
  '0008-invoices': m0008,
  '0009-campaigns': m0009,
  '0010-number-refresh': m0010,
  '0011-webhook-scope': m0011,
  '0012-message-request-hash': m0012,
  '0013-workspace-admin': m0013,
  '0016-conversation-api': m0016,
  '0017-inbound-router': m0017,
  '0018-hot-path-indexes': m0018,
  '0019-conversation-ownership': m0019,
  '0020-flows': m0020,
  '0021-forms-surveys': m0021,
  '0022-users': m0022,
  '0025-blocked-users': m0025,
  '0023-inbox': m0023,
  '0024-desk': m0024,
  '0026-message-author': m0026,
  '0027-groups': m0027,
  '0028-leads': m0028,
  '0029-consent-tombstones': m0029,
  '0030-audit-log': m0030,
  '0031-retention': m0031,
  '0032-unread-index': m0032,
};

/**
 * Brings the schema up to date. Safe to run on every start and from several nodes at once
 * (Kysely takes a lock table on PostgreSQL and runs in one transaction).
 */
export async function migrateToLatest(database: Database): Promise<string[]> {
  return migrate(database);
}

/**
 * Runs the migrations up to and including `name` only: for tests of a migration over data the
 * schema before it held.
 */
export async function migrateTo(database: Database, name: string): Promise<string[]> {
  return migrate(database, name);
}

async function migrate(database: Database, upTo?: string): Promise<string[]> {
  const ctx = database.capabilities.singleWriter ? SQLITE_MIGRATION_CONTEXT : POSTGRES_MIGRATION_CONTEXT;
  const provider: MigrationProvider = {
    getMigrations: async () =>
      Object.fromEntries(
        Object.entries(MIGRATIONS).map(([name, module]): [string, Migration] => [
          name,
          { up: (db) => module.up(db, ctx) },
        ]),
      ),
  };
  const migrator = new Migrator({ db: database.db, provider });
  const { error, results } = upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(upTo);
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${String(error)}`, { cause: error });
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
