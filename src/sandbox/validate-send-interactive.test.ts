import { describe, expect, it } from 'vitest';
import { validateSendRequest } from './validate-send.js';

function interactive(content: Record<string, unknown>): Record<string, unknown> {
  return { messaging_product: 'whatsapp', recipient_type: 'individual', to: '5511999990000', type: 'interactive', interactive: content };
}

const long = (n: number, unit = 'a'): string => unit.repeat(n);
const reply = (id: string, title: string): Record<string, unknown> => ({ type: 'reply', reply: { id, title } });
const buttons = (...list: Array<Record<string, unknown>>): Record<string, unknown> => ({
  type: 'button',
  body: { text: 'Escolha uma opção 👇' },
  action: { buttons: list },
});
const row = (id: string, title = `Row ${id}`): Record<string, unknown> => ({ id, title });
const listMessage = (sections: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'list',
  body: { text: 'Cardápio' },
  action: { button: 'Ver opções', sections },
  ...extra,
});
const flow = (parameters: Record<string, unknown>): Record<string, unknown> => ({
  type: 'flow',
  body: { text: 'Agende sua visita' },
  action: { name: 'flow', parameters: { flow_message_version: '3', flow_id: '1234', flow_cta: 'Agendar', ...parameters } },
});
const productList = (sections: unknown[]): Record<string, unknown> => ({
  type: 'product_list',
  header: { type: 'text', text: 'Ofertas' },
  body: { text: 'Veja' },
  action: { catalog_id: '146265584024623', sections },
});
const products = (n: number, prefix = 'sku'): Array<{ product_retailer_id: string }> =>
  Array.from({ length: n }, (_, i) => ({ product_retailer_id: `${prefix}-${i}` }));

