import type { Logger } from 'pino';
import { PollingLoop } from '../../jobs/index.js';
import type { GraphEndpoint, GraphResult, PhoneNumberInfo } from '../../whatsapp/index.js';
import type { PhoneNumbers, PhoneNumberView, ProviderState } from './phone-numbers.js';

/** The one Graph call a refresh needs (the same as connecting's `PhoneNumberReader`). */
interface NumberReader {
  getPhoneNumber(endpoint: GraphEndpoint, phoneNumberId: string): Promise<GraphResult<PhoneNumberInfo>>;
}

export type RefreshOutcome =
  | { ok: true; number: PhoneNumberView }
  | { ok: false; error: 'not_found' }
  /** The provider answered with an error: Meta's code, title and details. */
  | { ok: false; error: 'provider_rejected'; status: number; code: number; title: string; details: string }
  | { ok: false; error: 'provider_unreachable'; reason: string };

/**
 * Reads numbers again from the provider (`GET /{phone-number-id}`) and stores their throughput,
 * quality rating and messaging-limit tier, which Meta changes on its own (80 → 1,000 mps;
 * TIER_250 → 2K → 10K → 100K → unlimited). Outcomes are values; the caller decides what each
 * means to its user.
 */
export class PhoneNumberRefresher {
  readonly #numbers: PhoneNumbers;
  readonly #graph: NumberReader;
  readonly #now: () => Date;

  /** `graph` is the WhatsApp client. */
  constructor(deps: { phoneNumbers: PhoneNumbers; graph: NumberReader; now: () => Date }) {
    this.#numbers = deps.phoneNumbers;
    this.#graph = deps.graph;
    this.#now = deps.now;
  }

  /** Refreshes one number by our row id. */
  async refresh(id: string): Promise<RefreshOutcome> {
    const sender = await this.#numbers.sender(id);
    if (!sender) return { ok: false, error: 'not_found' };
    const answer = await this.#graph.getPhoneNumber(sender.endpoint, sender.metaPhoneNumberId);
    if (!answer.ok) {
      if (answer.kind === 'error') return { ok: false, error: 'provider_rejected', status: answer.status, code: answer.code, title: answer.title, details: answer.details };
      return { ok: false, error: 'provider_unreachable', reason: answer.reason };
    }
    const number = await this.#numbers.recordProviderState(id, providerStateOf(answer.value), this.#now());
    return number ? { ok: true, number } : { ok: false, error: 'not_found' };
  }

  /** Refreshes every number of every workspace, one after another; answers how many succeeded. */
  async refreshAll(onFailure: (id: string, outcome: Exclude<RefreshOutcome, { ok: true }>) => void): Promise<number> {
    let refreshed = 0;
    for (const id of await this.#numbers.allIds()) {
      const outcome = await this.refresh(id);
      if (outcome.ok) refreshed += 1;
      else if (outcome.error !== 'not_found') onFailure(id, outcome);
    }
    return refreshed;
  }
}

/**
 * Refreshes every number every `intervalMs` (CONVERSA_NUMBER_REFRESH_SECONDS, default 1 hour),
 * so a number Meta upgrades sends faster and reaches further without anyone acting. The first
 * pass runs at start. Every node runs it; the refresh is idempotent, so several nodes only cost
 * a few more Graph reads.
 */
export function numberRefreshLoop(refresher: PhoneNumberRefresher, intervalMs: number, logger: Logger): PollingLoop {
  return PollingLoop.every(intervalMs, logger, 'phone number refresh', async () => {
    await refresher.refreshAll((id, outcome) =>
      logger.warn({ phone_number: id, ...(outcome.error === 'provider_rejected' ? { meta_code: outcome.code, meta_message: outcome.title } : outcome) }, 'phone number refresh failed; retrying at the next pass'),
    );
  });
}

/** What a `GET /{phone-number-id}` answer says about throughput, quality and tier. */
export function providerStateOf(info: PhoneNumberInfo): ProviderState {
  return {
    throughputMps: throughputOf(info),
    qualityRating: typeof info.quality_rating === 'string' && /^[A-Z_]{1,32}$/.test(info.quality_rating) ? info.quality_rating : undefined,
    messagingLimitTier: tierNameOf(info.whatsapp_business_manager_messaging_limit) ?? tierNameOf(info.messaging_limit_tier),
  };
}

// Meta reports a level, not a rate: STANDARD is 80 mps, HIGH is 1,000 (cloud-api-facts.md §5.1).
function throughputOf(info: PhoneNumberInfo): number {
  const rate = info.throughput?.messages_per_second;
  if (typeof rate === 'number' && Number.isInteger(rate) && rate > 0) return rate;
  return info.throughput?.level === 'HIGH' ? 1000 : 80;
}

// `whatsapp_business_manager_messaging_limit` replaces the deprecated `messaging_limit_tier`
// (cloud-api-facts.md §5.2); both carry names like TIER_2K. Anything else is not stored.
function tierNameOf(value: unknown): string | undefined {
  return typeof value === 'string' && /^TIER_[A-Z0-9_]{1,16}$/.test(value) ? value : undefined;
}
