import { describe, expect, it } from 'vitest';
import { validateSendRequest } from './validate-send.js';

const TO = '+55 11 99999-0000';

/** A send body with the envelope filled in. */
function send(fields: Record<string, unknown>): Record<string, unknown> {
  return { messaging_product: 'whatsapp', recipient_type: 'individual', to: TO, ...fields };
}

const long = (n: number, unit = 'a'): string => unit.repeat(n);

interface FailureCase {
  name: string;
  body: unknown;
  code: number;
  details: string;
}

function expectFailure({ body, code, details }: FailureCase): void {
  const result = validateSendRequest(body);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.failure.code).toBe(code);
  expect(result.failure.details).toBe(details);
}

describe('validateSendRequest: accepted messages', () => {
  const valid: Array<{ name: string; body: Record<string, unknown>; type: string }> = [
    { name: 'text with accents and emoji', body: send({ type: 'text', text: { body: 'Olá 👋 — ça va?' } }), type: 'text' },
    { name: 'text without type (defaults to text)', body: send({ text: { body: 'Please visit https://youtu.be/hpltvTEiRrY.', preview_url: true } }), type: 'text' },
    { name: 'text of exactly 4096 characters', body: send({ type: 'text', text: { body: long(4096) } }), type: 'text' },
    { name: 'text of 4096 emoji (counted as characters, not UTF-16 units)', body: send({ text: { body: long(4096, '👋') } }), type: 'text' },
    { name: 'image by id with caption', body: send({ type: 'image', image: { id: '1234567890', caption: 'Olá 👋' } }), type: 'image' },
    { name: 'image by link', body: send({ type: 'image', image: { link: 'https://example.com/a.jpg' } }), type: 'image' },
    { name: 'audio by link', body: send({ type: 'audio', audio: { link: 'http://example.com/a.ogg' } }), type: 'audio' },
    { name: 'audio as voice note', body: send({ type: 'audio', audio: { id: '42', voice: true } }), type: 'audio' },
    { name: 'video with caption', body: send({ type: 'video', video: { id: '42', caption: long(1024) } }), type: 'video' },
    { name: 'document with caption and filename', body: send({ type: 'document', document: { id: '42', caption: 'Fatura', filename: 'fatura.pdf' } }), type: 'document' },
    { name: 'sticker by id', body: send({ type: 'sticker', sticker: { id: '42' } }), type: 'sticker' },
    {
      name: 'location (Meta example)',
      body: send({ type: 'location', location: { latitude: 37.758056, longitude: -122.425332, name: 'META HQ', address: '1 Hacker Way, Menlo Park, CA 94025' } }),
      type: 'location',
    },
    { name: 'location with numeric strings (spec types them as strings)', body: send({ type: 'location', location: { latitude: '-23.55', longitude: '-46.63' } }), type: 'location' },
    { name: 'location at the poles and date line', body: send({ type: 'location', location: { latitude: -90, longitude: 180 } }), type: 'location' },
    {
      name: 'contacts (Meta example card)',
      body: send({
        type: 'contacts',
        contacts: [
          {
            addresses: [{ city: 'Menlo Park', country: 'United States', country_code: 'us', state: 'CA', street: '1 Hacker Way', type: 'HOME', zip: '94025' }],
            birthday: '2012-08-18',
            emails: [{ email: 'test@fb.com', type: 'WORK' }],
            name: { first_name: 'John', formatted_name: 'John Smith', last_name: 'Smith', middle_name: 'D.', prefix: 'Dr', suffix: 'Jr' },
            org: { company: 'WhatsApp', department: 'Design', title: 'Manager' },
            phones: [{ phone: '+1 (650) 555-1234', type: 'WORK', wa_id: '16505551234' }],
            urls: [{ type: 'WORK', url: 'https://www.facebook.com' }],
          },
        ],
      }),
      type: 'contacts',
    },
    { name: 'five contact cards', body: send({ type: 'contacts', contacts: Array.from({ length: 5 }, () => ({ name: { formatted_name: 'Zoë', first_name: 'Zoë' } })) }), type: 'contacts' },
    { name: 'reaction with emoji', body: send({ type: 'reaction', reaction: { message_id: 'wamid.HBgLM', emoji: '😀' } }), type: 'reaction' },
    { name: 'reaction with ZWJ family emoji', body: send({ type: 'reaction', reaction: { message_id: 'wamid.X', emoji: '👨‍👩‍👧' } }), type: 'reaction' },
    { name: 'reaction with skin tone', body: send({ type: 'reaction', reaction: { message_id: 'wamid.X', emoji: '👍🏽' } }), type: 'reaction' },
    { name: 'reaction with flag', body: send({ type: 'reaction', reaction: { message_id: 'wamid.X', emoji: '🇧🇷' } }), type: 'reaction' },
    { name: 'reaction with keycap', body: send({ type: 'reaction', reaction: { message_id: 'wamid.X', emoji: '1️⃣' } }), type: 'reaction' },
    { name: 'reaction removal (empty emoji)', body: send({ type: 'reaction', reaction: { message_id: 'wamid.X', emoji: '' } }), type: 'reaction' },
    { name: 'reply with context', body: send({ type: 'text', context: { message_id: 'wamid.PREV' }, text: { body: 'sim' } }), type: 'text' },
    { name: 'biz_opaque_callback_data of 512 bytes', body: send({ text: { body: 'x' }, biz_opaque_callback_data: long(512) }), type: 'text' },
    { name: 'recipient_identity_key_hash', body: send({ text: { body: 'x' }, recipient_identity_key_hash: 'DF2lS5v2W6x' }), type: 'text' },
    { name: 'to as bare wa_id', body: send({ to: '16505551234', text: { body: 'x' } }), type: 'text' },
    { name: 'group recipient with a group id', body: send({ recipient_type: 'group', to: 'Y2FwaV9ncm91cDox', text: { body: 'x' } }), type: 'text' },
    { name: 'no recipient_type', body: { messaging_product: 'whatsapp', to: '16505551234', type: 'text', text: { body: 'x' } }, type: 'text' },
  ];

  it.each(valid)('$name', ({ body, type }) => {
    const result = validateSendRequest(body);
    expect(result).toEqual({ ok: true, kind: 'send', message: body, type });
  });
});

