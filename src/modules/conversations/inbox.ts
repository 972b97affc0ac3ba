import { sql, type ExpressionBuilder, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { decodeKeysetCursor, encodeKeysetCursor, type MessagesTable, type Schema } from '../../db/index.js';
import { realClock, type Clock } from '../../clock/index.js';
import type { Conversations, ConversationView } from './conversations.js';

/** The latest message of a conversation, as an inbox row shows it. */
export interface LastMessagePreview {
  id: string;
  direction: 'in' | 'out';
  type: string;
  /** The text (body, caption, template name, ...), at most 100 characters; null when erased or without text. */
  preview: string | null;
  status: string;
  created_at: string;
}

/** A conversation as an inbox lists it. */
export interface InboxConversation extends ConversationView {
  contact: { id: string; wa_id: string; name: string | null };
  updated_at: string;
  /** The last message's time, or the conversation's creation when it has none: the list's order. */
  last_activity_at: string;
  last_message: LastMessagePreview | null;
  /** Inbound messages the business has not marked read (`POST /api/v1/messages/{id}/read`). */
  unread_count: number;
  /** The latest `messages` messages, newest first, as `toView` shapes them (the caller maps). */
  last_messages: MessagesTable[];
  /** The handoff that brought it to people (reason, the bot's summary); null while the bot owns it. */
  handoff: HandoffView | null;
}

/** The handoff an inbox shows beside a conversation a queue or an agent owns. */
export interface HandoffView {
  transition_id: number;
  reason: string | null;
  summary: Record<string, unknown> | null;
  /** Who handed it off (the bot and its flow, an API key, ...). */
  actor: { type: string; id: string | null };
  at: string;
}

/** The views of the agent inbox (docs/inbox.md, "The inbox API"). */
export const INBOX_VIEWS = ['mine', 'queue', 'teams', 'bot', 'resolved', 'all'] as const;
export type InboxView = (typeof INBOX_VIEWS)[number];

/**
 * Who looks at the inbox, as far as the list needs to know: the person's id, their teams'
 * queues, and whether they see every conversation of the workspace (admins and supervisors)
 * or only their own and their queues' (agents: the rule of `canSeeConversation`).
 */
export interface InboxViewer {
  userId: string;
  queues: readonly string[];
  seesAll: boolean;
}

/** How many conversations each view holds for one viewer. */
export type InboxCounts = Record<InboxView, number>;

/** How many of a conversation's latest messages a search reads (the bound that keeps it cheap). */
export const SEARCH_MESSAGES = 200;

export interface InboxFilter {
  contactId?: string | undefined;
  waId?: string | undefined;
  ownerType?: string | undefined;
  /** The owner's id: a queue's name or an agent's id. */
  ownerId?: string | undefined;
  /** In this queue, waiting or with an agent who took it from there. */
  queue?: string | undefined;
  /** true: resolved (back with the bot) and not handed to people since; false: the others. */
  resolved?: boolean | undefined;
  windowOpen?: boolean | undefined;
  /** Only conversations updated at or after this time. */
  updatedSince?: Date | undefined;
  /** Only what this viewer may see, in this view (the agent inbox). */
  view?: { viewer: InboxViewer; name: InboxView } | undefined;
  /**
   * Text in the contact's name or number, or in one of the conversation's latest
   * {@link SEARCH_MESSAGES} messages (case-insensitive for ASCII letters on SQLite).
   */
  search?: string | undefined;
}

/**
 * Conversations for an inbox: each with its contact, owner, window, last message and unread
 * count, filtered and ordered by last activity (newest first) in keyset pages. A page costs a
 * fixed number of queries whatever its size: the conversations with their contacts, their
 * latest messages (one statement), and their unread counts (one grouped count over a partial
 * index).
 */
export class Inbox {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly conversations: Conversations,
    private readonly clock: Clock = realClock,
  ) {}

  /** One page; `cursor` is the previous page's `next_cursor`. `'bad_cursor'` for one this server did not make. */
  async list(
    workspaceId: string,
    options: { limit: number; cursor?: string | undefined; messages?: number | undefined } & InboxFilter,
  ): Promise<{ ok: true; data: InboxConversation[]; next_cursor: string | null } | { ok: false; reason: 'bad_cursor' }> {
    let after: { at: string; id: string } | undefined;
    if (options.cursor !== undefined) {
      after = decodeKeysetCursor(options.cursor) ?? (await this.#legacyCursor(workspaceId, options.cursor));
      if (!after) return { ok: false, reason: 'bad_cursor' };
    }
    const activity = sql<string>`coalesce(c.last_message_at, c.created_at)`;
    let query = this.#select()
      .select(activity.as('activity_at'))
      .where('c.workspace_id', '=', workspaceId)
      .orderBy(activity, 'desc')
      .orderBy('c.id', 'desc')
      .limit(options.limit + 1);
    if (options.contactId) query = query.where('c.contact_id', '=', options.contactId);
    if (options.waId) query = query.where('ct.wa_id', '=', options.waId);
    if (options.ownerType) query = query.where('c.owner_type', '=', options.ownerType);
    if (options.ownerId) query = query.where('c.owner_id', '=', options.ownerId);
    if (options.queue) query = query.where('c.queue', '=', options.queue);
    if (options.resolved !== undefined) query = query.where('c.resolved_at', options.resolved ? 'is not' : 'is', null);
    if (options.updatedSince) query = query.where('c.updated_at', '>=', options.updatedSince.toISOString());
    if (options.windowOpen !== undefined) {
      // On each conversation's number's clock, as its `window_open` says: sandbox time for the
      // embedded sandbox's numbers, real time for the others.
      const now = this.#now();
      query = options.windowOpen
        ? query.where('c.window_expires_at', '>', now)
        : query.where((eb) => eb.or([eb('c.window_expires_at', 'is', null), eb('c.window_expires_at', '<=', now)]));
    }
    if (options.view) {
      const viewed = options.view;
      query = query.where((eb) => viewCondition(eb, viewed.viewer, viewed.name, this.#now()));
    }
    if (options.search) {
      const pattern = likePattern(options.search);
      query = query.where((eb) =>
        eb.or([
          eb(sql`lower(ct.name)`, 'like', sql`${pattern} escape '\\'`),
          eb(sql`ct.wa_id`, 'like', sql`${pattern} escape '\\'`),
          eb.exists(
            sql`(select 1 from (select m.content from messages m where m.conversation_id = c.id and m.deleted_at is null order by m.created_at desc, m.id desc limit ${SEARCH_MESSAGES}) as recent where lower(recent.content) like ${pattern} escape '\\')`,
          ),
        ]),
      );
    }
    if (after) {
      const { at, id } = after;
      query = query.where((eb) => eb.or([eb(activity, '<', at), eb.and([eb(activity, '=', at), eb('c.id', '<', id)])]));
    }
    const rows = await query.execute();
    const page = rows.slice(0, options.limit);
    const data = await this.#embed(page, options.messages ?? 0);
    const last = page.at(-1);
    return { ok: true, data, next_cursor: rows.length > options.limit && last ? encodeKeysetCursor(last.activity_at, last.id) : null };
  }

  /**
   * How many conversations each view holds for `viewer`: one aggregate over what the viewer may
   * see in the workspace (a conversation counts in every view it belongs to).
   */
  async counts(workspaceId: string, viewer: InboxViewer): Promise<InboxCounts> {
    const now = this.#now();
    const row = await this.db
      .selectFrom('conversations as c')
      .where('c.workspace_id', '=', workspaceId)
      .where((eb) => viewCondition(eb, viewer, 'all', now))
      .select((eb) =>
        INBOX_VIEWS.map((view) => sql<number | string | null>`sum(case when ${viewCondition(eb, viewer, view, now)} then 1 else 0 end)`.as(view)),
      )
      .executeTakeFirst();
    return Object.fromEntries(INBOX_VIEWS.map((view) => [view, Number(row?.[view] ?? 0)])) as InboxCounts;
  }

  /**
   * Now, as each conversation's number reads it: sandbox time for the embedded sandbox's
   * numbers, real time for the others (as `window_open` and `snooze` say).
   */
  #now(): RawBuilder<string> {
    const real = this.clock.now().toISOString();
    const sandbox = this.clock.forNumber({ provider: 'sandbox' }).toISOString();
    return sandbox === real ? sql<string>`${real}` : sql<string>`(case when (select pn.provider from phone_numbers pn where pn.id = c.phone_number_id) = 'sandbox' then ${sandbox} else ${real} end)`;
  }

  /** One conversation of the workspace, with what the list embeds. */
  async get(workspaceId: string, id: string, options: { messages?: number } = {}): Promise<InboxConversation | undefined> {
    const row = await this.#select()
      .select(sql<string>`coalesce(c.last_message_at, c.created_at)`.as('activity_at'))
      .where('c.workspace_id', '=', workspaceId)
      .where('c.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    return (await this.#embed([row], options.messages ?? 0))[0];
  }

  /** Conversations with their contact and their handoff (a primary-key lookup each). */
  #select() {
    return this.db
      .selectFrom('conversations as c')
      .innerJoin('contacts as ct', 'ct.id', 'c.contact_id')
      .leftJoin('conversation_transitions as h', 'h.id', 'c.handoff_transition_id')
      .selectAll('c')
      .select([
        'ct.wa_id as contact_wa_id',
        'ct.name as contact_name',
        'h.reason as handoff_reason',
        'h.summary as handoff_summary',
        'h.actor_type as handoff_actor_type',
        'h.actor_id as handoff_actor_id',
        'h.created_at as handoff_at',
      ]);
  }

  /** A cursor from before keyset paging (a conversation id): where that conversation stands now. */
  async #legacyCursor(workspaceId: string, cursor: string): Promise<{ at: string; id: string } | undefined> {
    if (!/^cv_[A-Za-z0-9_-]{1,60}$/.test(cursor)) return undefined;
    const row = await this.db
      .selectFrom('conversations')
      .select(['id', sql<string>`coalesce(last_message_at, created_at)`.as('activity_at')])
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', cursor)
      .executeTakeFirst();
    return row ? { at: row.activity_at, id: row.id } : undefined;
  }

  async #embed(
    rows: Array<Schema['conversations'] & { contact_wa_id: string; contact_name: string | null; activity_at: string } & HandoffColumns>,
    messages: number,
  ): Promise<InboxConversation[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const latest = await this.#latestMessages(ids, Math.max(1, messages));
    const unread = await this.db
      .selectFrom('messages')
      .select(['conversation_id', sql<number | string>`count(*)`.as('n')])
      .where('conversation_id', 'in', ids)
      // A literal: SQLite matches the partial index messages_unread at prepare time (migration 0032).
      .where('direction', '=', sql.lit('in'))
      .where('business_read_at', 'is', null)
      .groupBy('conversation_id')
      .execute();
    const unreadOf = new Map(unread.map((row) => [row.conversation_id, Number(row.n)]));
    return Promise.all(rows.map(async (row) => {
      const recent = latest.get(row.id) ?? [];
      const first = recent[0];
      return {
        ...(await this.conversations.view(row)),
        contact: { id: row.contact_id, wa_id: row.contact_wa_id, name: row.contact_name },
        updated_at: row.updated_at,
        last_activity_at: row.activity_at,
        last_message: first ? preview(first) : null,
        unread_count: unreadOf.get(row.id) ?? 0,
        last_messages: recent.slice(0, messages),
        handoff: handoffOf(row),
      };
    }));
  }

  /**
   * The latest `count` messages of each conversation, newest first, in one statement: a
   * UNION ALL of one index seek per conversation (conversation, time, id), which stays cheap
   * however long the histories are.
   */
  async #latestMessages(conversationIds: string[], count: number): Promise<Map<string, MessagesTable[]>> {
    const arms = conversationIds.map(
      (id) => sql`select * from (select * from messages where conversation_id = ${id} order by created_at desc, id desc limit ${count}) as m`,
    );
    const result = await sql<MessagesTable>`${sql.join(arms, sql` union all `)}`.execute(this.db);
    const byConversation = new Map<string, MessagesTable[]>();
    for (const row of result.rows) {
      const list = byConversation.get(row.conversation_id) ?? [];
      list.push(row);
      byConversation.set(row.conversation_id, list);
    }
    for (const list of byConversation.values()) list.sort((a, b) => (a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1));
    return byConversation;
  }
}

