import { sql } from 'kysely';
import type { CampaignsTable } from '../../db/index.js';
import { PollingLoop } from '../../jobs/index.js';
import type { Messages } from '../messaging/index.js';
import { loadCampaignTemplate } from './campaign-template.js';
import { templateInput, type Campaigns } from './campaigns.js';
import { CHUNK, type CampaignDeps } from './deps.js';
import { pendingChunk } from './estimate.js';
import { decideRecipient, templateProblem, type CampaignTemplate, type SkipReason } from './recipient-decision.js';
import { loadRecipientFacts } from './recipient-facts.js';

/** The failure share is measured over this many of the latest queued recipients. */
const FAILURE_WINDOW = 2000;

export interface CampaignRunnerOptions {
  /** Idle poll interval (default 250 ms). */
  pollMs?: number;
  /** Campaign messages kept queued-but-unsent per number, in seconds of its throughput (default 2). */
  lookaheadSeconds?: number;
  /** How often a running campaign's failure share is checked (default 2 s). */
  failureCheckMs?: number;
}

/**
 * Sends running campaigns. Each pass starts scheduled campaigns that are due, pauses those whose
 * template is no longer APPROVED or whose failures passed the threshold, and tops up the outbox
 * of each number to a look-ahead of a few seconds of its throughput (the dispatcher paces the
 * actual sends), never beyond what the number's messaging-limit tier has left in the moving
 * 24 h window. Each recipient is decided again at that moment with the estimate's rule, so an
 * opt-out after planning is skipped and counted.
 */
export class CampaignRunner {
  readonly #loop: PollingLoop;
  readonly #lastFailureCheck = new Map<string, number>();

  constructor(
    private readonly deps: CampaignDeps,
    private readonly campaigns: Campaigns,
    private readonly options: CampaignRunnerOptions = {},
  ) {
    this.#loop = new PollingLoop(() => this.pass(), options.pollMs ?? 250, deps.logger, 'campaign runner');
  }

  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  wake(): void {
    this.#loop.wake();
  }

  /** One pass over due and running campaigns; answers how many recipients it queued or skipped. */
  async pass(): Promise<number> {
    const { db } = this.deps;
    // A campaign starts at start_at on its number's clock: those due on the latest clock are
    // read, then each is compared with its own number's time.
    const due = await db.selectFrom('campaigns').select(['id', 'phone_number_id', 'start_at']).where('status', '=', 'scheduled').where('start_at', '<=', this.deps.clock.latest().toISOString()).execute();
    for (const campaign of due) {
      const now = (await this.deps.clock.at(campaign.phone_number_id)).toISOString();
      if (campaign.start_at === null || campaign.start_at > now) continue;
      await db.updateTable('campaigns').set({ status: 'running', updated_at: now }).where('id', '=', campaign.id).where('status', '=', 'scheduled').execute();
    }
    const running = await db.selectFrom('campaigns').selectAll().where('status', '=', 'running').orderBy('created_at').execute();
    let work = 0;
    for (const campaign of running) work += await this.#advance(campaign);
    return work;
  }

  async #advance(campaign: CampaignsTable): Promise<number> {
    const template = await loadCampaignTemplate(this.deps, templateInput(campaign), { sync: false });
    const problem = templateProblem(template);
    if (problem) {
      const status = (problem.details as { status?: string } | undefined)?.status ?? null;
      this.deps.logger.warn({ campaignId: campaign.id, code: problem.code, status }, 'campaign paused: its template cannot be sent');
      await this.campaigns.pause(campaign.workspace_id, campaign.id, 'template_paused', { code: problem.code, template_status: status, message: problem.message });
      return 1;
    }
    if (await this.#failuresPassed(campaign)) return 1;
    const pending = await this.deps.db.selectFrom('campaign_recipients').select('seq').where('campaign_id', '=', campaign.id).where('state', '=', 'pending').limit(1).executeTakeFirst();
    if (!pending) {
      const at = (await this.deps.clock.at(campaign.phone_number_id)).toISOString();
      await this.deps.db.updateTable('campaigns').set({ status: 'completed', completed_at: at, updated_at: at }).where('id', '=', campaign.id).where('status', '=', 'running').execute();
      return 0;
    }
    const queued = await this.#refill(campaign, template);
    if (queued > 0) this.deps.queued();
    return queued;
  }

