import type { MarkReadRequest, MessageType, SendMessageRequest } from '../whatsapp/wire.js';
import { metaFailure, type MetaErrorCode, type MetaFailure } from './meta-errors.js';
import {
  checkArray,
  checkBoolean,
  checkContactCard,
  checkEach,
  checkEmoji,
  checkEnum,
  checkKeys,
  checkLocation,
  checkMediaRef,
  checkObject,
  checkString,
  issue,
  isRecord,
  list,
  rec,
  type Check,
  type Issue,
  type IssueKind,
  type Path,
} from './validate-checks.js';
import { checkInteractive } from './validate-send-interactive.js';
import { checkTemplate } from './validate-send-template.js';

export type SendValidation =
  | { ok: true; kind: 'send'; message: SendMessageRequest; type: MessageType }
  | { ok: true; kind: 'mark_read'; request: MarkReadRequest }
  | { ok: false; failure: MetaFailure };

/**
 * Validates the JSON body of `POST /{phone-number-id}/messages` the way Meta does before it
 * accepts a message, without any state: windows, template existence and media ids are the
 * server's business. Returns the first problem as a Meta failure:
 * - 131008 a required parameter is missing (or empty);
 * - 131009 a value breaks a rule (too long, out of range, not unique, bad URL or enum value);
 * - 100 an unknown or unsupported parameter (extra key, unknown `type`, `id` with `link`,
 *   `messaging_product` other than "whatsapp") or a value of the wrong JSON type.
 * `details` names the field in Graph's notation: `Param text['body'] must be at most 4096
 * characters long.` A body with `status` is a mark-as-read request.
 *
 * @example
 * validateSendRequest({ messaging_product: 'whatsapp', to: '5511999990000', text: { body: 'Olá 👋' } })
 * // → { ok: true, kind: 'send', type: 'text', message: {...} }
 */
export function validateSendRequest(body: unknown): SendValidation {
  if (!isRecord(body)) return fail(issue('type', [], 'must be a JSON object', 100));
  const product =
    checkString(body.messaging_product, ['messaging_product']) ??
    checkEnum(body.messaging_product, ['messaging_product'], ['whatsapp'], { code: 100 });
  if (product) return fail(product);

  if ('status' in body) {
    const problem = checkMarkRead(body);
    return problem ? fail(problem) : { ok: true, kind: 'mark_read', request: body as unknown as MarkReadRequest };
  }

  const envelope = checkEnvelope(body);
  if (envelope) return fail(envelope);
  const type = (body.type ?? 'text') as MessageType;
  const content = checkContent(body, type);
  if (content) return fail(content);
  return { ok: true, kind: 'send', message: body as unknown as SendMessageRequest, type };
}

const MESSAGE_TYPES: readonly MessageType[] = [
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'template',
  'reaction',
];

const ENVELOPE_KEYS = [
  'messaging_product',
  'recipient_type',
  'to',
  'type',
  'context',
  'biz_opaque_callback_data',
  'recipient_identity_key_hash',
];

/** Extra keys each media kind accepts besides id/link. */
const MEDIA_KEYS = {
  image: ['caption'],
  video: ['caption'],
  document: ['caption', 'filename'],
  // `voice: true` asks WhatsApp to show an OGG/OPUS file as a voice note (newer Cloud API versions).
  audio: ['voice'],
  sticker: [],
} as const satisfies Record<string, readonly string[]>;

type MediaKind = keyof typeof MEDIA_KEYS;

const isMediaKind = (type: string): type is MediaKind => type in MEDIA_KEYS;

function checkMarkRead(body: Record<string, unknown>): Check {
  const indicator = rec(body.typing_indicator);
  return (
    checkKeys(body, ['messaging_product', 'status', 'message_id', 'typing_indicator'], []) ??
    checkEnum(body.status, ['status'], ['read']) ??
    checkString(body.message_id, ['message_id']) ??
    checkObject(body.typing_indicator, ['typing_indicator'], true) ??
    checkKeys(indicator, ['type'], ['typing_indicator']) ??
    (body.typing_indicator === undefined ? undefined : checkEnum(indicator.type, ['typing_indicator', 'type'], ['text']))
  );
}

function checkEnvelope(body: Record<string, unknown>): Check {
  const context = rec(body.context);
  return (
    // The type first: an unknown type explains its unknown content key better than the key does.
    checkEnum(body.type, ['type'], MESSAGE_TYPES, { optional: true, code: 100 }) ??
    checkKeys(body, [...ENVELOPE_KEYS, ...MESSAGE_TYPES], []) ??
    checkEnum(body.recipient_type, ['recipient_type'], ['individual', 'group'], { optional: true }) ??
    checkRecipient(body.to, body.recipient_type === 'group') ??
    (body.recipient_type === 'group' && body.type === 'interactive'
      ? issue('value', ['type'], 'must not be "interactive" when recipient_type is "group" (groups do not support interactive messages)')
      : undefined) ??
    checkObject(body.context, ['context'], true) ??
    checkKeys(context, ['message_id'], ['context']) ??
    (body.context === undefined ? undefined : checkString(context.message_id, ['context', 'message_id'])) ??
    checkCallbackData(body.biz_opaque_callback_data) ??
    checkString(body.recipient_identity_key_hash, ['recipient_identity_key_hash'], { optional: true })
  );
}

