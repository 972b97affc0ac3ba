import type { Kysely } from 'kysely';
import { realClock, type Clock } from '../../clock/index.js';
import { decodeKeysetCursor, encodeKeysetCursor, newId, type ConversationNotesTable, type Schema } from '../../db/index.js';
import type { Events } from '../events/index.js';
import { resolveMentions } from './mentions.js';
import type { DeskPeople, DeskPerson } from './ports.js';

/** A note as the inbox shows it. */
export interface NoteView {
  id: string;
  conversation_id: string;
  author: { id: string; name: string | null };
  /** Exactly as written: the browser shows it as text. */
  text: string;
  /** The people it mentions (resolved when it was written). */
  mentions: Array<{ id: string; name: string | null }>;
  created_at: string;
}

/** A note that mentions the viewer. */
export interface MentionView {
  note: NoteView;
  read_at: string | null;
}

/** The most notes (and mentions) a page holds. */
export const MAX_NOTES_PAGE = 200;

/**
 * Internal notes on conversations, with @mentions (src/modules/desk/mentions.ts). Notes are
 * never sent to the customer: nothing here touches messages or the outbox of sends. Writing one
 * records `note.created` (an inbox-only event) in the same transaction.
 */
export class Notes {
  constructor(
    private readonly deps: { db: Kysely<Schema>; events: Pick<Events, 'record'>; people: DeskPeople; clock?: Clock },
  ) {}

  /** Writes a note on a conversation the caller checked the author may see. */
  async create(input: { workspaceId: string; conversationId: string; authorId: string; text: string }): Promise<NoteView> {
    const people = await this.deps.people.people(input.workspaceId);
    const mentions = resolveMentions(
      input.text,
      people.filter((person) => person.active),
    );
    const row: ConversationNotesTable = {
      id: newId('note'),
      workspace_id: input.workspaceId,
      conversation_id: input.conversationId,
      author_id: input.authorId,
      text: input.text,
      mentions: JSON.stringify(mentions),
      created_at: (this.deps.clock ?? realClock).now().toISOString(),
    };
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.insertInto('conversation_notes').values(row).execute();
      if (mentions.length > 0) {
        await trx
          .insertInto('note_mentions')
          .values(mentions.map((userId) => ({ note_id: row.id, user_id: userId, workspace_id: row.workspace_id, conversation_id: row.conversation_id, created_at: row.created_at, read_at: null })))
          .execute();
      }
      await this.deps.events.record(trx, row.workspace_id, 'note.created', { conversation_id: row.conversation_id, note_id: row.id, author_id: row.author_id, mentions });
    });
    return toView(row, byId(people));
  }

  /** A conversation's notes, oldest first, in keyset pages. `'bad_cursor'` for a cursor this server did not make. */
  async list(workspaceId: string, conversationId: string, options: { limit: number; cursor?: string | undefined }): Promise<{ ok: true; data: NoteView[]; next_cursor: string | null } | { ok: false; reason: 'bad_cursor' }> {
    const after = options.cursor === undefined ? undefined : decodeKeysetCursor(options.cursor);
    if (options.cursor !== undefined && !after) return { ok: false, reason: 'bad_cursor' };
    let query = this.deps.db
      .selectFrom('conversation_notes')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('conversation_id', '=', conversationId)
      .orderBy('created_at')
      .orderBy('id')
      .limit(options.limit + 1);
    if (after) query = query.where((eb) => eb.or([eb('created_at', '>', after.at), eb.and([eb('created_at', '=', after.at), eb('id', '>', after.id)])]));
    const rows = await query.execute();
    const page = rows.slice(0, options.limit);
    const people = byId(await this.deps.people.people(workspaceId));
    const last = page.at(-1);
    return { ok: true, data: page.map((row) => toView(row, people)), next_cursor: rows.length > options.limit && last ? encodeKeysetCursor(last.created_at, last.id) : null };
  }

  /** The notes that mention a person, newest first (`unread`: only those not marked read). */
  async mentionsOf(workspaceId: string, userId: string, options: { unread: boolean; limit: number }): Promise<MentionView[]> {
    let query = this.deps.db
      .selectFrom('note_mentions as m')
      .innerJoin('conversation_notes as n', 'n.id', 'm.note_id')
      .selectAll('n')
      .select('m.read_at')
      .where('m.workspace_id', '=', workspaceId)
      .where('m.user_id', '=', userId)
      .orderBy('m.created_at', 'desc')
      .orderBy('m.note_id', 'desc')
      .limit(options.limit);
    if (options.unread) query = query.where('m.read_at', 'is', null);
    const rows = await query.execute();
    const people = byId(await this.deps.people.people(workspaceId));
    return rows.map(({ read_at, ...note }) => ({ note: toView(note, people), read_at }));
  }

  /** Marks a person's mentions read: those of `noteIds`, or all. Answers how many changed. */
  async markRead(workspaceId: string, userId: string, noteIds: readonly string[] | 'all'): Promise<number> {
    let query = this.deps.db
      .updateTable('note_mentions')
      .set({ read_at: (this.deps.clock ?? realClock).now().toISOString() })
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .where('read_at', 'is', null);
    if (noteIds !== 'all') {
      if (noteIds.length === 0) return 0;
      query = query.where('note_id', 'in', noteIds);
    }
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

function byId(people: readonly DeskPerson[]): Map<string, DeskPerson> {
  return new Map(people.map((person) => [person.id, person]));
}

function toView(row: ConversationNotesTable, people: Map<string, DeskPerson>): NoteView {
  const ids = JSON.parse(row.mentions) as string[];
  return {
    id: row.id,
    conversation_id: row.conversation_id,
    author: { id: row.author_id, name: people.get(row.author_id)?.name ?? null },
    text: row.text,
    mentions: ids.map((id) => ({ id, name: people.get(id)?.name ?? null })),
    created_at: row.created_at,
  };
}