describe('validateSendRequest: interactive accepted', () => {
  const valid: Array<{ name: string; content: Record<string, unknown> }> = [
    { name: 'reply buttons (Meta example)', content: { type: 'button', body: { text: '<BUTTON_TEXT>' }, action: { buttons: [reply('<UNIQUE_BUTTON_ID_1>', '<BUTTON_TITLE_1>'), reply('<UNIQUE_BUTTON_ID_2>', '<BUTTON_TITLE_2>')] } } },
    { name: 'three buttons with 20-character and emoji titles', content: buttons(reply('a', long(20)), reply('b', 'Sim 👍'), reply(long(256, 'x'), 'Não ❌')) },
    { name: 'buttons with a 60-character text header and footer', content: { ...buttons(reply('a', 'A')), header: { type: 'text', text: long(60) }, footer: { text: long(60) } } },
    { name: 'buttons with an image header', content: { ...buttons(reply('a', 'A')), header: { type: 'image', image: { link: 'https://example.com/i.png' } } } },
    { name: 'buttons with a document header with filename', content: { ...buttons(reply('a', 'A')), header: { type: 'document', document: { id: '42', filename: 'menu.pdf' } } } },
    { name: 'buttons with a 1024-character body', content: { ...buttons(reply('a', 'A')), body: { text: long(1024, 'ç') } } },
    {
      name: 'list (Meta example)',
      content: listMessage(
        [
          { title: '<LIST_SECTION_1_TITLE>', rows: [{ id: 's1r1', title: 'Row 1', description: '<SECTION_1_ROW_1_DESC>' }, row('s1r2')] },
          { title: '<LIST_SECTION_2_TITLE>', rows: [row('s2r1'), row('s2r2')] },
        ],
        { header: { type: 'text', text: '<HEADER_TEXT>' }, footer: { text: '<FOOTER_TEXT>' } },
      ),
    },
    { name: 'list with one untitled section', content: listMessage([{ rows: [row('1')] }]) },
    { name: 'list with 10 rows across sections and long fields', content: listMessage([{ title: long(24), rows: [...'12345'].map((id) => row(id, long(24))) }, { title: 'B', rows: [...'6789'].map((id) => row(id)).concat({ id: long(200), title: 'x', description: long(72) }) }]) },
    { name: 'cta_url', content: { type: 'cta_url', body: { text: 'Acompanhe seu pedido' }, action: { name: 'cta_url', parameters: { display_text: long(20), url: 'https://example.com/pedido?id=1' } } } },
    {
      name: 'draft flow by id (Meta example)',
      content: {
        type: 'flow',
        header: { type: 'text', text: 'Not shown in draft mode' },
        body: { text: 'Not shown in draft mode' },
        footer: { text: 'Not shown in draft mode' },
        action: {
          name: 'flow',
          parameters: {
            flow_action: 'navigate',
            flow_action_payload: { data: { key: 'value' }, screen: 'WELCOME' },
            flow_cta: 'Not shown in draft mode',
            flow_id: '1234',
            flow_message_version: '3',
            flow_token: 'TOKEN',
            mode: 'draft',
          },
        },
      },
    },
    { name: 'published flow by name', content: flow({ flow_id: undefined, flow_name: 'agendamento', flow_action: 'data_exchange', mode: 'published' }) },
    { name: 'flow with a 30-character CTA', content: flow({ flow_cta: long(30) }) },
    { name: 'single product (Meta example)', content: { type: 'product', body: { text: 'opcional' }, footer: { text: 'rodapé' }, action: { catalog_id: '367025965434465', product_retailer_id: 'ID_TEST_ITEM_1' } } },
    { name: 'single product without body', content: { type: 'product', action: { catalog_id: '1', product_retailer_id: 'sku' } } },
    { name: 'product list (Meta example)', content: productList([{ title: 'S1', product_items: products(2, 'a') }, { title: 'S2', product_items: products(2, 'b') }]) },
    { name: 'product list with 30 products', content: productList([{ title: 'A', product_items: products(15, 'a') }, { title: 'B', product_items: products(15, 'b') }]) },
    {
      name: 'catalog message (Meta example)',
      content: { type: 'catalog_message', body: { text: 'Hello! Thanks for your interest.' }, footer: { text: 'Best grocery deals on WhatsApp!' }, action: { name: 'catalog_message', parameters: { thumbnail_product_retailer_id: '2lc20305pt' } } },
    },
    { name: 'location request', content: { type: 'location_request_message', body: { text: 'Por favor, compartilhe sua localização 📍' }, action: { name: 'send_location' } } },
    { name: 'order status (checked loosely)', content: { type: 'order_status', body: { text: 'your-text-body-content' }, action: { name: 'review_order', parameters: { reference_id: 'r1', order: { status: 'processing' } } } } },
    { name: 'order details (checked loosely)', content: { type: 'order_details', body: { text: 'Pague aqui' }, action: { name: 'review_and_pay', parameters: { currency: 'INR', total_amount: { value: 1100, offset: 100 } } } } },
  ];

  it.each(valid)('$name', ({ content }) => {
    const body = interactive(content);
    expect(validateSendRequest(body)).toEqual({ ok: true, kind: 'send', message: body, type: 'interactive' });
  });
});

interface FailureCase {
  name: string;
  content: unknown;
  code: number;
  details: string;
}

function expectFailure({ content, code, details }: FailureCase): void {
  const result = validateSendRequest(interactive(content as Record<string, unknown>));
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect({ code: result.failure.code, details: result.failure.details }).toEqual({ code, details });
}

