import { describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { until } from './support/wait.js';

/**
 * A send Meta refuses outright (here: the template was deleted in Meta's console after the
 * platform cached it as approved) fails at once with Meta's code, and systems subscribed to
 * `message.status` hear of it like of any failure a status webhook reports.
 */
describe.each(DIALECTS)('a send refused by the provider on $name', (dialect) => {
  const running = useApp(dialect);

  const api = running.api;
  const sandbox = running.sandbox;

  it('fails the message with Meta’s code and publishes message.status "failed"', async () => {
    const waba = running.started.sandboxNumber!.waba_id;
    const created = await sandbox('POST', `/v23.0/${waba}/message_templates`, {
      name: 'boleto_vencendo',
      language: 'pt_BR',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Seu boleto {{1}} vence amanhã.', example: { body_text: [['4455']] } }],
    });
    expect(created.status).toBe(200);
    // Approved by the sandbox's review; the platform hears of it from the status webhook (or a sync).
    await until(async () => (await api('GET', '/templates?name=boleto_vencendo')).body.data?.[0]?.status === 'APPROVED', 'the platform to see the approval');
    const template = { name: 'boleto_vencendo', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: '4455' }] }] };
    const first = await api('POST', '/messages', { to: '+5511933330001', type: 'template', template });
    expect(first.status).toBe(202);
    await until(async () => (await api('GET', `/messages/${first.body.id}`)).body.status === 'read' || undefined, 'the first send to be read', 15_000);

    // Deleted at the provider; the platform's copy still says APPROVED.
    expect((await sandbox('DELETE', `/v23.0/${waba}/message_templates?name=boleto_vencendo`)).status).toBe(200);
    const second = await api('POST', '/messages', { to: '+5511933330001', type: 'template', template });
    expect(second.status).toBe(202);
    const failed = await until(async () => {
      const message = (await api('GET', `/messages/${second.body.id}`)).body;
      return message.status === 'failed' && message;
    }, 'the refused send to fail');
    expect(failed.error).toMatchObject({ code: 132001 });
    expect(failed.attempts).toBe(1);

    const events = await running.app.modules.events.after(0, 1000);
    const statuses = events.filter((event) => event.type === 'message.status' && event.data.message_id === second.body.id);
    expect(statuses).toHaveLength(1);
    // Meta's error_data.details (what to fix), not only the code and title.
    expect(failed.error.details).toMatch(/\w/);
    expect(statuses[0]!.data).toMatchObject({ status: 'failed', wamid: null, error: { code: 132001, title: failed.error.title, details: failed.error.details } });
  });

  it('publishes the details of a failure Meta reports later in a status webhook (131053, unknown media id)', async () => {
    const pn = running.started.sandboxNumber!.phone_number_id;
    await sandbox('POST', '/sandbox/v1/phones/5511933330002/messages', { to: pn, type: 'text', text: { body: 'me manda a foto' } });
    const contact = await until(async () => {
      const found = (await api('POST', '/contacts', { phone: '+5511933330002' })).body;
      const conversation = (await api('GET', `/conversations?contact_id=${found.id}`)).body.data[0];
      return conversation?.window_open && found;
    }, 'the window to open');
    expect(contact.id).toMatch(/^ct/);
    // A provider media id that does not exist: accepted (200), then failed by a status webhook.
    const sent = await api('POST', '/messages', { to: '+5511933330002', type: 'image', image: { id: '987654321012345' } });
    expect(sent.status).toBe(202);
    const failed = await until(async () => {
      const message = (await api('GET', `/messages/${sent.body.id}`)).body;
      return message.status === 'failed' && message;
    }, 'the status webhook to fail the message');
    expect(failed.wamid).toMatch(/^wamid\./);
    expect(failed.error).toMatchObject({ code: 131053, details: expect.stringContaining('987654321012345') });
    const events = await running.app.modules.events.after(0, 1000);
    const statuses = events.filter((event) => event.type === 'message.status' && event.data.message_id === sent.body.id && event.data.status === 'failed');
    expect(statuses).toHaveLength(1);
    expect(statuses[0]!.data.error).toEqual({ code: 131053, title: failed.error.title, details: failed.error.details });
  });
});
