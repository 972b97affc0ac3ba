import type { Insertable, Kysely, Selectable } from 'kysely';
import type { AuditLogTable, Schema } from '../../db/index.js';

/** Who acted: an API key, a signed-in person, the `conversa` command line, or the platform itself. */
export const AUDIT_ACTOR_TYPES = ['api_key', 'user', 'cli', 'system'] as const;
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];

/** How it ended: done; refused (401/403, 429); refused as invalid or impossible (other 4xx); broke (5xx). */
export const AUDIT_OUTCOMES = ['success', 'denied', 'failed', 'error'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** The largest page of `GET /api/v1/audit`. */
export const MAX_AUDIT_PAGE = 200;

/** What a `details` object may hold: a few short scalar values (never a body, token or text). */
export type AuditDetails = Record<string, string | number | boolean | null>;

export interface AuditActor {
  type: AuditActorType;
  id: string | null;
  label: string | null;
}

/** One action to record. */
export interface AuditEntry {
  /** Null only when no workspace is known (a failed sign-in with an unknown e-mail). */
  workspaceId: string | null;
  actor: AuditActor;
  action: string;
  method: string;
  route: string;
  target?: { type: string; id: string } | null;
  ip?: string | null;
  outcome: AuditOutcome;
  statusCode: number;
  requestId?: string | null;
  details?: AuditDetails | null;
}

/** An entry as `GET /api/v1/audit` answers it. */
export interface AuditView {
  id: number;
  at: string;
  actor: { type: string; id: string | null; label: string | null };
  action: string;
  method: string;
  route: string;
  target: { type: string; id: string } | null;
  ip: string | null;
  outcome: string;
  status_code: number;
  request_id: string | null;
  details: AuditDetails | null;
}

export interface AuditFilter {
  actorType?: AuditActorType | undefined;
  actorId?: string | undefined;
  /** An action (`contacts.update`) or a prefix ending in `.*` (`contacts.*`). */
  action?: string | undefined;
  targetId?: string | undefined;
  outcome?: AuditOutcome | undefined;
  /** ISO instants: at or after `since`, before `until`. */
  since?: string | undefined;
  until?: string | undefined;
}

const MAX_DETAIL_KEYS = 8;
const MAX_DETAIL_TEXT = 200;

/**
 * The audit log (docs/data-protection.md, "The audit log"): append-only. `record` inserts one
 * row in its own statement (never inside the caller's transaction: a rolled-back action is still
 * recorded as attempted), `list` answers a workspace's entries newest first, `prune` is the
 * retention job's only deletion. Nothing here updates a row; the table's trigger refuses it.
 */
export class AuditLog {
  readonly #db: Kysely<Schema>;
  readonly #now: () => Date;

  constructor(deps: { db: Kysely<Schema>; now: () => Date }) {
    this.#db = deps.db;
    this.#now = deps.now;
  }

  /** Appends one entry, at the clock's now. `details` is cut to a few short scalar values. */
  async record(entry: AuditEntry): Promise<void> {
    await this.recordMany([entry]);
  }

  /**
   * Appends entries in one multi-row insert (the HTTP hook gathers the entries of one event-loop
   * turn), each at the clock's now.
   */
  async recordMany(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const at = this.#now().toISOString();
    // 500 rows × 15 columns stays far below SQLite's bound on a statement's parameters.
    for (let start = 0; start < entries.length; start += 500) {
      await this.#db.insertInto('audit_log').values(entries.slice(start, start + 500).map((entry) => rowOf(entry, at))).execute();
    }
  }

  /**
   * A workspace's entries, newest first, in pages (`next_cursor` names the last id of the page).
   * Filters combine (AND). Answers `bad_cursor` for a cursor this server did not make.
   */
  async list(workspaceId: string, filter: AuditFilter & { limit: number; cursor?: string | undefined }): Promise<{ ok: true; data: AuditView[]; next_cursor: string | null } | { ok: false; reason: 'bad_cursor' }> {
    const before = filter.cursor === undefined ? undefined : decodeAuditCursor(filter.cursor);
    if (filter.cursor !== undefined && before === undefined) return { ok: false, reason: 'bad_cursor' };
    const limit = Math.min(Math.max(1, filter.limit), MAX_AUDIT_PAGE);
    let query = this.#db.selectFrom('audit_log').selectAll().where('workspace_id', '=', workspaceId);
    if (filter.actorType) query = query.where('actor_type', '=', filter.actorType);
    if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
    if (filter.action?.endsWith('.*')) {
      const prefix = filter.action.slice(0, -1);
      // substr rather than LIKE (`_` is a wildcard) or a range (PostgreSQL's collation may sort
      // punctuation differently): the same answer on both databases.
      query = query.where((eb) => eb(eb.fn<string>('substr', ['action', eb.val(1), eb.val(prefix.length)]), '=', prefix));
    } else if (filter.action) query = query.where('action', '=', filter.action);
    if (filter.targetId) query = query.where('target_id', '=', filter.targetId);
    if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
    if (filter.since) query = query.where('at', '>=', filter.since);
    if (filter.until) query = query.where('at', '<', filter.until);
    if (before !== undefined) query = query.where('id', '<', before);
    const rows = await query.orderBy('id', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { ok: true, data: page.map(viewOf), next_cursor: rows.length > limit && last ? encodeAuditCursor(Number(last.id)) : null };
  }

  /**
   * Deletes up to `batch` entries older than `before` (the oldest first) in one short statement,
   * and answers how many it deleted: the retention job calls it again while it deletes a full batch.
   */
  async prune(before: Date, batch = 1000): Promise<number> {
    const cutoff = before.toISOString();
    const result = await this.#db
      .deleteFrom('audit_log')
      .where('id', 'in', (eb) => eb.selectFrom('audit_log').select('id').where('at', '<', cutoff).orderBy('id').limit(batch))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function rowOf(entry: AuditEntry, at: string): Insertable<AuditLogTable> {
  const details = boundedDetails(entry.details);
  return {
    workspace_id: entry.workspaceId,
    at,
    actor_type: entry.actor.type,
    actor_id: entry.actor.id,
    actor_label: entry.actor.label,
    action: entry.action,
    method: entry.method,
    route: entry.route,
    target_type: entry.target?.type ?? null,
    target_id: entry.target?.id ?? null,
    ip: entry.ip ?? null,
    outcome: entry.outcome,
    status_code: entry.statusCode,
    request_id: entry.requestId ?? null,
    details: details ? JSON.stringify(details) : null,
  };
}

/** Keeps at most a few scalar values, texts cut short: a details object never grows into a body. */
function boundedDetails(details: AuditDetails | null | undefined): AuditDetails | undefined {
  if (!details) return undefined;
  const kept: AuditDetails = {};
  for (const [key, value] of Object.entries(details).slice(0, MAX_DETAIL_KEYS)) {
    if (value === undefined) continue;
    kept[key.slice(0, 64)] = typeof value === 'string' ? value.slice(0, MAX_DETAIL_TEXT) : value;
  }
  return Object.keys(kept).length > 0 ? kept : undefined;
}

function viewOf(row: Selectable<AuditLogTable>): AuditView {
  return {
    id: Number(row.id),
    at: row.at,
    actor: { type: row.actor_type, id: row.actor_id, label: row.actor_label },
    action: row.action,
    method: row.method,
    route: row.route,
    target: row.target_type !== null && row.target_id !== null ? { type: row.target_type, id: row.target_id } : null,
    ip: row.ip,
    outcome: row.outcome,
    status_code: Number(row.status_code),
    request_id: row.request_id,
    details: row.details ? (JSON.parse(row.details) as AuditDetails) : null,
  };
}

function encodeAuditCursor(id: number): string {
  return Buffer.from(`audit|${id}`, 'utf8').toString('base64url');
}

function decodeAuditCursor(cursor: string): number | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  const match = /^audit\|(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}