describe('validateSendRequest: interactive common parts', () => {
  it.each<FailureCase>([
    { name: 'interactive not an object', content: 'buttons', code: 100, details: 'Param interactive must be an object.' },
    { name: 'missing type', content: { body: { text: 'x' }, action: {} }, code: 131008, details: `Param interactive['type'] is required.` },
    {
      name: 'unknown type',
      content: { type: 'poll', action: {} },
      code: 100,
      details: `Param interactive['type'] must be one of "button", "list", "cta_url", "flow", "product", "product_list", "catalog_message", "location_request_message", "order_details", "order_status", "call_permission_request", "voice_call", "carousel".`,
    },
    { name: 'missing action', content: { type: 'button', body: { text: 'x' } }, code: 131008, details: `Param interactive['action'] is required.` },
    { name: 'missing body', content: { type: 'button', action: { buttons: [reply('a', 'A')] } }, code: 131008, details: `Param interactive['body'] is required.` },
    { name: 'body without text', content: { ...buttons(reply('a', 'A')), body: {} }, code: 131008, details: `Param interactive['body']['text'] is required.` },
    { name: 'body text of 1025 characters', content: { ...buttons(reply('a', 'A')), body: { text: long(1025) } }, code: 131009, details: `Param interactive['body']['text'] must be at most 1024 characters long.` },
    { name: 'body text not a string', content: { ...buttons(reply('a', 'A')), body: { text: 5 } }, code: 100, details: `Param interactive['body']['text'] must be a string.` },
    { name: 'footer text of 61 characters', content: { ...buttons(reply('a', 'A')), footer: { text: long(61) } }, code: 131009, details: `Param interactive['footer']['text'] must be at most 60 characters long.` },
    { name: 'footer without text', content: { ...buttons(reply('a', 'A')), footer: {} }, code: 131008, details: `Param interactive['footer']['text'] is required.` },
    { name: 'header text of 61 characters', content: { ...buttons(reply('a', 'A')), header: { type: 'text', text: long(61) } }, code: 131009, details: `Param interactive['header']['text'] must be at most 60 characters long.` },
    { name: 'text header without text', content: { ...buttons(reply('a', 'A')), header: { type: 'text' } }, code: 131008, details: `Param interactive['header']['text'] is required.` },
    { name: 'header text not a string', content: { ...buttons(reply('a', 'A')), header: { type: 'text', text: { body: 'x' } } }, code: 100, details: `Param interactive['header']['text'] must be a string.` },
    { name: 'header without type', content: { ...buttons(reply('a', 'A')), header: { text: 'x' } }, code: 131008, details: `Param interactive['header']['type'] is required.` },
    { name: 'header of an unknown type', content: { ...buttons(reply('a', 'A')), header: { type: 'audio', audio: { id: '1' } } }, code: 131009, details: `Param interactive['header']['type'] must be one of "text", "image", "video", "document".` },
    { name: 'image header without media', content: { ...buttons(reply('a', 'A')), header: { type: 'image' } }, code: 131008, details: `Param interactive['header']['image'] is required.` },
    { name: 'image header with a bad link', content: { ...buttons(reply('a', 'A')), header: { type: 'image', image: { link: 'file:///etc/passwd' } } }, code: 131009, details: `Param interactive['header']['image']['link'] must be an http or https URL.` },
    { name: 'media header with a caption', content: { ...buttons(reply('a', 'A')), header: { type: 'video', video: { id: '1', caption: 'x' } } }, code: 100, details: `Unexpected key "caption" on param "interactive['header']['video']".` },
    { name: 'text header carrying an image too', content: { ...buttons(reply('a', 'A')), header: { type: 'text', text: 'x', image: { id: '1' } } }, code: 100, details: `Unexpected key "image" on param "interactive['header']".` },
    { name: 'an unknown key on interactive', content: { ...buttons(reply('a', 'A')), title: 'x' }, code: 100, details: `Unexpected key "title" on param "interactive".` },
  ])('rejects $name', expectFailure);
});

