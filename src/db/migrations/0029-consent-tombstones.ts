import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Consent tombstones (issue 13, erasure): what is kept of an erased person's consent ledger,
 * to prove that their choices were respected and to keep honouring them when the same number
 * comes back. One row per workspace, person and purpose: the latest state (opted in or out),
 * its source and when it was recorded, and when the person was erased. The phone number is
 * not kept: `subject_hash` is an HMAC-SHA256 of the workspace and the wa_id with a key derived
 * from the platform's secret key (src/security/subject-hash.ts), so a number can be matched
 * again only by someone holding that key. No contact id, no name, no consent text, no proof.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('consent_tombstones')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('subject_hash', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('erased_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('consent_tombstones_pkey', ['workspace_id', 'subject_hash', 'purpose'])
    .execute();
}
