import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';

/** Meta's messaging-limit tiers (cloud-api-facts.md §5.2); `null` is unlimited. */
export const MESSAGING_TIERS: readonly (number | null)[] = [250, 2_000, 10_000, 100_000, null];

/** The tier of a number nobody configured: Meta's tier for a new business portfolio. */
export const DEFAULT_TIER = 250;

export const MOVING_WINDOW_MS = 24 * 3600 * 1000;

export interface MessagingLimitView {
  phone_number_id: string;
  /** Unique business-initiated recipients per moving 24 h; null = unlimited. */
  tier: number | null;
  /** `configured` through the API, or `default` (250, Meta's tier for a new portfolio). */
  source: 'configured' | 'default';
  /** Unique recipients of templates from this number in the last 24 h (queued or sent). */
  used: number;
  /** How many more may be reached now; null when unlimited. */
  available: number | null;
  /** When the oldest counted send leaves the window (a slot frees), when the tier is used up. */
  next_slot_at: string | null;
}

/**
 * The messaging-limit tier per phone number and how much of it the moving 24 h window uses.
 * Usage is counted from the messages table: every template message from the number created in
 * the last 24 h (campaigns' and any other sender's), queued or sent, except those that failed
 * before the provider accepted them; a contact counts once. Templates sent inside an open
 * customer service window are counted too (Meta does not count them): the count can only be
 * too high, so the tier is never exceeded.
 */
export class MessagingLimits {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => Date,
  ) {}

  async tierOf(phoneNumberRowId: string): Promise<{ tier: number | null; source: 'configured' | 'default' }> {
    const row = await this.db.selectFrom('messaging_limits').select('tier').where('phone_number_id', '=', phoneNumberRowId).executeTakeFirst();
    return row ? { tier: row.tier, source: 'configured' } : { tier: DEFAULT_TIER, source: 'default' };
  }

  async set(workspaceId: string, phoneNumberRowId: string, tier: number | null): Promise<void> {
    const at = this.now().toISOString();
    await this.db
      .insertInto('messaging_limits')
      .values({ phone_number_id: phoneNumberRowId, workspace_id: workspaceId, tier, updated_at: at })
      .onConflict((oc) => oc.column('phone_number_id').doUpdateSet({ tier, updated_at: at }))
      .execute();
  }

  /** Unique recipients reached from the number in the moving window, and when the oldest leaves it. */
  async usage(phoneNumberRowId: string, trx: Kysely<Schema> = this.db): Promise<{ used: number; oldestAt: string | null }> {
    const since = new Date(this.now().getTime() - MOVING_WINDOW_MS).toISOString();
    const row = await trx
      .selectFrom('messages')
      .select([sql<number>`count(distinct contact_id)`.as('used'), sql<string | null>`min(created_at)`.as('oldest')])
      .where('phone_number_id', '=', phoneNumberRowId)
      .where('created_at', '>', since)
      .where('direction', '=', 'out')
      .where('type', '=', 'template')
      .where((eb) => eb.not(eb.and([eb('status', '=', 'failed'), eb('wamid', 'is', null)])))
      .executeTakeFirstOrThrow();
    return { used: Number(row.used), oldestAt: row.oldest };
  }

  async view(phoneNumberRowId: string, trx: Kysely<Schema> = this.db): Promise<MessagingLimitView> {
    const { tier, source } = await this.tierOf(phoneNumberRowId);
    const { used, oldestAt } = await this.usage(phoneNumberRowId, trx);
    const available = tier === null ? null : Math.max(0, tier - used);
    return {
      phone_number_id: phoneNumberRowId,
      tier,
      source,
      used,
      available,
      next_slot_at: available === 0 && oldestAt ? new Date(Date.parse(oldestAt) + MOVING_WINDOW_MS).toISOString() : null,
    };
  }
}