describe('validateSendRequest: reply buttons', () => {
  it.each<FailureCase>([
    { name: 'no buttons', content: buttons(), code: 131008, details: `Param interactive['action']['buttons'] must contain at least 1 item.` },
    { name: 'four buttons', content: buttons(reply('a', 'A'), reply('b', 'B'), reply('c', 'C'), reply('d', 'D')), code: 131009, details: `Param interactive['action']['buttons'] must contain at most 3 items.` },
    { name: 'buttons not an array', content: { ...buttons(), action: { buttons: reply('a', 'A') } }, code: 100, details: `Param interactive['action']['buttons'] must be an array.` },
    { name: 'a title of 21 characters', content: buttons(reply('a', 'A'), reply('b', long(21))), code: 131009, details: `Param interactive['action']['buttons'][1]['reply']['title'] must be at most 20 characters long.` },
    { name: 'a missing title', content: buttons({ type: 'reply', reply: { id: 'a' } }), code: 131008, details: `Param interactive['action']['buttons'][0]['reply']['title'] is required.` },
    { name: 'an id of 257 characters', content: buttons(reply(long(257), 'A')), code: 131009, details: `Param interactive['action']['buttons'][0]['reply']['id'] must be at most 256 characters long.` },
    { name: 'an id with a leading space', content: buttons(reply(' a', 'A')), code: 131009, details: `Param interactive['action']['buttons'][0]['reply']['id'] must not have leading or trailing spaces.` },
    { name: 'an id with a trailing space', content: buttons(reply('a ', 'A')), code: 131009, details: `Param interactive['action']['buttons'][0]['reply']['id'] must not have leading or trailing spaces.` },
    { name: 'duplicate ids', content: buttons(reply('a', 'A'), reply('a', 'B')), code: 131009, details: `Param interactive['action']['buttons'][1]['reply']['id'] must be unique; "a" is used more than once.` },
    { name: 'duplicate titles', content: buttons(reply('a', 'Sim'), reply('b', 'Não'), reply('c', 'Sim')), code: 131009, details: `Param interactive['action']['buttons'][2]['reply']['title'] must be unique; "Sim" is used more than once.` },
    { name: 'a button of another type', content: buttons({ type: 'url', reply: { id: 'a', title: 'A' } }), code: 131009, details: `Param interactive['action']['buttons'][0]['type'] must be "reply".` },
    { name: 'a button without reply', content: buttons({ type: 'reply' }), code: 131008, details: `Param interactive['action']['buttons'][0]['reply'] is required.` },
    { name: 'an unknown key on a reply', content: buttons({ type: 'reply', reply: { id: 'a', title: 'A', payload: 'x' } }), code: 100, details: `Unexpected key "payload" on param "interactive['action']['buttons'][0]['reply']".` },
    { name: 'list fields on a button action', content: { ...buttons(reply('a', 'A')), action: { buttons: [reply('a', 'A')], button: 'x' } }, code: 100, details: `Unexpected key "button" on param "interactive['action']".` },
  ])('rejects $name', expectFailure);
});

