import type { Kysely } from 'kysely';
import type { Schema } from '../db/index.js';

/** What the clock needs to know of a phone number: who serves it. */
export interface NumberOnClock {
  provider: string;
}

/**
 * The platform's one clock, injected into every module. Real time governs everything except
 * the messages of numbers served by the embedded sandbox, which run on sandbox time (so
 * `POST /sandbox/v1/clock` can close a sandbox number's window in a test) and nothing else:
 * a real Cloud API number, a workspace, a lease, a webhook delivery never see the sandbox's
 * offset.
 *
 * Rule of use: a time that belongs to a number's messages (a window, a message's timestamps, a
 * due time of a number's work: scheduled notifications, campaign start, messaging-limit tier,
 * retries) reads `at(number)` or `forNumber(view)`; anything else (leases, claims, audit rows,
 * outbound webhooks) reads `now()`.
 *
 * @example const sentAt = await clock.at(message.phone_number_id, trx);
 */
export interface Clock {
  /** Real time. */
  now(): Date;
  /** The time of a number whose provider the caller holds (a phone number view or row). */
  forNumber(number: NumberOnClock): Date;
  /**
   * The time of the number with this row id (`phone_numbers.id`). Inside a transaction pass it:
   * on SQLite a query outside it would wait for it. An unknown id answers real time.
   */
  at(phoneNumberRowId: string, db?: Kysely<Schema>): Promise<Date>;
  /** The time of a WABA's templates: its numbers' time in that workspace (real time when it has none). */
  atWaba(workspaceId: string, wabaId: string, db?: Kysely<Schema>): Promise<Date>;
  /**
   * The latest time any number is at (never before `now()`): a query for due work across numbers
   * uses it, then compares each number's work with that number's time.
   */
  latest(): Date;
}

/**
 * The clock of a running platform: real time, and sandbox time for the numbers of the embedded
 * sandbox (`provider = 'sandbox'` while `sandboxNow` is given; bootstrap points every such number
 * at the embedded sandbox). A number's provider never changes, so it is looked up once.
 */
export class PlatformClock implements Clock {
  readonly #db: Kysely<Schema> | undefined;
  readonly #sandboxNow: (() => number) | undefined;
  readonly #realNow: () => number;
  readonly #providers = new Map<string, string>();

  /**
   * @param options.db where numbers' providers are read (without it every id answers real time)
   * @param options.sandboxNow the embedded sandbox's time in epoch ms; absent: no number is on sandbox time
   * @param options.realNow real time in epoch ms (default `Date.now`; tests may fix it)
   */
  constructor(options: { db?: Kysely<Schema>; sandboxNow?: () => number; realNow?: () => number } = {}) {
    this.#db = options.db;
    this.#sandboxNow = options.sandboxNow;
    this.#realNow = options.realNow ?? Date.now;
  }

  now(): Date {
    return new Date(this.#realNow());
  }

  forNumber(number: NumberOnClock): Date {
    return this.#sandboxNow && number.provider === 'sandbox' ? new Date(this.#sandboxNow()) : this.now();
  }

  async at(phoneNumberRowId: string, db: Kysely<Schema> | undefined = this.#db): Promise<Date> {
    if (!this.#sandboxNow || !db) return this.now();
    let provider = this.#providers.get(phoneNumberRowId);
    if (provider === undefined) {
      const row = await db.selectFrom('phone_numbers').select('provider').where('id', '=', phoneNumberRowId).executeTakeFirst();
      if (!row) return this.now();
      provider = row.provider;
      this.#providers.set(phoneNumberRowId, provider);
    }
    return this.forNumber({ provider });
  }

  async atWaba(workspaceId: string, wabaId: string, db: Kysely<Schema> | undefined = this.#db): Promise<Date> {
    if (!this.#sandboxNow || !db) return this.now();
    const row = await db.selectFrom('phone_numbers').select('provider').where('workspace_id', '=', workspaceId).where('waba_id', '=', wabaId).orderBy('created_at').limit(1).executeTakeFirst();
    return row ? this.forNumber(row) : this.now();
  }

  latest(): Date {
    return new Date(Math.max(this.#realNow(), this.#sandboxNow?.() ?? 0));
  }
}

/** Real time for everything: the default of modules built without the composition root. */
export const realClock: Clock = new PlatformClock();