interface HandoffColumns {
  handoff_reason: string | null;
  handoff_summary: string | null;
  handoff_actor_type: string | null;
  handoff_actor_id: string | null;
  handoff_at: string | null;
}

function handoffOf(row: Schema['conversations'] & HandoffColumns): HandoffView | null {
  if (row.handoff_transition_id === null || row.handoff_at === null) return null;
  return {
    transition_id: Number(row.handoff_transition_id),
    reason: row.handoff_reason,
    summary: row.handoff_summary === null ? null : (JSON.parse(row.handoff_summary) as Record<string, unknown>),
    actor: { type: row.handoff_actor_type ?? 'system', id: row.handoff_actor_id },
    at: row.handoff_at,
  };
}

/** The inbox line of a message: its text, or null (erased, or a kind without text). */
function preview(row: MessagesTable): LastMessagePreview {
  return { id: row.id, direction: row.direction, type: row.type, preview: row.deleted_at ? null : previewText(row), status: row.status, created_at: row.created_at };
}

function previewText(row: MessagesTable): string | null {
  let content: Record<string, unknown> | null;
  try {
    content = JSON.parse(row.content) as Record<string, unknown> | null;
  } catch {
    return null;
  }
  if (!content || typeof content !== 'object') return null;
  // Outbound rows store `{to, type, [type]: {...}}`; inbound ones the content under its type or flat.
  const inner = (typeof content[row.type] === 'object' && content[row.type] !== null ? content[row.type] : content) as Record<string, unknown>;
  const interactive = inner.body as Record<string, unknown> | undefined;
  const candidates = [inner.body, inner.caption, interactive?.text, inner.name, inner.emoji, inner.title, inner.filename];
  const text = candidates.find((value): value is string => typeof value === 'string' && value.length > 0);
  return text ? Array.from(text).slice(0, 100).join('') : null;
}

