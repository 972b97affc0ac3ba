import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';
import type { BlockUsersEntry } from '../../whatsapp/index.js';
import { explainMetaError, outcomeOf, type SettingsGraph, type SettingsOutcome } from './number-settings.js';
import type { PhoneNumbers } from './phone-numbers.js';

/** A user a number blocked, as the platform keeps it. */
export interface BlockedUserView {
  wa_id: string;
  /** When it was blocked through the platform; null when read from the provider (Meta does not say). */
  blocked_at: string | null;
  /** The API key that blocked them through the platform; null when read from the provider. */
  blocked_by: string | null;
}

/** One user of a block or unblock that did not go through, with Meta's error and its fix. */
export interface BlockFailure {
  input: string;
  wa_id: string | null;
  code: number;
  details: string;
  fix: string;
}

export interface BlockResult {
  /** The wa_ids blocked (or unblocked) now. */
  done: string[];
  failed: BlockFailure[];
}

/**
 * Blocked users of a number: blocked and unblocked at the provider (Meta's `block_users`), and
 * kept in `blocked_users` so agents see the list without asking Meta. A blocked user's messages
 * never reach the business (Meta drops them) and sends to them fail at Meta.
 */
export class BlockedUsers {
  readonly #db: Kysely<Schema>;
  readonly #numbers: PhoneNumbers;
  readonly #graph: Pick<SettingsGraph, 'changeBlockedUsers' | 'listBlockedUsers'>;
  readonly #now: () => Date;

  constructor(deps: { db: Kysely<Schema>; phoneNumbers: PhoneNumbers; graph: Pick<SettingsGraph, 'changeBlockedUsers' | 'listBlockedUsers'>; now: () => Date }) {
    this.#db = deps.db;
    this.#numbers = deps.phoneNumbers;
    this.#graph = deps.graph;
    this.#now = deps.now;
  }

  /** Blocks (or unblocks) at the provider, then records who was. Per-user failures are in `failed`. */
  async change(id: string, action: 'block' | 'unblock', waIds: string[], by: string): Promise<SettingsOutcome<BlockResult>> {
    const sender = await this.#numbers.sender(id);
    if (!sender) return { ok: false, error: 'not_found' };
    const answer = outcomeOf(await this.#graph.changeBlockedUsers(sender.endpoint, sender.metaPhoneNumberId, action, waIds));
    if (!answer.ok) return answer;
    const lists = answer.value.block_users;
    const done = (action === 'block' ? lists.added_users : lists.removed_users) ?? [];
    const doneIds = [...new Set(done.map((entry) => entry.wa_id ?? digits(entry.input)))];
    const at = this.#now().toISOString();
    if (doneIds.length > 0 && action === 'block') {
      await this.#db
        .insertInto('blocked_users')
        .values(doneIds.map((waId) => ({ phone_number_id: id, workspace_id: sender.workspaceId, wa_id: waId, blocked_at: at, blocked_by: by })))
        .onConflict((oc) => oc.columns(['phone_number_id', 'wa_id']).doNothing())
        .execute();
    } else if (doneIds.length > 0) {
      await this.#db.deleteFrom('blocked_users').where('phone_number_id', '=', id).where('wa_id', 'in', doneIds).execute();
    }
    return { ok: true, value: { done: doneIds, failed: (lists.failed_users ?? []).map(failureOf) } };
  }

  /** The number's blocked users as the platform recorded them, by wa_id, `limit` at a time after `after` (a wa_id). */
  async list(id: string, options: { limit: number; after?: string | undefined }): Promise<{ data: BlockedUserView[]; next_cursor: string | null }> {
    let query = this.#db.selectFrom('blocked_users').select(['wa_id', 'blocked_at', 'blocked_by']).where('phone_number_id', '=', id);
    if (options.after) query = query.where('wa_id', '>', options.after);
    const rows = await query.orderBy('wa_id').limit(options.limit + 1).execute();
    const page = rows.slice(0, options.limit);
    return { data: page, next_cursor: rows.length > options.limit ? (page.at(-1)?.wa_id ?? null) : null };
  }

  /** One page of the provider's own list (blocks made in WhatsApp Manager or the app show up here). */
  async listAtProvider(id: string, options: { limit: number; after?: string | undefined }): Promise<SettingsOutcome<{ data: BlockedUserView[]; next_cursor: string | null }>> {
    const sender = await this.#numbers.sender(id);
    if (!sender) return { ok: false, error: 'not_found' };
    const answer = outcomeOf(await this.#graph.listBlockedUsers(sender.endpoint, sender.metaPhoneNumberId, options));
    if (!answer.ok) return answer;
    const next = answer.value.paging?.next ? (answer.value.paging.cursors?.after ?? null) : null;
    return { ok: true, value: { data: answer.value.data.map((user) => ({ wa_id: user.wa_id, blocked_at: null, blocked_by: null })), next_cursor: next } };
  }

  /** Which of these wa_ids the number blocked (as recorded here): one query per chunk of a campaign's audience. */
  async blockedAmong(id: string, waIds: readonly string[], db: Kysely<Schema> = this.#db): Promise<Set<string>> {
    if (waIds.length === 0) return new Set();
    const rows = await db.selectFrom('blocked_users').select('wa_id').where('phone_number_id', '=', id).where('wa_id', 'in', [...waIds]).execute();
    return new Set(rows.map((row) => row.wa_id));
  }

  /** Whether the number blocked this wa_id (as recorded here). */
  async isBlocked(id: string, waId: string): Promise<boolean> {
    return (await this.#db.selectFrom('blocked_users').select('wa_id').where('phone_number_id', '=', id).where('wa_id', '=', waId).executeTakeFirst()) !== undefined;
  }
}

function failureOf(entry: BlockUsersEntry): BlockFailure {
  const error = entry.errors?.[0];
  const code = error?.code ?? 139100;
  return { input: entry.input, wa_id: entry.wa_id ?? null, code, details: error?.error_data?.details ?? error?.message ?? 'not blocked', fix: explainMetaError(code) };
}

function digits(value: string): string {
  return value.replace(/\D/g, '');
}

/**
 * Erasure of a person (issue 13), in `trx`: forgets that the workspace's numbers blocked them
 * (the local record only: a block at Meta stays until the business unblocks there). Answers how many rows.
 */
export async function forgetBlockedUser(trx: Kysely<Schema>, workspaceId: string, waIds: readonly string[]): Promise<number> {
  if (waIds.length === 0) return 0;
  const deleted = await trx.deleteFrom('blocked_users').where('workspace_id', '=', workspaceId).where('wa_id', 'in', [...waIds]).executeTakeFirst();
  return Number(deleted.numDeletedRows);
}
