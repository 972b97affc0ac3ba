import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../clock/index.js';
import type { Schema } from '../../db/index.js';

/** Meta's messaging-limit tiers (cloud-api-facts.md §5.2); `null` is unlimited. */
export const MESSAGING_TIERS: readonly (number | null)[] = [250, 2_000, 10_000, 100_000, null];

/** The tier of a number nobody configured and the provider never reported: Meta's tier for a new business portfolio. */
export const DEFAULT_TIER = 250;

export const MOVING_WINDOW_MS = 24 * 3600 * 1000;

export type TierSource = 'configured' | 'provider' | 'default';

export interface MessagingLimitView {
  phone_number_id: string;
  /** Unique business-initiated recipients per moving 24 h; null = unlimited. */
  tier: number | null;
  /**
   * `configured`: set by hand with PUT (an override, wins over the provider); `provider`: the
   * tier Meta last reported for the number (refresh); `default`: neither, 250 (Meta's tier for a
   * new portfolio).
   */
  source: TierSource;
  /** Meta's last reported tier as Meta names it (`TIER_2K`), whatever the source; null until read. */
  provider_tier: string | null;
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
    /** The moving 24 h of a number runs on that number's clock. */
    private readonly clock: Clock,
  ) {}

  /** The effective tier: the one set by hand, else the provider's last reported one, else 250. */
  async tierOf(phoneNumberRowId: string): Promise<{ tier: number | null; source: TierSource; providerTier: string | null }> {
    const row = await this.db
      .selectFrom('phone_numbers')
      .leftJoin('messaging_limits', 'messaging_limits.phone_number_id', 'phone_numbers.id')
      .select(['phone_numbers.messaging_limit_tier as provider', 'messaging_limits.tier as manual', 'messaging_limits.phone_number_id as configured'])
      .where('phone_numbers.id', '=', phoneNumberRowId)
      .executeTakeFirst();
    const providerTier = row?.provider ?? null;
    if (row?.configured) return { tier: row.manual, source: 'configured', providerTier };
    const reported = tierFromProvider(providerTier);
    if (reported !== undefined) return { tier: reported, source: 'provider', providerTier };
    return { tier: DEFAULT_TIER, source: 'default', providerTier };
  }

  /** Removes the tier set by hand: the provider's tier (or 250) applies again. */
  async clear(phoneNumberRowId: string): Promise<void> {
    await this.db.deleteFrom('messaging_limits').where('phone_number_id', '=', phoneNumberRowId).execute();
  }

  /** Sets the tier by hand (null = unlimited); it wins over the provider's until cleared. */
  async set(workspaceId: string, phoneNumberRowId: string, tier: number | null): Promise<void> {
    const at = (await this.clock.at(phoneNumberRowId)).toISOString();
    await this.db
      .insertInto('messaging_limits')
      .values({ phone_number_id: phoneNumberRowId, workspace_id: workspaceId, tier, updated_at: at })
      .onConflict((oc) => oc.column('phone_number_id').doUpdateSet({ tier, updated_at: at }))
      .execute();
  }

  /** Unique recipients reached from the number in the moving window, and when the oldest leaves it. */
  async usage(phoneNumberRowId: string, trx: Kysely<Schema> = this.db): Promise<{ used: number; oldestAt: string | null }> {
    const since = new Date((await this.clock.at(phoneNumberRowId, trx)).getTime() - MOVING_WINDOW_MS).toISOString();
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
    const { tier, source, providerTier } = await this.tierOf(phoneNumberRowId);
    const { used, oldestAt } = await this.usage(phoneNumberRowId, trx);
    const available = tier === null ? null : Math.max(0, tier - used);
    return {
      phone_number_id: phoneNumberRowId,
      tier,
      source,
      provider_tier: providerTier,
      used,
      available,
      next_slot_at: available === 0 && oldestAt ? new Date(Date.parse(oldestAt) + MOVING_WINDOW_MS).toISOString() : null,
    };
  }
}

/**
 * Meta's tier name as a number of unique recipients: TIER_250 → 250, TIER_2K → 2,000,
 * TIER_UNLIMITED → null (unlimited); undefined for names that say no tier (TIER_NOT_SET) or
 * that this code does not know, so the default applies.
 */
export function tierFromProvider(name: string | null | undefined): number | null | undefined {
  if (!name) return undefined;
  if (name === 'TIER_UNLIMITED') return null;
  const match = /^TIER_([0-9]{1,6})(K?)$/.exec(name);
  if (!match) return undefined;
  return Number(match[1]) * (match[2] ? 1000 : 1);
}