/** Phone numbers may carry +, spaces, dashes, dots and parentheses; a group id is any string. */
function checkRecipient(to: unknown, group: boolean): Check {
  const asString = checkString(to, ['to']);
  if (asString || group) return asString;
  const digits = (to as string).replace(/\D/g, '');
  return /^\+?[\d\s().-]+$/.test((to as string).trim()) && digits.length >= 5 && digits.length <= 15
    ? undefined
    : issue('value', ['to'], 'must be a phone number or WhatsApp ID (5 to 15 digits, optionally with +, spaces, dashes or parentheses)');
}

function checkCallbackData(value: unknown): Check {
  const asString = checkString(value, ['biz_opaque_callback_data'], { optional: true });
  if (asString || typeof value !== 'string') return asString;
  // Meta's limit is in bytes, not characters.
  return Buffer.byteLength(value, 'utf8') > 512
    ? issue('value', ['biz_opaque_callback_data'], 'must be at most 512 bytes long (UTF-8)')
    : undefined;
}

function checkContent(body: Record<string, unknown>, type: MessageType): Check {
  if (body[type] === undefined || body[type] === null) {
    const hint = body.type === undefined ? ' (type defaults to "text" when omitted)' : '';
    return issue('missing', [type], `is required${hint}`);
  }
  const stray = MESSAGE_TYPES.find((other) => other !== type && body[other] !== undefined);
  return (
    checkContentObject(body[type], type) ??
    (stray === undefined ? undefined : issue('unknown', [stray], `is not allowed in a message of type "${type}"`))
  );
}

function checkContentObject(value: unknown, type: MessageType): Check {
  if (isMediaKind(type)) return checkMedia(value, type);
  switch (type) {
    case 'text':
      return checkText(value);
    case 'location':
      return checkLocation(value, ['location'], { numericStrings: true, keys: ['latitude', 'longitude', 'name', 'address'] });
    case 'contacts':
      return (
        checkArray(value, ['contacts'], { min: 1, max: 5 }) ??
        checkEach(list(value), ['contacts'], (card, path) => checkContactCard(card, path, true))
      );
    case 'reaction':
      return checkReaction(value);
    case 'interactive':
      return checkInteractive(value, ['interactive']);
    case 'template':
      return checkTemplate(value, ['template']);
    default:
      return undefined;
  }
}

function checkText(value: unknown): Check {
  const text = rec(value);
  return (
    checkObject(value, ['text']) ??
    checkKeys(text, ['body', 'preview_url'], ['text']) ??
    checkString(text.body, ['text', 'body'], { max: 4096 }) ??
    checkBoolean(text.preview_url, ['text', 'preview_url'])
  );
}

function checkMedia(value: unknown, kind: MediaKind): Check {
  const media = rec(value);
  return (
    checkMediaRef(value, [kind], MEDIA_KEYS[kind]) ??
    checkString(media.caption, [kind, 'caption'], { optional: true, max: 1024 }) ??
    checkString(media.filename, [kind, 'filename'], { optional: true, max: 240 }) ??
    checkBoolean(media.voice, [kind, 'voice'])
  );
}

function checkReaction(value: unknown): Check {
  const reaction = rec(value);
  return (
    checkObject(value, ['reaction']) ??
    checkKeys(reaction, ['message_id', 'emoji'], ['reaction']) ??
    checkString(reaction.message_id, ['reaction', 'message_id']) ??
    checkEmoji(reaction.emoji, ['reaction', 'emoji'], false)
  );
}

const CODE_OF_KIND: Record<IssueKind, MetaErrorCode> = { missing: 131008, type: 100, value: 131009, unknown: 100 };

function fail(found: Issue): { ok: false; failure: MetaFailure } {
  return { ok: false, failure: metaFailure(found.code ?? CODE_OF_KIND[found.kind], detailsOf(found)) };
}

/** Meta's wording: `Param interactive['action']['buttons'][1]['reply']['title'] must be ...`. */
function detailsOf(found: Issue): string {
  if (found.kind === 'unknown') {
    const key = String(found.path[found.path.length - 1]);
    const parent = found.path.slice(0, -1);
    if (parent.length > 0) return `Unexpected key "${key}" on param "${graphPath(parent)}".`;
    const why = found.rule === 'is not allowed here' ? '' : `: ${key} ${found.rule}`;
    return `Unexpected key "${key}" in the request body${why}.`;
  }
  return found.path.length === 0 ? `Request body ${found.rule}.` : `Param ${graphPath(found.path)} ${found.rule}.`;
}

/** `['interactive', 'action', 'buttons', 1]` → `interactive['action']['buttons'][1]`. */
function graphPath(path: Path): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `['${part}']`)).join('');
}
