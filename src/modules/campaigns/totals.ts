import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';

/**
 * A campaign's results. Recipient states: `pending` (not yet queued), `skipped` (by reason),
 * `cancelled`, and queued recipients by the status of their message: `in_outbox` (queued or
 * being sent), `accepted`, `sent`, `delivered`, `read`, `failed` (by Meta's error code). Each
 * recipient is in exactly one of these; `reached` adds them up the way people count
 * (delivered includes read). `replied`: the contact wrote to the number after it was queued;
 * `opted_out_after`: the contact opted out (any purpose) after it was queued.
 */
export interface CampaignTotals {
  recipients: number;
  pending: number;
  skipped: number;
  skipped_by_reason: Record<string, number>;
  cancelled: number;
  queued: number;
  in_outbox: number;
  accepted: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  failed_by_code: Record<string, number>;
  reached: { sent: number; delivered: number; read: number };
  replied: number;
  opted_out_after: number;
  /** What the delivered messages cost (charged per delivered message). */
  cost: { currency: 'USD'; delivered_micros: number };
}

/** Aggregates a campaign's results from its recipients and their messages (computed on read). */
export async function campaignTotals(db: Kysely<Schema>, campaignId: string, phoneNumberRowId: string): Promise<CampaignTotals> {
  const groups = await db
    .selectFrom('campaign_recipients as r')
    .leftJoin('messages as m', 'm.id', 'r.message_id')
    .select(['r.state', 'r.reason', 'm.status', 'm.error_code', sql<number>`count(*)`.as('n'), sql<number>`sum(case when m.status in ('delivered', 'read') then m.cost_micros else 0 end)`.as('cost')])
    .where('r.campaign_id', '=', campaignId)
    .groupBy(['r.state', 'r.reason', 'm.status', 'm.error_code'])
    .execute();
  const totals: CampaignTotals = {
    recipients: 0,
    pending: 0,
    skipped: 0,
    skipped_by_reason: {},
    cancelled: 0,
    queued: 0,
    in_outbox: 0,
    accepted: 0,
    sent: 0,
    delivered: 0,
    read: 0,
    failed: 0,
    failed_by_code: {},
    reached: { sent: 0, delivered: 0, read: 0 },
    replied: 0,
    opted_out_after: 0,
    cost: { currency: 'USD', delivered_micros: 0 },
  };
  for (const group of groups) {
    const n = Number(group.n);
    totals.recipients += n;
    totals.cost.delivered_micros += Number(group.cost ?? 0);
    if (group.state === 'pending') totals.pending += n;
    else if (group.state === 'cancelled') totals.cancelled += n;
    else if (group.state === 'skipped') {
      totals.skipped += n;
      const reason = group.reason ?? 'unknown';
      totals.skipped_by_reason[reason] = (totals.skipped_by_reason[reason] ?? 0) + n;
    } else {
      totals.queued += n;
      const status = group.status ?? 'queued';
      if (status === 'accepted' || status === 'sent' || status === 'delivered' || status === 'read') totals[status] += n;
      else if (status === 'failed') {
        totals.failed += n;
        const code = String(group.error_code ?? 'unknown');
        totals.failed_by_code[code] = (totals.failed_by_code[code] ?? 0) + n;
      } else totals.in_outbox += n;
    }
  }
  totals.reached = { sent: totals.sent + totals.delivered + totals.read, delivered: totals.delivered + totals.read, read: totals.read };
  const replied = await db
    .selectFrom('campaign_recipients as r')
    .innerJoin('conversations as c', (join) => join.onRef('c.contact_id', '=', 'r.contact_id').on('c.phone_number_id', '=', phoneNumberRowId))
    .select(sql<number>`count(*)`.as('n'))
    .where('r.campaign_id', '=', campaignId)
    .where('r.state', '=', 'queued')
    .whereRef('c.last_inbound_at', '>=', 'r.queued_at')
    .executeTakeFirstOrThrow();
  totals.replied = Number(replied.n);
  const optedOut = await db
    .selectFrom('campaign_recipients as r')
    .select(sql<number>`count(*)`.as('n'))
    .where('r.campaign_id', '=', campaignId)
    .where('r.state', '=', 'queued')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('consents as k')
          .select('k.id')
          .whereRef('k.contact_id', '=', 'r.contact_id')
          .where('k.status', '=', 'opted_out')
          .whereRef('k.recorded_at', '>=', 'r.queued_at'),
      ),
    )
    .executeTakeFirstOrThrow();
  totals.opted_out_after = Number(optedOut.n);
  return totals;
}

