import { describe, expect, it } from 'vitest';
import { validateInboundMessage } from './validate-inbound.js';

const TO = '106540352242922';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const b64 = (bytes: number): string => Buffer.alloc(bytes, 7).toString('base64');
const long = (n: number, unit = 'a'): string => unit.repeat(n);

function inbound(type: string, content?: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { to: TO, type, ...(content === undefined ? {} : { [type]: content }), ...extra };
}

describe('validateInboundMessage: accepted', () => {
  const valid: Array<{ name: string; body: Record<string, unknown>; content: Record<string, unknown> }> = [
    { name: 'text with accents and emoji', body: inbound('text', { body: 'Olá 👋, tudo bem?' }), content: { body: 'Olá 👋, tudo bem?' } },
    { name: 'text of 4096 emoji', body: inbound('text', { body: long(4096, '👋') }), content: { body: long(4096, '👋') } },
    { name: 'image by media id with caption', body: inbound('image', { id: '1234', caption: 'Foto 📷' }), content: { caption: 'Foto 📷' } },
    { name: 'location', body: inbound('location', { latitude: -23.5505, longitude: -46.6333, name: 'São Paulo', address: 'Praça da Sé', url: 'https://maps.example' }), content: { latitude: -23.5505, longitude: -46.6333, name: 'São Paulo', address: 'Praça da Sé', url: 'https://maps.example' } },
    { name: 'reaction', body: inbound('reaction', { message_id: 'wamid.A', emoji: '❤️' }), content: { message_id: 'wamid.A', emoji: '❤️' } },
    { name: 'reaction removal without emoji', body: inbound('reaction', { message_id: 'wamid.A' }), content: { message_id: 'wamid.A' } },
    { name: 'reaction removal with empty emoji', body: inbound('reaction', { message_id: 'wamid.A', emoji: '' }), content: { message_id: 'wamid.A', emoji: '' } },
    { name: 'template quick-reply tap', body: inbound('button', { payload: 'STOP', text: 'Parar promoções' }, { context: { id: 'wamid.T' } }), content: { payload: 'STOP', text: 'Parar promoções' } },
    { name: 'button reply', body: inbound('interactive', { type: 'button_reply', button_reply: { id: 'yes', title: 'Sim 👍' } }), content: { type: 'button_reply', button_reply: { id: 'yes', title: 'Sim 👍' } } },
    { name: 'button reply with the id only (title filled by the sandbox)', body: inbound('interactive', { type: 'button_reply', button_reply: { id: 'yes' } }), content: { type: 'button_reply', button_reply: { id: 'yes' } } },
    { name: 'list reply', body: inbound('interactive', { type: 'list_reply', list_reply: { id: 'r1', title: 'Pizza', description: 'Grande' } }), content: { type: 'list_reply', list_reply: { id: 'r1', title: 'Pizza', description: 'Grande' } } },
    {
      name: 'flow completion',
      body: inbound('interactive', { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: '{"flow_token":"T","nome":"Zoë"}' } }),
      content: { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: '{"flow_token":"T","nome":"Zoë"}' } },
    },
    {
      name: 'order',
      body: inbound('order', { catalog_id: 'C1', text: 'Quero estes', product_items: [{ product_retailer_id: 'sku-1', quantity: 2, item_price: 9.9, currency: 'BRL' }] }),
      content: { catalog_id: 'C1', text: 'Quero estes', product_items: [{ product_retailer_id: 'sku-1', quantity: 2, item_price: 9.9, currency: 'BRL' }] },
    },
    {
      name: 'contacts with only formatted_name (wrapped, as the content is an array)',
      body: inbound('contacts', [{ name: { formatted_name: 'Zoë' }, phones: [{ phone: '+55 11 99999-0000', wa_id: '5511999990000', type: 'CELL' }] }]),
      content: { contacts: [{ name: { formatted_name: 'Zoë' }, phones: [{ phone: '+55 11 99999-0000', wa_id: '5511999990000', type: 'CELL' }] }] },
    },
    { name: 'system: number changed', body: inbound('system', { body: 'User A changed from 1 to 2', type: 'user_changed_number', wa_id: '5511988887777' }), content: { body: 'User A changed from 1 to 2', type: 'user_changed_number', wa_id: '5511988887777' } },
    { name: 'request_welcome without content', body: inbound('request_welcome'), content: {} },
    { name: 'request_welcome with an empty object', body: inbound('request_welcome', {}), content: {} },
    { name: 'unsupported', body: inbound('unsupported'), content: {} },
    { name: 'unsupported with a hint of what it was', body: inbound('unsupported', { type: 'poll' }), content: { type: 'poll' } },
  ];

  it.each(valid)('$name', ({ body, content }) => {
    const result = validateInboundMessage(body);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.message.to).toBe(TO);
    expect(result.message.type).toBe(body.type);
    expect(result.message.content).toEqual(content);
  });

  it('keeps forwards, product inquiries and referrals as given', () => {
    const referral = { source_url: 'https://fb.me/x', source_id: '1', source_type: 'post', body: '', headline: 'h', media_type: 'video', video_url: 'https://x.example/v.mp4', thumbnail_url: 'https://x.example/t.jpg', ctwa_clid: 'c' };
    const result = validateInboundMessage(
      inbound('text', { body: 'isso' }, { context: { forwarded: true, frequently_forwarded: false, referred_product: { catalog_id: '1', product_retailer_id: 'sku' } }, referral }),
    );
    expect(result).toEqual({
      ok: true,
      message: { to: TO, type: 'text', content: { body: 'isso' }, context: { forwarded: true, referred_product: { catalog_id: '1', product_retailer_id: 'sku' } }, referral },
    });
  });

  it('keeps the reply context', () => {
    const result = validateInboundMessage(inbound('text', { body: 'isso' }, { context: { id: 'wamid.PREV' } }));
    expect(result).toMatchObject({ ok: true, message: { context: { id: 'wamid.PREV' } } });
  });

  it('decodes uploaded bytes and keeps caption and filename', () => {
    const body = inbound('document', { data_base64: PNG.toString('base64'), mime_type: 'application/pdf', filename: 'fatura.pdf', caption: 'Fatura de março' });
    const result = validateInboundMessage(body);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.message.content).toEqual({ filename: 'fatura.pdf', caption: 'Fatura de março' });
    expect(result.message.media).toEqual({ data: PNG, mime_type: 'application/pdf', filename: 'fatura.pdf' });
  });

  it('passes a media id through for the server to resolve', () => {
    const result = validateInboundMessage(inbound('sticker', { id: '987', animated: true }));
    expect(result).toEqual({ ok: true, message: { to: TO, type: 'sticker', content: { animated: true }, media: { id: '987' } } });
  });

  it.each([
    ['image', 'image/jpeg', 5 * 1024 * 1024],
    ['image', 'image/png', 1],
    ['video', 'video/3gpp', 16 * 1024 * 1024],
    ['audio', 'audio/ogg; codecs=opus', 1024],
    ['audio', 'audio/mpeg', 16 * 1024 * 1024],
    ['document', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 2048],
    ['sticker', 'image/webp', 100 * 1024],
  ])('accepts %s as %s of %i bytes', (type, mimeType, bytes) => {
    const result = validateInboundMessage(inbound(type, { data_base64: b64(bytes), mime_type: mimeType }));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.message.media).toMatchObject({ mime_type: mimeType });
  });

  it('accepts an animated sticker up to 500 KB and a voice note flag', () => {
    expect(validateInboundMessage(inbound('sticker', { data_base64: b64(500 * 1024), mime_type: 'image/webp', animated: true })).ok).toBe(true);
    expect(validateInboundMessage(inbound('audio', { data_base64: b64(10), mime_type: 'audio/ogg', voice: true })).ok).toBe(true);
  });
});

