import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import { approvedTemplate, useApp } from './support/use-app.js';
import { appApi, createUser, signIn, type AppApi } from './support/users.js';
import { until, type Json } from './support/wait.js';

/**
 * The agent inbox's API (issue 11, docs/inbox.md "The inbox API") over real HTTP with signed-in
 * people: views and counts per role, 404 for what an agent may not see, two agents taking the
 * same conversation, sending inside and outside the window, transfer, resolve, snooze, automatic
 * assignment (round robin, least busy, presence, capacity) and the phone page's sandbox proxy.
 */
describe.each(DIALECTS)('the agent inbox API on $name', (dialect) => {
  const running = useApp(dialect);
  const api = running.api;
  const people: Record<string, { id: string; call: AppApi }> = {};
  let sequence = 0;

  /** A customer (a new number) writes; answers their conversation id once it is stored. */
  const customer = async (name: string, text = 'Oi, preciso de ajuda'): Promise<{ id: string; waId: string }> => {
    const waId = `5511933${String(dialect.name.length)}${String(++sequence).padStart(5, '0')}`;
    expect((await running.sandbox('POST', '/sandbox/v1/phones', { wa_id: waId, name })).status).toBe(201);
    expect((await running.sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: running.pn, type: 'text', text: { body: text } })).status).toBe(201);
    const conversation = await until(async () => (await api('GET', `/conversations?wa_id=${waId}`)).body.data[0], `the conversation of ${waId}`);
    return { id: conversation.id as string, waId };
  };
  const handoff = async (id: string, queue: string) => expect((await api('POST', `/conversations/${id}/handoff`, { queue })).status).toBe(200);
  const ownerOf = async (id: string): Promise<Json> => (await api('GET', `/conversations/${id}`)).body.owner;
  const viewIds = async (who: string, view: string, q?: string): Promise<string[]> => {
    const answer = await people[who]!.call('GET', `/app/api/conversations?view=${view}&limit=100${q ? `&q=${encodeURIComponent(q)}` : ''}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body.data.map((c: Json) => c.id);
  };
  const person = async (key: string, options: Parameters<typeof createUser>[1], presence?: 'online' | 'away') => {
    const user = await createUser(running, { name: key, ...options });
    const call = appApi(running, await signIn(running, user.email, user.password));
    if (presence) expect((await call('PATCH', '/app/api/me', { presence })).status).toBe(200);
    people[key] = { id: user.id, call };
    return user;
  };

  beforeAll(async () => {
    await person('ana', { role: 'agent', teams: [{ name: 'Suporte', queue: 'suporte' }] });
    await person('bruno', { role: 'agent', teams: [{ name: 'Suporte', queue: 'suporte' }] });
    await person('carla', { role: 'agent', teams: [{ name: 'Vendas', queue: 'vendas' }] });
    await person('sofia', { role: 'supervisor' });
    await person('admin', { role: 'admin' });
  });

  it('shows each person the views they may see, with counts in one request, and finds by name, number and text', async () => {
    const queued = await customer('Maria Suporte', 'Meu pedido 4471 não chegou');
    const sales = await customer('João Vendas', 'Quero comprar');
    const bot = await customer('Bia Robô', 'Só olhando');
    await handoff(queued.id, 'suporte');
    await handoff(sales.id, 'vendas');

    expect(await viewIds('ana', 'queue')).toEqual([queued.id]);
    expect(await viewIds('ana', 'all')).toEqual([queued.id]);
    expect(await viewIds('ana', 'bot')).toEqual([]);
    expect(await viewIds('carla', 'queue')).toEqual([sales.id]);
    expect(await viewIds('sofia', 'queue')).toEqual([sales.id, queued.id]);
    expect(await viewIds('sofia', 'bot')).toEqual([bot.id]);
    expect((await people.ana!.call('GET', '/app/api/conversations/counts')).body).toEqual({ mine: 0, queue: 1, teams: 1, bot: 0, resolved: 0, all: 1 });
    expect((await people.sofia!.call('GET', '/app/api/conversations/counts')).body).toEqual({ mine: 0, queue: 2, teams: 0, bot: 1, resolved: 0, all: 3 });

    const taken = await people.ana!.call('POST', `/app/api/conversations/${queued.id}/take`);
    expect(taken.status, JSON.stringify(taken.body)).toBe(200);
    expect(taken.body).toMatchObject({ owner: { type: 'agent', id: people.ana!.id }, queue: 'suporte', transition: { action: 'assign', actor: { type: 'user', id: people.ana!.id } } });
    expect(await viewIds('ana', 'mine')).toEqual([queued.id]);
    expect(await viewIds('bruno', 'teams')).toEqual([queued.id]);
    expect(await viewIds('bruno', 'mine')).toEqual([]);
    expect((await people.ana!.call('GET', '/app/api/conversations/counts')).body).toMatchObject({ mine: 1, queue: 0, teams: 1 });

    // Search: the contact's name, their number, a message's text; only within what one may see.
    expect(await viewIds('sofia', 'all', 'maria')).toEqual([queued.id]);
    expect(await viewIds('sofia', 'all', sales.waId.slice(-6))).toEqual([sales.id]);
    expect(await viewIds('sofia', 'all', 'pedido 4471')).toEqual([queued.id]);
    expect(await viewIds('carla', 'all', 'maria')).toEqual([]);
    expect(await viewIds('sofia', 'all', '100%_')).toEqual([]);

    const detail = await people.ana!.call('GET', `/app/api/conversations/${queued.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: queued.id, contact: { name: 'Maria Suporte' }, bot: { session: null }, composer: { mode: 'free' }, snooze: null });
    const history = await people.ana!.call('GET', `/app/api/conversations/${queued.id}/messages?limit=10`);
    expect(history.body.data.map((m: Json) => m.content.body ?? m.content.text?.body)).toEqual(['Meu pedido 4471 não chegou']);

    const bad = await people.ana!.call('GET', '/app/api/conversations?view=everything');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field: 'querystring.view' } });
  });

  it('answers 404 to an agent for a conversation outside their teams, and to another workspace, on every route', async () => {
    const theirs = await customer('Cliente de Vendas');
    await handoff(theirs.id, 'vendas');
    const other = (await api('POST', '/workspaces', { name: 'Outra loja' })).body;
    const stranger = await createUser(running, { role: 'admin', workspaceId: other.workspace_id as string });
    const strangerCall = appApi(running, await signIn(running, stranger.email, stranger.password));
    for (const call of [people.ana!.call, strangerCall]) {
      const base = `/app/api/conversations/${theirs.id}`;
      const attempts: Array<[string, string, unknown?]> = [
        ['GET', base],
        ['GET', `${base}/messages`],
        ['POST', `${base}/messages`, { type: 'text', text: { body: 'oi' } }],
        ['POST', `${base}/read`],
        ['POST', `${base}/typing`],
        ['POST', `${base}/take`],
        ['POST', `${base}/transfer`, { user_id: people.ana!.id }],
        ['POST', `${base}/resolve`],
        ['POST', `${base}/snooze`, { until_next_message: true }],
        ['POST', `${base}/unsnooze`],
        ['GET', `${base}/templates`],
      ];
      for (const [method, path, body] of attempts) {
        const answer = await call(method, path, body);
        expect([path, answer.status, answer.body?.error?.code]).toEqual([path, 404, 'CONVERSA_ERR_NOT_FOUND']);
      }
    }
    expect(await ownerOf(theirs.id)).toMatchObject({ type: 'queue', id: 'vendas' });
    // An agent may not assign (supervisors and admins do); not signed in: 401.
    expect((await people.carla!.call('POST', `/app/api/conversations/${theirs.id}/assign`, { user_id: people.carla!.id })).status).toBe(403);
    expect((await appApi(running, null)('GET', '/app/api/conversations')).status).toBe(401);
  });

  it('lets exactly one of two agents who take the same conversation at once have it', async () => {
    const { id } = await customer('Disputada');
    await handoff(id, 'suporte');
    const answers = await Promise.all([people.ana!.call('POST', `/app/api/conversations/${id}/take`), people.bruno!.call('POST', `/app/api/conversations/${id}/take`)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const loser = answers.find((a) => a.status === 409)!;
    const winner = answers.find((a) => a.status === 200)!;
    expect(loser.body.error.code).toBe('CONVERSA_ERR_CONVERSATION_TRANSITION');
    expect(await ownerOf(id)).toEqual(expect.objectContaining({ type: 'agent', id: winner.body.owner.id }));
  });

  it('sends text inside the window (the phone gets it), marks read, and outside the window offers templates with their cost', async () => {
    const { id, waId } = await customer('Cliente Texto', 'Olá');
    await handoff(id, 'suporte');
    expect((await people.ana!.call('POST', `/app/api/conversations/${id}/take`)).status).toBe(200);
    const sent = await people.ana!.call('POST', `/app/api/conversations/${id}/messages`, { type: 'text', text: { body: 'Oi! Sou a Ana.' } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    await until(async () => ((await running.sandbox('GET', `/sandbox/v1/phones/${waId}/messages`)).body.data as Json[]).some((m) => m.content?.body === 'Oi! Sou a Ana.'), 'the reply on the phone');
    // The inbox's feed says who wrote it: this agent, not the API or the bot.
    const created = await running.app.database.db.selectFrom('outbox_events').select('data').where('type', '=', 'message.created').orderBy('id', 'desc').limit(20).execute();
    expect(created.map((row) => JSON.parse(row.data)).find((data: Json) => data.message_id === sent.body.id)?.sent_by).toEqual({ type: 'agent', id: people.ana!.id });
    // The history says it too, with the agent's name; a message from the API names its key; the customer's, no one.
    const viaApi = await api('POST', '/messages', { to: waId, type: 'text', text: { body: 'Seu pedido saiu para entrega.' } });
    expect(viaApi.status).toBe(202);
    for (const history of [await people.ana!.call('GET', `/app/api/conversations/${id}/messages`), await api('GET', `/conversations/${id}/messages`)]) {
      expect(history.status).toBe(200);
      const byId = new Map<string, Json>(history.body.data.map((m: Json) => [m.id, m]));
      expect(byId.get(sent.body.id)?.sent_by).toEqual({ type: 'agent', id: people.ana!.id, name: 'ana' });
      expect(byId.get(viaApi.body.id)?.sent_by).toEqual({ type: 'api', id: expect.stringMatching(/^key_/) });
      expect(history.body.data.find((m: Json) => m.direction === 'in').sent_by).toBeNull();
    }
    const read = await people.ana!.call('POST', `/app/api/conversations/${id}/read`);
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    expect((await api('GET', `/conversations/${id}`)).body.unread_count).toBe(0);
    expect((await people.ana!.call('POST', `/app/api/conversations/${id}/messages`, { type: 'text' })).body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field: 'body.text' } });

    // A contact the business wrote first (never answered): the window is closed.
    const template = await approvedTemplate(running, { name: `retorno_${dialect.name}`, category: 'UTILITY' });
    const closedWa = `5511933${String(dialect.name.length)}${String(++sequence).padStart(5, '0')}`;
    expect((await api('POST', '/messages', { to: closedWa, type: 'template', template: { name: template.name, language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Rui' }] }] } })).status).toBe(202);
    const closed = (await api('GET', `/conversations?wa_id=${closedWa}`)).body.data[0].id as string;
    await handoff(closed, 'suporte');
    const refused = await people.ana!.call('POST', `/app/api/conversations/${closed}/messages`, { type: 'text', text: { body: 'Oi' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('CONVERSA_ERR_WINDOW_CLOSED');
    expect((await people.ana!.call('GET', `/app/api/conversations/${closed}`)).body.composer).toEqual({ mode: 'templates_only', window_expires_at: null });
    const offered = await people.ana!.call('GET', `/app/api/conversations/${closed}/templates`);
    expect(offered.status).toBe(200);
    expect(offered.body.window_open).toBe(false);
    const mine = offered.body.data.find((t: Json) => t.id === template.id);
    expect(mine).toMatchObject({ name: template.name, parameters: { header: null, body: ['1'], buttons: [] }, cost: { currency: 'USD', pricing_type: 'regular', category: 'utility' } });
    expect(mine.cost.amount_micros).toBeGreaterThan(0);
    const preview = await people.ana!.call('POST', `/app/api/conversations/${closed}/templates/${template.id}/preview`, { params: { body: ['Rui'] } });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.body).toContain('Olá Rui');
    const viaTemplate = await people.ana!.call('POST', `/app/api/conversations/${closed}/messages`, { type: 'template', template: { name: template.name, language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Rui' }] }] } });
    expect(viaTemplate.status, JSON.stringify(viaTemplate.body)).toBe(202);
  });

  it('transfers to a team, resolves with the survey, and snoozes until the customer writes again', async () => {
    const { id, waId } = await customer('Cliente Transferido');
    await handoff(id, 'suporte');
    expect((await people.ana!.call('POST', `/app/api/conversations/${id}/take`)).status).toBe(200);
    const vendas = (await running.app.modules.teams.byQueue(running.started.workspaceId, 'vendas'))!;
    const moved = await people.ana!.call('POST', `/app/api/conversations/${id}/transfer`, { team_id: vendas.id, reason: 'assunto de vendas' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ owner: { type: 'queue', id: 'vendas' }, transition: { action: 'unassign', reason: 'assunto de vendas' } });
    expect((await people.ana!.call('GET', `/app/api/conversations/${id}`)).status).toBe(404);
    expect(await viewIds('carla', 'queue')).toContain(id);
    expect((await people.carla!.call('POST', `/app/api/conversations/${id}/transfer`, { team_id: 'team_nope' })).body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field: 'body.team_id' } });

    expect((await people.carla!.call('POST', `/app/api/conversations/${id}/take`)).status).toBe(200);
    const snoozed = await people.carla!.call('POST', `/app/api/conversations/${id}/snooze`, { until_next_message: true });
    expect(snoozed.status, JSON.stringify(snoozed.body)).toBe(200);
    expect(snoozed.body.snooze).toEqual({ until: null, until_next_message: true });
    expect(await viewIds('carla', 'mine')).not.toContain(id);
    expect(await viewIds('carla', 'all')).toContain(id);
    expect((await people.carla!.call('POST', `/app/api/conversations/${id}/snooze`, { until: '2001-01-01T00:00:00Z' })).body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field: 'body.until' } });
    expect((await people.carla!.call('POST', `/app/api/conversations/${id}/snooze`, {})).status).toBe(400);
    await running.sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: running.pn, type: 'text', text: { body: 'Ainda estou aqui' } });
    await until(async () => (await viewIds('carla', 'mine')).includes(id), 'the customer message wakes the snoozed conversation');
    expect((await people.carla!.call('GET', `/app/api/conversations/${id}`)).body.snooze).toBeNull();

    const later = new Date(Date.now() + 3_600_000).toISOString();
    expect((await people.carla!.call('POST', `/app/api/conversations/${id}/snooze`, { until: later })).body.snooze).toEqual({ until: later, until_next_message: false });
    expect(await viewIds('carla', 'mine')).not.toContain(id);
    expect((await people.carla!.call('POST', `/app/api/conversations/${id}/unsnooze`)).body.snooze).toBeNull();
    expect(await viewIds('carla', 'mine')).toContain(id);

    const resolved = await people.carla!.call('POST', `/app/api/conversations/${id}/resolve`, { survey: true });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect(resolved.body).toMatchObject({ owner: { type: 'bot' }, transition: { action: 'resolve', actor: { type: 'user', id: people.carla!.id } } });
    const events: Json[] = await running.app.modules.events.after(0, 100_000);
    expect(events.filter((e) => e.type === 'conversation.updated' && e.data.conversation_id === id && e.data.transition?.action === 'resolve').map((e) => e.data.transition.survey)).toEqual([true]);
    expect(await viewIds('sofia', 'resolved')).toContain(id);
  });

  it('assigns handoffs round robin and least busy among online agents with room, and the oldest waiting one when an agent frees a slot', async () => {
    expect((await people.ana!.call('PUT', '/app/api/settings/assignment', { strategy: 'round_robin' })).status).toBe(403);
    expect((await people.admin!.call('PUT', '/app/api/settings/assignment', { strategy: 'sometimes' })).body.error).toMatchObject({ details: { field: 'body.strategy' } });
    const set = await people.admin!.call('PUT', '/app/api/settings/assignment', { strategy: 'round_robin' });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect((await people.admin!.call('GET', '/app/api/settings/assignment')).body).toMatchObject({ strategy: 'round_robin', updated_by: people.admin!.id });

    const team = [{ name: 'Entregas', queue: 'entregas' }];
    const dora = await person('dora', { role: 'agent', teams: team }, 'online');
    const edu = await person('edu', { role: 'agent', teams: team }, 'online');
    await person('fabio', { role: 'agent', teams: team });
    await person('gina', { role: 'agent', teams: team }, 'away');
    const owners: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { id } = await customer(`Entrega ${i}`);
      await handoff(id, 'entregas');
      owners.push((await ownerOf(id)).id);
    }
    // Offline and away people get nothing; the two online ones take turns.
    expect(new Set(owners)).toEqual(new Set([dora.id, edu.id]));
    expect(owners[0]).not.toBe(owners[1]);
    expect(owners[2]).toBe(owners[0]);
    expect(owners[3]).toBe(owners[1]);

    expect((await people.admin!.call('PUT', '/app/api/settings/assignment', { strategy: 'least_busy' })).status).toBe(200);
    const desk = [{ name: 'Cobrança', queue: 'cobranca' }];
    const hugo = await person('hugo', { role: 'agent', teams: desk, capacity: 5 }, 'online');
    const iris = await person('iris', { role: 'agent', teams: desk, capacity: 1 }, 'online');
    // Hugo already works two conversations.
    for (let i = 0; i < 2; i++) {
      const { id } = await customer(`Cobrança manual ${i}`);
      expect((await people.sofia!.call('POST', `/app/api/conversations/${id}/assign`, { user_id: hugo.id })).status).toBe(200);
    }
    const first = await customer('Cobrança 1');
    await handoff(first.id, 'cobranca');
    expect((await ownerOf(first.id)).id).toBe(iris.id);
    const second = await customer('Cobrança 2');
    await handoff(second.id, 'cobranca');
    // Iris is at her capacity (1): Hugo, busier, gets it.
    expect((await ownerOf(second.id)).id).toBe(hugo.id);

    // Nobody with room: it waits; when Iris resolves hers, the oldest waiting one is hers.
    await people.hugo!.call('PATCH', '/app/api/me', { presence: 'away' });
    const waiting = await customer('Cobrança 3');
    await handoff(waiting.id, 'cobranca');
    expect(await ownerOf(waiting.id)).toMatchObject({ type: 'queue', id: 'cobranca' });
    expect((await people.iris!.call('POST', `/app/api/conversations/${first.id}/resolve`)).status).toBe(200);
    expect(await ownerOf(waiting.id)).toMatchObject({ type: 'agent', id: iris.id });
    // Hugo comes back online: the conversation waiting since is his.
    const next = await customer('Cobrança 4');
    await handoff(next.id, 'cobranca');
    expect(await ownerOf(next.id)).toMatchObject({ type: 'queue', id: 'cobranca' });
    expect((await people.hugo!.call('PATCH', '/app/api/me', { presence: 'online' })).status).toBe(200);
    expect(await ownerOf(next.id)).toMatchObject({ type: 'agent', id: hugo.id });
    expect((await people.admin!.call('PUT', '/app/api/settings/assignment', { strategy: 'manual' })).status).toBe(200);
  });

  it('lets an agent read only the attachments of conversations they may see', async () => {
    const { id } = await customer('Cliente Foto', 'Segue a foto');
    await handoff(id, 'suporte');
    expect((await people.ana!.call('POST', `/app/api/conversations/${id}/take`)).status).toBe(200);
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const form = new FormData();
    form.append('file', new Blob([png], { type: 'image/png' }), 'foto.png');
    const uploaded = await api('POST', '/media', form);
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
    const mediaId = uploaded.body.id as string;
    const path = `/app/api/media/${mediaId}/content`;
    // Not sent yet: only supervisors and admins.
    expect((await people.ana!.call('GET', path)).status).toBe(404);
    const sent = await people.ana!.call('POST', `/app/api/conversations/${id}/messages`, { type: 'image', image: { id: mediaId } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    expect((await people.ana!.call('GET', path)).status).toBe(200);
    expect((await people.bruno!.call('GET', path)).status).toBe(200); // same team
    expect((await people.sofia!.call('GET', path)).status).toBe(200);
    const foreign = await people.carla!.call('GET', path);
    expect([foreign.status, foreign.body?.error?.code]).toEqual([404, 'CONVERSA_ERR_NOT_FOUND']);
  });

  it('drives the embedded sandbox from the phone page: customers, what they send and receive, the clock', async () => {
    const phone = people.bruno!.call;
    expect((await appApi(running, null)('GET', '/app/api/phone/phones')).status).toBe(401);
    // A Brazilian wa_id without the ninth digit, as Meta sends older numbers: replies still reach it.
    const waId = `55119${String(dialect.name.length)}${String(++sequence).padStart(6, '0')}`;
    const created = await phone('POST', '/app/api/phone/phones', { wa_id: waId, name: 'Cliente do Telefone' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await phone('POST', '/app/api/phone/phones', { wa_id: '12', name: 'x' })).body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field: 'body.wa_id' } });
    expect((await phone('GET', '/app/api/phone/phones')).body.data.map((p: Json) => p.wa_id)).toContain(waId);

    const wrote = await phone('POST', `/app/api/phone/phones/${waId}/messages`, { type: 'text', text: { body: 'Olá do telefone' } });
    expect(wrote.status, JSON.stringify(wrote.body)).toBe(201);
    const conversation = await until(async () => (await api('GET', `/conversations?wa_id=${waId}`)).body.data[0], 'the phone page customer conversation');
    expect((await phone('POST', `/app/api/phone/phones/${waId}/messages`, { type: 'location', location: { latitude: -23.5, longitude: -46.6, name: 'Loja' } })).status).toBe(201);
    expect((await phone('POST', `/app/api/phone/phones/${waId}/messages`, { type: 'sticker', sticker: {} })).body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field: 'body.type' } });
    expect((await phone('POST', `/app/api/phone/phones/${waId}/messages`, { type: 'text', to: '999999999', text: { body: 'x' } })).body.error).toMatchObject({ details: { field: 'body.to' } });

    await handoff(conversation.id, 'suporte');
    expect((await phone('POST', `/app/api/conversations/${conversation.id}/take`)).status).toBe(200);
    expect((await phone('POST', `/app/api/conversations/${conversation.id}/messages`, { type: 'text', text: { body: 'Resposta do Bruno' } })).status).toBe(202);
    const screen = await until(async () => {
      const answer = (await phone('GET', `/app/api/phone/phones/${waId}`)).body;
      return (answer.received as Json[]).some((m) => m.content?.body === 'Resposta do Bruno') && answer;
    }, 'the reply on the phone page');
    expect(screen.phone).toMatchObject({ wa_id: waId, name: 'Cliente do Telefone' });
    expect((screen.sent as Json[]).map((m) => m.type)).toEqual(['text', 'location']);
    expect((await phone('GET', '/app/api/phone/phones/5511000000000')).status).toBe(404);

    const clock = await phone('GET', '/app/api/phone/clock');
    expect(clock.status).toBe(200);
    expect(clock.body).toHaveProperty('now');
    expect((await phone('POST', '/app/api/phone/clock', { advance_seconds: -1 })).body.error).toMatchObject({ details: { field: 'body.advance_seconds' } });
    // The control token never reaches the browser.
    expect(JSON.stringify([created.body, screen, clock.body])).not.toContain(running.app.sandbox!.controlToken);
  });
});
