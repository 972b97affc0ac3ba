import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';

/** What an erasure found of a person before deleting it: the ids to look for elsewhere, and counts per kind. */
export interface ErasureInventory {
  conversationIds: string[];
  messageIds: string[];
  wamids: string[];
  /** Media their messages brought (inbound) or named (outbound: images, documents, invoices' PDFs sent to them). */
  mediaIds: string[];
  /** Rows that go with the contact or its conversations (the schema's `on delete cascade`), counted for the report. */
  counts: Record<CascadedKind, number>;
}

export type CascadedKind =
  | 'conversations'
  | 'conversation_transitions'
  | 'conversation_notes'
  | 'conversation_labels'
  | 'bot_sessions'
  | 'bot_tasks'
  | 'bot_log'
  | 'consents'
  | 'form_submissions'
  | 'survey_responses'
  | 'leads'
  | 'notifications'
  | 'group_participants';

/** Our media ids inside a message's content (`"id":"med_..."`), wherever the message names them. */
const MEDIA_ID = /"(med_[A-Za-z0-9_-]+)"/g;

const count = (row: { n: number | string | bigint } | undefined): number => Number(row?.n ?? 0);

/**
 * Reads what a person has across the workspace's tables, once, before the erasure deletes it
 * (each table's owner deletes its rows; these reads only find them and count them for the
 * report). Messages are read in keyset pages of 1,000.
 */
export async function readErasureInventory(db: Kysely<Schema>, workspaceId: string, contactId: string): Promise<ErasureInventory> {
  const conversations = await db.selectFrom('conversations').select('id').where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).execute();
  const conversationIds = conversations.map((row) => row.id);
  const messageIds: string[] = [];
  const wamids: string[] = [];
  const mediaIds = new Set<string>();
  let after = '';
  for (;;) {
    const page = await db
      .selectFrom('messages')
      .select(['id', 'wamid', 'content'])
      .where('workspace_id', '=', workspaceId)
      .where((eb) => eb.or([eb('contact_id', '=', contactId), ...(conversationIds.length > 0 ? [eb('conversation_id', 'in', conversationIds)] : [])]))
      .where('id', '>', after)
      .orderBy('id')
      .limit(1000)
      .execute();
    if (page.length === 0) break;
    after = page[page.length - 1]?.id ?? after;
    for (const row of page) {
      messageIds.push(row.id);
      if (row.wamid) wamids.push(row.wamid);
      for (const match of row.content.matchAll(MEDIA_ID)) mediaIds.add(match[1] as string);
    }
  }
  for (let i = 0; i < messageIds.length; i += 500) {
    const brought = await db.selectFrom('media').select('id').where('workspace_id', '=', workspaceId).where('source_message_id', 'in', messageIds.slice(i, i + 500)).execute();
    for (const row of brought) mediaIds.add(row.id);
  }

  const ofConversations = db.selectFrom('conversations').select('id').where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId);
  const n = sql<number>`count(*)`.as('n');
  const counts: Record<CascadedKind, number> = {
    conversations: conversationIds.length,
    conversation_transitions: count(await db.selectFrom('conversation_transitions').select(n).where('conversation_id', 'in', ofConversations).executeTakeFirst()),
    conversation_notes: count(await db.selectFrom('conversation_notes').select(n).where('conversation_id', 'in', ofConversations).executeTakeFirst()),
    conversation_labels: count(await db.selectFrom('conversation_labels').select(n).where('conversation_id', 'in', ofConversations).executeTakeFirst()),
    bot_sessions: count(await db.selectFrom('bot_sessions').select(n).where('conversation_id', 'in', ofConversations).executeTakeFirst()),
    bot_tasks: count(await db.selectFrom('bot_tasks').select(n).where('conversation_id', 'in', ofConversations).executeTakeFirst()),
    bot_log: count(await db.selectFrom('bot_log').select(n).where('conversation_id', 'in', ofConversations).executeTakeFirst()),
    consents: count(await db.selectFrom('consents').select(n).where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).executeTakeFirst()),
    form_submissions: count(await db.selectFrom('form_submissions').select(n).where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).executeTakeFirst()),
    survey_responses: count(await db.selectFrom('survey_responses').select(n).where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).executeTakeFirst()),
    leads: count(await db.selectFrom('leads').select(n).where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).executeTakeFirst()),
    notifications: count(await db.selectFrom('notifications').select(n).where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).executeTakeFirst()),
    group_participants: count(await db.selectFrom('group_participants').select(n).where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).executeTakeFirst()),
  };
  return { conversationIds, messageIds, wamids, mediaIds: [...mediaIds], counts };
}

/**
 * Whether a stored text (a raw webhook payload, an outbox event's data, a delivery's payload)
 * is about the person: one of their numbers or their user id anywhere in it (digits not part
 * of a longer number), or one of their ids (contact, conversations, messages, wamids, media)
 * as a whole JSON string.
 */
export function mentionsPerson(person: { numbers: readonly string[]; userIds: readonly string[]; ids: Iterable<string> }): (text: string) => boolean {
  const numbers = person.numbers.filter((number) => /^\d{6,}$/.test(number)).map((number) => new RegExp(`(?<!\\d)${number}(?!\\d)`));
  const userIds = person.userIds.filter((id) => id.length >= 6);
  const ids = new Set(person.ids);
  const strings = /"((?:[^"\\]|\\.){4,200})"/g;
  return (text) => {
    if (numbers.some((number) => number.test(text))) return true;
    if (userIds.some((id) => text.includes(id))) return true;
    if (ids.size === 0) return false;
    for (const match of text.matchAll(strings)) if (ids.has(match[1] as string)) return true;
    return false;
  };
}
