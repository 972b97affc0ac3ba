import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type RunningApp } from './support/app.js';
import { DIALECTS, type TestDatabase } from './support/databases.js';
import { platformApi, sandboxApi } from './support/http.js';
import { until, type Json } from './support/wait.js';
import { deliverSignedWebhook, WebhookReceiver } from './support/webhook-receiver.js';

/**
 * What Meta sends, as a subscriber and an API user see it: pricing and the billing conversation
 * on the message, a voice message's play, value-level errors, a number change, a user known
 * only by username, ads and forwards, reactions on the message they react to, and the
 * contact.created and conversation.updated events. Through the embedded sandbox where it can
 * send the webhook, else as Meta would POST it (signed with the number's app secret).
 */
describe.each(DIALECTS)('inbound webhooks routed to their modules on $name', (dialect) => {
  let database: TestDatabase;
  let running: RunningApp;
  let pn: string;
  let waba: string;
  const subscriber = new WebhookReceiver();

  const api = platformApi(() => running);
  const sandbox = sandboxApi(() => running);
  const customerSends = async (waId: string, message: Record<string, unknown>) => {
    const response = await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: pn, ...message });
    expect(response.status, response.text).toBeLessThan(300);
    return response.body.id as string;
  };
  /** Events the subscribed company system received, of one type. */
  const received = (type: string): Json[] => subscriber.received.map((r) => r.body as Json).filter((event) => event.type === type);
  const receivedFor = (type: string, match: (data: Json) => boolean, what: string) => until(async () => received(type).find((event) => match(event.data)), what);
  /** POSTs a `messages` change as Meta would, signed, and waits until it is applied. */
  const metaSends = async (value: Record<string, unknown>) => {
    const number = running.started.sandboxNumber!;
    const { appSecret } = (await running.app.modules.phoneNumbers.secretsOf(number.id))!;
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: number.waba_id, changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: number.display_phone_number, phone_number_id: pn }, ...value } }] }],
    });
    await deliverSignedWebhook(running, appSecret, body);
  };
  const replyRead = async (to: string, text: string) => {
    // Sent once the customer's message opened the window (refused with 422 until then).
    const sent = await until(async () => {
      const answer = await api('POST', '/messages', { to, type: 'text', text: { body: text } });
      return answer.status === 202 && answer;
    }, 'the reply to be accepted');
    // Read, with every stage applied: a `sent` webhook may be applied after the `read` one.
    return until(async () => {
      const message = (await api('GET', `/messages/${sent.body.id}`)).body;
      return message.status === 'read' && message.sent_at && message.delivered_at && message.read_at && message;
    }, 'the reply to be read, with the time of each stage');
  };

  beforeAll(async () => {
    database = await dialect.create({ migrated: true });
    await subscriber.start();
    running = await startTestApp({
      databaseUrl: database.url,
      build: { webhooks: { fanOut: { pollMs: 20 }, delivery: { pollMs: 20, retry: { baseMs: 50, maxAttempts: 3 } } } },
    });
    pn = running.started.sandboxNumber?.phone_number_id as string;
    waba = running.started.sandboxNumber?.waba_id as string;
    const subscribed = await api('POST', '/webhooks', { url: subscriber.url, events: ['*'] });
    expect(subscribed.status).toBe(201);
  });
  afterAll(async () => {
    await running?.close();
    await subscriber.close();
    await database?.drop();
  });

  it("keeps Meta's pricing and billing conversation on the message, with the cost's source", async () => {
    await customerSends('5511922220001', { type: 'text', text: { body: 'Oi' } });
    const reply = await replyRead('+5511922220001', 'Olá!');
    expect(reply).toMatchObject({
      category: 'service',
      pricing_type: 'free_customer_service',
      cost: { amount_micros: 0 },
      cost_source: 'provider',
      pricing: { billable: false, category: 'service', pricing_model: 'PMP', type: 'free_customer_service' },
      provider_conversation: { id: expect.any(String), origin_type: 'service', expires_at: expect.any(String) },
    });

    // Through a Click-to-WhatsApp ad: Meta bills the reply as a free entry point conversation,
    // not the service message our rate card estimated.
    await customerSends('5511922220002', {
      type: 'text',
      text: { body: 'Vi o anúncio' },
      referral: { source_url: 'https://fb.me/ad1', source_id: '120000001', source_type: 'ad', headline: 'Frete grátis', body: 'Só hoje', media_type: 'image', image_url: 'https://example.com/ad.jpg', ctwa_clid: 'clid-1' },
    });
    const fromAd = await replyRead('+5511922220002', 'Que bom que veio!');
    expect(fromAd).toMatchObject({
      category: 'referral_conversion',
      pricing_type: 'free_entry_point',
      cost: { amount_micros: 0 },
      cost_source: 'provider',
      pricing: { billable: false, category: 'referral_conversion', type: 'free_entry_point' },
      provider_conversation: { origin_type: 'referral_conversion', expires_at: expect.any(String) },
    });
    const status = await receivedFor('message.status', (data) => data.message_id === fromAd.id && data.status === 'read', 'the read status');
    expect(status.data.pricing).toMatchObject({ category: 'referral_conversion', type: 'free_entry_point' });
  });

  it('keeps the referral, forwarding and referred product on the inbound message', async () => {
    const adWamid = await customerSends('5511922220003', {
      type: 'text',
      text: { body: 'Quero este' },
      referral: { source_url: 'https://fb.me/ad2', source_id: '120000002', source_type: 'ad', headline: 'Promo', body: 'Corre', media_type: 'image', image_url: 'https://example.com/ad2.jpg', ctwa_clid: 'clid-2' },
    });
    const forwardedWamid = await customerSends('5511922220003', { type: 'text', text: { body: 'olha isso' }, context: { forwarded: true, frequently_forwarded: true } });
    const productWamid = await customerSends('5511922220003', { type: 'text', text: { body: 'Tem no azul?' }, context: { referred_product: { catalog_id: (await sandbox('GET', '/sandbox/v1/accounts')).body.data.find((a: Json) => a.waba_id === waba).catalogs[0].id, product_retailer_id: 'sandbox-product-1' } } });
    const byWamid = async (wamid: string) => (await receivedFor('message.received', (data) => data.wamid === wamid, wamid)).data.message_id as string;
    const ad = (await api('GET', `/messages/${await byWamid(adWamid)}`)).body;
    expect(ad.referral).toMatchObject({ source_id: '120000002', source_type: 'ad', ctwa_clid: 'clid-2', headline: 'Promo' });
    expect(ad).toMatchObject({ forwarded: false, frequently_forwarded: false, referred_product: null });
    const forwarded = (await api('GET', `/messages/${await byWamid(forwardedWamid)}`)).body;
    expect(forwarded).toMatchObject({ forwarded: true, frequently_forwarded: true, referral: null });
    const product = (await api('GET', `/messages/${await byWamid(productWamid)}`)).body;
    expect(product.referred_product).toMatchObject({ product_retailer_id: 'sandbox-product-1' });
  });

  it('shows a reaction on the message it reacts to, and links it', async () => {
    await customerSends('5511922220004', { type: 'text', text: { body: 'Oi' } });
    const reply = await replyRead('+5511922220004', 'Seu pedido saiu para entrega');
    await customerSends('5511922220004', { type: 'reaction', reaction: { message_id: reply.wamid, emoji: '👍' } });
    const reaction = await receivedFor('message.received', (data) => data.type === 'reaction' && data.from === '5511922220004', 'the reaction');
    expect(reaction.data.reacts_to).toBe(reply.id);
    expect((await api('GET', `/messages/${reaction.data.message_id}`)).body.reacts_to).toBe(reply.id);
    const reacted = (await api('GET', `/messages/${reply.id}`)).body;
    expect(reacted.reactions).toEqual([{ emoji: '👍', from: '5511922220004', at: expect.any(String) }]);
    // A new reaction replaces it; an empty one removes it.
    await customerSends('5511922220004', { type: 'reaction', reaction: { message_id: reply.wamid, emoji: '❤️' } });
    await until(async () => (await api('GET', `/messages/${reply.id}`)).body.reactions[0]?.emoji === '❤️' || undefined, 'the new reaction');
    await customerSends('5511922220004', { type: 'reaction', reaction: { message_id: reply.wamid, emoji: '' } });
    await until(async () => (await api('GET', `/messages/${reply.id}`)).body.reactions.length === 0 || undefined, 'the reaction removed');
  });

  it('emits contact.created for a new customer and conversation.updated when the window opens and on each message', async () => {
    await customerSends('5511922220005', { type: 'text', text: { body: 'Primeira vez aqui' } });
    const created = await receivedFor('contact.created', (data) => data.wa_id === '5511922220005', 'contact.created');
    expect(created.data).toMatchObject({ contact_id: expect.stringMatching(/^ct_/), phone: '+5511922220005' });
    const opened = await receivedFor('conversation.updated', (data) => data.contact_id === created.data.contact_id, 'conversation.updated');
    expect(opened.data).toMatchObject({ reason: 'window_opened', window_open: true, owner: { type: expect.any(String) }, window_expires_at: expect.any(String) });
    await customerSends('5511922220005', { type: 'text', text: { body: 'Mais uma coisa' } });
    const again = await until(async () => received('conversation.updated').filter((event) => event.data.contact_id === created.data.contact_id)[1], 'a second conversation.updated');
    expect(again.data.reason).toBe('message_received');
    expect(received('contact.created').filter((event) => event.data.contact_id === created.data.contact_id)).toHaveLength(1);
    // A contact created through the API is announced too.
    const viaApi = await api('POST', '/contacts', { phone: '+5511922220006', name: 'Ana' });
    expect(viaApi.status).toBe(201);
    await receivedFor('contact.created', (data) => data.contact_id === viaApi.body.id, 'contact.created from the API');
  });

  it('moves the contact and its consent to the new number, the old one still finding it', async () => {
    await customerSends('5511922220007', { type: 'text', text: { body: 'SAIR' } });
    const before = await until(async () => {
      const contact = (await api('POST', '/contacts', { phone: '+5511922220007' })).body;
      const consents = (await api('GET', `/contacts/${contact.id}/consents`)).body;
      return consents.state?.marketing === 'opted_out' && contact;
    }, 'the opt-out');
    await customerSends('5511922220007', { type: 'system', system: { body: 'User A changed from 5511922220007 to 5511922220008', type: 'user_changed_number', wa_id: '5511922220008' } });
    await receivedFor('message.received', (data) => data.type === 'system' && data.contact_id === before.id, 'the system message');
    const moved = (await api('GET', `/contacts/${before.id}`)).body;
    expect(moved).toMatchObject({ wa_id: '5511922220008', phone: '+5511922220008' });
    // The old number finds the same contact, with its consent history.
    const byOld = await api('POST', '/contacts', { phone: '+5511922220007' });
    expect(byOld.status).toBe(200);
    expect(byOld.body).toMatchObject({ id: before.id, wa_id: '5511922220008' });
    expect((await api('GET', `/contacts/${before.id}/consents`)).body.state.marketing).toBe('opted_out');
    // The new number writes: the same contact and conversation.
    await customerSends('5511922220008', { type: 'text', text: { body: 'Meu número novo' } });
    const fromNew = await receivedFor('message.received', (data) => data.content?.text?.body === 'Meu número novo', 'the message from the new number');
    expect(fromNew.data.contact_id).toBe(before.id);
  });

  it('stores a message from a user known only by username on a contact keyed by its user id', async () => {
    const at = String(Math.floor(Date.now() / 1000));
    await metaSends({
      contacts: [{ profile: { name: 'Bia', username: '@bia' }, user_id: 'BR.1200000000000001' }],
      messages: [{ from_user_id: 'BR.1200000000000001', id: 'wamid.username-only-1', timestamp: at, type: 'text', text: { body: 'Oi, sou a Bia' } }],
    });
    const event = await receivedFor('message.received', (data) => data.wamid === 'wamid.username-only-1', 'the username-only message');
    expect(event.data.from_user_id).toBe('BR.1200000000000001');
    const message = (await api('GET', `/messages/${event.data.message_id}`)).body;
    expect(message).toMatchObject({ direction: 'in', content: { text: { body: 'Oi, sou a Bia' } } });
    const contact = (await api('GET', `/contacts/${event.data.contact_id}`)).body;
    expect(contact).toMatchObject({ user_id: 'BR.1200000000000001', name: 'Bia' });
    // The inbound log shows it processed, not failing forever.
    const logged = (await api('GET', '/webhook-events?limit=50')).body.data.find((e: Json) => e.payload?.message?.id === 'wamid.username-only-1');
    expect(logged.processed_at).toEqual(expect.any(String));
    // When Meta later gives the number too, the same contact takes it.
    await metaSends({
      contacts: [{ profile: { name: 'Bia' }, wa_id: '5511922220009', user_id: 'BR.1200000000000001' }],
      messages: [{ from: '5511922220009', from_user_id: 'BR.1200000000000001', id: 'wamid.username-only-2', timestamp: at, type: 'text', text: { body: 'Agora com número' } }],
    });
    const second = await receivedFor('message.received', (data) => data.wamid === 'wamid.username-only-2', 'the second message');
    expect(second.data.contact_id).toBe(event.data.contact_id);
    expect((await api('GET', `/contacts/${event.data.contact_id}`)).body).toMatchObject({ wa_id: '5511922220009', phone: '+5511922220009' });

    // A number that already has a contact, and a username-only contact of the same user: the
    // message goes to the number's contact, and nothing fails over the user id both could take.
    const byPhone = (await api('POST', '/contacts', { phone: '+5511922220012' })).body;
    await metaSends({ contacts: [{ profile: { name: 'Caio' }, user_id: 'BR.1200000000000002' }], messages: [{ from_user_id: 'BR.1200000000000002', id: 'wamid.username-only-3', timestamp: at, type: 'text', text: { body: 'Oi' } }] });
    await metaSends({
      contacts: [{ profile: { name: 'Caio' }, wa_id: '5511922220012', user_id: 'BR.1200000000000002' }],
      messages: [{ from: '5511922220012', from_user_id: 'BR.1200000000000002', id: 'wamid.username-only-4', timestamp: at, type: 'text', text: { body: 'Com número' } }],
    });
    const withNumber = await receivedFor('message.received', (data) => data.wamid === 'wamid.username-only-4', 'the message with both ids');
    expect(withNumber.data.contact_id).toBe(byPhone.id);
  });

  it('lets a new capability register on message and see the stored message in the same transaction', async () => {
    // What the chatbot engine will do (docs/inbound.md, "Where a new capability plugs in").
    const seen: Array<{ workspaceId: string; wamid: string; storedId: string | undefined; number: string | undefined }> = [];
    running.app.modules.inboundRouter.on('message', async (event, { workspaceId, number, trx }) => {
      const stored = await trx.selectFrom('messages').select('id').where('wamid', '=', event.payload.message.id).executeTakeFirst();
      seen.push({ workspaceId, wamid: event.payload.message.id, storedId: stored?.id, number: number?.phone_number_id });
    });
    const wamid = await customerSends('5511922220011', { type: 'text', text: { body: 'Olá, robô' } });
    const received = await receivedFor('message.received', (data) => data.wamid === wamid, 'the message');
    expect(seen.filter((entry) => entry.wamid === wamid)).toEqual([{ workspaceId: received.workspace_id, wamid, storedId: received.data.message_id, number: pn }]);
  });

  it("keeps a voice message's play after read, and publishes value-level errors", async () => {
    await customerSends('5511922220010', { type: 'text', text: { body: 'Manda um áudio' } });
    const reply = await replyRead('+5511922220010', 'Segue o áudio');
    const playedAt = Math.floor(Date.now() / 1000) + 5;
    await metaSends({ statuses: [{ id: reply.wamid, status: 'played', timestamp: String(playedAt), recipient_id: '5511922220010' }] });
    const played = (await api('GET', `/messages/${reply.id}`)).body;
    expect(played).toMatchObject({ status: 'read', played_at: new Date(playedAt * 1000).toISOString() });
    const event = await receivedFor('message.status', (data) => data.message_id === reply.id && data.status === 'played', 'the played status');
    expect(event.data.previous_status).toBe('read');

    await metaSends({ errors: [{ code: 131052, title: 'Media download error', message: 'Media download error', error_data: { details: 'Unable to download the media sent by the user.' } }] });
    const error = await receivedFor('message.error', (data) => data.error?.code === 131052, 'message.error');
    expect(error.data).toMatchObject({ phone_number_id: pn, error: { code: 131052, title: 'Media download error', details: 'Unable to download the media sent by the user.' } });
  });

  it("takes the billing conversation's expiry from a `sent` status that arrives after `read`", async () => {
    const waId = '5511922220013';
    await customerSends(waId, { type: 'text', text: { body: 'Oi' } });
    // The sandbox's own status webhooks are dropped: only the ones below reach the platform.
    expect((await sandbox('PUT', '/sandbox/v1/faults', { webhook_drop_rate: 1 })).status).toBe(200);
    try {
      const accepted = await until(async () => {
        const answer = await api('POST', '/messages', { to: `+${waId}`, type: 'text', text: { body: 'Já vai' } });
        return answer.status === 202 && answer;
      }, 'the reply to be accepted');
      const reply = await until(async () => {
        const message = (await api('GET', `/messages/${accepted.body.id}`)).body;
        return message.wamid && message;
      }, 'the reply to reach the Graph API');
      const t = Math.floor(Date.now() / 1000);
      const conversation = (expires?: number) => ({ id: 'conv-late-sent', ...(expires ? { expiration_timestamp: String(expires) } : {}), origin: { type: 'service' } });
      const status = (name: string, at: number, expires?: number) => ({ id: reply.wamid, status: name, timestamp: String(at), recipient_id: waId, conversation: conversation(expires), pricing: { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' } });
      await metaSends({ statuses: [status('delivered', t + 1), status('read', t + 2), status('sent', t, t + 86_400)] });
      const read = await until(async () => {
        const message = (await api('GET', `/messages/${reply.id}`)).body;
        return message.status === 'read' && message.sent_at && message;
      }, 'the late sent to be applied');
      expect(read).toMatchObject({
        sent_at: new Date(t * 1000).toISOString(),
        delivered_at: new Date((t + 1) * 1000).toISOString(),
        read_at: new Date((t + 2) * 1000).toISOString(),
        provider_conversation: { id: 'conv-late-sent', origin_type: 'service', expires_at: new Date((t + 86_400) * 1000).toISOString() },
      });
    } finally {
      expect((await sandbox('PUT', '/sandbox/v1/faults', { webhook_drop_rate: 0 })).status).toBe(200);
    }
  });

  it('applies a webhook of many statuses as a run, in order: the same message twice, late and repeated stages, an unknown wamid', async () => {
    const waId = '5511922220011';
    await customerSends(waId, { type: 'text', text: { body: 'Oi' } });
    // The phone is offline: the replies stay at `sent`, and only the webhook below moves them.
    expect((await sandbox('PATCH', `/sandbox/v1/phones/${waId}`, { behaviour: { offline: true } })).status).toBe(200);
    const sentReply = async (text: string) => {
      const sent = await until(async () => {
        const answer = await api('POST', '/messages', { to: `+${waId}`, type: 'text', text: { body: text } });
        return answer.status === 202 && answer;
      }, 'the reply to be accepted');
      return until(async () => {
        const message = (await api('GET', `/messages/${sent.body.id}`)).body;
        return message.status === 'sent' && message;
      }, 'the reply to be sent');
    };
    const a = await sentReply('Primeira');
    const b = await sentReply('Segunda');
    const t = Math.floor(Date.now() / 1000) + 10;
    const status = (wamid: string, name: string, at: number) => ({ id: wamid, status: name, timestamp: String(at), recipient_id: waId });
    await metaSends({
      statuses: [
        status(b.wamid, 'delivered', t),
        status(a.wamid, 'delivered', t + 1),
        status(a.wamid, 'read', t + 2),
        status(a.wamid, 'sent', t + 3), // late: the status stays read
        status(a.wamid, 'delivered', t + 4), // repeated: the first time stays
        status('wamid.HBgLnobodyknowsthis', 'read', t + 5),
      ],
    });
    const movedA = await until(async () => {
      const message = (await api('GET', `/messages/${a.id}`)).body;
      return message.status === 'read' && message;
    }, 'the first reply to be read');
    expect(movedA.delivered_at).toBe(new Date((t + 1) * 1000).toISOString());
    expect(movedA.read_at).toBe(new Date((t + 2) * 1000).toISOString());
    expect((await api('GET', `/messages/${b.id}`)).body).toMatchObject({ status: 'delivered', delivered_at: new Date(t * 1000).toISOString() });
    // Every move's event, before their order is read: deliveries to the subscriber run side by
    // side, so the read may arrive before the delivered it follows.
    await receivedFor('message.status', (data) => data.message_id === a.id && data.status === 'delivered', "the first reply's delivered event");
    await receivedFor('message.status', (data) => data.message_id === a.id && data.status === 'read', "the first reply's read event");
    await receivedFor('message.status', (data) => data.message_id === b.id && data.status === 'delivered', "the second reply's delivered event");
    // One event per move, in the webhook's order (the outbox ids keep it; deliveries may arrive in
    // another order): nothing for the late, the repeated or the unknown.
    const moves = received('message.status')
      .filter((event) => event.data.message_id === a.id || event.data.message_id === b.id)
      .sort((x, y) => Number(String(x.id).slice(4)) - Number(String(y.id).slice(4)))
      .filter((event) => event.data.status !== 'sent')
      .map((event) => `${event.data.message_id === a.id ? 'a' : 'b'}:${event.data.previous_status}->${event.data.status}`);
    expect(moves).toEqual(['b:sent->delivered', 'a:sent->delivered', 'a:delivered->read']);
    expect((await sandbox('PATCH', `/sandbox/v1/phones/${waId}`, { behaviour: { offline: false } })).status).toBe(200);
  });
});
