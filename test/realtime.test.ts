import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWebhookEventType } from '../src/modules/events/index.js';
import { startTestApp, type RunningApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { appApi, createUser, signIn, type AppSession } from './support/users.js';
import { openWs, type WsClient } from './support/ws-client.js';
import type { Json } from './support/wait.js';

/**
 * The inbox's WebSocket (`GET /app/ws`, docs/inbox.md "Real time"), with real `ws` clients
 * against the listening app: who gets which event, resume without loss or repeats, typing,
 * refused upgrades, and (PostgreSQL) an event crossing from one node to another.
 */
describe.each(DIALECTS)('realtime over WebSocket ($name)', (dialect) => {
  const running = useApp(dialect, { build: { realtime: { pollMs: 250 } } });
  const open: WsClient[] = [];
  let base: string;
  let supervisor: AppSession;
  let sales: AppSession;
  let support: AppSession;
  let otherAdmin: AppSession;
  let otherWorkspace: string;

  async function connect(session: AppSession | null, options: { after?: string | number; origin?: string | null; url?: string } = {}): Promise<WsClient> {
    const client = await openWs(options.url ?? base, { ...(session ? { cookie: session.cookie } : {}), ...options });
    open.push(client);
    return client;
  }

  /** A conversation waiting in `queue` (handed off by the bot). */
  async function conversationIn(queue: string): Promise<string> {
    const { contacts, conversations, ownership } = running.app.modules;
    const workspaceId = running.started.workspaceId;
    const waId = `55119${String(randomBytes(4).readUInt32BE() % 1e8).padStart(8, '0')}`;
    const { contact } = await contacts.upsert(workspaceId, { e164: `+${waId}`, waId });
    const conversation = await conversations.ensure(workspaceId, running.started.sandboxNumber!.id, contact.id);
    const outcome = await ownership.transaction((trx) => ownership.handoff(trx, { workspaceId, conversationId: conversation.id, queue, actor: { type: 'bot', id: null }, reason: 'asked for a person' }));
    expect(outcome.ok).toBe(true);
    return conversation.id;
  }

  /** Records an inbox event about `conversationId`, as the inbox modules do, committed. */
  async function note(conversationId: string, text: string, workspaceId = running.started.workspaceId): Promise<void> {
    await running.app.modules.events.record(running.app.database.db, workspaceId, 'note.created', { conversation_id: conversationId, text });
  }

  const notes = (client: WsClient) => client.events().filter((frame: Json) => frame.event_type === 'note.created').map((frame: Json) => frame.data.text);

  beforeAll(async () => {
    base = running.started.platformUrl;
    const create = async (options: Parameters<typeof createUser>[1]) => {
      const user = await createUser(running, options);
      return signIn(running, user.email, user.password);
    };
    supervisor = await create({ role: 'supervisor' });
    sales = await create({ role: 'agent', teams: [{ name: 'Vendas', queue: 'sales' }] });
    support = await create({ role: 'agent', teams: [{ name: 'Suporte', queue: 'support' }] });
    otherWorkspace = (await running.app.modules.workspaces.create('Other business')).id;
    otherAdmin = await create({ role: 'admin', workspaceId: otherWorkspace });
  });

  afterAll(async () => {
    await Promise.all(open.map((client) => client.close()));
  });

  it('pushes an event to the people who may see its conversation, and to no one else', async () => {
    const salesConversation = await conversationIn('sales');
    const supportConversation = await conversationIn('support');
    const [boss, seller, helper, stranger] = await Promise.all([connect(supervisor), connect(sales), connect(support), connect(otherAdmin)]);

    await note(salesConversation, 'for sales');
    await note(supportConversation, 'for support');
    await running.app.modules.events.record(running.app.database.db, otherWorkspace, 'contact.created', { contact_id: 'ctc_x', name: 'Elsewhere' });

    await seller.waitFor((frame) => frame.data?.text === 'for sales', 'the sales agent gets the sales note');
    await boss.waitFor((frame) => frame.data?.text === 'for support', 'the supervisor gets every note');
    // Delivered in id order: once the support agent has the later note, the earlier one would have come first.
    await helper.waitFor((frame) => frame.data?.text === 'for support', 'the support agent gets the support note');
    await stranger.waitFor((frame) => frame.event_type === 'contact.created', 'the other workspace gets its own event');

    expect(notes(boss)).toEqual(['for sales', 'for support']);
    expect(notes(seller)).toEqual(['for sales']);
    expect(notes(helper)).toEqual(['for support']);
    expect(notes(stranger)).toEqual([]);
    // Events without a conversation (a contact created) reach admins and supervisors, not agents.
    expect(seller.events().some((frame: Json) => frame.event_type === 'contact.created')).toBe(false);
    expect(stranger.events().every((frame: Json) => frame.event_type === 'contact.created')).toBe(true);
    // The frame is the contract's.
    const frame = seller.events().find((event: Json) => event.data.text === 'for sales');
    expect(frame).toEqual({ type: 'event', id: expect.any(Number), event_type: 'note.created', data: { conversation_id: salesConversation, text: 'for sales' }, created_at: expect.any(String) });
  });

  it('publishes message.created when a message is queued, to the inbox only (not to webhook subscribers)', async () => {
    const conversationId = await conversationIn('sales');
    const seller = await connect(sales);
    const { messages } = running.app.modules;
    const conversation = await running.app.database.db.selectFrom('conversations').select(['contact_id']).where('id', '=', conversationId).executeTakeFirstOrThrow();
    const { message } = await messages.queue({
      workspaceId: running.started.workspaceId,
      conversationId,
      contactId: conversation.contact_id,
      phoneNumberRowId: running.started.sandboxNumber!.id,
      type: 'text',
      content: { to: '5511900000000', type: 'text', text: { body: 'Olá' } },
      category: 'service',
      pricingType: 'free_customer_service',
      costMicros: 0,
      sentBy: { type: 'agent', id: sales.user.id },
    });
    const frame = await seller.waitFor((event) => event.event_type === 'message.created' && event.data.message_id === message.id, 'message.created');
    expect(frame.data).toMatchObject({ conversation_id: conversationId, message_id: message.id, type: 'text', sent_by: { type: 'agent', id: sales.user.id } });
    expect(isWebhookEventType('message.created')).toBe(false);
    const document = await running.api('GET', '/openapi.json');
    expect(JSON.stringify(document.body)).toContain('message.received');
    expect(JSON.stringify(document.body)).not.toContain('message.created');
  });

  it('resumes with after: the missed events once, in order, then live ones, nothing twice', async () => {
    const conversationId = await conversationIn('sales');
    const first = await connect(sales);
    await note(conversationId, 'r1');
    const seen = await first.waitFor((frame) => frame.data?.text === 'r1', 'r1');
    await first.close();

    await note(conversationId, 'r2');
    await note(conversationId, 'r3');
    const again = await connect(sales, { after: seen.id });
    await again.waitFor((frame) => frame.data?.text === 'r3', 'the replay');
    await note(conversationId, 'r4');
    await again.waitFor((frame) => frame.data?.text === 'r4', 'a live event after the replay');
    expect(notes(again)).toEqual(['r2', 'r3', 'r4']);
    const ids = again.events().map((frame: Json) => frame.id as number);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(again.frames[0]).toEqual({ type: 'hello', last_id: expect.any(Number) });
  });

  it('answers reset when after is newer than anything kept, and 400 for a malformed after', async () => {
    const client = await connect(sales, { after: 999_999_999 });
    await client.waitFor((frame) => frame.type === 'reset', 'reset');
    await expect(connect(sales, { after: 'abc' })).rejects.toThrow(/HTTP 400 .*after/);
    await expect(connect(sales, { after: '-1' })).rejects.toThrow(/HTTP 400/);
  });

  it('carries typing to the others who may see the conversation, and answers ping', async () => {
    const conversationId = await conversationIn('sales');
    const [seller, boss, helper] = await Promise.all([connect(sales), connect(supervisor), connect(support)]);
    seller.send({ type: 'typing', conversation_id: conversationId });
    const typing = await boss.waitFor((frame) => frame.type === 'ephemeral', 'typing');
    expect(typing).toEqual({ type: 'ephemeral', kind: 'typing', data: { conversation_id: conversationId, user_id: sales.user.id, name: expect.any(String) } });
    // The support agent may not see a sales conversation; nor may they type in it.
    helper.send({ type: 'typing', conversation_id: conversationId });
    helper.send({ type: 'ping' });
    await helper.waitFor((frame) => frame.type === 'pong', 'pong');
    seller.send({ type: 'ping' });
    await seller.waitFor((frame) => frame.type === 'pong', 'pong');
    expect(helper.frames.some((frame: Json) => frame.type === 'ephemeral')).toBe(false);
    expect(seller.frames.some((frame: Json) => frame.type === 'ephemeral')).toBe(false);
    expect(boss.frames.filter((frame: Json) => frame.type === 'ephemeral')).toHaveLength(1);
  });

  it('tells the workspace when a person changes presence, and no other workspace', async () => {
    const [boss, stranger] = await Promise.all([connect(supervisor), connect(otherAdmin)]);
    const changed = await appApi(running, support)('PATCH', '/app/api/me', { presence: 'away' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const frame = await boss.waitFor((f) => f.type === 'ephemeral' && f.kind === 'presence', 'presence');
    expect(frame.data).toMatchObject({ user_id: support.user.id, presence: 'away' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stranger.frames.some((f: Json) => f.type === 'ephemeral')).toBe(false);
  });

  it('refuses an upgrade without a session, from another site, or with a bogus cookie', async () => {
    await expect(connect(null)).rejects.toThrow(/HTTP 401/);
    await expect(connect({ ...sales, cookie: 'conversa_session=forged' })).rejects.toThrow(/HTTP 401/);
    await expect(connect(sales, { origin: 'https://evil.example' })).rejects.toThrow(/HTTP 403 .*origin/i);
    await expect(connect(sales, { origin: null })).rejects.toThrow(/HTTP 403/);
  });

  if (dialect.name === 'postgres') {
    describe('two nodes on one database', () => {
      let nodeB: RunningApp;
      beforeAll(async () => {
        // A second node: same database and secret key (as CONVERSA_SECRET_KEY is for several nodes), no sandbox of its own.
        const secretKey = readFileSync(join(running.dataDir, 'secret.key'), 'utf8').trim();
        nodeB = await startTestApp({ databaseUrl: running.testDatabase!.url, env: { CONVERSA_SECRET_KEY: secretKey, CONVERSA_SANDBOX: 'off' }, build: { realtime: { pollMs: 60_000 } } });
      });
      afterAll(async () => {
        await nodeB?.close();
      });

      it('an event committed on node A reaches a browser connected to node B (LISTEN/NOTIFY, not the poll)', async () => {
        const conversationId = await conversationIn('sales');
        const onB = await connect(sales, { url: nodeB.started.platformUrl });
        const started = Date.now();
        await note(conversationId, 'across nodes');
        await onB.waitFor((frame) => frame.data?.text === 'across nodes', 'the event on node B', 5_000);
        // Node B polls once a minute here: only the notification can have brought it this soon.
        expect(Date.now() - started).toBeLessThan(5_000);

        const onA = await connect(supervisor);
        onB.send({ type: 'typing', conversation_id: conversationId });
        await onA.waitFor((frame) => frame.type === 'ephemeral' && frame.kind === 'typing', 'typing from node B on node A');
      });
    });
  }
});
