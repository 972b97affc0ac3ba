import type { MessageType } from '../../whatsapp/index.js';
import {
  arr,
  checkArray,
  checkBoolean,
  checkCoordinate,
  checkEach,
  checkEnum,
  checkKeys,
  checkMediaRef,
  checkObject,
  checkString,
  isRecord,
  pathText,
  problem,
  rec,
  type Check,
  type Path,
} from './outbound-checks.js';
import { checkInteractive } from './outbound-interactive.js';

/** What is wrong with an outbound message: the field as a JSON path and the rule it breaks. */
export interface OutboundInvalid {
  /** e.g. `interactive.action.buttons[3]`, `text.body`, `context.message_id`. */
  field: string;
  rule: string;
}

export type OutboundValidation = { ok: true } | { ok: false; error: OutboundInvalid };

/**
 * Checks an outbound message the way WhatsApp would before accepting it, so a send it would
 * refuse (131008 missing parameter, 131009 bad value, 100 unknown parameter) is answered `400`
 * at once instead of being queued and failing later. Pure: no database, no template lookup
 * (the send policy checks templates against their definitions), no media lookup (the media
 * module checks our `med_` ids). Rules from Meta's Cloud API reference: see the tables in
 * docs/messaging.md.
 *
 * @example
 * validateOutbound('text', { body: '' }) // → { ok: false, error: { field: 'text.body', rule: 'must not be empty' } }
 */
export function validateOutbound(type: MessageType, content: unknown, context?: unknown): OutboundValidation {
  const found = checkContent(type, content) ?? checkContext(context);
  return found ? { ok: false, error: { field: pathText(found.path), rule: found.rule } } : { ok: true };
}

/** Our own message ids, as `newId('msg')` makes them. */
export const OUR_MESSAGE_ID = /^msg_[A-Za-z0-9_-]{1,60}$/;

/**
 * The forms a reference to an earlier message (a quoted reply, a reaction) may take: Meta's
 * `wamid.` ids, and our own message ids (`msg_`), which the send service translates to the
 * message's wamid before queueing (`SendService#resolveReferences`).
 */
const MESSAGE_REFERENCES: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'a WhatsApp message id (wamid.…)', pattern: /^wamid\.[A-Za-z0-9+/=_-]+$/ },
  { name: 'a message id of this API (msg_…)', pattern: OUR_MESSAGE_ID },
];

/** A reference to an earlier message: one of `MESSAGE_REFERENCES`. */
export function checkMessageReference(value: unknown, path: Path): Check {
  const asString = checkString(value, path);
  if (asString) return asString;
  return MESSAGE_REFERENCES.some((form) => form.pattern.test(value as string))
    ? undefined
    : problem(path, `must be ${MESSAGE_REFERENCES.map((form) => form.name).join(' or ')}`);
}

function checkContext(context: unknown): Check {
  if (context === undefined) return undefined;
  return checkObject(context, ['context']) ?? checkKeys(context, ['context'], ['message_id']) ?? checkMessageReference(rec(context).message_id, ['context', 'message_id']);
}

/** Keys each media kind takes besides `id`/`link`: a caption on image, video and document only. */
const MEDIA_KEYS = { image: ['caption'], video: ['caption'], document: ['caption', 'filename'], audio: ['voice'], sticker: [] } as const satisfies Record<string, readonly string[]>;

function checkContent(type: MessageType, content: unknown): Check {
  if (type === 'contacts') return checkContacts(content);
  const base = checkObject(content, [type]);
  if (base) return base.rule === 'is required' ? problem([type], `is required: the ${type} content goes under a key named after type`) : problem([type], `must be an object with the ${type} content`);
  switch (type) {
    case 'text':
      return checkText(content);
    case 'image':
    case 'video':
    case 'document':
    case 'audio':
    case 'sticker':
      return checkMedia(type, content);
    case 'location':
      return checkLocation(content);
    case 'reaction':
      return checkReaction(content);
    case 'interactive':
      return checkInteractive(content, ['interactive']);
    case 'template':
      return checkTemplate(content);
    default:
      return undefined;
  }
}

function checkText(text: unknown): Check {
  const { body, preview_url: preview } = rec(text);
  return checkKeys(text, ['text'], ['body', 'preview_url']) ?? checkString(body, ['text', 'body'], { max: 4096 }) ?? checkBoolean(preview, ['text', 'preview_url']);
}

