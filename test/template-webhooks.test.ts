import { describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { until } from './support/wait.js';
import { deliverSignedWebhook } from './support/webhook-receiver.js';

/**
 * Meta's template status webhooks can arrive out of order (a retried older one after a newer
 * one). Signed webhooks are POSTed here as Meta would send them: an older status never
 * overwrites a newer one.
 */
describe.each(DIALECTS)('template status webhooks out of order on $name', (dialect) => {
  const running = useApp(dialect);
  const api = running.api;

  it('keeps the newest status when an older webhook arrives after it', async () => {
    const created = await api('POST', '/templates', {
      name: 'entrega_hoje',
      language: 'pt_BR',
      category: 'UTILITY',
      submit: true,
      components: [{ type: 'BODY', text: 'Olá {{1}}, sua entrega chega hoje entre 9h e 12h.', example: { body_text: [['Maria']] } }],
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const template = await until(async () => {
      const current = (await api('GET', `/templates/${id}`)).body;
      return current.status === 'APPROVED' && current;
    }, 'approval');

    const number = running.started.sandboxNumber!;
    const { appSecret } = (await running.app.modules.phoneNumbers.secretsOf(number.id))!;
    const base = Math.floor(Date.now() / 1000) + 3600;
    const meta = async (event: string, time: number) => {
      const body = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{ id: number.waba_id, time, changes: [{ field: 'message_template_status_update', value: { event, message_template_id: Number(template.provider_template_id), message_template_name: 'entrega_hoje', message_template_language: 'pt_BR', reason: event === 'PAUSED' ? 'Low quality' : 'NONE' } }] }],
      });
      await deliverSignedWebhook(running, appSecret, body);
      return (await api('GET', `/templates/${id}`)).body;
    };

    expect((await meta('PAUSED', base + 100)).status).toBe('PAUSED');
    // A retried APPROVED from before the pause: stale, ignored.
    expect((await meta('APPROVED', base + 50)).status).toBe('PAUSED');
    // Meta lets it send again later: applied.
    const reinstated = await meta('REINSTATED', base + 200);
    expect(reinstated.status).toBe('APPROVED');
    // The history shows the pause and the reinstatement, and nothing of the stale webhook.
    const statuses = (reinstated.history as Array<{ kind: string; status: string; source: string }>).filter((entry) => entry.kind === 'status' && entry.source === 'webhook').map((entry) => entry.status);
    expect(statuses.slice(-2)).toEqual(['PAUSED', 'REINSTATED']);
  });
});