/** Filters for the recipients list: a recipient state, or the status of a queued recipient's message. */
export const RECIPIENT_FILTERS = ['pending', 'skipped', 'cancelled', 'queued', 'in_outbox', 'accepted', 'sent', 'delivered', 'read', 'failed'] as const;
export type RecipientFilter = (typeof RECIPIENT_FILTERS)[number];

export interface RecipientView {
  seq: number;
  phone: string;
  wa_id: string | null;
  contact_id: string | null;
  line: number | null;
  state: string;
  reason: string | null;
  /** The latest estimate's decision: `send` or the skip reason it predicted. */
  planned: string | null;
  queued_at: string | null;
  message: { id: string; status: string; error: { code: number; title: string | null } | null; sent_at: string | null; delivered_at: string | null; read_at: string | null; failed_at: string | null } | null;
}

/** Recipients in audience order, by keyset on `seq`, optionally filtered by state (or message status) and skip reason. */
export async function listRecipients(
  db: Kysely<Schema>,
  campaignId: string,
  options: { limit: number; after?: number | undefined; state?: RecipientFilter | undefined; reason?: string | undefined },
): Promise<{ data: RecipientView[]; next_cursor: string | null }> {
  let query = db
    .selectFrom('campaign_recipients as r')
    .leftJoin('messages as m', 'm.id', 'r.message_id')
    .select(['r.seq', 'r.phone', 'r.wa_id', 'r.contact_id', 'r.line', 'r.state', 'r.reason', 'r.planned', 'r.queued_at', 'm.id as message_id', 'm.status', 'm.error_code', 'm.error_title', 'm.sent_at', 'm.delivered_at', 'm.read_at', 'm.failed_at'])
    .where('r.campaign_id', '=', campaignId)
    .orderBy('r.seq')
    .limit(options.limit + 1);
  if (options.after !== undefined) query = query.where('r.seq', '>', options.after);
  const state = options.state;
  if (state === 'pending' || state === 'skipped' || state === 'cancelled' || state === 'queued') query = query.where('r.state', '=', state);
  else if (state === 'in_outbox') query = query.where('r.state', '=', 'queued').where('m.status', 'in', ['queued', 'sending', 'unknown']);
  else if (state) query = query.where('r.state', '=', 'queued').where('m.status', '=', state);
  if (options.reason) query = query.where('r.reason', '=', options.reason);
  const rows = await query.execute();
  const page = rows.slice(0, options.limit);
  return {
    data: page.map((row) => ({
      seq: Number(row.seq),
      phone: row.phone,
      wa_id: row.wa_id,
      contact_id: row.contact_id,
      line: row.line === null ? null : Number(row.line),
      state: row.state,
      reason: row.reason,
      planned: row.planned,
      queued_at: row.queued_at,
      message:
        row.message_id && row.status
          ? {
              id: row.message_id,
              status: row.status,
              error: row.error_code === null ? null : { code: Number(row.error_code), title: row.error_title },
              sent_at: row.sent_at,
              delivered_at: row.delivered_at,
              read_at: row.read_at,
              failed_at: row.failed_at,
            }
          : null,
    })),
    next_cursor: rows.length > options.limit ? String(page.at(-1)?.seq) : null,
  };
}
