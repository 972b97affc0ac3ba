import { MEDIA_RULES } from './media-store.js';
import { checkContext, checkReferral } from './validate-inbound-context.js';
import {
  checkArray,
  checkBoolean,
  checkContactCard,
  checkEach,
  checkEmoji,
  checkEnum,
  checkKeys,
  checkLocation,
  checkNumber,
  checkObject,
  checkString,
  issue,
  isRecord,
  list,
  rec,
  type Check,
  type Path,
} from './validate-checks.js';

export type InboundValidation = { ok: true; message: SimulatedInbound } | { ok: false; field: string; rule: string };

/** A message a simulated customer's phone sends, checked and ready for the sandbox to deliver. */
export interface SimulatedInbound {
  /** The business phone number id the customer writes to. */
  to: string;
  type: string;
  /**
   * The Cloud API inbound object for `type` (§2.4) as given, minus the media transport fields
   * (`id`, `data_base64`, `mime_type`), which the server replaces with the stored media's
   * `id`, `mime_type` and `sha256`. `{}` for `request_welcome` and `unsupported` (unless given).
   * For `contacts`, whose content is an array, this is `{ contacts: [...cards] }`.
   */
  content: Record<string, unknown>;
  /**
   * `id` answers a message in the chat; `forwarded`/`frequently_forwarded` (only when true) and
   * `referred_product` ("Message business" on a product) travel as Meta writes them.
   */
  context?: {
    id?: string;
    forwarded?: true;
    frequently_forwarded?: true;
    referred_product?: { catalog_id: string; product_retailer_id: string };
  };
  /** Click-to-WhatsApp ad or post the customer came through (Meta's `referral`, as given). */
  referral?: Record<string, unknown>;
  media?: { data: Buffer; mime_type: string; filename?: string } | { id: string };
}

/**
 * Validates the body of the sandbox admin call `POST /sandbox/v1/phones/{wa_id}/messages`:
 * `{ to: phone_number_id, type, <type>: {...}, context?: { id } }`, where the content is shaped
 * like a Cloud API inbound message. Media is `{ id }` of media already in the sandbox or
 * `{ data_base64, mime_type, filename? }`; MIME types and sizes follow Meta's table (§5.3).
 * Stateless: whether `to`, a media id or `context.id` exist is the server's check.
 *
 * @example
 * validateInboundMessage({ to: '106540352242922', type: 'text', text: { body: 'Olá 👋' } })
 * // → { ok: true, message: { to: '106540352242922', type: 'text', content: { body: 'Olá 👋' } } }
 */
export function validateInboundMessage(body: unknown): InboundValidation {
  if (!isRecord(body)) return { ok: false, field: '(body)', rule: 'must be a JSON object' };
  const context = rec(body.context);
  const found =
    checkString(body.to, ['to']) ??
    checkEnum(body.type, ['type'], INBOUND_TYPES) ??
    checkKeys(body, ['to', 'type', 'context', 'referral', body.type as string], []) ??
    checkObject(body.context, ['context'], true) ??
    checkContext(body.context, context) ??
    checkReferral(body.referral) ??
    checkContent(body[body.type as string], body.type as InboundType);
  if (found) return { ok: false, field: dottedPath(found.path), rule: found.rule };

  const type = body.type as InboundType;
  const raw = rec(body[type]);
  // Contacts are the one array-shaped content; it travels wrapped as `{ contacts: [...] }`.
  const content = type === 'contacts' ? { contacts: list(body.contacts) } : { ...raw };
  const message: SimulatedInbound = { to: body.to as string, type, content };
  const product = rec(context.referred_product);
  const messageContext: NonNullable<SimulatedInbound['context']> = {
    ...(typeof context.id === 'string' ? { id: context.id } : {}),
    ...(context.forwarded === true ? { forwarded: true as const } : {}),
    ...(context.frequently_forwarded === true ? { frequently_forwarded: true as const } : {}),
    ...(isRecord(context.referred_product)
      ? { referred_product: { catalog_id: product.catalog_id as string, product_retailer_id: product.product_retailer_id as string } }
      : {}),
  };
  if (Object.keys(messageContext).length > 0) message.context = messageContext;
  if (isRecord(body.referral)) message.referral = { ...body.referral };
  if (isMediaKind(type)) {
    const { id, data_base64: data, mime_type: mimeType, ...rest } = raw;
    message.content = rest;
    message.media =
      typeof id === 'string'
        ? { id }
        : {
            data: Buffer.from(data as string, 'base64'),
            mime_type: mimeType as string,
            ...(typeof rest.filename === 'string' ? { filename: rest.filename } : {}),
          };
  }
  return { ok: true, message };
}