// Booleans as SQL (better-sqlite3 binds no booleans).
const ALWAYS = sql<SqlBool>`1 = 1`;
const NEVER = sql<SqlBool>`1 = 0`;

type ConversationScope = ExpressionBuilder<Schema & { c: Schema['conversations'] }, 'c'>;

/**
 * Whether a conversation (alias `c`) is in `view` for `viewer`, as SQL. Every view is first
 * what the viewer may see (`canSeeConversation`): agents their own conversations and those of
 * their teams' queues; admins and supervisors the whole workspace.
 *
 * - mine: an agent's own, not snoozed (a snooze in the past is over);
 * - queue: waiting in a queue (agents: their teams' queues);
 * - teams: in the viewer's teams' queues, waiting or with a colleague;
 * - bot: the bot owns it and it was not resolved since the customer last wrote;
 * - resolved: resolved by people and the customer has not written since;
 * - all: everything the viewer may see.
 */
function viewCondition(eb: ConversationScope, viewer: InboxViewer, view: InboxView, now: RawBuilder<string>): Expression<SqlBool> {
  const mine = eb.and([eb('c.owner_type', '=', 'agent'), eb('c.owner_id', '=', viewer.userId)]);
  const inTeams = viewer.queues.length > 0 ? eb('c.queue', 'in', [...viewer.queues]) : NEVER;
  const visible = viewer.seesAll ? ALWAYS : eb.or([mine, inTeams]);
  const resolvedSinceWrote = eb.and([eb('c.resolved_at', 'is not', null), eb.or([eb('c.last_inbound_at', 'is', null), eb('c.last_inbound_at', '<=', eb.ref('c.resolved_at'))])]);
  const awake = eb.and([eb('c.snooze_until_next_message', '=', 0), eb.or([eb('c.snoozed_until', 'is', null), eb('c.snoozed_until', '<=', now)])]);
  const condition = (): Expression<SqlBool> => {
    switch (view) {
      case 'mine':
        return eb.and([mine, awake]);
      case 'queue':
        return eb('c.owner_type', '=', 'queue');
      case 'teams':
        return inTeams;
      case 'bot':
        return eb.and([eb('c.owner_type', '=', 'bot'), eb.not(resolvedSinceWrote)]);
      case 'resolved':
        return eb.and([eb('c.owner_type', '=', 'bot'), resolvedSinceWrote]);
      case 'all':
        return ALWAYS;
    }
  };
  return eb.and([visible, condition()]);
}

/** `%text%` for LIKE, lower-cased, with LIKE's wildcards (and the escape) taken literally. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