describe('validateSendRequest: lists', () => {
  const rows = (n: number, prefix: string): Array<Record<string, unknown>> => Array.from({ length: n }, (_, i) => row(`${prefix}${i}`));
  it.each<FailureCase>([
    { name: 'missing button label', content: { ...listMessage([{ rows: [row('1')] }]), action: { sections: [{ rows: [row('1')] }] } }, code: 131008, details: `Param interactive['action']['button'] is required.` },
    { name: 'a button label of 21 characters', content: { ...listMessage([]), action: { button: long(21), sections: [{ rows: [row('1')] }] } }, code: 131009, details: `Param interactive['action']['button'] must be at most 20 characters long.` },
    { name: 'no sections', content: listMessage([]), code: 131008, details: `Param interactive['action']['sections'] must contain at least 1 item.` },
    { name: 'eleven sections', content: listMessage(Array.from({ length: 11 }, (_, i) => ({ title: `S${i}`, rows: [row(`r${i}`)] }))), code: 131009, details: `Param interactive['action']['sections'] must contain at most 10 items.` },
    { name: 'an untitled section among several', content: listMessage([{ title: 'A', rows: [row('1')] }, { rows: [row('2')] }]), code: 131008, details: `Param interactive['action']['sections'][1]['title'] is required.` },
    { name: 'a section title of 25 characters', content: listMessage([{ title: long(25), rows: [row('1')] }]), code: 131009, details: `Param interactive['action']['sections'][0]['title'] must be at most 24 characters long.` },
    { name: 'a section without rows', content: listMessage([{ title: 'A' }]), code: 131008, details: `Param interactive['action']['sections'][0]['rows'] is required.` },
    { name: 'a section with no rows', content: listMessage([{ title: 'A', rows: [] }]), code: 131008, details: `Param interactive['action']['sections'][0]['rows'] must contain at least 1 item.` },
    { name: 'eleven rows across sections', content: listMessage([{ title: 'A', rows: rows(6, 'a') }, { title: 'B', rows: rows(5, 'b') }]), code: 131009, details: `Param interactive['action']['sections'] must contain at most 10 rows in total (found 11).` },
    { name: 'a row id of 201 characters', content: listMessage([{ rows: [row(long(201))] }]), code: 131009, details: `Param interactive['action']['sections'][0]['rows'][0]['id'] must be at most 200 characters long.` },
    { name: 'a row title of 25 characters', content: listMessage([{ rows: [row('1', long(25))] }]), code: 131009, details: `Param interactive['action']['sections'][0]['rows'][0]['title'] must be at most 24 characters long.` },
    { name: 'a row without title', content: listMessage([{ rows: [{ id: '1' }] }]), code: 131008, details: `Param interactive['action']['sections'][0]['rows'][0]['title'] is required.` },
    { name: 'a row description of 73 characters', content: listMessage([{ rows: [{ id: '1', title: 'x', description: long(73) }] }]), code: 131009, details: `Param interactive['action']['sections'][0]['rows'][0]['description'] must be at most 72 characters long.` },
    { name: 'a row id repeated in another section', content: listMessage([{ title: 'A', rows: [row('1')] }, { title: 'B', rows: [row('2'), row('1')] }]), code: 131009, details: `Param interactive['action']['sections'][1]['rows'][1]['id'] must be unique; "1" is used more than once.` },
    { name: 'an image header', content: listMessage([{ rows: [row('1')] }], { header: { type: 'image', image: { id: '1' } } }), code: 131009, details: `Param interactive['header']['type'] must be "text".` },
  ])('rejects $name', expectFailure);
});

