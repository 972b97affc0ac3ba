import type { Message } from '../types';

/** Loose reading of a message's stored content: `{type, [type]: {...}, context?}` both ways. */
export type Json = Record<string, unknown>;

export function rec(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** The object under the message's type (`content.text`, `content.image`, …). */
export function bodyOf(message: Message): Json {
  const content = rec(message.content);
  if (message.type === 'contacts') return { contacts: Array.isArray(content.contacts) ? content.contacts : rec(content.contacts).contacts };
  return rec(content[message.type]);
}

/** The wamid a message quotes (inbound `context.id`, outbound `context.message_id`). */
export function quotedWamid(message: Message): string | undefined {
  const context = rec(rec(message.content).context);
  return str(context.id) ?? str(context.message_id);
}

/** Our media id of a media message, for /app/api/media/{id}/content. */
export function mediaIdOf(message: Message): string | undefined {
  const content = rec(message.content);
  const body = bodyOf(message);
  const candidates = [content.media_id, body.media_id, body.id];
  return candidates.map(str).find((id) => id?.startsWith('med_'));
}

/** A one-line text of a message (quotes, previews). */
export function previewText(message: Message): string | undefined {
  const body = bodyOf(message);
  switch (message.type) {
    case 'text':
      return str(body.body);
    case 'image':
    case 'video':
    case 'document':
      return str(body.caption) ?? str(body.filename);
    case 'interactive':
      return str(rec(body.button_reply).title) ?? str(rec(body.list_reply).title) ?? str(rec(body.body).text);
    case 'button':
      return str(body.text);
    case 'template':
      return str(body.name);
    case 'location':
      return str(body.name) ?? str(body.address);
    default:
      return undefined;
  }
}

export const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);
