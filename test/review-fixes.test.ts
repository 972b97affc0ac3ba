import { beforeAll, describe, expect, it } from 'vitest';
import { CampaignRunner } from '../src/modules/campaigns/index.js';
import { TEST_ADMIN_KEY } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { approvedTemplate, useApp } from './support/use-app.js';
import { until } from './support/wait.js';

describe.each(DIALECTS)('review fixes on $name', (dialect) => {
  // The app's own runner passes once at start and then sleeps: the tests drive a runner by hand.
  const running = useApp(dialect, { build: { campaigns: { pollMs: 3_600_000 } } });
  let pn: string;
  const call = running.api;
  const sandbox = running.sandbox;
  const body = [{ type: 'body', parameters: [{ type: 'text', text: '{{nome}}' }] }];

  beforeAll(async () => {
    pn = running.pn;
    await approvedTemplate(running, {
      name: 'aviso_revisao',
      language: 'pt_BR',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Olá {{1}}, seu pedido saiu para entrega hoje.', example: { body_text: [['Maria']] } }],
    });
    await call('PUT', `/phone-numbers/${pn}/messaging-limit`, { tier: 'unlimited' });
  });

  /**
   * A runner whose pass is overtaken by `action` (a pause or cancel over HTTP) after it read the
   * campaign as running and before it queues: what the race between two nodes, or an HTTP
   * request and the runner's awaits, looks like.
   */
  const overtakenRunner = (action: () => Promise<unknown>) => {
    const deps = (running.app.modules.campaignRunner as unknown as { deps: ConstructorParameters<typeof CampaignRunner>[0] }).deps;
    let done = false;
    const phoneNumbers = {
      ...deps.phoneNumbers,
      resolve: deps.phoneNumbers.resolve.bind(deps.phoneNumbers),
      list: deps.phoneNumbers.list.bind(deps.phoneNumbers),
      sender: async (id: string) => {
        if (!done) {
          done = true;
          await action();
        }
        return deps.phoneNumbers.sender(id);
      },
    };
    return new CampaignRunner({ ...deps, phoneNumbers }, running.app.modules.campaigns);
  };

  const launched = async (prefix: string) => {
    const csv = ['phone,nome', ...Array.from({ length: 30 }, (_, i) => `+55119${prefix}${String(1000 + i)},Pessoa ${i}`)].join('\n');
    const id = (await call('POST', '/campaigns', { name: `Revisão ${prefix}`, template: { name: 'aviso_revisao', language: 'pt_BR' }, components: body, audience: { type: 'csv' } })).body.id as string;
    expect((await call('PUT', `/campaigns/${id}/audience`, csv, { contentType: 'text/csv' })).status).toBe(200);
    expect((await call('POST', `/campaigns/${id}/launch`)).body.status).toBe('running');
    return id;
  };

  const campaignMessages = async (id: string) =>
    running.app.database.db.selectFrom('campaign_recipients').innerJoin('messages', 'messages.id', 'campaign_recipients.message_id').select('messages.id').where('campaign_recipients.campaign_id', '=', id).execute();

  it('a campaign paused while the runner is between reading it and queueing sends nothing', async () => {
    const id = await launched('7100');
    const runner = overtakenRunner(async () => expect((await call('POST', `/campaigns/${id}/pause`)).body.status).toBe('paused'));
    await runner.pass();
    await new Promise((r) => setTimeout(r, 200));
    expect(await campaignMessages(id)).toEqual([]);
    const current = (await call('GET', `/campaigns/${id}`)).body;
    expect(current).toMatchObject({ status: 'paused', totals: { pending: 30, queued: 0 } });
  });

  it('a campaign cancelled while the runner is between reading it and queueing sends nothing', async () => {
    const id = await launched('7200');
    const runner = overtakenRunner(async () => expect((await call('POST', `/campaigns/${id}/cancel`)).body.status).toBe('cancelled'));
    await runner.pass();
    await new Promise((r) => setTimeout(r, 200));
    expect(await campaignMessages(id)).toEqual([]);
    const current = (await call('GET', `/campaigns/${id}`)).body;
    expect(current).toMatchObject({ status: 'cancelled', totals: { queued: 0 } });
  });
  it('a campaign resumed after a failure-threshold pause goes on, judged by the sends since it resumed', async () => {
    const deps = (running.app.modules.campaignRunner as unknown as { deps: ConstructorParameters<typeof CampaignRunner>[0] }).deps;
    const runner = new CampaignRunner(deps, running.app.modules.campaigns, { failureCheckMs: 0 });
    // A slow number keeps the look-ahead at 20, so the campaign is still going when it pauses.
    const number = (await call('GET', '/phone-numbers')).body.data[0];
    await running.app.modules.phoneNumbers.updateEndpoint(number.id, number.graph_base_url, 10);
    const bad = Array.from({ length: 20 }, (_, i) => `55319730${String(10000 + i)}`);
    const good = Array.from({ length: 30 }, (_, i) => `55319740${String(10000 + i)}`);
    for (const waId of bad) await sandbox('POST', '/sandbox/v1/phones', { wa_id: waId, name: 'Sem WhatsApp', has_whatsapp: false });
    const csv = ['wa_id,nome', ...[...bad, ...good].map((waId, i) => `+${waId},Pessoa ${i}`)].join('\n');
    const id = (await call('POST', '/campaigns', { name: 'Retomada', template: { name: 'aviso_revisao', language: 'pt_BR' }, components: body, audience: { type: 'csv' }, failure_threshold: 0.3, failure_min_sample: 10 })).body.id as string;
    await call('PUT', `/campaigns/${id}/audience`, csv, { contentType: 'text/csv' });
    expect((await call('POST', `/campaigns/${id}/launch`)).body.status).toBe('running');
    const paused = await until(async () => {
      await runner.pass();
      const current = (await call('GET', `/campaigns/${id}`)).body;
      return current.status === 'paused' && current;
    }, 'the campaign to pause itself on failures');
    expect(paused.pause_reason).toBe('failure_threshold');
    await until(async () => (await call('GET', `/campaigns/${id}`)).body.totals.in_outbox === 0, 'the sends under way to end');
    const before = (await call('GET', `/campaigns/${id}`)).body.totals;
    expect(before.pending).toBeGreaterThan(0);

    expect((await call('POST', `/campaigns/${id}/resume`)).body.status).toBe('running');
    await runner.pass();
    const after = (await call('GET', `/campaigns/${id}`)).body;
    // The failures that paused it are old news: it queues again instead of pausing at once.
    expect(after.status).toBe('running');
    expect(after.totals.queued).toBeGreaterThan(before.queued);
  }, 30_000);

  it('refuses to launch a draft while a new CSV audience is still being read', async () => {
    const csv = (from: number, count: number) => Array.from({ length: count }, (_, i) => `+5531975${String(from + i).padStart(6, '0')},Pessoa ${i}`).join('\n');
    const id = (await call('POST', '/campaigns', { name: 'Troca de lista', template: { name: 'aviso_revisao', language: 'pt_BR' }, components: body, audience: { type: 'csv' } })).body.id as string;
    await call('PUT', `/campaigns/${id}/audience`, `phone,nome\n${csv(0, 5)}`, { contentType: 'text/csv' });
    expect((await call('GET', `/campaigns/${id}`)).body.recipients).toBe(5);

    // A second, larger list arrives slowly: its first rows, then a pause before the rest.
    let finish!: () => void;
    const rest = new Promise<void>((resolve) => (finish = resolve));
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode(`phone,nome\n${csv(100, 10)}\n`));
        await rest;
        controller.enqueue(encoder.encode(`${csv(200, 10)}\n`));
        controller.close();
      },
    });
    const upload = fetch(`${running.started.platformUrl}/api/v1/campaigns/${id}/audience`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'text/csv' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    try {
      await until(async () => (await call('GET', `/campaigns/${id}`)).body.recipients === 0 || undefined, 'the old audience to be cleared');
      const launched = await call('POST', `/campaigns/${id}/launch`);
      expect(launched.status).toBe(400);
      expect(launched.body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field: 'audience' } });
    } finally {
      finish();
    }
    expect((await upload).status).toBe(200);
    const ready = (await call('GET', `/campaigns/${id}`)).body;
    expect(ready).toMatchObject({ status: 'draft', recipients: 20 });
    expect((await call('POST', `/campaigns/${id}/launch`)).body.status).toBe('running');
    await call('POST', `/campaigns/${id}/cancel`);
  });
});