describe('validateSendRequest: cta_url, flow, product, catalog and location request', () => {
  const cta = (parameters: Record<string, unknown>, name = 'cta_url'): Record<string, unknown> => ({ type: 'cta_url', body: { text: 'x' }, action: { name, parameters } });
  it.each<FailureCase>([
    { name: 'cta_url display text of 21 characters', content: cta({ display_text: long(21), url: 'https://x.io' }), code: 131009, details: `Param interactive['action']['parameters']['display_text'] must be at most 20 characters long.` },
    { name: 'cta_url without url', content: cta({ display_text: 'Abrir' }), code: 131008, details: `Param interactive['action']['parameters']['url'] is required.` },
    { name: 'cta_url with a non-http url', content: cta({ display_text: 'Ligar', url: 'tel:+5511999990000' }), code: 131009, details: `Param interactive['action']['parameters']['url'] must be an http or https URL.` },
    { name: 'cta_url with another action name', content: cta({ display_text: 'Abrir', url: 'https://x.io' }, 'url'), code: 131009, details: `Param interactive['action']['name'] must be "cta_url".` },
    { name: 'cta_url without parameters', content: { type: 'cta_url', body: { text: 'x' }, action: { name: 'cta_url' } }, code: 131008, details: `Param interactive['action']['parameters'] is required.` },
    { name: 'flow of another version', content: flow({ flow_message_version: '2' }), code: 131009, details: `Param interactive['action']['parameters']['flow_message_version'] must be "3".` },
    { name: 'flow with both flow_id and flow_name', content: flow({ flow_name: 'x' }), code: 100, details: `Param interactive['action']['parameters'] must have either flow_id or flow_name, not both.` },
    { name: 'flow with neither flow_id nor flow_name', content: flow({ flow_id: undefined }), code: 131008, details: `Param interactive['action']['parameters'] requires one of flow_id or flow_name.` },
    { name: 'flow without CTA', content: flow({ flow_cta: undefined }), code: 131008, details: `Param interactive['action']['parameters']['flow_cta'] is required.` },
    { name: 'flow CTA of 31 characters', content: flow({ flow_cta: long(31) }), code: 131009, details: `Param interactive['action']['parameters']['flow_cta'] must be at most 30 characters long.` },
    { name: 'flow of an unknown mode', content: flow({ mode: 'test' }), code: 131009, details: `Param interactive['action']['parameters']['mode'] must be one of "draft", "published".` },
    { name: 'flow of an unknown action', content: flow({ flow_action: 'open' }), code: 131009, details: `Param interactive['action']['parameters']['flow_action'] must be one of "navigate", "data_exchange".` },
    { name: 'flow payload without screen', content: flow({ flow_action_payload: { data: { a: 1 } } }), code: 131008, details: `Param interactive['action']['parameters']['flow_action_payload']['screen'] is required.` },
    { name: 'flow payload with empty data', content: flow({ flow_action_payload: { screen: 'S', data: {} } }), code: 131009, details: `Param interactive['action']['parameters']['flow_action_payload']['data'] must not be an empty object.` },
    { name: 'flow with an unknown parameter', content: flow({ flow_version: '3' }), code: 100, details: `Unexpected key "flow_version" on param "interactive['action']['parameters']".` },
    { name: 'product without catalog_id', content: { type: 'product', action: { product_retailer_id: 'sku' } }, code: 131008, details: `Param interactive['action']['catalog_id'] is required.` },
    { name: 'product without product_retailer_id', content: { type: 'product', action: { catalog_id: '1' } }, code: 131008, details: `Param interactive['action']['product_retailer_id'] is required.` },
    { name: 'product with a header', content: { type: 'product', header: { type: 'text', text: 'x' }, action: { catalog_id: '1', product_retailer_id: 'sku' } }, code: 100, details: `Unexpected key "header" on param "interactive".` },
    { name: 'product list without header', content: { ...productList([{ title: 'A', product_items: products(1) }]), header: undefined }, code: 131008, details: `Param interactive['header'] is required.` },
    { name: 'product list with 31 products', content: productList([{ title: 'A', product_items: products(16, 'a') }, { title: 'B', product_items: products(15, 'b') }]), code: 131009, details: `Param interactive['action']['sections'] must contain at most 30 products in total (found 31).` },
    { name: 'product list section without title', content: productList([{ product_items: products(1) }]), code: 131008, details: `Param interactive['action']['sections'][0]['title'] is required.` },
    { name: 'product list section with no items', content: productList([{ title: 'A', product_items: [] }]), code: 131008, details: `Param interactive['action']['sections'][0]['product_items'] must contain at least 1 item.` },
    { name: 'product list item without id', content: productList([{ title: 'A', product_items: [{}] }]), code: 131008, details: `Param interactive['action']['sections'][0]['product_items'][0]['product_retailer_id'] is required.` },
    { name: 'product list with eleven sections', content: productList(Array.from({ length: 11 }, (_, i) => ({ title: `S${i}`, product_items: products(1, `s${i}`) }))), code: 131009, details: `Param interactive['action']['sections'] must contain at most 10 items.` },
    { name: 'catalog message with another action name', content: { type: 'catalog_message', body: { text: 'x' }, action: { name: 'catalog' } }, code: 131009, details: `Param interactive['action']['name'] must be "catalog_message".` },
    { name: 'catalog message without body', content: { type: 'catalog_message', action: { name: 'catalog_message' } }, code: 131008, details: `Param interactive['body'] is required.` },
    { name: 'location request with another action name', content: { type: 'location_request_message', body: { text: 'x' }, action: { name: 'location' } }, code: 131009, details: `Param interactive['action']['name'] must be "send_location".` },
    { name: 'location request without body', content: { type: 'location_request_message', action: { name: 'send_location' } }, code: 131008, details: `Param interactive['body'] is required.` },
    { name: 'order details with a body over 1024 characters', content: { type: 'order_details', body: { text: long(1025) }, action: {} }, code: 131009, details: `Param interactive['body']['text'] must be at most 1024 characters long.` },
  ])('rejects $name', expectFailure);
});
