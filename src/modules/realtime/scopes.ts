import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';
import type { DomainEvent } from '../events/index.js';
import type { ConversationScope } from '../users/index.js';
import type { EventScope } from './visibility.js';

const CHUNK = 500;

/**
 * The conversation scope of each event, looked up once for a batch of events (two queries at
 * most per 500 conversations): by `data.conversation_id`, else through the message of
 * `data.message_id` (`message.status` carries no conversation id).
 */
export async function lookUpEventScopes(db: Kysely<Schema>, events: readonly DomainEvent[]): Promise<Map<number, EventScope>> {
  const conversationIds = new Set<string>();
  const messageIds = new Set<string>();
  for (const event of events) {
    const conversationId = event.data.conversation_id;
    const messageId = event.data.message_id;
    if (typeof conversationId === 'string') conversationIds.add(conversationId);
    else if (typeof messageId === 'string') messageIds.add(messageId);
  }
  const byConversation = await conversationScopes(db, [...conversationIds]);
  const byMessage = new Map<string, ConversationScope>();
  const messages = [...messageIds];
  for (let i = 0; i < messages.length; i += CHUNK) {
    const rows = await db
      .selectFrom('messages')
      .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
      .select(['messages.id as message_id', 'conversations.workspace_id', 'conversations.owner_type', 'conversations.owner_id', 'conversations.queue'])
      .where('messages.id', 'in', messages.slice(i, i + CHUNK))
      .execute();
    for (const row of rows) byMessage.set(row.message_id, { workspace_id: row.workspace_id, owner_type: row.owner_type, owner_id: row.owner_id, queue: row.queue });
  }
  const scopes = new Map<number, EventScope>();
  for (const event of events) {
    const conversationId = event.data.conversation_id;
    const messageId = event.data.message_id;
    if (typeof conversationId === 'string') scopes.set(event.id, { conversation: true, scope: byConversation.get(conversationId) });
    else if (typeof messageId === 'string') scopes.set(event.id, { conversation: true, scope: byMessage.get(messageId) });
    else scopes.set(event.id, { conversation: false });
  }
  return scopes;
}

/** The scopes of these conversations by id (missing ones are absent). */
export async function conversationScopes(db: Kysely<Schema>, ids: readonly string[]): Promise<Map<string, ConversationScope>> {
  const found = new Map<string, ConversationScope>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db.selectFrom('conversations').select(['id', 'workspace_id', 'owner_type', 'owner_id', 'queue']).where('id', 'in', ids.slice(i, i + CHUNK)).execute();
    for (const row of rows) found.set(row.id, { workspace_id: row.workspace_id, owner_type: row.owner_type, owner_id: row.owner_id, queue: row.queue });
  }
  return found;
}
