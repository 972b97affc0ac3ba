import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';

export interface WebhookEventView {
  id: number;
  waba_id: string | null;
  received_at: string;
  payload: unknown;
}

/**
 * The raw log of verified Meta webhooks, stored before the webhook is acknowledged. It is the
 * record the processing of messages and statuses starts from, and a debugging aid.
 */
export class WebhookEvents {
  constructor(private readonly db: Kysely<Schema>) {}

  async record(input: { workspaceId: string; wabaId: string | null; body: string }, now = new Date()): Promise<number> {
    const row = await this.db
      .insertInto('webhook_events')
      .values({ workspace_id: input.workspaceId, waba_id: input.wabaId, received_at: now.toISOString(), body: input.body })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** Newest first; `before` is the id of the last event of the previous page. */
  async list(workspaceId: string, options: { limit: number; before?: number }): Promise<{ data: WebhookEventView[]; next_cursor: string | null }> {
    let query = this.db
      .selectFrom('webhook_events')
      .select(['id', 'waba_id', 'received_at', 'body'])
      .where('workspace_id', '=', workspaceId)
      .orderBy('id', 'desc')
      .limit(options.limit + 1);
    if (options.before !== undefined) query = query.where('id', '<', options.before);
    const rows = await query.execute();
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    return {
      data: page.map((row) => ({ id: Number(row.id), waba_id: row.waba_id, received_at: row.received_at, payload: JSON.parse(row.body) as unknown })),
      next_cursor: rows.length > options.limit && last ? String(last.id) : null,
    };
  }
}