describe('validateSendRequest: mark as read', () => {
  it('accepts status read with a typing indicator (Meta example)', () => {
    const body = { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUYzMjEzNDM2RTZGQ0MzMDJBRgA=', typing_indicator: { type: 'text' } };
    expect(validateSendRequest(body)).toEqual({ ok: true, kind: 'mark_read', request: body });
  });

  it('accepts status read without a typing indicator', () => {
    const body = { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.X' };
    expect(validateSendRequest(body)).toMatchObject({ ok: true, kind: 'mark_read' });
  });

  it.each<FailureCase>([
    { name: 'status other than read', body: { messaging_product: 'whatsapp', status: 'delivered', message_id: 'wamid.X' }, code: 131009, details: 'Param status must be "read".' },
    { name: 'missing message_id', body: { messaging_product: 'whatsapp', status: 'read' }, code: 131008, details: 'Param message_id is required.' },
    { name: 'message_id not a string', body: { messaging_product: 'whatsapp', status: 'read', message_id: 12 }, code: 100, details: 'Param message_id must be a string.' },
    {
      name: 'typing indicator of another type',
      body: { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.X', typing_indicator: { type: 'audio' } },
      code: 131009,
      details: `Param typing_indicator['type'] must be "text".`,
    },
    {
      name: 'typing indicator without type',
      body: { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.X', typing_indicator: {} },
      code: 131008,
      details: `Param typing_indicator['type'] is required.`,
    },
    { name: 'a send field mixed in', body: { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.X', to: TO }, code: 100, details: 'Unexpected key "to" in the request body.' },
  ])('rejects $name', expectFailure);
});

describe('validateSendRequest: envelope', () => {
  it.each<FailureCase>([
    { name: 'a body that is not an object', body: 'hello', code: 100, details: 'Request body must be a JSON object.' },
    { name: 'an array body', body: [], code: 100, details: 'Request body must be a JSON object.' },
    { name: 'missing messaging_product', body: { to: TO, text: { body: 'x' } }, code: 131008, details: 'Param messaging_product is required.' },
    { name: 'wrong messaging_product', body: { messaging_product: 'instagram', to: TO, text: { body: 'x' } }, code: 100, details: 'Param messaging_product must be "whatsapp".' },
    { name: 'missing to', body: { messaging_product: 'whatsapp', text: { body: 'x' } }, code: 131008, details: 'Param to is required.' },
    { name: 'empty to', body: send({ to: '', text: { body: 'x' } }), code: 131008, details: 'Param to is required.' },
    { name: 'numeric to', body: send({ to: 5511999990000, text: { body: 'x' } }), code: 100, details: 'Param to must be a string.' },
    {
      name: 'to that is not a phone number',
      body: send({ to: 'john@example.com', text: { body: 'x' } }),
      code: 131009,
      details: 'Param to must be a phone number or WhatsApp ID (5 to 15 digits, optionally with +, spaces, dashes or parentheses).',
    },
    {
      name: 'to with too many digits',
      body: send({ to: '1234567890123456', text: { body: 'x' } }),
      code: 131009,
      details: 'Param to must be a phone number or WhatsApp ID (5 to 15 digits, optionally with +, spaces, dashes or parentheses).',
    },
    { name: 'unknown recipient_type', body: send({ recipient_type: 'broadcast', text: { body: 'x' } }), code: 131009, details: 'Param recipient_type must be one of "individual", "group".' },
    {
      name: 'unknown type',
      body: send({ type: 'poll', poll: {} }),
      code: 100,
      details: 'Param type must be one of "text", "image", "audio", "video", "document", "sticker", "location", "contacts", "interactive", "template", "reaction".',
    },
    { name: 'type that is not a string', body: send({ type: 1, text: { body: 'x' } }), code: 100, details: 'Param type must be a string.' },
    { name: 'an unknown top-level key', body: send({ text: { body: 'x' }, priority: 'high' }), code: 100, details: 'Unexpected key "priority" in the request body.' },
    {
      name: 'content of another type next to the right one',
      body: send({ type: 'text', text: { body: 'x' }, image: { id: '1' } }),
      code: 100,
      details: 'Unexpected key "image" in the request body: image is not allowed in a message of type "text".',
    },
    {
      name: 'missing content object',
      body: send({ type: 'image' }),
      code: 131008,
      details: 'Param image is required.',
    },
    {
      // Meta's own "Send Reply to List Message" example omits type; the sandbox follows the
      // documented default (text) and says so instead of guessing.
      name: 'interactive content without type',
      body: send({ interactive: { type: 'button' } }),
      code: 131008,
      details: 'Param text is required (type defaults to "text" when omitted).',
    },
    {
      name: 'interactive to a group',
      body: send({ recipient_type: 'group', to: 'Y2FwaV9ncm91cDox', type: 'interactive', interactive: {} }),
      code: 131009,
      details: 'Param type must not be "interactive" when recipient_type is "group" (groups do not support interactive messages).',
    },
    { name: 'context not an object', body: send({ context: 'wamid.X', text: { body: 'x' } }), code: 100, details: 'Param context must be an object.' },
    { name: 'context without message_id', body: send({ context: {}, text: { body: 'x' } }), code: 131008, details: `Param context['message_id'] is required.` },
    { name: 'context message_id not a string', body: send({ context: { message_id: 7 }, text: { body: 'x' } }), code: 100, details: `Param context['message_id'] must be a string.` },
    { name: 'context with an unknown key', body: send({ context: { message_id: 'wamid.X', from: '1' }, text: { body: 'x' } }), code: 100, details: 'Unexpected key "from" on param "context".' },
    {
      name: 'biz_opaque_callback_data over 512 bytes (ASCII)',
      body: send({ text: { body: 'x' }, biz_opaque_callback_data: long(513) }),
      code: 131009,
      details: 'Param biz_opaque_callback_data must be at most 512 bytes long (UTF-8).',
    },
    {
      name: 'biz_opaque_callback_data over 512 bytes but under 512 characters',
      body: send({ text: { body: 'x' }, biz_opaque_callback_data: long(200, 'ç') + long(113) }),
      code: 131009,
      details: 'Param biz_opaque_callback_data must be at most 512 bytes long (UTF-8).',
    },
    { name: 'biz_opaque_callback_data not a string', body: send({ text: { body: 'x' }, biz_opaque_callback_data: { a: 1 } }), code: 100, details: 'Param biz_opaque_callback_data must be a string.' },
  ])('rejects $name', expectFailure);
});

describe('validateSendRequest: text', () => {
  it.each<FailureCase>([
    { name: 'text not an object', body: send({ text: 'hello' }), code: 100, details: 'Param text must be an object.' },
    { name: 'missing body', body: send({ text: {} }), code: 131008, details: `Param text['body'] is required.` },
    { name: 'null body', body: send({ text: { body: null } }), code: 131008, details: `Param text['body'] is required.` },
    { name: 'empty body', body: send({ text: { body: '' } }), code: 131008, details: `Param text['body'] is required.` },
    { name: 'body not a string', body: send({ text: { body: 42 } }), code: 100, details: `Param text['body'] must be a string.` },
    { name: 'body of 4097 characters', body: send({ text: { body: long(4097) } }), code: 131009, details: `Param text['body'] must be at most 4096 characters long.` },
    { name: 'body of 4097 accented characters', body: send({ text: { body: long(4097, 'é') } }), code: 131009, details: `Param text['body'] must be at most 4096 characters long.` },
    { name: 'preview_url not a boolean', body: send({ text: { body: 'x', preview_url: 'true' } }), code: 100, details: `Param text['preview_url'] must be a boolean.` },
    { name: 'an unknown key in text', body: send({ text: { body: 'x', bold: true } }), code: 100, details: 'Unexpected key "bold" on param "text".' },
  ])('rejects $name', expectFailure);
});

describe('validateSendRequest: media', () => {
  it.each<FailureCase>([
    { name: 'neither id nor link', body: send({ type: 'image', image: { caption: 'x' } }), code: 131008, details: 'Param image requires one of id or link.' },
    { name: 'both id and link', body: send({ type: 'video', video: { id: '1', link: 'https://example.com/v.mp4' } }), code: 100, details: 'Param video must have either id or link, not both.' },
    { name: 'link that is not a URL', body: send({ type: 'image', image: { link: 'not a url' } }), code: 131009, details: `Param image['link'] must be an http or https URL.` },
    { name: 'ftp link', body: send({ type: 'document', document: { link: 'ftp://example.com/a.pdf' } }), code: 131009, details: `Param document['link'] must be an http or https URL.` },
    { name: 'empty id', body: send({ type: 'image', image: { id: '' } }), code: 131008, details: `Param image['id'] is required.` },
    { name: 'numeric id', body: send({ type: 'image', image: { id: 123 } }), code: 100, details: `Param image['id'] must be a string.` },
    { name: 'caption of 1025 characters', body: send({ type: 'image', image: { id: '1', caption: long(1025) } }), code: 131009, details: `Param image['caption'] must be at most 1024 characters long.` },
    { name: 'caption on audio', body: send({ type: 'audio', audio: { id: '1', caption: 'x' } }), code: 100, details: 'Unexpected key "caption" on param "audio".' },
    { name: 'caption on sticker', body: send({ type: 'sticker', sticker: { id: '1', caption: 'x' } }), code: 100, details: 'Unexpected key "caption" on param "sticker".' },
    { name: 'filename on image', body: send({ type: 'image', image: { id: '1', filename: 'a.jpg' } }), code: 100, details: 'Unexpected key "filename" on param "image".' },
    { name: 'filename not a string', body: send({ type: 'document', document: { id: '1', filename: 7 } }), code: 100, details: `Param document['filename'] must be a string.` },
    { name: 'voice not a boolean', body: send({ type: 'audio', audio: { id: '1', voice: 'yes' } }), code: 100, details: `Param audio['voice'] must be a boolean.` },
  ])('rejects $name', expectFailure);
});

describe('validateSendRequest: location', () => {
  it.each<FailureCase>([
    { name: 'missing latitude', body: send({ type: 'location', location: { longitude: 1 } }), code: 131008, details: `Param location['latitude'] is required.` },
    { name: 'missing longitude', body: send({ type: 'location', location: { latitude: 1 } }), code: 131008, details: `Param location['longitude'] is required.` },
    { name: 'latitude over 90', body: send({ type: 'location', location: { latitude: 90.5, longitude: 0 } }), code: 131009, details: `Param location['latitude'] must be between -90 and 90.` },
    { name: 'longitude under -180', body: send({ type: 'location', location: { latitude: 0, longitude: -181 } }), code: 131009, details: `Param location['longitude'] must be between -180 and 180.` },
    { name: 'latitude that is not a number', body: send({ type: 'location', location: { latitude: 'north', longitude: 0 } }), code: 100, details: `Param location['latitude'] must be a number.` },
    { name: 'name not a string', body: send({ type: 'location', location: { latitude: 0, longitude: 0, name: 1 } }), code: 100, details: `Param location['name'] must be a string.` },
    { name: 'an unknown key', body: send({ type: 'location', location: { latitude: 0, longitude: 0, url: 'https://x.y' } }), code: 100, details: 'Unexpected key "url" on param "location".' },
  ])('rejects $name', expectFailure);
});

describe('validateSendRequest: contacts', () => {
  const card = { name: { formatted_name: 'João Silva', first_name: 'João' } };
  it.each<FailureCase>([
    { name: 'contacts not an array', body: send({ type: 'contacts', contacts: card }), code: 100, details: 'Param contacts must be an array.' },
    { name: 'no cards', body: send({ type: 'contacts', contacts: [] }), code: 131008, details: 'Param contacts must contain at least 1 item.' },
    { name: 'six cards', body: send({ type: 'contacts', contacts: Array.from({ length: 6 }, () => card) }), code: 131009, details: 'Param contacts must contain at most 5 items.' },
    { name: 'a card without name', body: send({ type: 'contacts', contacts: [{ phones: [] }] }), code: 131008, details: `Param contacts[0]['name'] is required.` },
    { name: 'a name without formatted_name', body: send({ type: 'contacts', contacts: [card, { name: { first_name: 'Ana' } }] }), code: 131008, details: `Param contacts[1]['name']['formatted_name'] is required.` },
    {
      name: 'a name with only formatted_name',
      body: send({ type: 'contacts', contacts: [{ name: { formatted_name: 'Ana' } }] }),
      code: 131008,
      details: `Param contacts[0]['name'] must include at least one of first_name, last_name, middle_name, prefix, suffix besides formatted_name.`,
    },
    { name: 'a bad birthday', body: send({ type: 'contacts', contacts: [{ ...card, birthday: '18/08/2012' }] }), code: 131009, details: `Param contacts[0]['birthday'] must be a date in YYYY-MM-DD format.` },
    { name: 'phones not an array', body: send({ type: 'contacts', contacts: [{ ...card, phones: '+1 650' }] }), code: 100, details: `Param contacts[0]['phones'] must be an array.` },
    { name: 'a phone that is not a string', body: send({ type: 'contacts', contacts: [{ ...card, phones: [{ phone: 16505551234 }] }] }), code: 100, details: `Param contacts[0]['phones'][0]['phone'] must be a string.` },
    { name: 'an unknown key in an address', body: send({ type: 'contacts', contacts: [{ ...card, addresses: [{ planet: 'Mars' }] }] }), code: 100, details: `Unexpected key "planet" on param "contacts[0]['addresses'][0]".` },
  ])('rejects $name', expectFailure);
});

describe('validateSendRequest: reaction', () => {
  it.each<FailureCase>([
    { name: 'missing message_id', body: send({ type: 'reaction', reaction: { emoji: '😀' } }), code: 131008, details: `Param reaction['message_id'] is required.` },
    { name: 'missing emoji', body: send({ type: 'reaction', reaction: { message_id: 'wamid.X' } }), code: 131008, details: `Param reaction['emoji'] is required.` },
    { name: 'emoji not a string', body: send({ type: 'reaction', reaction: { message_id: 'wamid.X', emoji: 1 } }), code: 100, details: `Param reaction['emoji'] must be a string.` },
    { name: 'two emoji', body: send({ type: 'reaction', reaction: { message_id: 'wamid.X', emoji: '😀😀' } }), code: 131009, details: `Param reaction['emoji'] must be a single emoji, or "" to remove the reaction.` },
    { name: 'a letter', body: send({ type: 'reaction', reaction: { message_id: 'wamid.X', emoji: 'a' } }), code: 131009, details: `Param reaction['emoji'] must be a single emoji, or "" to remove the reaction.` },
    { name: 'an emoji with text', body: send({ type: 'reaction', reaction: { message_id: 'wamid.X', emoji: 'ok 👍' } }), code: 131009, details: `Param reaction['emoji'] must be a single emoji, or "" to remove the reaction.` },
  ])('rejects $name', expectFailure);
});
