import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import type { RestClient } from './support/http.js';
import { approvedTemplate, useApp } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

/**
 * The chatbot end to end (issue 10), through the embedded sandbox's simulated phones and the
 * REST API, on both dialects: the demo support bot published at the first start answers "oi"
 * with its menu, looks an order up over HTTP (the demo API), understands free text, hands the
 * conversation to a person (and stays silent while one owns it); flows published through the
 * API collect a lead form, run a CSAT survey after a resolve, start by API (a template when the
 * window is closed, a refusal said in the history when a flow cannot speak), roll back.
 */
describe.each(DIALECTS)('chatbot on $name', (dialect) => {
  const running = useApp(dialect, { env: { CONVERSA_DEMO_FLOW: 'on' } });
  const api = running.api;

  /** A simulated customer: writes, taps, and reads what the business sent. */
  const customer = (waId: string) => {
    const sandbox: RestClient = running.sandbox;
    const received = async (): Promise<Json[]> => (await sandbox('GET', `/sandbox/v1/phones/${waId}/messages?limit=1000`)).body.data ?? [];
    let seen = 0;
    const self = {
      waId,
      received,
      async say(text: string) {
        seen = (await received()).length;
        const sent = await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: running.pn, type: 'text', text: { body: text } });
        expect(sent.status, JSON.stringify(sent.body)).toBe(201);
        return sent.body.id as string;
      },
      /** Taps a reply button or list row of the last interactive message, by its title. */
      async tap(title: string) {
        const all = await received();
        seen = all.length;
        const last = [...all].reverse().find((m) => m.type === 'interactive');
        if (!last) throw new Error(`no interactive message to tap "${title}" on`);
        const interactive = last.content as Json;
        const options: Json[] = interactive.type === 'button' ? interactive.action.buttons.map((b: Json) => b.reply) : interactive.action.sections.flatMap((s: Json) => s.rows);
        const option = options.find((o) => o.title === title);
        if (!option) throw new Error(`no option "${title}" in ${JSON.stringify(options.map((o) => o.title))}`);
        const kind = interactive.type === 'button' ? 'button_reply' : 'list_reply';
        const sent = await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: running.pn, type: 'interactive', interactive: { type: kind, [kind]: { id: option.id } }, context: { id: last.id } });
        expect(sent.status, JSON.stringify(sent.body)).toBe(201);
      },
      /** Waits for `count` new messages from the business since the last say/tap; answers them. */
      async answers(count: number): Promise<Json[]> {
        const fresh = await until(async () => {
          const all = await received();
          return all.length >= seen + count ? all.slice(seen, seen + count) : undefined;
        }, `${count} answer(s) to ${waId}`);
        seen += count;
        return fresh;
      },
    };
    return self;
  };
  const textOf = (message: Json): string => (message.type === 'text' ? message.content.body : message.type === 'interactive' ? message.content.body.text : JSON.stringify(message.content));
  const buttonsOf = (message: Json): string[] => (message.content.action.buttons as Json[]).map((b) => b.reply.title);
  const conversationOf = async (waId: string): Promise<Json> => until(async () => (await api('GET', `/conversations?wa_id=${waId}`)).body.data[0], `the conversation of ${waId}`);
  const publish = async (file: string): Promise<{ id: string; version: number }> => {
    const created = await api('POST', '/flows', { source: readFileSync(`examples/flows/${file}`, 'utf8'), format: 'yaml' });
    expect(created.status, created.text).toBe(201);
    const published = await api('POST', `/flows/${created.body.id}/publish`, { phone_number_id: running.pn });
    expect(published.status, published.text).toBe(201);
    return { id: created.body.id, version: published.body.version };
  };

  it('publishes the demo support bot at the first start: "oi" gets the menu, blue ticks, an order looked up over HTTP', async () => {
    const flows = (await api('GET', '/flows')).body.data as Json[];
    expect(flows.map((f) => f.name)).toContain('suporte');
    expect(running.started.demoFlow).toMatchObject({ name: 'suporte', version: 1 });
    const ana = customer('5511960000001');
    const hello = await ana.say('oi');
    const [menu] = await ana.answers(1);
    expect(menu.type).toBe('interactive');
    expect(textOf(menu)).toMatch(/Como posso ajudar/);
    expect(buttonsOf(menu)).toEqual(['Meu pedido', 'Dúvidas', 'Atendente']);
    // Read on receipt: the customer's message shows blue ticks, here and on the phone.
    await until(async () => ((await api('GET', `/messages?wamid=${encodeURIComponent(hello)}`)).body.data[0]?.read_by_business_at ? true : undefined), 'the inbound message marked read');
    const sentByPhone = (await running.sandbox('GET', `/sandbox/v1/phones/${ana.waId}/messages`)).body.sent as Json[];
    expect(sentByPhone.find((m) => m.id === hello)?.read_by_business).toBeTruthy();

    await ana.tap('Meu pedido');
    const [question] = await ana.answers(1);
    expect(textOf(question)).toMatch(/número do seu pedido/);
    await ana.say('abc');
    const [reason, again] = await ana.answers(2);
    expect(textOf(reason)).toMatch(/número/i);
    expect(textOf(again)).toMatch(/Qual é o número do seu pedido/);
    await ana.say('12345');
    const [status, more] = await ana.answers(2);
    expect(textOf(status)).toMatch(/Pedido 12345: \*(em separação|enviado|saiu para entrega|entregue)\*/);
    expect(textOf(more)).toMatch(/mais alguma coisa/);
    await ana.say('não, obrigado');
    const [bye] = await ana.answers(1);
    expect(textOf(bye)).toMatch(/Obrigado pelo contato/);
    const bot = (await api('GET', `/conversations/${(await conversationOf(ana.waId)).id}/bot`)).body;
    expect(bot.session).toBeNull();
    expect(bot.log.map((l: Json) => l.message).join('\n')).toMatch(/session ended \(end\)/);
  });

  it('understands free text by intent, hands off to a person with a summary, and stays silent until resolved', async () => {
    const bia = customer('5511960000002');
    await bia.say('qual o horário de funcionamento?');
    const [hours] = await bia.answers(1);
    expect(textOf(hours)).toMatch(/segunda a sexta/);
    await bia.say('quero falar com um atendente');
    const answers = await bia.answers(1);
    expect(answers.map(textOf).join('\n')).toMatch(/pessoa da nossa equipe/);
    const conversation = await until(async () => {
      const c = await conversationOf(bia.waId);
      return c.owner.type === 'queue' ? c : undefined;
    }, 'the handoff');
    expect(conversation.owner).toMatchObject({ type: 'queue', id: 'suporte' });
    expect(conversation.handoff.summary).toMatchObject({ flow: 'suporte', version: 1 });
    // While a person owns it the bot is silent.
    await bia.say('oi');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = await bia.received();
    expect(after.map(textOf).filter((t) => /Como posso ajudar/.test(t))).toHaveLength(0);
    // Resolved: the conversation is the bot's again and "oi" gets the menu.
    const resolved = await api('POST', `/conversations/${conversation.id}/resolve`, {});
    expect(resolved.status, resolved.text).toBe(200);
    await bia.say('oi');
    const [menu] = await bia.answers(1);
    expect(textOf(menu)).toMatch(/Como posso ajudar/);
  });

  it('collects a lead form (validated answers), lists and exports it', async () => {
    await publish('lead-form.yaml');
    const caio = customer('5511960000003');
    await caio.say('orçamento');
    expect(textOf((await caio.answers(1))[0]!)).toMatch(/seu nome/);
    await caio.say('Caio Prado');
    expect(textOf((await caio.answers(1))[0]!)).toMatch(/e-mail/);
    await caio.say('caio@exemplo');
    expect(textOf((await caio.answers(1))[0]!)).toMatch(/e-mail/i); // re-prompted with the reason
    await caio.say('caio@exemplo.com.br');
    await caio.answers(1);
    await caio.say('(11) 98765-4321');
    await caio.answers(1);
    await caio.say('12');
    await caio.answers(1);
    await caio.say('25/12/2027');
    const [plans] = await caio.answers(1);
    expect(buttonsOf(plans)).toEqual(['Básico', 'Completo', 'Premium']);
    await caio.tap('Completo');
    const [thanks] = await caio.answers(1);
    expect(textOf(thanks)).toMatch(/caio@exemplo\.com\.br/);
    const submissions = await until(async () => ((await api('GET', '/forms/submissions?form=lead')).body.data as Json[])[0], 'the submission');
    expect(submissions.fields).toMatchObject({ nome: 'Caio Prado', email: 'caio@exemplo.com.br', telefone: '+5511987654321', pessoas: 12, data: '2027-12-25', plano: 'completo' });
    const xlsx = await api('GET', '/forms/submissions/export?format=xlsx&form=lead');
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toMatch(/spreadsheetml/);
  });

  it('runs the CSAT survey when a person resolves with {"survey": true}, kept against the agent', async () => {
    await publish('csat.yaml');
    const duda = customer('5511960000004');
    await duda.say('quero falar com um atendente');
    await duda.answers(1);
    const conversation = await until(async () => {
      const c = await conversationOf(duda.waId);
      return c.owner.type === 'queue' ? c : undefined;
    }, 'the handoff');
    expect((await api('POST', `/conversations/${conversation.id}/assign`, { agent_id: 'marina' })).status).toBe(200);
    const resolved = await api('POST', `/conversations/${conversation.id}/resolve`, { survey: true });
    expect(resolved.status, resolved.text).toBe(200);
    const [question] = await duda.answers(1);
    expect(textOf(question)).toMatch(/De 1 a 5/);
    await duda.say('5');
    const [comment] = await duda.answers(1);
    expect(textOf(comment)).toMatch(/comentário/);
    await duda.say('Marina foi ótima');
    const [thanks] = await duda.answers(1);
    expect(textOf(thanks)).toMatch(/Obrigado pela avaliação/);
    const responses = await until(async () => ((await api('GET', '/surveys/responses')).body.data as Json[]).find((r) => r.conversation_id === conversation.id), 'the survey answer');
    expect(responses).toMatchObject({ kind: 'csat', score: 5, comment: 'Marina foi ótima', agent: 'marina' });
  });

  it('starts a flow by API: a template with the window closed; a free-text flow is refused and says why', async () => {
    // The reminder's template, approved in the sandbox.
    await approvedTemplate(running, {
      name: 'lembrete_consulta',
      components: [
        { type: 'BODY', text: 'Olá {{1}}, lembrete da sua consulta amanhã às {{2}}. Responda pelos botões abaixo.', example: { body_text: [['Ana', '14:30']] } },
        { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Confirmar' }, { type: 'QUICK_REPLY', text: 'Remarcar' }] },
      ],
    });
    const reminder = await publish('appointment-reminder.yaml');
    const run = await api('POST', `/flows/${reminder.id}/runs`, { to: '+5511960000005', variables: { nome: 'Eva', hora: '14:30' } });
    expect(run.status, run.text).toBe(202);
    expect(run.body).toMatchObject({ flow: 'lembrete', version: 1, refused: [], ended: true });
    expect(run.body.messages).toHaveLength(1);
    const eva = customer('5511960000005');
    const [sent] = await until(async () => ((await eva.received()).length ? await eva.received() : undefined), 'the reminder');
    expect(sent.type).toBe('template');

    // A flow whose first step is free text, for a contact whose window is closed: refused, said why.
    const lead = (await api('GET', '/flows')).body.data.find((f: Json) => f.name === 'orcamento') ?? (await publish('lead-form.yaml'));
    const refused = await api('POST', `/flows/${lead.id}/runs`, { to: '+5511960000006' });
    expect(refused.status, refused.text).toBe(202);
    expect(refused.body).toMatchObject({ messages: [], ended: true });
    const bot = (await api('GET', `/conversations/${refused.body.conversation_id}/bot`)).body;
    expect(bot.log.map((l: Json) => `${l.level} ${l.message}`).join('\n')).toMatch(/warn .*window/i);
    expect(await customer('5511960000006').received()).toEqual([]);
    // A run while a session waits is refused unless it replaces it.
    const support = (await api('GET', '/flows')).body.data.find((f: Json) => f.name === 'suporte');
    await customer('5511960000008').say('oi');
    await until(async () => ((await customer('5511960000008').received()).length ? true : undefined), 'the menu');
    const busy = await api('POST', `/flows/${support.id}/runs`, { to: '+5511960000008' });
    expect(busy.status, busy.text).toBe(409);
    expect(busy.body.error.code).toBe('CONVERSA_ERR_CONVERSATION_BUSY');
    const replaced = await api('POST', `/flows/${support.id}/runs`, { to: '+5511960000008', replace: true });
    expect(replaced.status, replaced.text).toBe(202);
  });

  it('imports with every problem named, versions on publish, rolls back, and refuses bad input', async () => {
    const bad = await api('POST', '/flows', 'name: x\nsteps:\n  - type: menuu\n', { headers: { 'content-type': 'application/yaml' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('CONVERSA_ERR_FLOW_INVALID');
    expect(bad.body.error.details.problems[0]).toMatchObject({ path: 'steps[0].type' });
    expect(bad.body.error.details.problems[0].fix).toBeTruthy();
    const checked = await api('POST', '/flows/validate', { source: 'name: ok\nsteps:\n  - type: end\n' });
    expect(checked.body).toMatchObject({ valid: true, problems: [] });
    const schema = await api('GET', '/flows/schema.json');
    expect(schema.body.$schema).toMatch(/2020-12/);

    const v1 = 'name: versoes\ntriggers:\n  - type: keyword\n    keywords: [versao]\nsteps:\n  - type: end\n    text: "versão um"\n';
    const created = await api('POST', '/flows', v1, { headers: { 'content-type': 'application/yaml' } });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    expect((await api('POST', `/flows/${id}/publish`, { phone_number_id: running.pn })).body.version).toBe(1);
    expect((await api('PUT', `/flows/${id}`, v1.replace('versão um', 'versão dois'), { headers: { 'content-type': 'application/yaml' } })).status).toBe(200);
    expect((await api('POST', `/flows/${id}/publish`, { phone_number_id: running.pn })).body.version).toBe(2);
    const gabi = customer('5511960000007');
    await gabi.say('versao');
    expect(textOf((await gabi.answers(1))[0]!)).toBe('versão dois');
    const rolled = await api('POST', `/flows/${id}/rollback`, { phone_number_id: running.pn, version: 1 });
    expect(rolled.status, rolled.text).toBe(200);
    await gabi.say('versao');
    expect(textOf((await gabi.answers(1))[0]!)).toBe('versão um');
    const versions = (await api('GET', `/flows/${id}/versions`)).body.data as Json[];
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
    expect(versions.find((v) => v.version === 1)!.live_on).toHaveLength(1);

    expect((await api('POST', `/flows/${id}/publish`, { phone_number_id: 'nope' })).status).toBe(404);
    expect((await api('POST', `/flows/${id}/rollback`, { phone_number_id: running.pn, version: 9 })).status).toBe(404);
    const noTo = await api('POST', `/flows/${id}/runs`, {});
    expect(noTo.status).toBe(400);
    const badSecret = await api('POST', '/flow-secrets', { name: 'lower', value: 'x' });
    expect(badSecret.status).toBe(400);
    expect(badSecret.body.error.details.field).toMatch(/name/);
    expect((await api('POST', '/flow-secrets', { name: 'API_TOKEN', value: 's3cr3t-value' })).status).toBe(204);
    const secrets = await api('GET', '/flow-secrets');
    expect(JSON.stringify(secrets.body)).not.toContain('s3cr3t-value');
  });
});
