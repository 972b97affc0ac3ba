import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type Database } from '../src/db/index.js';
import { Events } from '../src/modules/events/index.js';
import {
  WebhookDeliveryWorker,
  WebhookFanOut,
  Webhooks,
  verifyConversaSignature,
  type PostOutcome,
  type WebhookTransport,
} from '../src/modules/webhooks/index.js';
import { Workspaces } from '../src/modules/workspaces/index.js';
import { SecretBox } from '../src/security/index.js';
import { DIALECTS, type TestDatabase } from './support/databases.js';

/** Records every POST and answers from a script (default 200). */
class ScriptedTransport implements WebhookTransport {
  readonly posts: Array<{ url: string; body: string; headers: Record<string, string> }> = [];
  script: PostOutcome[] = [];
  async post(url: string, body: string, headers: Record<string, string>): Promise<PostOutcome> {
    this.posts.push({ url, body, headers });
    return this.script.shift() ?? { ok: true, status: 200, body: 'ok' };
  }
  async close(): Promise<void> {}
}

describe.each(DIALECTS)('outbound webhooks storage on $name', (dialect) => {
  const logger = pino({ level: 'silent' });
  const box = new SecretBox(randomBytes(32).toString('hex'));
  let target: TestDatabase;
  let database: Database;
  let clock = Date.parse('2025-03-01T12:00:00Z');
  const now = () => new Date(clock);
  let events: Events;
  let webhooks: Webhooks;
  let transport: ScriptedTransport;
  let fanOut: WebhookFanOut;
  let worker: WebhookDeliveryWorker;
  let workspace: string;

  /** Runs the delivery worker once and waits for its attempts. */
  const deliver = async () => {
    const claimed = await worker.tick();
    await worker.settle();
    return claimed;
  };
  const deliveriesOf = (subscriptionId: string) =>
    database.db.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', subscriptionId).orderBy('event_id').execute();
  const record = (type: 'message.received' | 'message.status' | 'consent.changed', data: Record<string, unknown>, ws = workspace) =>
    database.db.transaction().execute((trx) => events.record(trx, ws, type, data));

  beforeAll(async () => {
    target = await dialect.create({ migrated: true });
    database = openDatabase(target.url);
    await migrateToLatest(database);
    events = new Events(database.db, now);
    webhooks = new Webhooks(database.db, box, events, now);
    transport = new ScriptedTransport();
    fanOut = new WebhookFanOut(database.db, database.capabilities, events, logger, now);
    worker = new WebhookDeliveryWorker(database.db, database.capabilities, box, transport, logger, now, { retry: { baseMs: 1000, maxAttempts: 3 } });
  });
  afterAll(async () => {
    await database.close();
    await target.drop();
  });
  beforeEach(async () => {
    workspace = (await new Workspaces(database.db).create(`Loja ${randomBytes(3).toString('hex')}`)).id;
    transport.posts.length = 0;
    transport.script = [];
  });

  it('fans out one delivery per matching active subscription per event, however often events are read', async () => {
    await record('message.received', { n: 0 }); // before any subscription: nobody gets it
    const received = await webhooks.create(workspace, { url: 'http://127.0.0.1:9/received', events: ['message.received'] });
    const everything = await webhooks.create(workspace, { url: 'http://127.0.0.1:9/all', events: ['*'] });
    const consent = await webhooks.create(workspace, { url: 'http://127.0.0.1:9/consent', events: ['consent.changed'] });
    const paused = await webhooks.create(workspace, { url: 'http://127.0.0.1:9/paused', events: ['*'], active: false });
    const elsewhere = await webhooks.create((await new Workspaces(database.db).create('Outra')).id, { url: 'http://127.0.0.1:9/other', events: ['*'] });
    expect(received.secret).toMatch(/^whsec_/);
    const stored = await database.db.selectFrom('webhook_subscriptions').select('secret_enc').where('id', '=', received.id).executeTakeFirstOrThrow();
    expect(stored.secret_enc).not.toContain(received.secret);

    await record('message.received', { n: 1 });
    await record('message.status', { n: 2 });
    await record('message.received', { n: 3 });
    expect(await fanOut.tick()).toBeGreaterThan(0);
    expect(await fanOut.tick()).toBe(0);
    // Another node that starts from an older position reads the same events again: no duplicates.
    const position = Number((await database.db.selectFrom('event_consumers').select('position').executeTakeFirstOrThrow()).position);
    await database.db.updateTable('event_consumers').set({ position: position - 3 }).execute();
    await new WebhookFanOut(database.db, database.capabilities, events, logger, now).tick();

    const toReceived = await deliveriesOf(received.id);
    expect(toReceived.map((d) => [d.event_type, JSON.parse(d.payload).data.n])).toEqual([['message.received', 1], ['message.received', 3]]);
    expect((await deliveriesOf(everything.id)).map((d) => d.event_type)).toEqual(['message.received', 'message.status', 'message.received']);
    expect(await deliveriesOf(consent.id)).toEqual([]);
    expect(await deliveriesOf(paused.id)).toEqual([]);
    expect(await deliveriesOf(elsewhere.id)).toEqual([]);
    const body = JSON.parse(toReceived[0]!.payload);
    expect(body).toEqual({ id: `evt_${toReceived[0]!.event_id}`, type: 'message.received', created_at: now().toISOString(), workspace_id: workspace, data: { n: 1 } });
    for (const sub of [received, everything]) await webhooks.remove(workspace, sub.id);
  });

  it('signs each attempt, retries failures with growing delays, and records every attempt', async () => {
    const sub = await webhooks.create(workspace, { url: 'http://127.0.0.1:9/hook', events: ['message.status'] });
    await record('message.status', { status: 'delivered' });
    await fanOut.tick();
    transport.script = [{ ok: true, status: 500, body: 'boom' }, { ok: false, error: 'ECONNREFUSED: connect ECONNREFUSED' }];

    expect(await deliver()).toBe(1);
    const [afterFirst] = await deliveriesOf(sub.id);
    expect(afterFirst).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 500, last_error: 'HTTP 500: boom' });
    const firstDelay = Date.parse(afterFirst!.next_attempt_at!) - clock;
    expect(firstDelay).toBeGreaterThanOrEqual(800);
    expect(firstDelay).toBeLessThanOrEqual(1200);
    expect(await deliver()).toBe(0); // not due yet

    clock += firstDelay;
    expect(await deliver()).toBe(1);
    const [afterSecond] = await deliveriesOf(sub.id);
    expect(afterSecond).toMatchObject({ status: 'pending', attempts: 2, last_status_code: null, last_error: expect.stringContaining('ECONNREFUSED') });
    const secondDelay = Date.parse(afterSecond!.next_attempt_at!) - clock;
    expect(secondDelay).toBeGreaterThanOrEqual(1600);
    expect(secondDelay).toBeLessThanOrEqual(2400);

    clock += secondDelay;
    expect(await deliver()).toBe(1);
    const [delivered] = await deliveriesOf(sub.id);
    expect(delivered).toMatchObject({ status: 'delivered', attempts: 3, last_status_code: 200, last_error: null, delivered_at: now().toISOString(), next_attempt_at: null });

    expect(transport.posts).toHaveLength(3);
    for (const post of transport.posts) {
      expect(post.url).toBe('http://127.0.0.1:9/hook');
      expect(post.body).toBe(delivered!.payload);
      expect(post.headers).toMatchObject({ 'content-type': 'application/json', 'conversa-event': 'message.status', 'conversa-delivery': delivered!.id });
      expect(verifyConversaSignature(sub.secret, post.headers['conversa-signature'], post.body)).toMatchObject({ ok: true });
      expect(verifyConversaSignature('whsec_wrong', post.headers['conversa-signature'], post.body).ok).toBe(false);
    }
    const detail = await webhooks.delivery(workspace, sub.id, delivered!.id);
    expect(detail?.attempt_log.map((a) => a.status_code)).toEqual([500, null, 200]);
    expect(detail?.payload).toMatchObject({ type: 'message.status', data: { status: 'delivered' } });
  });

  it('gives up after the last attempt, and replays failed and delivered deliveries', async () => {
    const sub = await webhooks.create(workspace, { url: 'http://127.0.0.1:9/down', events: ['*'] });
    await record('consent.changed', { status: 'opted_out' });
    await record('message.received', { n: 1 });
    await fanOut.tick();
    transport.script = Array.from({ length: 6 }, () => ({ ok: true, status: 503, body: '' }));
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(await deliver()).toBe(2);
      clock += 10_000;
    }
    expect(await deliver()).toBe(0);
    const failed = await deliveriesOf(sub.id);
    expect(failed.map((d) => [d.status, d.attempts, d.next_attempt_at])).toEqual([['failed', 3, null], ['failed', 3, null]]);
    expect((await webhooks.deliveries(workspace, sub.id, { limit: 10, status: 'failed' })).data).toHaveLength(2);

    expect(await webhooks.replayAll(workspace, sub.id, 'failed')).toBe(2);
    expect(await deliver()).toBe(2);
    expect((await deliveriesOf(sub.id)).map((d) => [d.status, d.attempts])).toEqual([['delivered', 1], ['delivered', 1]]);

    const posts = transport.posts.length;
    const again = await webhooks.replayDelivery(workspace, sub.id, failed[0]!.id);
    expect(again).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await deliver()).toBe(1);
    expect(transport.posts).toHaveLength(posts + 1);
    expect(transport.posts.at(-1)?.body).toBe(failed[0]!.payload);
    expect((await webhooks.delivery(workspace, sub.id, failed[0]!.id))?.attempt_log.map((a) => a.status_code)).toEqual([503, 503, 503, 200, 200]);
    expect(await webhooks.replayDelivery(workspace, sub.id, 'whd_unknown')).toBeUndefined();
  });

  it('pauses deliveries of an inactive subscription, sends them when it is active again, signed with a rotated secret', async () => {
    const sub = await webhooks.create(workspace, { url: 'http://127.0.0.1:9/later', events: ['message.received'] });
    await record('message.received', { n: 1 });
    await fanOut.tick();
    await webhooks.update(workspace, sub.id, { active: false });
    expect(await deliver()).toBe(0);
    const rotated = await webhooks.update(workspace, sub.id, { active: true, rotateSecret: true });
    expect(rotated?.secret).toMatch(/^whsec_/);
    expect(rotated?.secret).not.toBe(sub.secret);
    expect(await deliver()).toBe(1);
    const post = transport.posts.at(-1)!;
    expect(verifyConversaSignature(rotated!.secret!, post.headers['conversa-signature'], post.body).ok).toBe(true);
    expect(verifyConversaSignature(sub.secret, post.headers['conversa-signature'], post.body).ok).toBe(false);
    expect(await webhooks.get(workspace, sub.id)).not.toHaveProperty('secret');
  });

  it.skipIf(dialect.name === 'sqlite')('does not skip an event whose transaction commits after a later one (several writers)', async () => {
    // SQLite has one writer: ids are assigned and committed in order, so this cannot happen there.
    const sub = await webhooks.create(workspace, { url: 'http://127.0.0.1:9/order', events: ['message.received'] });
    await fanOut.tick();
    let commit!: () => void;
    const held = new Promise<void>((resolve) => (commit = resolve));
    let recorded!: () => void;
    const inserted = new Promise<void>((resolve) => (recorded = resolve));
    const slow = database.db.transaction().execute(async (trx) => {
      await events.record(trx, workspace, 'message.received', { n: 'slow' });
      recorded();
      await held;
    });
    await inserted;
    await record('message.received', { n: 'fast' });
    await fanOut.tick();
    expect((await deliveriesOf(sub.id)).map((d) => JSON.parse(d.payload).data.n)).toEqual(['fast']);
    commit();
    await slow;
    await fanOut.tick();
    expect((await deliveriesOf(sub.id)).map((d) => JSON.parse(d.payload).data.n)).toEqual(['slow', 'fast']);
    const position = await database.db.selectFrom('event_consumers').select('position').executeTakeFirstOrThrow();
    expect(Number(position.position)).toBe(await events.lastId());
  });
});
