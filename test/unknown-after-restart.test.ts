import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/modules/messaging/index.js';
import { WhatsAppClient } from '../src/whatsapp/index.js';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { until } from './support/wait.js';

/**
 * A message whose send outcome is unknown (the platform died mid-request) is not sent again
 * while its number's webhooks are known to be behind: its status webhook may sit in the
 * provider's retry backoff, which grows with the outage. The grace is measured from when the
 * number's webhooks arrive again after the restart, and never ends before twice the outage has
 * passed since. Driven by hand with a 400 ms grace: a platform down 2 s must not resend at 0.4 s
 * (which the grace measured from the restart did, as 30 s did after 150 s of downtime).
 */
const GRACE_MS = 400;
const OUTAGE_MS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(DIALECTS)('unknown send outcomes after a restart on $name', (dialect) => {
  // The app stores webhooks; its own dispatcher stays idle: the test plays the restarted one.
  const running = useApp(dialect, { build: { manualWorkers: true } });
  const sandbox = running.sandbox;

  const received = async (waId: string) => ((await sandbox('GET', `/sandbox/v1/phones/${waId}/messages`)).body.data ?? []).length as number;
  const statusOf = async (id: string) => (await running.app.database.db.selectFrom('messages').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
  const stored = async () => Number((await running.app.database.db.selectFrom('inbound_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it("holds it until the number's webhooks flow again and twice the outage has passed, then sends it once", async () => {
    const { contacts, conversations, messages, phoneNumbers, inboundEvents } = running.app.modules;
    const workspaceId = running.started.workspaceId;
    const number = running.started.sandboxNumber!;
    const waId = '5511966660001';
    // The customer wrote before the outage (window open); that webhook is old news.
    const before = await stored();
    await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: number.phone_number_id, type: 'text', text: { body: 'Oi' } });
    await until(async () => (await stored()) > before, 'the customer message stored');
    const { contact } = await contacts.upsert(workspaceId, { e164: `+${waId}`, waId });
    const conversation = await conversations.ensure(workspaceId, number.id, contact.id);
    const { message } = await messages.queue({ workspaceId, conversationId: conversation.id, contactId: contact.id, phoneNumberRowId: number.id, type: 'text', content: { to: waId, type: 'text', text: { body: 'Seu pedido saiu' } }, category: 'service', pricingType: 'free_customer_service', costMicros: 0 });
    // The previous process claimed it 2 s ago and died before the request reached the provider.
    const claimedAt = new Date(Date.now() - OUTAGE_MS).toISOString();
    await running.app.database.db.updateTable('messages').set({ status: 'sending', claimed_at: claimedAt, updated_at: claimedAt, attempts: 1 }).where('id', '=', message.id).execute();

    // The platform is back up: its dispatcher recovers.
    const dispatcher = new Dispatcher(running.app.database.db, running.app.database.capabilities, new WhatsAppClient(), phoneNumbers, pino({ level: 'silent' }), running.app.clock, {
      unknownGraceMs: GRACE_MS,
      statuses: inboundEvents,
      arrivals: inboundEvents,
      // A claim older than this is a dead process's (PostgreSQL recovers only those).
      leaseMs: 1_000,
    });
    const restart = Date.now();
    expect(await dispatcher.recover()).toBe(1);
    const pass = async () => {
      await dispatcher.tick();
      await dispatcher.tick();
      await sleep(100);
    };
    // The dispatcher looks at unknown messages at most once a second: each check is a second apart.
    const at = (ms: number) => sleep(Math.max(0, restart + ms - Date.now()));
    try {
      // Past the grace, but no webhook about the number has arrived since the restart: held.
      await at(GRACE_MS + 500);
      await pass();
      expect(await statusOf(message.id)).toBe('unknown');
      expect(await received(waId)).toBe(0);

      // The number's webhooks flow again (another customer writes) ...
      const flowing = await stored();
      await sandbox('POST', `/sandbox/v1/phones/5511966660002/messages`, { to: number.phone_number_id, type: 'text', text: { body: 'Olá' } });
      await until(async () => (await stored()) > flowing, 'a webhook about the number after the restart');
      const back = Date.now();
      // ... a grace later, and the outage has passed once since the restart, but not twice: still
      // held (a backoff that doubled, with jitter, through 2 s of failures may wait up to 3 s more).
      await at(2_200);
      expect(Date.now() - back).toBeGreaterThan(GRACE_MS);
      expect(Date.now() - restart).toBeGreaterThan(OUTAGE_MS);
      expect(Date.now() - restart).toBeLessThan(2 * OUTAGE_MS - 500);
      await pass();
      expect(await statusOf(message.id)).toBe('unknown');
      expect(await received(waId)).toBe(0);

      // Once both have passed it goes again, exactly once.
      await at(2 * OUTAGE_MS);
      await until(
        async () => {
          await pass();
          return (await received(waId)) > 0;
        },
        'the message sent again',
        5_000,
      );
      await pass();
      await pass();
      expect(await received(waId)).toBe(1);
      expect(['accepted', 'sent', 'delivered', 'read']).toContain(await statusOf(message.id));
    } finally {
      await dispatcher.stop();
    }
  });
});