const INBOUND_TYPES = [
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'contacts',
  'reaction',
  'button',
  'interactive',
  'order',
  'system',
  'request_welcome',
  'unsupported',
] as const;

type InboundType = (typeof INBOUND_TYPES)[number];

/** Keys each media kind accepts besides the transport fields. */
const MEDIA_KEYS = {
  image: ['caption'],
  video: ['caption'],
  document: ['caption', 'filename'],
  audio: ['voice'],
  sticker: ['animated'],
} as const satisfies Record<keyof typeof MEDIA_RULES, readonly string[]>;

type MediaKind = keyof typeof MEDIA_KEYS;

const isMediaKind = (type: string): type is MediaKind => type in MEDIA_KEYS;

/** Static stickers are limited to 100 KB; animated ones to 500 KB (MEDIA_RULES holds the larger). */
const STATIC_STICKER_MAX_BYTES = 100 * 1024;

function checkContent(value: unknown, type: InboundType): Check {
  if (isMediaKind(type)) return checkMedia(value, type);
  const content = rec(value);
  const path = [type];
  switch (type) {
    case 'text':
      return checkObject(value, path) ?? checkKeys(content, ['body'], path) ?? checkString(content.body, [type, 'body'], { max: 4096 });
    case 'location':
      return checkLocation(value, path, { numericStrings: false, keys: ['latitude', 'longitude', 'name', 'address', 'url'] });
    case 'contacts':
      return checkArray(value, path, { min: 1 }) ?? checkEach(list(value), path, (card, p) => checkContactCard(card, p, false));
    case 'reaction':
      return (
        checkObject(value, path) ??
        checkKeys(content, ['message_id', 'emoji'], path) ??
        checkString(content.message_id, [type, 'message_id']) ??
        checkEmoji(content.emoji, [type, 'emoji'], true)
      );
    case 'button':
      return (
        checkObject(value, path) ??
        checkKeys(content, ['payload', 'text'], path) ??
        checkString(content.payload, [type, 'payload']) ??
        checkString(content.text, [type, 'text'], { max: 25 })
      );
    case 'interactive':
      return checkInteractiveReply(value, path);
    case 'order':
      return checkOrder(value, path);
    case 'system':
      return (
        checkObject(value, path) ??
        checkKeys(content, ['body', 'type', 'wa_id', 'new_wa_id', 'identity', 'customer'], path) ??
        checkString(content.body, [type, 'body']) ??
        checkString(content.type, [type, 'type'], { optional: true }) ??
        checkString(content.wa_id, [type, 'wa_id'], { optional: content.type !== 'user_changed_number' })
      );
    case 'request_welcome':
      return checkObject(value, path, true) ?? checkKeys(content, [], path);
    case 'unsupported':
      // `type` says what Meta could not deliver: `edit` and `revoke` for a customer's edit or
      // delete-for-everyone, `poll_creation`, `video_note`, ... (Meta's unsupported webhook).
      return (
        checkObject(value, path, true) ??
        checkKeys(content, ['type'], path) ??
        checkString(content.type, [type, 'type'], { optional: true }) ??
        (content.type === undefined || /^[a-z][a-z0-9_]*$/.test(content.type as string)
          ? undefined
          : issue('value', [type, 'type'], 'must be a lowercase message type such as "edit", "revoke" or "poll_creation"'))
      );
  }
}

function checkMedia(value: unknown, kind: MediaKind): Check {
  const media = rec(value);
  const path = [kind];
  const found =
    checkObject(value, path) ??
    checkKeys(media, ['id', 'data_base64', 'mime_type', ...MEDIA_KEYS[kind]], path) ??
    checkString(media.caption, [kind, 'caption'], { optional: true, max: 1024 }) ??
    checkString(media.filename, [kind, 'filename'], { optional: true, max: 240 }) ??
    checkBoolean(media.voice, [kind, 'voice']) ??
    checkBoolean(media.animated, [kind, 'animated']);
  if (found) return found;
  if (media.id !== undefined) {
    return (
      checkString(media.id, [kind, 'id']) ??
      (media.data_base64 !== undefined ? issue('value', [kind, 'data_base64'], 'must not be given together with id') : undefined) ??
      (media.mime_type !== undefined ? issue('value', [kind, 'mime_type'], 'must not be given with id: the uploaded media has its own') : undefined)
    );
  }
  return (
    checkString(media.data_base64, [kind, 'data_base64']) ??
    checkString(media.mime_type, [kind, 'mime_type']) ??
    checkMimeType(media.mime_type as string, kind) ??
    checkBase64Size(media.data_base64 as string, kind, media.animated === true)
  );
}

