import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';
import { foldWords } from './extract.js';
import { LEAD_LIMITS, type LeadSource } from './lead-fields.js';

/** A configured lead source as the API shows it. */
export interface LeadSourceView {
  type: LeadSource['type'];
  id: string;
  /** Interest keywords and phrases: a customer's message holding one adds it to the lead's `interest` field. */
  keywords: string[];
  created_at: string;
  updated_at: string;
}

/**
 * What is configured per lead source (`lead_sources`): interest keywords for any source, and
 * for a `chat` source (a phone number, by its `phone_number_id`) that every customer who writes
 * to it becomes a lead of it.
 */
export class LeadSources {
  constructor(private readonly deps: { db: Kysely<Schema>; now: () => Date }) {}

  /** Every configured source of the workspace, by type and id. */
  async list(workspaceId: string): Promise<LeadSourceView[]> {
    const rows = await this.deps.db.selectFrom('lead_sources').selectAll().where('workspace_id', '=', workspaceId).orderBy('source_type').orderBy('source_id').execute();
    return rows.map(toView);
  }

  /**
   * Sets a source's keywords (replacing them; duplicates after folding accents and case are
   * dropped, order kept). A refusal names `keywords` or `keywords.<n>` and the rule.
   */
  async configure(workspaceId: string, source: LeadSource, keywords: readonly string[]): Promise<{ ok: true; source: LeadSourceView; created: boolean } | { ok: false; field: string; rule: string }> {
    const kept: string[] = [];
    const seen = new Set<string>();
    if (keywords.length > LEAD_LIMITS.keywords) return { ok: false, field: 'keywords', rule: `must have at most ${LEAD_LIMITS.keywords} keywords` };
    for (const [index, keyword] of keywords.entries()) {
      const trimmed = keyword.trim().replace(/\s+/g, ' ');
      const folded = foldWords(trimmed).trim();
      if (folded === '' || trimmed.length > LEAD_LIMITS.keyword) return { ok: false, field: `keywords.${index}`, rule: `must hold a letter or digit, at most ${LEAD_LIMITS.keyword} characters` };
      if (seen.has(folded)) continue;
      seen.add(folded);
      kept.push(trimmed);
    }
    const now = this.deps.now().toISOString();
    return this.deps.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('lead_sources').selectAll().where('workspace_id', '=', workspaceId).where('source_type', '=', source.type).where('source_id', '=', source.id).executeTakeFirst();
      if (existing) {
        await trx.updateTable('lead_sources').set({ keywords: JSON.stringify(kept), updated_at: now }).where('workspace_id', '=', workspaceId).where('source_type', '=', source.type).where('source_id', '=', source.id).execute();
        return { ok: true as const, source: toView({ ...existing, keywords: JSON.stringify(kept), updated_at: now }), created: false };
      }
      const row = { workspace_id: workspaceId, source_type: source.type, source_id: source.id, keywords: JSON.stringify(kept), created_at: now, updated_at: now };
      await trx.insertInto('lead_sources').values(row).onConflict((conflict) => conflict.columns(['workspace_id', 'source_type', 'source_id']).doUpdateSet({ keywords: row.keywords, updated_at: now })).execute();
      return { ok: true as const, source: toView(row), created: true };
    });
  }

  /** Removes a source's configuration (its leads stay); false when there was none. */
  async remove(workspaceId: string, source: LeadSource): Promise<boolean> {
    const deleted = await this.deps.db.deleteFrom('lead_sources').where('workspace_id', '=', workspaceId).where('source_type', '=', source.type).where('source_id', '=', source.id).executeTakeFirst();
    return Number(deleted.numDeletedRows) > 0;
  }
}

function toView(row: { source_type: string; source_id: string; keywords: string; created_at: string; updated_at: string }): LeadSourceView {
  return { type: row.source_type as LeadSource['type'], id: row.source_id, keywords: JSON.parse(row.keywords) as string[], created_at: row.created_at, updated_at: row.updated_at };
}
