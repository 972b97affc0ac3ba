import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Workspaces and API keys become an API. `api_keys.replaced_by` names the key that took the
 * place of one retired by a rotation. The admin keys the first start created (in the oldest
 * workspace, by name, with the scopes `["admin"]`) gain `workspaces:admin`, the scope that
 * creates workspaces and that `admin` alone no longer implies: an existing installation keeps
 * the power it had. Before this migration no other code created keys.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('api_keys').addColumn('replaced_by', 'text').execute();
  await sql`
    update api_keys set scopes = ${'["admin","workspaces:admin"]'}
    where scopes = ${'["admin"]'}
      and name in (${'admin (first start)'}, ${'admin (CONVERSA_ADMIN_KEY)'})
      and workspace_id = (select id from workspaces order by created_at, id limit 1)
  `.execute(db);
}
