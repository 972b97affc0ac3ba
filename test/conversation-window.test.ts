import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/index.js';
import { Contacts } from '../src/modules/contacts/index.js';
import { Conversations } from '../src/modules/conversations/index.js';
import { PhoneNumbers } from '../src/modules/phone-numbers/index.js';
import { Workspaces } from '../src/modules/workspaces/index.js';
import { SecretBox } from '../src/security/index.js';
import { DIALECTS, type TestDatabase } from './support/databases.js';

/**
 * A customer's message and the conversation's window (cloud-api-facts.md §4): the one update
 * every inbound message makes decides in SQL which columns move, so it must move each only
 * forward: a message that arrives late (webhooks are not ordered) never shortens the window.
 */
describe.each(DIALECTS)('the customer service window on $name', (dialect) => {
  let target: TestDatabase;
  let database: Database;

  beforeAll(async () => {
    target = await dialect.create({ migrated: true });
    database = openDatabase(target.url);
  });
  afterAll(async () => {
    await database.close();
    await target.drop();
  });

  it('opens for 24 h from the latest message, ignores a late one, opens the 72 h entry point for an ad, and wakes a snoozed conversation', async () => {
    const workspace = await new Workspaces(database.db).create('Janela');
    const number = await new PhoneNumbers(database.db, new SecretBox(randomBytes(32).toString('hex'))).connect({
      workspaceId: workspace.id,
      provider: 'cloud_api',
      wabaId: '102290129340111',
      phoneNumberId: '106540352242111',
      displayPhoneNumber: '5511940000111',
      verifiedName: 'Janela',
      graphBaseUrl: 'https://graph.facebook.com/',
      graphVersion: 'v23.0',
      accessToken: 'token',
      appSecret: 'secret',
      verifyToken: 'verify',
      throughputMps: 80,
    });
    const { contact } = await new Contacts(database.db).upsert(workspace.id, { e164: '+5511987650001', waId: '5511987650001' });
    const conversations = new Conversations(database.db);
    const read = async () => database.db.selectFrom('conversations').selectAll().where('id', '=', conversation.id).executeTakeFirstOrThrow();
    const conversation = await conversations.ensure(workspace.id, number.id, contact.id);
    expect(conversation).toMatchObject({ last_inbound_at: null, window_expires_at: null });
    await database.db.updateTable('conversations').set({ snoozed_until: '2030-01-01T00:00:00.000Z', snooze_until_next_message: 1 }).where('id', '=', conversation.id).execute();

    const noon = new Date('2026-12-07T12:00:00.000Z');
    expect(await conversations.recordInbound(await read(), noon)).toEqual({ opened: true, expiresAt: '2026-12-08T12:00:00.000Z', lastMessageAt: noon.toISOString(), freeEntryPointUntil: null });
    expect(await read()).toMatchObject({ last_inbound_at: noon.toISOString(), window_expires_at: '2026-12-08T12:00:00.000Z', last_message_at: noon.toISOString(), snoozed_until: null, snooze_until_next_message: 0, free_entry_point_until: null });

    // Delivered late: a message written an hour earlier moves nothing back.
    const earlier = new Date('2026-12-07T11:00:00.000Z');
    expect(await conversations.recordInbound(await read(), earlier)).toMatchObject({ opened: false, expiresAt: '2026-12-08T12:00:00.000Z', lastMessageAt: noon.toISOString() });
    expect(await read()).toMatchObject({ last_inbound_at: noon.toISOString(), window_expires_at: '2026-12-08T12:00:00.000Z', last_message_at: noon.toISOString() });

    // A late message stored from a stale read of the conversation still moves nothing back.
    const stale = await read();
    const evening = new Date('2026-12-07T20:00:00.000Z');
    await conversations.recordInbound(await read(), evening, { referral: true });
    await conversations.recordInbound(stale, new Date('2026-12-07T13:00:00.000Z'));
    expect(await read()).toMatchObject({
      last_inbound_at: evening.toISOString(),
      window_expires_at: '2026-12-08T20:00:00.000Z',
      last_message_at: evening.toISOString(),
      // The click-to-WhatsApp ad's free entry point: 72 h, kept by the messages that follow.
      free_entry_point_until: '2026-12-10T20:00:00.000Z',
    });
    await conversations.recordInbound(await read(), new Date('2026-12-08T09:00:00.000Z'));
    expect(await read()).toMatchObject({ window_expires_at: '2026-12-09T09:00:00.000Z', free_entry_point_until: '2026-12-10T20:00:00.000Z' });
  });
});
