import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KyselyPlugin } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conversations, Inbox } from '../src/modules/conversations/index.js';
import { storageKeyOf } from '../src/modules/media/index.js';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { pngFile } from './support/media-files.js';
import { until, type Json } from './support/wait.js';

/**
 * The conversation API of issue 9, end to end through the sandbox and the REST API: read
 * receipts and typing as the simulated phone shows them, the whole history in pages, the
 * inbox list, and deleting messages and media.
 */
describe.each(DIALECTS)('conversation API end to end on $name', (dialect) => {
  // A send refused with a transient error waits a minute before its next try: long enough
  // to cancel it while it is queued.
  const running = useApp(dialect, { build: { dispatcher: { retryBaseMs: 60_000 } } });
  let pn: string;

  const api = running.api;
  const sandbox = running.sandbox;
  const customerWrites = async (waId: string, text: string) => {
    const sent = await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: pn, type: 'text', text: { body: text } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    return sent.body.id as string;
  };
  const conversationOf = async (waId: string): Promise<Json> => (await api('GET', `/conversations?wa_id=${waId}&messages=50`)).body.data[0];
  const inboundStored = (waId: string, count: number) =>
    until(async () => {
      const conversation = await conversationOf(waId);
      return conversation && conversation.last_messages.filter((m: Json) => m.direction === 'in').length >= count && conversation;
    }, `${count} inbound messages from ${waId}`);
  const messageByWamid = async (wamid: string) => {
    const found = await api('GET', `/messages?wamid=${encodeURIComponent(wamid)}`);
    expect(found.status).toBe(200);
    return found.body.data[0] as Json;
  };
  const phoneSent = async (waId: string) => (await sandbox('GET', `/sandbox/v1/phones/${waId}/messages`)).body.sent as Json[];
  const phoneReceived = async (waId: string) => (await sandbox('GET', `/sandbox/v1/phones/${waId}/messages`)).body.data as Json[];
  const upload = async (data: Buffer, type: string, filename: string) => {
    const form = new FormData();
    form.append('file', new Blob([data], { type }), filename);
    const uploaded = await api('POST', '/media', form);
    expect(uploaded.status).toBe(201);
    return uploaded.body as Json;
  };

  beforeAll(async () => {
    pn = running.pn;
  });

  it('marks a message read with typing: the phone shows blue ticks up to it and "typing…", and the unread count drops', async () => {
    const waId = '5511922220001';
    // A second apart (Meta's timestamps are whole seconds), so "earlier" is the same here and on the phone.
    const wamids: string[] = [];
    for (const text of ['Oi', 'Tem entrega hoje?', 'Alô?']) {
      wamids.push(await customerWrites(waId, text));
      await sandbox('POST', '/sandbox/v1/clock', { advance_seconds: 1 });
    }
    const conversation = await inboundStored(waId, 3);
    expect(conversation.unread_count).toBe(3);
    const [first, second, third] = await Promise.all(wamids.map(messageByWamid));

    const marked = await api('POST', `/messages/${second.id}/read`, { typing: true });
    expect(marked.status, JSON.stringify(marked.body)).toBe(200);
    expect(marked.body).toMatchObject({ message_id: second.id, conversation_id: conversation.id, wamid: wamids[1], typing: true });

    // What the customer sees: the first two read (earlier ones count), the third not, and "typing…".
    const readOnPhone = Object.fromEntries((await phoneSent(waId)).map((m) => [m.id, m.read_by_business]));
    expect(readOnPhone).toEqual({ [wamids[0]!]: true, [wamids[1]!]: true, [wamids[2]!]: false });
    const phone = await sandbox('GET', `/sandbox/v1/phones/${waId}`);
    expect(phone.body.business_typing).toMatchObject({ phone_number_id: pn });

    // What the inbox sees: read state per message and one unread left.
    expect((await api('GET', `/messages/${first.id}`)).body.read_by_business_at).toBe(marked.body.read_by_business_at);
    expect((await api('GET', `/messages/${second.id}`)).body.read_by_business_at).toBe(marked.body.read_by_business_at);
    expect((await api('GET', `/messages/${third.id}`)).body.read_by_business_at).toBeNull();
    expect((await api('GET', `/conversations/${conversation.id}`)).body.unread_count).toBe(1);

    // Typing on the conversation: its latest inbound message is marked read too.
    const typing = await api('POST', `/conversations/${conversation.id}/typing`);
    expect(typing.status, JSON.stringify(typing.body)).toBe(200);
    expect(typing.body).toMatchObject({ message_id: third.id, typing: true });
    expect(Date.parse(typing.body.typing_until) - Date.parse(typing.body.read_by_business_at)).toBe(25_000);
    expect((await phoneSent(waId)).every((m) => m.read_by_business)).toBe(true);
    expect((await api('GET', `/conversations/${conversation.id}`)).body.unread_count).toBe(0);

    // Without typing: blue ticks only.
    const fourthWamid = await customerWrites(waId, 'Obrigado');
    await inboundStored(waId, 4);
    const fourth = await messageByWamid(fourthWamid);
    const plain = await api('POST', `/messages/${fourth.id}/read`);
    expect(plain.status).toBe(200);
    expect(plain.body).toMatchObject({ message_id: fourth.id, typing: false, typing_until: null });
    expect((await phoneSent(waId)).find((m) => m.id === fourthWamid)?.read_by_business).toBe(true);
  });

  it('refuses to mark read a message the business sent (422) or one that does not exist (404)', async () => {
    const waId = '5511922220002';
    await customerWrites(waId, 'Bom dia');
    await inboundStored(waId, 1);
    const reply = await api('POST', '/messages', { to: `+${waId}`, type: 'text', text: { body: 'Bom dia! Em que posso ajudar?' } });
    expect(reply.status).toBe(202);
    const outbound = await api('POST', `/messages/${reply.body.id}/read`);
    expect(outbound.status).toBe(422);
    expect(outbound.body.error).toMatchObject({ code: 'CONVERSA_ERR_NOT_INBOUND', details: { field: 'path.id' } });
    const unknown = await api('POST', '/messages/msg_doesnotexist/read', { typing: true });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('CONVERSA_ERR_NOT_FOUND');
    const noConversation = await api('POST', '/conversations/cv_doesnotexist/typing');
    expect(noConversation.status).toBe(404);

    // The provider refuses: Meta's error comes back and nothing is recorded as read here.
    const wamid = await customerWrites(waId, 'Ainda aí?');
    await inboundStored(waId, 2);
    const message = await messageByWamid(wamid);
    await sandbox('PUT', '/sandbox/v1/faults', { graph_error_rate: 1 });
    const refused = await api('POST', `/messages/${message.id}/read`, { typing: true });
    await sandbox('PUT', '/sandbox/v1/faults', { graph_error_rate: 0 });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'CONVERSA_ERR_PROVIDER_REJECTED', details: { meta_code: 131000 } });
    expect((await api('GET', `/messages/${message.id}`)).body.read_by_business_at).toBeNull();
    expect((await phoneSent(waId)).find((m) => m.id === wamid)?.read_by_business).toBe(false);
  });

  it('answers 409 while a message is being sent, then erases it once its outcome is known', async () => {
    const waId = '5511922220011';
    await customerWrites(waId, 'Oi');
    await inboundStored(waId, 1);
    await sandbox('PUT', '/sandbox/v1/faults', { graph_latency_ms: 1500 });
    try {
      const slow = await api('POST', '/messages', { to: `+${waId}`, type: 'text', text: { body: 'devagar' } });
      await until(async () => (await api('GET', `/messages/${slow.body.id}`)).body.status === 'sending', 'the send in flight');
      const busy = await api('DELETE', `/messages/${slow.body.id}`);
      expect(busy.status).toBe(409);
      expect(busy.body.error.code).toBe('CONVERSA_ERR_MESSAGE_SENDING');
      await until(async () => (await api('GET', `/messages/${slow.body.id}`)).body.wamid, 'the send answered');
      expect((await api('DELETE', `/messages/${slow.body.id}`)).status).toBe(204);
      expect((await api('GET', `/messages/${slow.body.id}`)).body).toMatchObject({ content: null, wamid: expect.stringMatching(/^wamid\./) });
    } finally {
      await sandbox('PUT', '/sandbox/v1/faults', { graph_latency_ms: 0 });
    }
  });

  it('walks the whole history newest first, each message exactly once, although messages share timestamps and arrive during the walk', async () => {
    const waId = '5511922220003';
    for (let i = 1; i <= 12; i += 1) await customerWrites(waId, `mensagem ${i}`);
    const conversation = await inboundStored(waId, 12);
    for (const text of ['resposta 1', 'resposta 2']) expect((await api('POST', '/messages', { to: `+${waId}`, type: 'text', text: { body: text } })).status).toBe(202);
    const everything = await until(async () => {
      const page = await api('GET', `/conversations/${conversation.id}/messages?limit=200`);
      return page.body.data.length === 14 && (page.body.data as Json[]);
    }, '14 messages');
    // Twelve messages sent within a moment share their (one-second) Meta timestamps.
    const times = everything.map((m) => m.created_at as string);
    expect(new Set(times).size).toBeLessThan(times.length);

    const walked: Json[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await api('GET', `/conversations/${conversation.id}/messages?limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      walked.push(...page.body.data);
      cursor = page.body.next_cursor;
      pages += 1;
      // New messages arrive in the middle of the walk: newer than the walk, so not in it.
      if (pages === 1) await customerWrites(waId, 'chegou no meio');
    } while (cursor && pages < 20);
    expect(walked.map((m) => m.id)).toEqual(everything.map((m) => m.id));
    expect(new Set(walked.map((m) => m.id)).size).toBe(14);
    const keys = walked.map((m) => `${m.created_at}|${m.id}`);
    expect([...keys].sort().reverse()).toEqual(keys);

    // Today's conversation list showed at most 50; the history has no such bound.
    const badCursor = await api('GET', `/conversations/${conversation.id}/messages?cursor=nonsense`);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.details.field).toBe('querystring.cursor');
    const tooMany = await api('GET', `/conversations/${conversation.id}/messages?limit=201`);
    expect(tooMany.status).toBe(400);
    expect((await api('GET', '/conversations/cv_doesnotexist/messages')).status).toBe(404);

    // By Meta's id: a list with the one message; an unknown wamid answers an empty list.
    const inbound = everything.find((m) => m.direction === 'in')!;
    const byWamid = await api('GET', `/messages?wamid=${encodeURIComponent(inbound.wamid)}`);
    expect(byWamid.body).toEqual({ data: [expect.objectContaining({ id: inbound.id, wamid: inbound.wamid })], next_cursor: null });
    expect((await api('GET', '/messages?wamid=wamid.nothing')).body).toEqual({ data: [], next_cursor: null });
    // Another workspace's key finds nothing by our wamid, nor our conversation's history.
    const other = await running.app.modules.workspaces.create('Outra empresa');
    const otherKey = (await running.app.modules.apiKeys.create({ workspaceId: other.id, name: 'outra', scopes: ['admin'] })).key;
    expect((await api('GET', `/messages?wamid=${encodeURIComponent(inbound.wamid)}`, undefined, { token: otherKey })).body.data).toEqual([]);
    expect((await api('GET', `/conversations/${conversation.id}/messages`, undefined, { token: otherKey })).status).toBe(404);
    // Without wamid: every message of the workspace, newest first.
    const newest = (await api('GET', '/messages?limit=3')).body;
    expect(newest.data).toHaveLength(3);
    expect(newest.next_cursor).toEqual(expect.any(String));
    const keysOf = (rows: Json[]) => rows.map((m) => `${m.created_at}|${m.id}`);
    expect([...keysOf(newest.data)].sort().reverse()).toEqual(keysOf(newest.data));
  });

  it('lists conversations for an inbox: contact, owner, window, last message preview and unread count, filtered, by last activity, in pages', async () => {
    const older = '5511922220004';
    const newer = '5511922220005';
    for (const waId of ['5511922220008', '5511922220009', '5511922220010']) {
      await customerWrites(waId, 'Olá');
      await inboundStored(waId, 1);
    }
    await customerWrites(older, 'Primeiro');
    await inboundStored(older, 1);
    await customerWrites(newer, 'Segundo cliente aqui');
    await inboundStored(newer, 1);

    const list = await api('GET', '/conversations?limit=100&messages=0');
    expect(list.status).toBe(200);
    const rows = list.body.data as Json[];
    // Newest activity first (inbound times are Meta's, in whole seconds).
    const activity = rows.map((row) => `${row.last_activity_at}|${row.id}`);
    expect([...activity].sort().reverse()).toEqual(activity);
    const newerRow = rows.find((row) => row.contact.wa_id === newer);
    const olderIndex = rows.findIndex((row) => row.contact.wa_id === older);
    expect(rows.indexOf(newerRow)).toBeLessThan(olderIndex);
    expect(newerRow).toMatchObject({
      contact: { id: expect.stringMatching(/^ct_/), wa_id: newer, name: expect.any(String) },
      owner: { type: 'bot', id: null },
      window_open: true,
      last_message: { direction: 'in', type: 'text', preview: 'Segundo cliente aqui', status: 'received' },
      unread_count: 1,
      last_messages: [],
    });

    // Filters.
    expect((await api('GET', `/conversations?wa_id=${older}`)).body.data.map((c: Json) => c.contact.wa_id)).toEqual([older]);
    expect((await api('GET', `/conversations?contact_id=${rows[olderIndex].contact.id}`)).body.data.map((c: Json) => c.id)).toEqual([rows[olderIndex].id]);
    expect((await api('GET', '/conversations?owner_type=agent')).body.data).toEqual([]);
    expect((await api('GET', '/conversations?owner_type=bot&limit=100')).body.data).toHaveLength(rows.length);
    expect((await api('GET', '/conversations?window_open=false')).body.data).toEqual([]);
    expect((await api('GET', '/conversations?window_open=true&limit=100')).body.data).toHaveLength(rows.length);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await api('GET', `/conversations?updated_since=${future}`)).body.data).toEqual([]);
    expect((await api('GET', '/conversations?owner_type=robot')).status).toBe(400);

    // Paging one at a time walks every conversation once, in the same order.
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await api('GET', `/conversations?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      walked.push(...page.body.data.map((c: Json) => c.id));
      cursor = page.body.next_cursor;
    } while (cursor && walked.length < 50);
    expect(walked).toEqual(rows.map((row) => row.id));

    // No query per conversation: a page of one and a page of all cost the same few queries.
    const queriesFor = async (limit: number) => {
      let queries = 0;
      const counter: KyselyPlugin = {
        transformQuery: (args) => {
          queries += 1;
          return args.node;
        },
        transformResult: async (args) => args.result,
      };
      const db = running.app.database.db.withPlugin(counter);
      const page = await new Inbox(db, new Conversations(db)).list(running.started.workspaceId, { limit, messages: 5 });
      expect(page.ok && page.data.length).toBe(Math.min(limit, rows.length));
      return queries;
    };
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(await queriesFor(rows.length)).toBe(await queriesFor(1));
    expect(await queriesFor(rows.length)).toBe(3); // the page with contacts, the latest messages, the unread counts

    // The older conversation gets a reply: it moves to the top, its preview follows.
    expect((await api('POST', '/messages', { to: `+${older}`, type: 'text', text: { body: 'Resposta ao primeiro' } })).status).toBe(202);
    const top = (await api('GET', '/conversations?limit=1&messages=2')).body.data[0];
    expect(top).toMatchObject({ contact: { wa_id: older }, last_message: { direction: 'out', preview: 'Resposta ao primeiro' }, unread_count: 1 });
    expect(top.last_messages.map((m: Json) => m.direction)).toEqual(['out', 'in']);
    const one = await api('GET', `/conversations/${top.id}`);
    expect(one.body).toMatchObject({ id: top.id, contact: top.contact, last_message: { id: top.last_message.id, preview: 'Resposta ao primeiro' }, unread_count: 1 });
    expect((await api('GET', '/conversations/cv_doesnotexist')).status).toBe(404);
  });

  it('erases a message: a tombstone keeps ids, status, time and cost; inbound media bytes are gone', async () => {
    const waId = '5511922220006';
    await customerWrites(waId, 'Segue a foto');
    // Stored before the photo arrives: two messages of one second keep the order they were stored in.
    await inboundStored(waId, 1);
    const png = pngFile({ width: 3, height: 3, rgba: [10, 20, 30, 255] });
    const sent = await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: pn, type: 'image', image: { data_base64: png.toString('base64'), mime_type: 'image/png' } });
    expect(sent.status).toBe(201);
    const photo = await until(async () => {
      const message = await messageByWamid(sent.body.id);
      if (!message?.content?.media_id) return false;
      const media = await api('GET', `/media/${message.content.media_id}`);
      return media.body.status === 'ready' && { message, media: media.body };
    }, 'the inbound photo stored');
    const file = join(running.dataDir, 'media', ...storageKeyOf(photo.media.sha256).split('/'));
    expect(existsSync(file)).toBe(true);

    const erased = await api('DELETE', `/messages/${photo.message.id}`);
    expect(erased.status).toBe(204);
    const tombstone = (await api('GET', `/messages/${photo.message.id}`)).body;
    expect(tombstone).toMatchObject({ id: photo.message.id, wamid: sent.body.id, status: 'received', created_at: photo.message.created_at, content: null, deleted_at: expect.any(String) });
    expect((await api('GET', `/media/${photo.media.id}`)).status).toBe(404);
    expect(existsSync(file)).toBe(false);
    expect((await api('GET', `/conversations/${photo.message.conversation_id}`)).body.last_message).toMatchObject({ id: photo.message.id, preview: null });

    // A sent message: erased here, status and cost kept; the phone keeps it (no unsend).
    const reply = await api('POST', '/messages', { to: `+${waId}`, type: 'text', text: { body: 'Recebido, obrigado' } });
    const delivered = await until(async () => {
      const message = await api('GET', `/messages/${reply.body.id}`);
      return ['delivered', 'read'].includes(message.body.status) && message.body;
    }, 'the reply delivered');
    expect((await api('DELETE', `/messages/${reply.body.id}`)).status).toBe(204);
    const after = (await api('GET', `/messages/${reply.body.id}`)).body;
    expect(after).toMatchObject({ wamid: delivered.wamid, cost: delivered.cost, sent_at: delivered.sent_at, content: null });
    expect(['delivered', 'read']).toContain(after.status);
    expect((await phoneReceived(waId)).some((m) => m.content?.body === 'Recebido, obrigado')).toBe(true);
    expect((await api('DELETE', `/messages/${reply.body.id}`)).status).toBe(204);
    expect((await api('DELETE', '/messages/msg_doesnotexist')).status).toBe(404);
  });

  it('deletes media here and at the provider: 409 while a queued message names it; a cancelled message is never sent', async () => {
    const waId = '5511922220007';
    await customerWrites(waId, 'Manda o catálogo');
    await inboundStored(waId, 1);

    // Sent media: uploaded to the provider on first use.
    const logo = await upload(pngFile({ width: 5, height: 5, rgba: [200, 0, 0, 255] }), 'image/png', 'logo.png');
    const shown = await api('POST', '/messages', { to: `+${waId}`, type: 'image', image: { id: logo.id } });
    await until(async () => ['delivered', 'read'].includes((await api('GET', `/messages/${shown.body.id}`)).body.status), 'the image delivered');
    const uploaded = await running.app.database.db.selectFrom('media_provider_ids').select('provider_media_id').where('media_id', '=', logo.id).execute();
    expect(uploaded).toHaveLength(1);
    const providerId = uploaded[0]!.provider_media_id;
    expect((await sandbox('GET', `/v23.0/${providerId}`)).status).toBe(200);

    // The provider fails every call for a while: queued sends wait a minute for their next try.
    await sandbox('PUT', '/sandbox/v1/faults', { graph_error_rate: 1 });
    const catalog = await upload(pngFile({ width: 6, height: 6, rgba: [0, 200, 0, 255] }), 'image/png', 'catalog.png');
    const pending = await api('POST', '/messages', { to: `+${waId}`, type: 'image', image: { id: catalog.id, caption: 'nunca enviado' } });
    const tombstoned = await api('POST', '/messages', { to: `+${waId}`, type: 'text', text: { body: 'também nunca' } });
    for (const id of [pending.body.id, tombstoned.body.id]) {
      await until(async () => {
        const message = (await api('GET', `/messages/${id}`)).body;
        return message.status === 'queued' && message.attempts >= 1;
      }, 'a failed try, queued again');
    }
    const inUse = await api('DELETE', `/media/${catalog.id}`);
    expect(inUse.status).toBe(409);
    expect(inUse.body.error).toMatchObject({ code: 'CONVERSA_ERR_MEDIA_IN_USE', details: { message_ids: [pending.body.id] } });

    // Cancelled through the API; the other erased behind the API's back with its status still
    // queued: the dispatcher's claim skips both.
    expect((await api('DELETE', `/messages/${pending.body.id}`)).status).toBe(204);
    expect((await api('GET', `/messages/${pending.body.id}`)).body).toMatchObject({ status: 'cancelled', content: null, deleted_at: expect.any(String) });
    await running.app.database.db.updateTable('messages').set({ deleted_at: new Date().toISOString() }).where('id', '=', tombstoned.body.id).execute();
    await sandbox('PUT', '/sandbox/v1/faults', { graph_error_rate: 0 });
    await sandbox('POST', '/sandbox/v1/clock', { advance_seconds: 600 }); // both would be due now
    running.app.modules.dispatcher.wake();
    const control = await api('POST', '/messages', { to: `+${waId}`, type: 'text', text: { body: 'esta sim' } });
    await until(async () => (await phoneReceived(waId)).some((m) => m.content?.body === 'esta sim'), 'the control message on the phone');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const received = await phoneReceived(waId);
    expect(received.some((m) => m.content?.caption === 'nunca enviado' || m.content?.body === 'também nunca')).toBe(false);
    expect((await api('GET', `/messages/${pending.body.id}`)).body.status).toBe('cancelled');
    expect((await api('GET', `/messages/${tombstoned.body.id}`)).body.status).toBe('queued');
    expect(control.status).toBe(202);

    // Deleting the sent media: gone at the provider, from the library and from the data folder.
    const file = join(running.dataDir, 'media', ...storageKeyOf(logo.sha256).split('/'));
    expect(existsSync(file)).toBe(true);
    expect((await api('DELETE', `/media/${logo.id}`)).status).toBe(204);
    // Graph's answer for an id that names nothing: HTTP 400, code 100, subcode 33.
    const atProvider = await sandbox('GET', `/v23.0/${providerId}`);
    expect(atProvider.status).toBe(400);
    expect(atProvider.body.error).toMatchObject({ code: 100, error_subcode: 33 });
    expect((await api('GET', `/media/${logo.id}`)).status).toBe(404);
    expect(existsSync(file)).toBe(false);
    expect((await api('DELETE', `/media/${logo.id}`)).status).toBe(404);
    // No queued message names the catalog any more.
    expect((await api('DELETE', `/media/${catalog.id}`)).status).toBe(204);
  });
});
