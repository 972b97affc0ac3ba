import { describe, expect, it } from 'vitest';
import type { MessageType } from '../../whatsapp/index.js';
import examples from './meta-send-examples.json' with { type: 'json' };
import { validateOutbound } from './outbound-validation.js';

const WAMID = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUYzMjEzNDM2RTZGQ0MzMDJBRgA=';
const button = (id: string, title = id) => ({ type: 'reply', reply: { id, title } });
const rows = (n: number, prefix = 'r') => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, title: `Opção ${i}` }));
const card = (index: number, extra: Record<string, unknown> = {}) => ({
  card_index: index,
  type: 'cta_url',
  header: { type: 'image', image: { link: 'https://example.com/p.jpg' } },
  body: { text: 'Camiseta' },
  action: { name: 'cta_url', parameters: { display_text: 'Comprar', url: 'https://loja.example.com/p' } },
  ...extra,
});

describe('validateOutbound', () => {
  // The 49 send examples of Meta's OpenAPI (facebook/openapi, business-messaging-api_v23.0.yaml,
  // MIT), with its placeholders made concrete: `http(s)://...` links → https://example.com/...,
  // `<MSGID...>` and the truncated `wamid.HBgLM...` → a whole wamid, `language-and-locale-code`
  // → en_US, `<HEADER_TYPE>` → text, and the quick-reply parameters written `{"type":"text",
  // "text":true}` → payloads. A validator that refuses any of them refuses what Meta accepts.
  it.each(examples.map((example) => [example.name, example] as const))('accepts Meta\'s example "%s"', (_name, example) => {
    expect(validateOutbound(example.type as MessageType, example.content, 'context' in example ? example.context : undefined)).toEqual({ ok: true });
  });

  it('accepts our own media ids, an emoji reaction and its removal, and a quoted reply', () => {
    expect(validateOutbound('image', { id: 'med_01HZX', caption: 'Nota fiscal' })).toEqual({ ok: true });
    expect(validateOutbound('reaction', { message_id: WAMID, emoji: '👍🏽' })).toEqual({ ok: true });
    expect(validateOutbound('reaction', { message_id: WAMID, emoji: '🇧🇷' })).toEqual({ ok: true });
    expect(validateOutbound('reaction', { message_id: WAMID, emoji: '' })).toEqual({ ok: true });
    expect(validateOutbound('text', { body: 'x'.repeat(4096) }, { message_id: WAMID })).toEqual({ ok: true });
    // Our own message ids: the send service translates them to the wamid before queueing.
    expect(validateOutbound('reaction', { message_id: 'msg_0mxbfu54brLQDiV-iYXDyqoQI', emoji: '👍' })).toEqual({ ok: true });
    expect(validateOutbound('text', { body: 'x' }, { message_id: 'msg_0mxbfu54brLQDiV-iYXDyqoQI' })).toEqual({ ok: true });
    expect(validateOutbound('text', { body: '😀'.repeat(4096) })).toEqual({ ok: true });
    expect(validateOutbound('interactive', { type: 'list', body: { text: 'Escolha' }, action: { button: 'Ver', sections: [{ title: 'A', rows: rows(5) }, { title: 'B', rows: rows(5, 's') }] } })).toEqual({ ok: true });
    expect(validateOutbound('interactive', { type: 'carousel', body: { text: 'Novidades' }, action: { cards: [card(0), card(1)] } })).toEqual({ ok: true });
    expect(validateOutbound('interactive', { type: 'location_request_message', body: { text: 'Onde você está?' }, action: { name: 'send_location' } })).toEqual({ ok: true });
    expect(validateOutbound('location', { latitude: '-23.5505', longitude: -46.6333 })).toEqual({ ok: true });
  });

  // What WhatsApp answers 131008, 131009 or 100 for: refused with the field's JSON path and the rule.
  const refused: Array<[string, MessageType, unknown, unknown, string, RegExp]> = [
    ['text without body', 'text', {}, undefined, 'text.body', /required/],
    ['empty text', 'text', { body: '  ' }, undefined, 'text.body', /empty/],
    ['text over 4096', 'text', { body: 'x'.repeat(5000) }, undefined, 'text.body', /at most 4096.*5000/],
    ['text as a string', 'text', 'Oi', undefined, 'text', /object/],
    ['missing content', 'image', undefined, undefined, 'image', /required/],
    ['unknown text key', 'text', { body: 'x', preview: true }, undefined, 'text.preview', /not a parameter/],
    ['preview_url not boolean', 'text', { body: 'x', preview_url: 'yes' }, undefined, 'text.preview_url', /true or false/],
    ['document with an empty id', 'document', { id: '' }, undefined, 'document.id', /empty/],
    ['media without id or link', 'image', { caption: 'x' }, undefined, 'image.id', /required \(or link\)/],
    ['media with id and link', 'video', { id: '123', link: 'https://example.com/v.mp4' }, undefined, 'video.link', /not both/],
    ['media link not http(s)', 'image', { link: 'ftp://example.com/a.jpg' }, undefined, 'image.link', /http or https/],
    ['media link not a URL', 'image', { link: 'example.com/a.jpg' }, undefined, 'image.link', /absolute URL/],
    ['caption over 1024', 'image', { id: '1', caption: 'x'.repeat(1025) }, undefined, 'image.caption', /at most 1024/],
    ['caption on audio', 'audio', { id: '1', caption: 'x' }, undefined, 'audio.caption', /not a parameter/],
    ['filename on an image', 'image', { id: '1', filename: 'a.jpg' }, undefined, 'image.filename', /not a parameter/],
    ['empty template', 'template', {}, undefined, 'template.name', /required/],
    ['template without language', 'template', { name: 'pedido' }, undefined, 'template.language', /required/],
    ['template language without code', 'template', { name: 'pedido', language: {} }, undefined, 'template.language.code', /required/],
    ['template component of unknown type', 'template', { name: 'p', language: { code: 'pt_BR' }, components: [{ type: 'footer' }] }, undefined, 'template.components[0].type', /one of/],
    ['template button without index', 'template', { name: 'p', language: { code: 'pt_BR' }, components: [{ type: 'button', sub_type: 'url', parameters: [] }] }, undefined, 'template.components[0].index', /"0" to "9"/],
    ['template text parameter not a string', 'template', { name: 'p', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 5 }] }] }, undefined, 'template.components[0].parameters[0].text', /string/],
    ['reaction to neither a wamid nor our id', 'reaction', { message_id: 'mensagem_123', emoji: '👍' }, undefined, 'reaction.message_id', /wamid.*msg_/],
    ['reaction with two emoji', 'reaction', { message_id: WAMID, emoji: '👍👍' }, undefined, 'reaction.emoji', /one emoji/],
    ['reaction with a letter', 'reaction', { message_id: WAMID, emoji: 'a' }, undefined, 'reaction.emoji', /one emoji/],
    ['quoted reply to a non-wamid', 'text', { body: 'x' }, { message_id: '12345' }, 'context.message_id', /wamid/],
    ['location without longitude', 'location', { latitude: 1 }, undefined, 'location.longitude', /required/],
    ['latitude out of range', 'location', { latitude: 91, longitude: 0 }, undefined, 'location.latitude', /between -90 and 90/],
    ['longitude not a number', 'location', { latitude: 1, longitude: 'west' }, undefined, 'location.longitude', /number/],
    ['contacts as an object', 'contacts', { name: { formatted_name: 'Ana' } }, undefined, 'contacts', /array of contact cards/],
    ['no contact card', 'contacts', [], undefined, 'contacts', /empty/],
    ['six contact cards', 'contacts', Array.from({ length: 6 }, () => ({ name: { formatted_name: 'Ana', first_name: 'Ana' } })), undefined, 'contacts', /at most 5/],
    ['contact name with formatted_name only', 'contacts', [{ name: { formatted_name: 'Ana' } }], undefined, 'contacts[0].name', /first_name/],
    ['contact birthday', 'contacts', [{ name: { formatted_name: 'Ana', first_name: 'Ana' }, birthday: '01/02/1990' }], undefined, 'contacts[0].birthday', /YYYY-MM-DD/],
    ['contact phone without number', 'contacts', [{ name: { formatted_name: 'Ana', first_name: 'Ana' }, phones: [{ type: 'CELL' }] }], undefined, 'contacts[0].phones[0].phone', /required/],
    ['interactive of unknown type', 'interactive', { type: 'poll', action: {} }, undefined, 'interactive.type', /one of/],
    ['interactive without action', 'interactive', { type: 'button', body: { text: 'x' } }, undefined, 'interactive.action', /required/],
    ['interactive without body', 'interactive', { type: 'button', action: { buttons: [button('a')] } }, undefined, 'interactive.body', /required/],
    ['interactive body over 1024', 'interactive', { type: 'button', body: { text: 'x'.repeat(1025) }, action: { buttons: [button('a')] } }, undefined, 'interactive.body.text', /at most 1024/],
    ['interactive footer over 60', 'interactive', { type: 'button', body: { text: 'x' }, footer: { text: 'x'.repeat(61) }, action: { buttons: [button('a')] } }, undefined, 'interactive.footer.text', /at most 60/],
    ['header text over 60', 'interactive', { type: 'button', header: { type: 'text', text: 'x'.repeat(61) }, body: { text: 'x' }, action: { buttons: [button('a')] } }, undefined, 'interactive.header.text', /at most 60/],
    ['four reply buttons', 'interactive', { type: 'button', body: { text: 'x' }, action: { buttons: ['a', 'b', 'c', 'd'].map((id) => button(id)) } }, undefined, 'interactive.action.buttons', /at most 3 items \(it has 4\)/],
    ['no reply buttons', 'interactive', { type: 'button', body: { text: 'x' }, action: { buttons: [] } }, undefined, 'interactive.action.buttons', /empty/],
    ['button title over 20', 'interactive', { type: 'button', body: { text: 'x' }, action: { buttons: [button('a'), button('b', 'Um título longo demais aqui')] } }, undefined, 'interactive.action.buttons[1].reply.title', /at most 20/],
    ['button titles repeated', 'interactive', { type: 'button', body: { text: 'x' }, action: { buttons: [button('a', 'Sim'), button('b', 'Sim')] } }, undefined, 'interactive.action.buttons[1].reply.title', /unique/],
    ['button id with edge spaces', 'interactive', { type: 'button', body: { text: 'x' }, action: { buttons: [button(' a', 'A')] } }, undefined, 'interactive.action.buttons[0].reply.id', /spaces/],
    ['button of another type', 'interactive', { type: 'button', body: { text: 'x' }, action: { buttons: [{ type: 'url', reply: { id: 'a', title: 'a' } }] } }, undefined, 'interactive.action.buttons[0].type', /reply/],
    ['list with 11 rows in all', 'interactive', { type: 'list', body: { text: 'x' }, action: { button: 'Ver', sections: [{ title: 'A', rows: rows(6) }, { title: 'B', rows: rows(5, 's') }] } }, undefined, 'interactive.action.sections[1].rows[4]', /at most 10 rows in all/],
    ['list section without title among two', 'interactive', { type: 'list', body: { text: 'x' }, action: { button: 'Ver', sections: [{ title: 'A', rows: rows(1) }, { rows: rows(1, 's') }] } }, undefined, 'interactive.action.sections[1].title', /required/],
    ['list row title over 24', 'interactive', { type: 'list', body: { text: 'x' }, action: { button: 'Ver', sections: [{ rows: [{ id: 'a', title: 'x'.repeat(25) }] }] } }, undefined, 'interactive.action.sections[0].rows[0].title', /at most 24/],
    ['list row description over 72', 'interactive', { type: 'list', body: { text: 'x' }, action: { button: 'Ver', sections: [{ rows: [{ id: 'a', title: 'a', description: 'x'.repeat(73) }] }] } }, undefined, 'interactive.action.sections[0].rows[0].description', /at most 72/],
    ['list row ids repeated', 'interactive', { type: 'list', body: { text: 'x' }, action: { button: 'Ver', sections: [{ title: 'A', rows: rows(1) }, { title: 'B', rows: rows(1) }] } }, undefined, 'interactive.action.sections[1].rows[0].id', /unique/],
    ['list button over 20', 'interactive', { type: 'list', body: { text: 'x' }, action: { button: 'x'.repeat(21), sections: [{ rows: rows(1) }] } }, undefined, 'interactive.action.button', /at most 20/],
    ['eleven list sections', 'interactive', { type: 'list', body: { text: 'x' }, action: { button: 'Ver', sections: Array.from({ length: 11 }, (_, i) => ({ title: `S${i}`, rows: rows(1, `s${i}`) })) } }, undefined, 'interactive.action.sections', /at most 10/],
    ['list with an image header', 'interactive', { type: 'list', header: { type: 'image', image: { id: '1' } }, body: { text: 'x' }, action: { button: 'Ver', sections: [{ rows: rows(1) }] } }, undefined, 'interactive.header.type', /one of text/],
    ['cta_url with a javascript URL', 'interactive', { type: 'cta_url', body: { text: 'x' }, action: { name: 'cta_url', parameters: { display_text: 'Abrir', url: 'javascript:alert(1)' } } }, undefined, 'interactive.action.parameters.url', /http or https/],
    ['cta_url display_text over 20', 'interactive', { type: 'cta_url', body: { text: 'x' }, action: { name: 'cta_url', parameters: { display_text: 'x'.repeat(21), url: 'https://a.example' } } }, undefined, 'interactive.action.parameters.display_text', /at most 20/],
    ['flow with both id and name', 'interactive', { type: 'flow', body: { text: 'x' }, action: { name: 'flow', parameters: { flow_message_version: '3', flow_id: '1', flow_name: 'a', flow_cta: 'Abrir' } } }, undefined, 'interactive.action.parameters.flow_name', /not be given with flow_id/],
    ['flow with empty data', 'interactive', { type: 'flow', body: { text: 'x' }, action: { name: 'flow', parameters: { flow_message_version: '3', flow_id: '1', flow_cta: 'Abrir', flow_action_payload: { screen: 'A', data: {} } } } }, undefined, 'interactive.action.parameters.flow_action_payload.data', /non-empty/],
    ['product with a header', 'interactive', { type: 'product', header: { type: 'text', text: 'x' }, action: { catalog_id: '1', product_retailer_id: 'a' } }, undefined, 'interactive.header', /not allowed/],
    ['product_list without header', 'interactive', { type: 'product_list', body: { text: 'x' }, action: { catalog_id: '1', sections: [{ title: 'A', product_items: [{ product_retailer_id: 'a' }] }] } }, undefined, 'interactive.header', /required/],
    ['product_list over 30 products', 'interactive', { type: 'product_list', header: { type: 'text', text: 'h' }, body: { text: 'x' }, action: { catalog_id: '1', sections: [{ title: 'A', product_items: Array.from({ length: 20 }, (_, i) => ({ product_retailer_id: `a${i}` })) }, { title: 'B', product_items: Array.from({ length: 11 }, (_, i) => ({ product_retailer_id: `b${i}` })) }] } }, undefined, 'interactive.action.sections', /at most 30 products/],
    ['carousel with one card', 'interactive', { type: 'carousel', body: { text: 'x' }, action: { cards: [card(0)] } }, undefined, 'interactive.action.cards', /at least 2/],
    ['carousel with eleven cards', 'interactive', { type: 'carousel', body: { text: 'x' }, action: { cards: Array.from({ length: 11 }, (_, i) => card(i)) } }, undefined, 'interactive.action.cards', /at most 10/],
    ['carousel card out of order', 'interactive', { type: 'carousel', body: { text: 'x' }, action: { cards: [card(0), card(2)] } }, undefined, 'interactive.action.cards[1].card_index', /must be 1/],
    ['carousel card with a text header', 'interactive', { type: 'carousel', body: { text: 'x' }, action: { cards: [card(0), card(1, { header: { type: 'text', text: 'x' } })] } }, undefined, 'interactive.action.cards[1].header.type', /image, video/],
  ];
  it.each(refused)('refuses %s', (_what, type, content, context, field, rule) => {
    const result = validateOutbound(type, content, context);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.field).toBe(field);
    expect(result.error.rule).toMatch(rule);
  });
});
