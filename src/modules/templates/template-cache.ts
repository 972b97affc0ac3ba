import type { Kysely } from 'kysely';
import { newId, type Schema } from '../../db/index.js';
import type { TemplateComponentDefinition, TemplateRecord } from '../../whatsapp/index.js';

export interface CachedTemplate {
  name: string;
  language: string;
  status: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  parameter_format?: 'POSITIONAL' | 'NAMED';
  components: TemplateComponentDefinition[];
}

/**
 * The platform's copy of the provider's templates per WABA, kept current by syncs (listing the
 * provider's templates) and by `message_template_status_update` webhooks. Policy checks read it,
 * so a send of an unknown or unapproved template is refused before it reaches the wire.
 */
export class TemplateCache {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Every language of a template name on a WABA. */
  async byName(workspaceId: string, wabaId: string, name: string): Promise<CachedTemplate[]> {
    const rows = await this.db.selectFrom('templates').selectAll().where('workspace_id', '=', workspaceId).where('waba_id', '=', wabaId).where('name', '=', name).execute();
    return rows.map((row) => ({
      name: row.name,
      language: row.language,
      status: row.status,
      category: row.category as CachedTemplate['category'],
      ...(row.parameter_format ? { parameter_format: row.parameter_format as 'POSITIONAL' | 'NAMED' } : {}),
      components: JSON.parse(row.components) as TemplateComponentDefinition[],
    }));
  }

  /** Replaces the cache of a WABA with the provider's list. */
  async sync(workspaceId: string, wabaId: string, records: TemplateRecord[]): Promise<number> {
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('templates').where('workspace_id', '=', workspaceId).where('waba_id', '=', wabaId).execute();
      for (const record of records) {
        await trx
          .insertInto('templates')
          .values({
            id: newId('tpl'),
            workspace_id: workspaceId,
            waba_id: wabaId,
            provider_template_id: record.id,
            name: record.name,
            language: record.language,
            category: record.category,
            status: record.status,
            parameter_format: record.parameter_format ?? null,
            components: JSON.stringify(record.components),
            updated_at: at,
          })
          .execute();
      }
    });
    return records.length;
  }

  /** Applies a template status webhook; answers false when the template is not cached yet. */
  async applyStatus(workspaceId: string, input: { providerTemplateId: string; status: string }, trx: Kysely<Schema> = this.db): Promise<boolean> {
    const result = await trx
      .updateTable('templates')
      .set({ status: input.status, updated_at: this.now().toISOString() })
      .where('workspace_id', '=', workspaceId)
      .where('provider_template_id', '=', input.providerTemplateId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