describe('validateInboundMessage: rejected', () => {
  const cases: Array<{ name: string; body: unknown; field: string; rule: string }> = [
    { name: 'a body that is not an object', body: 'oi', field: '(body)', rule: 'must be a JSON object' },
    { name: 'missing to', body: { type: 'text', text: { body: 'x' } }, field: 'to', rule: 'is required' },
    { name: 'missing type', body: { to: TO, text: { body: 'x' } }, field: 'type', rule: 'is required' },
    {
      name: 'unknown type',
      body: inbound('poll', {}),
      field: 'type',
      rule: 'must be one of "text", "image", "video", "audio", "document", "sticker", "location", "contacts", "reaction", "button", "interactive", "order", "system", "request_welcome", "unsupported"',
    },
    { name: 'content of another type', body: inbound('text', { body: 'x' }, { image: { id: '1' } }), field: 'image', rule: 'is not allowed here' },
    { name: 'empty context', body: inbound('text', { body: 'x' }, { context: {} }), field: 'context', rule: 'needs id (a reply), forwarded / frequently_forwarded, or referred_product' },
    { name: 'forwarded as a string', body: inbound('text', { body: 'x' }, { context: { forwarded: 'yes' } }), field: 'context.forwarded', rule: 'must be a boolean' },
    { name: 'referred_product without product', body: inbound('text', { body: 'x' }, { context: { referred_product: { catalog_id: '1' } } }), field: 'context.referred_product.product_retailer_id', rule: 'is required' },
    { name: 'referral without ctwa_clid', body: inbound('text', { body: 'x' }, { referral: { source_url: 'https://fb.me/x', source_id: '1', source_type: 'ad', body: 'b', headline: 'h', media_type: 'image', image_url: 'https://x.example/a.jpg' } }), field: 'referral.ctwa_clid', rule: 'is required' },
    { name: 'referral video without thumbnail', body: inbound('text', { body: 'x' }, { referral: { source_url: 'https://fb.me/x', source_id: '1', source_type: 'post', body: 'b', headline: 'h', media_type: 'video', video_url: 'https://x.example/v.mp4', ctwa_clid: 'c' } }), field: 'referral.thumbnail_url', rule: 'is required' },
    { name: 'unsupported type with spaces', body: inbound('unsupported', { type: 'Edit message' }), field: 'unsupported.type', rule: 'must be a lowercase message type such as "edit", "revoke" or "poll_creation"' },
    { name: 'context with message_id instead of id', body: inbound('text', { body: 'x' }, { context: { message_id: 'wamid.X' } }), field: 'context.message_id', rule: 'is not allowed here' },
    { name: 'missing text', body: inbound('text'), field: 'text', rule: 'is required' },
    { name: 'empty text body', body: inbound('text', { body: '' }), field: 'text.body', rule: 'is required' },
    { name: 'text body of 4097 characters', body: inbound('text', { body: long(4097, 'ã') }), field: 'text.body', rule: 'must be at most 4096 characters long' },
    { name: 'text body that is a number', body: inbound('text', { body: 42 }), field: 'text.body', rule: 'must be a string' },
    { name: 'media with neither id nor data', body: inbound('image', { caption: 'x' }), field: 'image.data_base64', rule: 'is required' },
    { name: 'media data without mime_type', body: inbound('image', { data_base64: b64(3) }), field: 'image.mime_type', rule: 'is required' },
    { name: 'media id and data together', body: inbound('image', { id: '1', data_base64: b64(3) }), field: 'image.data_base64', rule: 'must not be given together with id' },
    { name: 'media id with a mime_type', body: inbound('image', { id: '1', mime_type: 'image/png' }), field: 'image.mime_type', rule: 'must not be given with id: the uploaded media has its own' },
    { name: 'an image MIME type Meta does not take', body: inbound('image', { data_base64: b64(3), mime_type: 'image/gif' }), field: 'image.mime_type', rule: 'must be one of image/jpeg, image/png for image' },
    { name: 'a sticker that is a PNG', body: inbound('sticker', { data_base64: b64(3), mime_type: 'image/png' }), field: 'sticker.mime_type', rule: 'must be one of image/webp for sticker' },
    { name: 'a document that is a zip', body: inbound('document', { data_base64: b64(3), mime_type: 'application/zip' }), field: 'document.mime_type', rule: expect.stringContaining('must be one of text/plain, application/pdf') as unknown as string },
    { name: 'data that is not base64', body: inbound('image', { data_base64: 'not base64!', mime_type: 'image/png' }), field: 'image.data_base64', rule: 'must be standard base64 (RFC 4648, padded)' },
    { name: 'data that is empty', body: inbound('image', { data_base64: '', mime_type: 'image/png' }), field: 'image.data_base64', rule: 'is required' },
    { name: 'an image over 5 MB', body: inbound('image', { data_base64: b64(5 * 1024 * 1024 + 1), mime_type: 'image/jpeg' }), field: 'image.data_base64', rule: 'must decode to at most 5 MB for image (got 5242881 bytes)' },
    { name: 'a static sticker over 100 KB', body: inbound('sticker', { data_base64: b64(100 * 1024 + 1), mime_type: 'image/webp' }), field: 'sticker.data_base64', rule: 'must decode to at most 100 KB for sticker (got 102401 bytes)' },
    { name: 'an animated sticker over 500 KB', body: inbound('sticker', { data_base64: b64(500 * 1024 + 1), mime_type: 'image/webp', animated: true }), field: 'sticker.data_base64', rule: 'must decode to at most 500 KB for an animated sticker (got 512001 bytes)' },
    { name: 'a video over 16 MB', body: inbound('video', { data_base64: b64(16 * 1024 * 1024 + 1), mime_type: 'video/mp4' }), field: 'video.data_base64', rule: 'must decode to at most 16 MB for video (got 16777217 bytes)' },
    { name: 'a caption of 1025 characters', body: inbound('video', { id: '1', caption: long(1025) }), field: 'video.caption', rule: 'must be at most 1024 characters long' },
    { name: 'a caption on audio', body: inbound('audio', { id: '1', caption: 'x' }), field: 'audio.caption', rule: 'is not allowed here' },
    { name: 'a caption on a sticker', body: inbound('sticker', { id: '1', caption: 'x' }), field: 'sticker.caption', rule: 'is not allowed here' },
    { name: 'a filename on an image', body: inbound('image', { id: '1', filename: 'a.jpg' }), field: 'image.filename', rule: 'is not allowed here' },
    { name: 'voice that is not a boolean', body: inbound('audio', { id: '1', voice: 'yes' }), field: 'audio.voice', rule: 'must be a boolean' },
    { name: 'a location without longitude', body: inbound('location', { latitude: 1 }), field: 'location.longitude', rule: 'is required' },
    { name: 'a location with string coordinates', body: inbound('location', { latitude: '1', longitude: '2' }), field: 'location.latitude', rule: 'must be a number' },
    { name: 'a location out of range', body: inbound('location', { latitude: 0, longitude: 200 }), field: 'location.longitude', rule: 'must be between -180 and 180' },
    { name: 'no contacts', body: inbound('contacts', []), field: 'contacts', rule: 'must contain at least 1 item' },
    { name: 'a contact without formatted_name', body: inbound('contacts', [{ name: { first_name: 'Ana' } }]), field: 'contacts[0].name.formatted_name', rule: 'is required' },
    { name: 'a reaction without message_id', body: inbound('reaction', { emoji: '👍' }), field: 'reaction.message_id', rule: 'is required' },
    { name: 'a reaction with two emoji', body: inbound('reaction', { message_id: 'wamid.A', emoji: '👍👍' }), field: 'reaction.emoji', rule: 'must be a single emoji, or "" to remove the reaction' },
    { name: 'a button tap without payload', body: inbound('button', { text: 'Sim' }), field: 'button.payload', rule: 'is required' },
    { name: 'a button tap without text', body: inbound('button', { payload: 'YES' }), field: 'button.text', rule: 'is required' },
    { name: 'interactive without type', body: inbound('interactive', { button_reply: { id: 'a' } }), field: 'interactive.type', rule: 'is required' },
    { name: 'interactive of unknown type', body: inbound('interactive', { type: 'call_reply' }), field: 'interactive.type', rule: 'must be one of "button_reply", "list_reply", "nfm_reply"' },
    { name: 'button reply object missing', body: inbound('interactive', { type: 'button_reply' }), field: 'interactive.button_reply', rule: 'is required' },
    { name: 'a list reply under a button type', body: inbound('interactive', { type: 'button_reply', button_reply: { id: 'a' }, list_reply: { id: 'a' } }), field: 'interactive.list_reply', rule: 'is not allowed here' },
    { name: 'a button reply without id', body: inbound('interactive', { type: 'button_reply', button_reply: { title: 'Sim' } }), field: 'interactive.button_reply.id', rule: 'is required' },
    { name: 'a button reply title of 21 characters', body: inbound('interactive', { type: 'button_reply', button_reply: { id: 'a', title: long(21) } }), field: 'interactive.button_reply.title', rule: 'must be at most 20 characters long' },
    { name: 'a list reply id of 201 characters', body: inbound('interactive', { type: 'list_reply', list_reply: { id: long(201) } }), field: 'interactive.list_reply.id', rule: 'must be at most 200 characters long' },
    { name: 'a list reply description of 73 characters', body: inbound('interactive', { type: 'list_reply', list_reply: { id: 'a', description: long(73) } }), field: 'interactive.list_reply.description', rule: 'must be at most 72 characters long' },
    { name: 'a flow reply without response_json', body: inbound('interactive', { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent' } }), field: 'interactive.nfm_reply.response_json', rule: 'is required' },
    { name: 'a flow reply with response_json as an object', body: inbound('interactive', { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: { a: 1 } } }), field: 'interactive.nfm_reply.response_json', rule: 'must be a string' },
    { name: 'a flow reply with response_json that is not JSON', body: inbound('interactive', { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: '{oops' } }), field: 'interactive.nfm_reply.response_json', rule: 'must be a JSON object serialised as a string' },
    { name: 'a flow reply with a JSON array', body: inbound('interactive', { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: '[1]' } }), field: 'interactive.nfm_reply.response_json', rule: 'must be a JSON object serialised as a string' },
    { name: 'an order without catalog_id', body: inbound('order', { product_items: [] }), field: 'order.catalog_id', rule: 'is required' },
    { name: 'an order without items', body: inbound('order', { catalog_id: 'C', product_items: [] }), field: 'order.product_items', rule: 'must contain at least 1 item' },
    { name: 'an order item with quantity 0', body: inbound('order', { catalog_id: 'C', product_items: [{ product_retailer_id: 's', quantity: 0, item_price: 1, currency: 'BRL' }] }), field: 'order.product_items[0].quantity', rule: 'must be at least 1' },
    { name: 'an order item with a fractional quantity', body: inbound('order', { catalog_id: 'C', product_items: [{ product_retailer_id: 's', quantity: 1.5, item_price: 1, currency: 'BRL' }] }), field: 'order.product_items[0].quantity', rule: 'must be an integer' },
    { name: 'an order item with a negative price', body: inbound('order', { catalog_id: 'C', product_items: [{ product_retailer_id: 's', quantity: 1, item_price: -1, currency: 'BRL' }] }), field: 'order.product_items[0].item_price', rule: 'must be at least 0' },
    { name: 'an order item with a bad currency', body: inbound('order', { catalog_id: 'C', product_items: [{ product_retailer_id: 's', quantity: 1, item_price: 1, currency: 'R$' }] }), field: 'order.product_items[0].currency', rule: 'must be an ISO 4217 currency code such as "BRL"' },
    { name: 'a system message without body', body: inbound('system', { type: 'customer_identity_changed' }), field: 'system.body', rule: 'is required' },
    { name: 'a number change without the new wa_id', body: inbound('system', { body: 'changed', type: 'user_changed_number' }), field: 'system.wa_id', rule: 'is required' },
    { name: 'request_welcome with content', body: inbound('request_welcome', { text: 'hi' }), field: 'request_welcome.text', rule: 'is not allowed here' },
  ];

  it.each(cases)('rejects $name', ({ body, field, rule }) => {
    expect(validateInboundMessage(body)).toEqual({ ok: false, field, rule });
  });
});