function checkMedia(kind: keyof typeof MEDIA_KEYS, media: unknown): Check {
  const { caption, filename, voice } = rec(media);
  return (
    checkMediaRef(media, [kind], MEDIA_KEYS[kind]) ??
    checkString(caption, [kind, 'caption'], { optional: true, max: 1024 }) ??
    checkString(filename, [kind, 'filename'], { optional: true }) ??
    checkBoolean(voice, [kind, 'voice'])
  );
}

function checkLocation(location: unknown): Check {
  const { latitude, longitude, name, address } = rec(location);
  return (
    checkKeys(location, ['location'], ['latitude', 'longitude', 'name', 'address']) ??
    checkCoordinate(latitude, ['location', 'latitude'], 90) ??
    checkCoordinate(longitude, ['location', 'longitude'], 180) ??
    checkString(name, ['location', 'name'], { optional: true }) ??
    checkString(address, ['location', 'address'], { optional: true })
  );
}

function checkReaction(reaction: unknown): Check {
  const { message_id: messageId, emoji } = rec(reaction);
  return (
    checkKeys(reaction, ['reaction'], ['message_id', 'emoji']) ??
    checkMessageReference(messageId, ['reaction', 'message_id']) ??
    checkString(emoji, ['reaction', 'emoji'], { allowEmpty: true }) ??
    (emoji === '' || isOneEmoji(emoji as string) ? undefined : problem(['reaction', 'emoji'], 'must be one emoji, or "" to remove the reaction'))
  );
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function isOneEmoji(text: string): boolean {
  const parts = [...graphemes.segment(text)];
  return parts.length === 1 && /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u.test(text);
}

const NAME_PARTS = ['first_name', 'last_name', 'middle_name', 'suffix', 'prefix'];

function checkContacts(contacts: unknown): Check {
  const base = checkArray(contacts, ['contacts'], { min: 1, max: 5 });
  if (base) return base.rule === 'must be an array' ? problem(['contacts'], 'must be an array of contact cards') : base;
  return checkEach(arr(contacts), ['contacts'], checkContactCard);
}

function checkContactCard(card: unknown, path: Path): Check {
  const { name, phones, emails, urls, addresses, org, birthday } = rec(card);
  const namePath = [...path, 'name'];
  return (
    checkObject(card, path) ??
    checkKeys(card, path, ['name', 'phones', 'emails', 'urls', 'addresses', 'org', 'birthday']) ??
    checkObject(name, namePath) ??
    checkKeys(name, namePath, ['formatted_name', ...NAME_PARTS]) ??
    checkString(rec(name).formatted_name, [...namePath, 'formatted_name']) ??
    checkEach(NAME_PARTS, namePath, (part) => checkString(rec(name)[part as string], [...namePath, part as string], { optional: true })) ??
    (NAME_PARTS.some((part) => rec(name)[part] !== undefined) ? undefined : problem(namePath, `must have one of ${NAME_PARTS.join(', ')} besides formatted_name`)) ??
    checkList(phones, [...path, 'phones'], ['phone', 'type', 'wa_id'], 'phone') ??
    checkList(emails, [...path, 'emails'], ['email', 'type'], 'email') ??
    checkList(urls, [...path, 'urls'], ['url', 'type'], 'url') ??
    checkList(addresses, [...path, 'addresses'], ['street', 'city', 'state', 'zip', 'country', 'country_code', 'type'], undefined) ??
    checkObject(org, [...path, 'org'], { optional: true }) ??
    checkKeys(org, [...path, 'org'], ['company', 'department', 'title']) ??
    (birthday === undefined || (typeof birthday === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(birthday)) ? undefined : problem([...path, 'birthday'], 'must be a date written YYYY-MM-DD'))
  );
}

/** An optional array of objects with string fields among `keys`, `main` (when given) required. */
function checkList(value: unknown, path: Path, keys: readonly string[], main: string | undefined): Check {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return problem(path, 'must be an array');
  return checkEach(value, path, (item, itemPath) => {
    const entry = rec(item);
    return (
      checkObject(item, itemPath) ??
      checkKeys(item, itemPath, keys) ??
      (main ? checkString(entry[main], [...itemPath, main]) : undefined) ??
      checkEach(keys, itemPath, (key) => checkString(entry[key as string], [...itemPath, key as string], { optional: true }))
    );
  });
}

const COMPONENT_TYPES = ['header', 'body', 'button', 'carousel', 'limited_time_offer', 'order_status'];
const BUTTON_SUB_TYPES = ['quick_reply', 'url', 'copy_code', 'flow', 'catalog', 'mpm', 'voice_call', 'order_details'];
const PARAMETER_TYPES = ['text', 'currency', 'date_time', 'image', 'video', 'document', 'location', 'payload', 'coupon_code', 'action', 'product', 'limited_time_offer', 'order_status'];

/**
 * A template send's shape: its name, its language, and well-formed components. Whether the
 * parameters fit the template's definition is the send policy's check (`checkTemplateSend`).
 */
function checkTemplate(template: unknown): Check {
  const { name, language, components } = rec(template);
  return (
    checkKeys(template, ['template'], ['name', 'language', 'components', 'namespace']) ??
    checkString(name, ['template', 'name'], { max: 512 }) ??
    checkObject(language, ['template', 'language']) ??
    checkKeys(language, ['template', 'language'], ['code', 'policy']) ??
    checkString(rec(language).code, ['template', 'language', 'code']) ??
    checkEnum(rec(language).policy, ['template', 'language', 'policy'], ['deterministic'], { optional: true }) ??
    (components === undefined ? undefined : Array.isArray(components) ? checkEach(components, ['template', 'components'], checkComponent) : problem(['template', 'components'], 'must be an array'))
  );
}

function checkComponent(component: unknown, path: Path): Check {
  const { type, sub_type: subType, index, parameters } = rec(component);
  const button = type === 'button';
  return (
    checkObject(component, path) ??
    checkEnum(type, [...path, 'type'], COMPONENT_TYPES) ??
    (button ? checkEnum(typeof subType === 'string' ? subType.toLowerCase() : subType, [...path, 'sub_type'], BUTTON_SUB_TYPES) : undefined) ??
    (button && !(typeof index === 'number' ? Number.isInteger(index) && index >= 0 && index <= 9 : typeof index === 'string' && /^[0-9]$/.test(index))
      ? problem([...path, 'index'], 'is required on a button: its position, "0" to "9"')
      : undefined) ??
    (parameters === undefined ? undefined : Array.isArray(parameters) ? checkEach(parameters, [...path, 'parameters'], checkParameter) : problem([...path, 'parameters'], 'must be an array'))
  );
}

function checkParameter(parameter: unknown, path: Path): Check {
  const entry = rec(parameter);
  const type = entry.type;
  const found = checkObject(parameter, path) ?? checkEnum(type, [...path, 'type'], PARAMETER_TYPES);
  if (found) return found;
  switch (type) {
    case 'text':
      return checkString(entry.text, [...path, 'text'], { max: 32768 });
    case 'payload':
      return checkString(entry.payload, [...path, 'payload']);
    case 'coupon_code':
      return checkString(entry.coupon_code, [...path, 'coupon_code']);
    case 'image':
    case 'video':
      return checkMediaRef(entry[type], [...path, type], []);
    case 'document':
      return checkMediaRef(entry.document, [...path, 'document'], ['filename']);
    case 'currency': {
      const currency = rec(entry.currency);
      return (
        checkObject(entry.currency, [...path, 'currency']) ??
        checkString(currency.fallback_value, [...path, 'currency', 'fallback_value']) ??
        checkString(currency.code, [...path, 'currency', 'code']) ??
        (Number.isInteger(currency.amount_1000) ? undefined : problem([...path, 'currency', 'amount_1000'], 'must be an integer: the amount times 1000'))
      );
    }
    case 'date_time':
      return checkObject(entry.date_time, [...path, 'date_time']) ?? checkString(rec(entry.date_time).fallback_value, [...path, 'date_time', 'fallback_value']);
    case 'location': {
      const location = rec(entry.location);
      return checkObject(entry.location, [...path, 'location']) ?? checkCoordinate(location.latitude, [...path, 'location', 'latitude'], 90) ?? checkCoordinate(location.longitude, [...path, 'location', 'longitude'], 180);
    }
    default:
      return isRecord(entry[type as string]) || entry[type as string] !== undefined ? undefined : problem([...path, type as string], 'is required');
  }
}
