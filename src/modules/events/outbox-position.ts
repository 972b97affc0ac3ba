import type { DomainEvent } from './events.js';

/** Outbox ids that were skipped when seen: still being committed, or rolled back. */
export interface OutboxGap {
  from: number;
  to: number;
  /** Wall-clock milliseconds when the gap was first seen. */
  since: number;
}

/** Where a consumer is in the outbox: everything up to `seenUpTo` was handled except the gaps. */
export interface OutboxCursor {
  seenUpTo: number;
  /** Sorted, disjoint. */
  gaps: OutboxGap[];
}

export interface AdvanceOptions {
  /**
   * Whether ids can commit out of order (a database with several writers: ids come from a
   * sequence when the row is inserted, but the transactions commit in any order). When false
   * (SQLite: one writer, ids assigned and committed in order), a missing id is gone for good.
   */
  trackGaps: boolean;
  /** Wall-clock milliseconds now. */
  nowMs: number;
  /** A gap older than this is taken as rolled back and skipped. */
  gapTimeoutMs: number;
}

/**
 * Moves an outbox consumer past the events it just handled (`handledIds`: new ids above
 * `seenUpTo` and ids that filled a gap). On PostgreSQL an event can become visible after a
 * later id (its transaction committed later), so a reader of `id > position` would skip it.
 * Missing ids are therefore remembered as gaps and looked up again until they appear or time
 * out; the stored `position` never passes an open gap. Pure: the caller keeps the cursor.
 */
export function advanceOutboxCursor(cursor: OutboxCursor, handledIds: number[], options: AdvanceOptions): { cursor: OutboxCursor; position: number; expired: OutboxGap[] } {
  let gaps = cursor.gaps.slice();
  let seenUpTo = cursor.seenUpTo;
  const sorted = [...new Set(handledIds)].sort((a, b) => a - b);
  for (const id of sorted) {
    if (id > seenUpTo) {
      if (options.trackGaps && id > seenUpTo + 1) gaps.push({ from: seenUpTo + 1, to: id - 1, since: options.nowMs });
      seenUpTo = id;
    } else {
      gaps = gaps.flatMap((gap) => fill(gap, id));
    }
  }
  const expired = gaps.filter((gap) => options.nowMs - gap.since >= options.gapTimeoutMs);
  gaps = gaps.filter((gap) => options.nowMs - gap.since < options.gapTimeoutMs);
  const position = gaps[0] ? gaps[0].from - 1 : seenUpTo;
  return { cursor: { seenUpTo, gaps }, position, expired };
}

function fill(gap: OutboxGap, id: number): OutboxGap[] {
  if (id < gap.from || id > gap.to) return [gap];
  const parts: OutboxGap[] = [];
  if (id > gap.from) parts.push({ ...gap, to: id - 1 });
  if (id < gap.to) parts.push({ ...gap, from: id + 1 });
  return parts;
}

/** What a follower reads of the outbox (the Events module). */
export interface OutboxReader {
  /** Committed events with an id above `afterId`, oldest first. */
  after(afterId: number, limit: number): Promise<DomainEvent[]>;
}

/**
 * One read of a follower at `cursor`: new events above `seenUpTo` (at most `batchSize`), then
 * the events that filled a gap since the last read (at most 20 gaps looked at). Hand their ids to
 * {@link advanceOutboxCursor} afterwards. Shared by the webhook fan-out and the realtime hub.
 */
export async function readOutboxAt(outbox: OutboxReader, cursor: OutboxCursor, batchSize: number): Promise<{ refilled: DomainEvent[]; fresh: DomainEvent[] }> {
  const fresh = await outbox.after(cursor.seenUpTo, batchSize);
  const refilled: DomainEvent[] = [];
  for (const gap of cursor.gaps.slice(0, 20)) {
    const events = await outbox.after(gap.from - 1, Math.min(gap.to - gap.from + 1, 200));
    refilled.push(...events.filter((event) => event.id <= gap.to));
  }
  return { refilled, fresh };
}