  /** Auto-pause when failed / (sends with an outcome), among the latest queued recipients, passes the campaign's threshold. */
  async #failuresPassed(campaign: CampaignsTable): Promise<boolean> {
    const last = this.#lastFailureCheck.get(campaign.id) ?? 0;
    const wall = this.deps.clock.now().getTime();
    if (wall - last < (this.options.failureCheckMs ?? 2000)) return false;
    this.#lastFailureCheck.set(campaign.id, wall);
    // Over the latest queued recipients only: cheap however large the campaign, and it is the
    // recent failure rate that says something went wrong.
    // Only sends queued since the campaign last changed state (launch or resume, set together
    // with updated_at): the failures that paused it must not pause it again the moment it is
    // resumed, before it sent anything new.
    const recent = this.deps.db
      .selectFrom('campaign_recipients')
      .select(['message_id', 'queued_at'])
      .where('campaign_id', '=', campaign.id)
      .where('state', '=', 'queued')
      .orderBy('seq', 'desc')
      .limit(FAILURE_WINDOW)
      .as('r');
    const row = await this.deps.db
      .selectFrom(recent)
      .innerJoin('messages as m', 'm.id', 'r.message_id')
      .select([sql<number>`sum(case when m.status = 'failed' then 1 else 0 end)`.as('failed'), sql<number>`count(*)`.as('done')])
      .where('m.status', 'in', ['accepted', 'sent', 'delivered', 'read', 'failed'])
      .where('r.queued_at', '>=', campaign.updated_at)
      .executeTakeFirstOrThrow();
    const failed = Number(row.failed ?? 0);
    const done = Number(row.done);
    if (done < Number(campaign.failure_min_sample) || failed / done <= Number(campaign.failure_threshold)) return false;
    this.deps.logger.warn({ campaignId: campaign.id, failed, done }, 'campaign paused: failures passed the threshold');
    await this.campaigns.pause(campaign.workspace_id, campaign.id, 'failure_threshold', { failed, with_outcome: done, threshold: Number(campaign.failure_threshold) });
    return true;
  }

  /** Queues the next recipients the number's look-ahead and tier allow, in one transaction. */
  async #refill(campaign: CampaignsTable, template: CampaignTemplate): Promise<number> {
    const { deps } = this;
    const numberId = campaign.phone_number_id;
    const sender = await deps.phoneNumbers.sender(numberId);
    if (!sender) return 0;
    const lookahead = Math.max(20, Math.ceil(sender.throughputMps * (this.options.lookaheadSeconds ?? 2)));
    const { tier } = await deps.limits.tierOf(numberId);
    return deps.db.transaction().execute(async (trx) => {
      // One refill per number at a time across nodes, so look-ahead and tier hold.
      if (deps.capabilities.supportsSkipLocked) await trx.selectFrom('phone_numbers').select('id').where('id', '=', numberId).forUpdate().execute();
      // Still running? A pause or cancel since this pass read the campaign must win: its
      // withdraw only takes back what was queued before it, so queueing now would send anyway.
      // The row lock orders this against the pause's update on PostgreSQL.
      let current = trx.selectFrom('campaigns').select('status').where('id', '=', campaign.id);
      if (deps.capabilities.supportsSkipLocked) current = current.forUpdate();
      if ((await current.executeTakeFirst())?.status !== 'running') return 0;
      let room = Math.min(CHUNK, lookahead - (await deps.messages.outboxDepth(numberId, trx)));
      if (tier !== null && room > 0) room = Math.min(room, tier - (await deps.limits.usage(numberId, trx)).used);
      if (room <= 0) return 0;
      const rows = await pendingChunk(trx, campaign.id, 0, room);
      if (rows.length === 0) return 0;
      const now = await deps.clock.at(numberId, trx);
      const facts = await loadRecipientFacts(deps, campaign.workspace_id, numberId, rows, trx);
      const skips = new Map<SkipReason, number[]>();
      const sends: Array<{ seq: number; contactId: string; waId: string; messageId: string; decision: Extract<ReturnType<typeof decideRecipient>, { send: true }> }> = [];
      rows.forEach((row, index) => {
        const decision = decideRecipient(template, facts[index] as (typeof facts)[number], now.getTime());
        if (decision.send && row.contact_id && row.wa_id) sends.push({ seq: row.seq, contactId: row.contact_id, waId: row.wa_id, messageId: row.message_id, decision });
        else if (!decision.send) skips.set(decision.reason, [...(skips.get(decision.reason) ?? []), row.seq]);
      });
      for (const [reason, seqs] of skips) {
        await trx.updateTable('campaign_recipients').set({ state: 'skipped', reason }).where('campaign_id', '=', campaign.id).where('seq', 'in', seqs).where('state', '=', 'pending').execute();
      }
      if (sends.length === 0) return skips.size > 0 ? rows.length : 0;
      const iso = now.toISOString();
      const claimed = new Set(
        (
          await trx
            .updateTable('campaign_recipients')
            .set({ state: 'queued', queued_at: iso })
            .where('campaign_id', '=', campaign.id)
            .where('seq', 'in', sends.map((send) => send.seq))
            .where('state', '=', 'pending')
            .returning('seq')
            .execute()
        ).map((row) => Number(row.seq)),
      );
      const chosen = sends.filter((send) => claimed.has(send.seq));
      const conversations = await deps.conversations.ensureMany(campaign.workspace_id, numberId, [...new Set(chosen.map((send) => send.contactId))], trx);
      const messages: Parameters<Messages['queueMany']>[0][number][] = chosen.map((send) => ({
        id: send.messageId,
        workspaceId: campaign.workspace_id,
        conversationId: (conversations.get(send.contactId) as { id: string }).id,
        contactId: send.contactId,
        phoneNumberRowId: numberId,
        type: 'template',
        content: { to: send.waId, type: 'template', template: send.decision.template },
        category: send.decision.category,
        pricingType: send.decision.pricingType,
        costMicros: send.decision.cost.amountMicros,
      }));
      await deps.messages.queueMany(messages, trx);
      return rows.length;
    });
  }
}

