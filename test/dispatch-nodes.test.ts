import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/index.js';
import { Dispatcher } from '../src/modules/messaging/index.js';
import { WhatsAppClient } from '../src/whatsapp/index.js';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { until } from './support/wait.js';

/**
 * Several nodes dispatching from one PostgreSQL database hold each number to its throughput:
 * one advisory lock per number lets only one node send for it, so its token bucket is the only
 * one. Without the locks two nodes each spend a full bucket and the provider answers 130429.
 */
const postgres = DIALECTS.find((dialect) => dialect.name === 'postgres')!;
const MPS = 20;
const silent = pino({ level: 'silent' });

describe('dispatch from two nodes on PostgreSQL', () => {
  const running = useApp(postgres, { build: { manualWorkers: true } });
  let second: Database;
  let sandboxUrl: string;
  let numberId: string;
  let batch = 0;

  beforeAll(async () => {
    sandboxUrl = running.started.sandboxUrl!;
    const number = running.started.sandboxNumber!;
    numberId = number.id;
    const patched = await fetch(`${sandboxUrl}/sandbox/v1/phone-numbers/${number.phone_number_id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ throughput_mps: MPS }) });
    expect(patched.status).toBe(200);
    await running.app.modules.phoneNumbers.updateEndpoint(number.id, sandboxUrl, MPS);
    second = openDatabase(running.testDatabase!.url);
  });

  afterAll(async () => {
    await second?.close();
  });

  /** Queues `count` text messages to distinct customers; answers their ids. */
  async function queue(count: number): Promise<string[]> {
    const { contacts, conversations, messages } = running.app.modules;
    const workspaceId = running.started.workspaceId;
    batch += 1;
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const waId = `55119${String(batch).padStart(2, '0')}${String(i).padStart(6, '0')}`;
      const { contact } = await contacts.upsert(workspaceId, { e164: `+${waId}`, waId });
      const conversation = await conversations.ensure(workspaceId, numberId, contact.id);
      const { message } = await messages.queue({ workspaceId, conversationId: conversation.id, contactId: contact.id, phoneNumberRowId: numberId, type: 'text', content: { to: waId, type: 'text', text: { body: `Pedido ${i}` } }, category: 'service', pricingType: 'free_customer_service', costMicros: 0 });
      ids.push(message.id);
    }
    return ids;
  }

  function node(db: Database, withLocks: boolean): Dispatcher {
    return new Dispatcher(db.db, db.capabilities, new WhatsAppClient(), running.app.modules.phoneNumbers, silent, running.app.clock, {
      retryBaseMs: 200,
      pollMs: 20,
      ...(withLocks ? { locks: db.openSessionLocks(), lockIdleMs: 60_000 } : {}),
    });
  }

  async function outcome(ids: string[]) {
    const rows = await running.app.database.db.selectFrom('messages').select(['id', 'status', 'attempts', 'updated_at']).where('id', 'in', ids).execute();
    return { pending: rows.filter((row) => row.status === 'queued' || row.status === 'sending').length, retried: rows.filter((row) => row.attempts > 1).length, rows };
  }

  it('without the locks two nodes overrun the number and the provider answers 130429', async () => {
    const ids = await queue(60);
    const nodes = [node(running.app.database, false), node(second, false)];
    nodes.forEach((dispatcher) => dispatcher.start());
    try {
      await until(async () => (await outcome(ids)).pending === 0, 'all messages sent', 30_000);
    } finally {
      await Promise.all(nodes.map((dispatcher) => dispatcher.stop()));
    }
    // Both nodes spent a full bucket at once: the sandbox refused a share with 130429 and they were retried.
    expect((await outcome(ids)).retried).toBeGreaterThan(0);
  });

  it('with one advisory lock per number, one node sends at the throughput and another takes over when it stops', async () => {
    // Let the sandbox's bucket for the number refill after the previous test.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const ids = await queue(100);
    const first = node(running.app.database, true);
    const other = node(second, true);
    const started = Date.now();
    first.start();
    await until(async () => (await outcome(ids)).pending < 100, 'the first node to start sending', 10_000);
    other.start();
    // Midway the first node stops (as a node that shuts down: its lock connection closes).
    await until(async () => (await outcome(ids)).pending <= 60, '40 messages sent', 20_000);
    await first.stop();
    try {
      await until(async () => (await outcome(ids)).pending === 0, 'the other node to send the rest', 30_000);
    } finally {
      await other.stop();
    }
    const { retried, rows } = await outcome(ids);
    expect(rows.every((row) => row.status === 'accepted' || row.status === 'sent' || row.status === 'delivered' || row.status === 'read')).toBe(true);
    // Never over the number's throughput: no send was refused with 130429 and retried...
    expect(retried).toBe(0);
    // ...and 100 messages at 20/s (a one-second burst, then 20 per second) took at least 4 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(((100 - MPS) / MPS) * 1000 - 200);
    const received = (await (await fetch(`${sandboxUrl}/sandbox/v1/phones`)).json()) as { data: Array<{ wa_id: string; received_count: number }> };
    const ours = received.data.filter((phone) => phone.wa_id.startsWith(`55119${String(batch).padStart(2, '0')}`));
    expect(ours.reduce((sum, phone) => sum + phone.received_count, 0)).toBe(100);
  }, 60_000);
});
