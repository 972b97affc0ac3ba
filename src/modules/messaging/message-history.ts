import type { Kysely } from 'kysely';
import { decodeKeysetCursor, encodeKeysetCursor, type Schema } from '../../db/index.js';
import { toView, type MessageView } from './messages.js';

/** Longest history page. */
export const MAX_HISTORY_PAGE = 200;

/**
 * Reading messages back: a conversation's whole history, newest first, in pages ordered by
 * (created_at, id), and a message by Meta's id.
 */
export class MessageHistory {
  constructor(
    private readonly db: Kysely<Schema>,
    /** The names of a workspace's people by id (the users module), for `sent_by.name` of agents' messages. */
    private readonly peopleNames?: (workspaceId: string, userIds: readonly string[]) => Promise<Map<string, string>>,
  ) {}

  /** Adds the agent's name to `sent_by` of agents' messages: one lookup for the whole page. */
  private async withAuthors(workspaceId: string, messages: MessageView[]): Promise<MessageView[]> {
    const ids = [...new Set(messages.flatMap((message) => (message.sent_by?.type === 'agent' && message.sent_by.id ? [message.sent_by.id] : [])))];
    if (ids.length === 0 || !this.peopleNames) return messages;
    const names = await this.peopleNames(workspaceId, ids);
    return messages.map((message) => {
      const name = message.sent_by?.type === 'agent' && message.sent_by.id ? names.get(message.sent_by.id) : undefined;
      return name === undefined || !message.sent_by ? message : { ...message, sent_by: { ...message.sent_by, name } };
    });
  }

  /**
   * One page of a conversation's messages, newest first, agents' messages with their author's
   * name (`sent_by.name`, one lookup per page). `cursor` is the `next_cursor` of the
   * page before; answers `{ ok: false, reason: 'not_found' }` for a conversation of another
   * workspace and `'bad_cursor'` for a cursor this server did not make.
   */
  async page(
    workspaceId: string,
    conversationId: string,
    options: { limit: number; cursor?: string | undefined },
  ): Promise<{ ok: true; data: MessageView[]; next_cursor: string | null } | { ok: false; reason: 'not_found' | 'bad_cursor' }> {
    const after = options.cursor === undefined ? undefined : decodeKeysetCursor(options.cursor);
    if (options.cursor !== undefined && !after) return { ok: false, reason: 'bad_cursor' };
    const conversation = await this.db.selectFrom('conversations').select('id').where('workspace_id', '=', workspaceId).where('id', '=', conversationId).executeTakeFirst();
    if (!conversation) return { ok: false, reason: 'not_found' };
    const limit = Math.min(Math.max(1, options.limit), MAX_HISTORY_PAGE);
    let query = this.db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (after) {
      query = query.where((eb) => eb.or([eb('created_at', '<', after.at), eb.and([eb('created_at', '=', after.at), eb('id', '<', after.id)])]));
    }
    const rows = await query.execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { ok: true, data: await this.withAuthors(workspaceId, page.map(toView)), next_cursor: rows.length > limit && last ? encodeKeysetCursor(last.created_at, last.id) : null };
  }

  /**
   * The workspace's messages, newest first, in pages by (created_at, id); with `wamid`, the one
   * message with Meta's id (or none).
   */
  async list(
    workspaceId: string,
    options: { limit: number; cursor?: string | undefined; wamid?: string | undefined },
  ): Promise<{ ok: true; data: MessageView[]; next_cursor: string | null } | { ok: false; reason: 'bad_cursor' }> {
    if (options.wamid !== undefined) {
      const rows = await this.db.selectFrom('messages').selectAll().where('workspace_id', '=', workspaceId).where('wamid', '=', options.wamid).execute();
      return { ok: true, data: rows.map(toView), next_cursor: null };
    }
    const after = options.cursor === undefined ? undefined : decodeKeysetCursor(options.cursor);
    if (options.cursor !== undefined && !after) return { ok: false, reason: 'bad_cursor' };
    const limit = Math.min(Math.max(1, options.limit), MAX_HISTORY_PAGE);
    let query = this.db.selectFrom('messages').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1);
    if (after) query = query.where((eb) => eb.or([eb('created_at', '<', after.at), eb.and([eb('created_at', '=', after.at), eb('id', '<', after.id)])]));
    const rows = await query.execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { ok: true, data: page.map(toView), next_cursor: rows.length > limit && last ? encodeKeysetCursor(last.created_at, last.id) : null };
  }
}