function checkMimeType(mimeType: string, kind: MediaKind): Check {
  // Parameters such as "audio/ogg; codecs=opus" (how WhatsApp voice notes arrive) are allowed.
  const base = mimeType.split(';')[0]?.trim().toLowerCase() ?? '';
  const allowed: readonly string[] = MEDIA_RULES[kind].types;
  return allowed.includes(base) ? undefined : issue('value', [kind, 'mime_type'], `must be one of ${allowed.join(', ')} for ${kind}`);
}

function checkBase64Size(data: string, kind: MediaKind, animated: boolean): Check {
  const path = [kind, 'data_base64'];
  if (data.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) return issue('value', path, 'must be standard base64 (RFC 4648, padded)');
  const size = (data.length / 4) * 3 - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
  const max = kind === 'sticker' && !animated ? STATIC_STICKER_MAX_BYTES : MEDIA_RULES[kind].maxBytes;
  if (size === 0) return issue('value', path, 'must not be empty');
  return size > max
    ? issue('value', path, `must decode to at most ${formatBytes(max)} for ${animated ? 'an animated ' : ''}${kind} (got ${size} bytes)`)
    : undefined;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${bytes / 1024} KB`;
}

const REPLY_KINDS = ['button_reply', 'list_reply', 'nfm_reply'] as const;

/** Title and description may be left out: the sandbox fills them from the message tapped. */
function checkInteractiveReply(value: unknown, path: Path): Check {
  const interactive = rec(value);
  const found =
    checkObject(value, path) ??
    checkEnum(interactive.type, [...path, 'type'], REPLY_KINDS) ??
    checkKeys(interactive, ['type', interactive.type as string], path);
  if (found) return found;
  const kind = interactive.type as (typeof REPLY_KINDS)[number];
  const reply = rec(interactive[kind]);
  const p = [...path, kind];
  const base = checkObject(interactive[kind], p);
  if (base) return base;
  switch (kind) {
    case 'button_reply':
      return (
        checkKeys(reply, ['id', 'title'], p) ??
        checkString(reply.id, [...p, 'id'], { max: 256 }) ??
        checkString(reply.title, [...p, 'title'], { max: 20, optional: true })
      );
    case 'list_reply':
      return (
        checkKeys(reply, ['id', 'title', 'description'], p) ??
        checkString(reply.id, [...p, 'id'], { max: 200 }) ??
        checkString(reply.title, [...p, 'title'], { max: 24, optional: true }) ??
        checkString(reply.description, [...p, 'description'], { max: 72, optional: true })
      );
    case 'nfm_reply':
      return (
        checkKeys(reply, ['name', 'body', 'response_json'], p) ??
        checkString(reply.name, [...p, 'name']) ??
        checkString(reply.body, [...p, 'body']) ??
        checkString(reply.response_json, [...p, 'response_json']) ??
        (isJsonObject(reply.response_json as string)
          ? undefined
          : issue('value', [...p, 'response_json'], 'must be a JSON object serialised as a string'))
      );
  }
}

function isJsonObject(text: string): boolean {
  try {
    return isRecord(JSON.parse(text));
  } catch {
    return false;
  }
}

function checkOrder(value: unknown, path: Path): Check {
  const order = rec(value);
  const itemsPath = [...path, 'product_items'];
  return (
    checkObject(value, path) ??
    checkKeys(order, ['catalog_id', 'text', 'product_items'], path) ??
    checkString(order.catalog_id, [...path, 'catalog_id']) ??
    checkString(order.text, [...path, 'text'], { optional: true, max: 4096 }) ??
    checkArray(order.product_items, itemsPath, { min: 1 }) ??
    checkEach(list(order.product_items), itemsPath, checkOrderItem)
  );
}

function checkOrderItem(value: unknown, path: Path): Check {
  const item = rec(value);
  return (
    checkObject(value, path) ??
    checkKeys(item, ['product_retailer_id', 'quantity', 'item_price', 'currency'], path) ??
    checkString(item.product_retailer_id, [...path, 'product_retailer_id']) ??
    checkNumber(item.quantity, [...path, 'quantity'], { integer: true, min: 1 }) ??
    checkNumber(item.item_price, [...path, 'item_price'], { min: 0 }) ??
    checkString(item.currency, [...path, 'currency']) ??
    (/^[A-Z]{3}$/.test(item.currency as string) ? undefined : issue('value', [...path, 'currency'], 'must be an ISO 4217 currency code such as "BRL"'))
  );
}

/** `['interactive', 'list_reply', 'id']` → `interactive.list_reply.id`; indices as `[0]`. */
function dottedPath(path: Path): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('') || '(body)';
}
