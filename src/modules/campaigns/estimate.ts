import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';
import type { PolicyError } from '../messaging/index.js';
import { CHUNK, type CampaignDeps } from './deps.js';
import type { MessagingLimitView } from './messaging-limits.js';
import { decideRecipient, templateProblem, type CampaignTemplate, type RecipientDecision, type SkipReason } from './recipient-decision.js';
import { loadRecipientFacts, type RecipientRow } from './recipient-facts.js';

export interface CostLine {
  messages: number;
  /** USD × 1,000,000. */
  amount_micros: number;
}

/** What a campaign will do if launched now: who receives it, who does not and why, what it costs. */
export interface CampaignEstimate {
  computed_at: string;
  /** Recipients decided (those not yet queued or skipped: everyone before launch). */
  recipients: number;
  will_receive: number;
  will_not_receive: number;
  /** Why the others will not receive it, by reason. */
  skipped: Partial<Record<SkipReason, number>>;
  cost: {
    currency: 'USD';
    /** Charged per delivered message, so this is the cost if every message is delivered. */
    total_micros: number;
    by_category: Record<string, CostLine>;
    by_country: Record<string, CostLine>;
  };
  /** The number's messaging-limit tier now: more recipients than `available` wait for the moving window. */
  messaging_limit: MessagingLimitView;
  throughput_mps: number;
  /** At the number's throughput, ignoring the tier. */
  send_seconds: number;
}

export type EstimateOutcome = { ok: true; estimate: CampaignEstimate } | { ok: false; error: PolicyError };

/**
 * Decides every pending recipient with `decideRecipient` (the same rule used when queueing),
 * reading the audience by keyset in chunks with bulk lookups, and records each decision in the
 * recipient's `planned` column so the prediction can be compared with the result per recipient.
 */
export async function estimateCampaign(
  deps: Pick<CampaignDeps, 'db' | 'consent' | 'conversations' | 'messages' | 'limits' | 'phoneNumbers'>,
  campaign: { id: string; workspaceId: string; phoneNumberRowId: string },
  template: CampaignTemplate,
  now: Date,
): Promise<EstimateOutcome> {
  const problem = templateProblem(template);
  if (problem) return { ok: false, error: problem };
  const estimate: CampaignEstimate = {
    computed_at: now.toISOString(),
    recipients: 0,
    will_receive: 0,
    will_not_receive: 0,
    skipped: {},
    cost: { currency: 'USD', total_micros: 0, by_category: {}, by_country: {} },
    messaging_limit: await deps.limits.view(campaign.phoneNumberRowId),
    throughput_mps: (await deps.phoneNumbers.sender(campaign.phoneNumberRowId))?.throughputMps ?? 80,
    send_seconds: 0,
  };
  let cursor = 0;
  for (;;) {
    const rows = await pendingChunk(deps.db, campaign.id, cursor);
    if (rows.length === 0) break;
    cursor = rows.at(-1)?.seq ?? cursor;
    const facts = await loadRecipientFacts(deps, campaign.workspaceId, campaign.phoneNumberRowId, rows);
    const planned = new Map<string, number[]>();
    rows.forEach((row, index) => {
      const decision = decideRecipient(template, facts[index] as (typeof facts)[number], now.getTime());
      tally(estimate, decision, row.country);
      const label = decision.send ? 'send' : decision.reason;
      const seqs = planned.get(label) ?? [];
      seqs.push(row.seq);
      planned.set(label, seqs);
    });
    await recordPlanned(deps.db, campaign.id, rows, planned);
  }
  estimate.send_seconds = Math.ceil(estimate.will_receive / Math.max(1, estimate.throughput_mps));
  return { ok: true, estimate };
}

/** The next chunk of pending recipients after `cursor` (keyset on seq). */
export function pendingChunk(db: Kysely<Schema>, campaignId: string, cursor: number, limit = CHUNK): Promise<RecipientRow[]> {
  return db
    .selectFrom('campaign_recipients')
    .select(['seq', 'contact_id', 'wa_id', 'phone', 'country', 'calling_code', 'vars', 'message_id', 'state'])
    .where('campaign_id', '=', campaignId)
    .where('state', '=', 'pending')
    .where('seq', '>', cursor)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

function tally(estimate: CampaignEstimate, decision: RecipientDecision, country: string | null): void {
  estimate.recipients += 1;
  if (!decision.send) {
    estimate.will_not_receive += 1;
    estimate.skipped[decision.reason] = (estimate.skipped[decision.reason] ?? 0) + 1;
    return;
  }
  estimate.will_receive += 1;
  const micros = decision.cost.amountMicros;
  estimate.cost.total_micros += micros;
  add(estimate.cost.by_category, decision.category, micros);
  add(estimate.cost.by_country, country ?? 'unknown', micros);
}

function add(lines: Record<string, CostLine>, key: string, micros: number): void {
  const line = (lines[key] ??= { messages: 0, amount_micros: 0 });
  line.messages += 1;
  line.amount_micros += micros;
}

// Most recipients are usually `send`: one range update, then one per skip reason.
async function recordPlanned(db: Kysely<Schema>, campaignId: string, rows: RecipientRow[], planned: Map<string, number[]>): Promise<void> {
  const first = rows[0]?.seq ?? 0;
  const last = rows.at(-1)?.seq ?? 0;
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('campaign_recipients').set({ planned: 'send' }).where('campaign_id', '=', campaignId).where('state', '=', 'pending').where('seq', '>=', first).where('seq', '<=', last).execute();
    for (const [label, seqs] of planned) {
      if (label === 'send') continue;
      await trx.updateTable('campaign_recipients').set({ planned: label }).where('campaign_id', '=', campaignId).where('seq', 'in', seqs).execute();
    }
  });
}
