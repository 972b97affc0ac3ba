import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageKeyOf } from '../src/modules/media/index.js';
import { DIALECTS } from './support/databases.js';
import { pngFile } from './support/media-files.js';
import { useApp } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

const DAY = 86_400_000;

/**
 * The retention rules (docs/data-protection.md#retention), each with what it prunes and what it
 * must keep: processed raw webhooks vs unprocessed ones, outbox events every consumer received vs
 * those a consumer has not, finished webhook deliveries vs pending ones, expired sessions and
 * finished bot/media work vs live ones, and message contents and media per workspace (off until
 * the workspace turns them on). The platform's clock is moved forward (`realNow`) instead of
 * waiting; each rule runs through `app.modules.retention.runOnce()`, the job's own pass.
 */
describe.each(DIALECTS)('retention on $name', (dialect) => {
  let shift = 0;
  const running = useApp(dialect, { env: { CONVERSA_WEBHOOKS_ALLOW_PRIVATE: 'on', CONVERSA_DEMO_FLOW: 'off' }, build: { realNow: () => Date.now() + shift, retention: { pauseMs: 0 } } });
  const api = running.api;
  const sandbox = running.sandbox;
  const db = () => running.app.database.db;
  const now = () => running.app.clock.now();
  const prune = () => running.app.modules.retention.runOnce();
  let pn: string;
  let hooks: Server;
  let hookUrl: string;

  beforeAll(async () => {
    pn = running.pn;
    // A company system: /ok answers 200, /down answers 500 (its deliveries stay pending).
    hooks = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(req.url === '/ok' ? 200 : 500).end());
    });
    await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => hooks.close(() => resolve()));
  });

  const customerWrites = async (waId: string, body: string): Promise<string> => {
    const sent = await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: pn, type: 'text', text: { body } });
    expect(sent.status).toBe(201);
    return sent.body.id as string;
  };
  /** Waits until the platform stored the customer's messages (by wamid) and processed every webhook. */
  const stored = async (...wamids: string[]) => {
    await until(async () => (await db().selectFrom('messages').select('id').where('wamid', 'in', wamids).execute()).length === wamids.length, 'the messages stored');
    await processed();
  };
  /** Events a dead processor holds (inserted by a test): never processed. */
  let stuckEvents = 0;
  const processed = () => until(async () => (await running.app.modules.inboundEvents.pendingCount()) === stuckEvents, 'every webhook processed');
  const count = async (table: 'inbound_events' | 'outbox_events' | 'webhook_deliveries' | 'webhook_delivery_attempts' | 'user_sessions' | 'bot_tasks' | 'bot_log' | 'media_downloads') =>
    Number((await db().selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('deletes raw webhook events processed more than 30 days ago, never an unprocessed one, and keeps recent ones', async () => {
    const wamids: string[] = [];
    for (const [i, text] of ['um', 'dois', 'três'].entries()) wamids.push(await customerWrites(`55119333000${i}`, text));
    await stored(...wamids);
    const old = await db().selectFrom('inbound_events').select('id').execute();
    expect(old.length).toBeGreaterThanOrEqual(3);
    // A webhook a dead processor holds under a long lease: stored long ago, never processed.
    const stuck = await db()
      .insertInto('inbound_events')
      .values({ workspace_id: running.started.workspaceId, dedupe_key: `${running.started.workspaceId}/o:stuck`, field: 'messages', kind: 'other', payload: '{}', ref: null, received_at: new Date(now().getTime() - 40 * DAY).toISOString(), processed_at: null, claimed_until: new Date(now().getTime() + 400 * DAY).toISOString(), attempts: 1, last_error: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    stuckEvents += 1;

    shift += 20 * DAY;
    await stored(await customerWrites('5511933300010', 'vinte dias depois'));
    expect((await prune()).inbound_events).toBe(0); // 20 days: nothing is old enough yet

    shift += 11 * DAY; // the first ones were processed 31 days ago, the last one 11
    const report = await prune();
    expect(report.inbound_events).toBeGreaterThanOrEqual(old.length);
    const left = await db().selectFrom('inbound_events').select(['id', 'processed_at']).execute();
    expect(left.map((row) => Number(row.id))).toContain(Number(stuck.id));
    expect(left.some((row) => row.processed_at !== null)).toBe(true); // the 11-day-old one
    expect(left.some((row) => old.some((o) => Number(o.id) === Number(row.id)))).toBe(false);
    await db().deleteFrom('inbound_events').where('id', '=', Number(stuck.id)).execute();
    stuckEvents -= 1;
  });

  it('deletes outbox events only below every consumer position and past the 24 h grace, and always keeps the newest', async () => {
    const fanOut = running.app.modules.webhookFanOut;
    const events = running.app.modules.events;
    const caughtUp = () => until(async () => (await fanOut.committedPosition()) === (await events.lastId()), 'the fan-out caught up');
    await caughtUp();
    const before = await events.lastId();
    await stored(await customerWrites('5511933300020', 'evento lido'));
    await caughtUp();
    const consumed = await fanOut.committedPosition();
    const recent = async () => (await db().selectFrom('outbox_events').select('id').where('id', '>', before).execute()).map((row) => Number(row.id));
    // The fan-out stops (a node down): what it has not read must stay.
    await fanOut.stop();
    try {
      await stored(await customerWrites('5511933300021', 'evento não lido'));
      const unread = (await recent()).filter((id) => id > consumed);
      expect(unread.length).toBeGreaterThan(0);

      shift += 2 * 3600_000;
      await prune(); // older tests' events go; this test's are within the grace: inbox clients may still resume from them
      expect((await recent()).filter((id) => id <= consumed).length).toBeGreaterThan(0);
      shift += 23 * 3600_000;
      const report = await prune();
      expect(report.outbox_events).toBeGreaterThan(0);
      // Everything the fan-out read is gone; what it has not read stays, past the grace or not.
      expect(await recent()).toEqual(unread);
      expect(await events.firstId()).toBe(unread[0]);
    } finally {
      fanOut.start();
    }
    await caughtUp();
    shift += 25 * 3600_000;
    await prune();
    // Every consumer has everything, all past the grace: the newest event is kept, so lastId never goes back to 0.
    expect(await count('outbox_events')).toBe(1);
    expect(await events.lastId()).toBeGreaterThan(0);
  });

  it('deletes webhook deliveries (and their attempts) finished more than 30 days ago, never a pending one', async () => {
    const ok = await api('POST', '/webhooks', { url: `${hookUrl}/ok`, events: ['message.received'] });
    const down = await api('POST', '/webhooks', { url: `${hookUrl}/down`, events: ['message.received'] });
    expect([ok.status, down.status]).toEqual([201, 201]);
    await stored(await customerWrites('5511933300030', 'para o CRM'));
    const ofSubscription = (id: string) => db().selectFrom('webhook_deliveries').select(['id', 'status']).where('subscription_id', '=', id).execute();
    await until(async () => (await ofSubscription(ok.body.id)).some((d) => d.status === 'delivered') && (await ofSubscription(down.body.id)).length > 0 && (await count('webhook_delivery_attempts')) >= 2, 'one delivered, one failing');
    expect(await count('webhook_delivery_attempts')).toBeGreaterThan(0);

    shift += 31 * DAY;
    await prune();
    expect(await ofSubscription(ok.body.id)).toEqual([]);
    const pending = await ofSubscription(down.body.id);
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.every((d) => d.status === 'pending')).toBe(true);
    // The pending delivery's attempts stay with it; the delivered one's went with it.
    const attempts = await db().selectFrom('webhook_delivery_attempts').select('delivery_id').execute();
    expect(attempts.every((a) => pending.some((d) => d.id === a.delivery_id))).toBe(true);
    for (const id of [ok.body.id, down.body.id]) expect((await api('DELETE', `/webhooks/${id}`)).status).toBe(204);
  });

  it('deletes expired sessions, finished bot tasks and old bot log lines; keeps live ones', async () => {
    const at = (ms: number) => new Date(now().getTime() + ms).toISOString();
    const user = await db().selectFrom('users').select('id').executeTakeFirstOrThrow();
    await db().insertInto('user_sessions').values([
      { id: 'sess-expired', user_id: user.id, created_at: at(-9 * DAY), expires_at: at(-DAY), last_seen_at: at(-2 * DAY) },
      { id: 'sess-live', user_id: user.id, created_at: at(-DAY), expires_at: at(DAY), last_seen_at: at(0) },
    ]).execute();
    await stored(await customerWrites('5511933300040', 'conversa do bot'));
    const conversation = await db().selectFrom('conversations').select(['id', 'workspace_id']).executeTakeFirstOrThrow();
    const task = (id: string, doneAt: string | null) => ({ id, workspace_id: conversation.workspace_id, conversation_id: conversation.id, kind: 'wait', effect_id: id, payload: '{}', due_at: at(100 * DAY), claimed_until: null, attempts: 0, done_at: doneAt, last_error: null, created_at: at(-40 * DAY) });
    await db().insertInto('bot_tasks').values([task('task-done-old', at(-31 * DAY)), task('task-done-new', at(-DAY)), task('task-waiting', null)]).execute();
    const line = (id: string, createdAt: string) => ({ id, workspace_id: conversation.workspace_id, conversation_id: conversation.id, flow: 'f', version: 1, step: null, level: 'info', message: 'm', created_at: createdAt });
    await db().insertInto('bot_log').values([line('log-old', at(-31 * DAY)), line('log-new', at(-DAY))]).execute();

    await prune();
    expect((await db().selectFrom('user_sessions').select('id').where('id', 'like', 'sess-%').execute()).map((r) => r.id)).toEqual(['sess-live']);
    expect((await db().selectFrom('bot_tasks').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual(['task-done-new', 'task-waiting']);
    expect((await db().selectFrom('bot_log').select('id').where('id', 'like', 'log-%').execute()).map((r) => r.id)).toEqual(['log-new']);
  });

  it('prunes on one node at a time: on PostgreSQL a pass skips while another node holds the retention lock', async () => {
    if (dialect.name !== 'postgres') return; // SQLite has one node (its locks are local)
    const otherNode = running.app.database.openSessionLocks();
    try {
      expect(await otherNode.tryHold('retention')).toBe(true);
      expect((await prune()).skipped).toBe(true);
      await otherNode.release('retention');
      expect((await prune()).skipped).toBe(false);
    } finally {
      await otherNode.close();
    }
  });

  it('keeps message contents and media until the workspace turns retention on; then expires them, keeping type, status and cost', async () => {
    expect((await api('GET', '/retention')).body).toMatchObject({ message_content_days: null, media_days: null, installation: { inbound_events_days: 30, outbox_hours: 24, webhook_deliveries_days: 30, job_log_days: 30 } });
    const bad = await api('PUT', '/retention', { message_content_days: 0 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/message_content_days/);
    expect((await api('PUT', '/retention', { media_days: 'soon' })).status).toBe(400);
    expect((await api('PUT', '/retention', {})).status).toBe(400);

    const waId = '5511933300050';
    const textWamid = await customerWrites(waId, 'meu CPF é 123');
    const png = pngFile({ width: 2, height: 2, rgba: [1, 2, 3, 255] });
    const photo = await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: pn, type: 'image', image: { data_base64: png.toString('base64'), mime_type: 'image/png' } });
    expect(photo.status).toBe(201);
    const media = await until(async () => {
      const row = await db().selectFrom('media').selectAll().where('direction', '=', 'in').where('status', '=', 'ready').executeTakeFirst();
      return row ?? false;
    }, 'the photo downloaded');
    const file = join(running.dataDir, 'media', ...storageKeyOf(media.sha256 as string).split('/'));
    expect(existsSync(file)).toBe(true);
    const sent = await api('POST', '/messages', { to: `+${waId}`, type: 'text', text: { body: 'Recebido, obrigado' } });
    expect(sent.status).toBe(202);
    await until(async () => ['sent', 'delivered', 'read'].includes((await api('GET', `/messages/${sent.body.id}`)).body.status as string), 'the answer sent');
    await stored(textWamid, photo.body.id as string);
    const text = await db().selectFrom('messages').selectAll().where('wamid', '=', textWamid).executeTakeFirstOrThrow();

    // A message's time is its number's: the sandbox number's clock moves with the platform's.
    shift += 400 * DAY;
    expect((await sandbox('POST', '/sandbox/v1/clock', { advance_seconds: 400 * 86_400 })).status).toBe(200);
    // The photo's finished download job goes with the job log (30 days); the media record stays.
    expect((await prune()).media_downloads).toBeGreaterThanOrEqual(1);
    expect(await count('media_downloads')).toBe(0);
    // Off (the default): nothing of the conversation changed.
    expect((await db().selectFrom('messages').select('content').where('id', '=', text.id).executeTakeFirstOrThrow()).content).toBe(text.content);
    expect((await api('GET', `/media/${media.id}/content`)).status).toBe(200);

    const put = await api('PUT', '/retention', { message_content_days: 90, media_days: 30 });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ message_content_days: 90, media_days: 30, updated_at: expect.any(String) });
    const fresh = await customerWrites(waId, 'mensagem de hoje');
    await stored(fresh);
    const report = await prune();
    expect(report.message_contents).toBeGreaterThanOrEqual(3);
    expect(report.media).toBe(1);

    const expired = (await api('GET', `/messages/${text.id}`)).body as Json;
    expect(expired).toMatchObject({ id: text.id, type: 'text', status: text.status, created_at: text.created_at, content: { expired: 'retention' } });
    expect(JSON.stringify(expired)).not.toMatch(/CPF/);
    const answer = (await api('GET', `/messages/${sent.body.id}`)).body as Json;
    expect(answer).toMatchObject({ type: 'text', content: { expired: 'retention' }, status: expect.stringMatching(/sent|delivered|read/) });
    expect(answer.cost).toEqual(sent.body.cost ?? answer.cost);
    // Today's message is kept.
    expect((await db().selectFrom('messages').select('content').where('wamid', '=', fresh).executeTakeFirstOrThrow()).content).toMatch(/mensagem de hoje/);
    // The photo: the record stays (expired), its bytes are gone, its content answers 410.
    expect((await api('GET', `/media/${media.id}`)).body).toMatchObject({ id: media.id, status: 'expired', sha256: media.sha256 });
    const gone = await api('GET', `/media/${media.id}/content`);
    expect(gone.status).toBe(410);
    expect(gone.body.error.code).toBe('CONVERSA_ERR_MEDIA_EXPIRED');
    expect(existsSync(file)).toBe(false);

    // A second pass finds nothing new (the cursors moved past what was done).
    const again = await prune();
    expect([again.message_contents, again.media]).toEqual([0, 0]);
    expect((await api('PUT', '/retention', { message_content_days: null, media_days: null })).body).toMatchObject({ message_content_days: null, media_days: null });
  });
});
