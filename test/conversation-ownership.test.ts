import { beforeAll, describe, expect, it } from 'vitest';
import type { TransitionNotice } from '../src/modules/conversations/index.js';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

/**
 * Who owns a conversation (issue 10, "Ownership"): the bot until a handoff gives it to a queue,
 * an agent who takes it, transfers, gives it back or resolves it, and the bot again. Through the
 * REST API as a company system drives it, and through the module API as the chatbot runtime
 * calls it, on both dialects: the history of transitions, the `conversation.updated` events in
 * the outbox, the refusals, concurrent takers, other workspaces and bad bodies.
 */
describe.each(DIALECTS)('conversation ownership on $name', (dialect) => {
  const running = useApp(dialect);
  const api = running.api;
  let keyId: string;

  /** A customer writes; answers their conversation once it is stored. */
  const conversationOf = async (waId: string): Promise<Json> => {
    const sent = await running.sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: running.pn, type: 'text', text: { body: 'Quero falar com uma pessoa' } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    return until(async () => (await api('GET', `/conversations?wa_id=${waId}`)).body.data[0], `the conversation of ${waId}`);
  };
  const post = (id: string, action: string, body?: unknown) => api('POST', `/conversations/${id}/${action}`, body);
  /** The owner changes recorded in the outbox for one conversation, oldest first. */
  const ownerEvents = async (conversationId: string): Promise<Json[]> =>
    (await running.app.modules.events.after(0, 100_000)).filter((e) => e.type === 'conversation.updated' && e.data.conversation_id === conversationId && e.data.reason === 'owner_changed').map((e) => e.data);
  const transitionsOf = async (id: string): Promise<Json[]> => (await api('GET', `/conversations/${id}/transitions?limit=100`)).body.data;

  beforeAll(async () => {
    keyId = (await api('GET', '/workspaces/current')).body.api_key.id;
  });

  it('walks bot → queue → agent → transfer → queue → agent → resolved by the bot, with every transition listed and published', async () => {
    const resolved: TransitionNotice[] = [];
    const stop = running.app.modules.ownership.onResolved((_trx, notice) => {
      resolved.push(notice);
    });
    try {
      const start = await conversationOf('5511933330001');
      expect(start.owner).toEqual({ type: 'bot', id: null, since: start.created_at });
      expect(start).toMatchObject({ queue: null, resolved_at: null, handoff: null });
      const id = start.id as string;
      const actor = { type: 'api_key', id: keyId };

      const handoff = await post(id, 'handoff', { queue: 'suporte', reason: 'pediu atendente', summary: { pedido: '4471', nome: 'Maria', itens: ['pão', 'café'] } });
      expect(handoff.status, handoff.text).toBe(200);
      expect(handoff.body).toMatchObject({
        id,
        owner: { type: 'queue', id: 'suporte' },
        queue: 'suporte',
        handoff: { reason: 'pediu atendente', summary: { pedido: '4471', nome: 'Maria', itens: ['pão', 'café'] }, actor },
        transition: { action: 'handoff', from: { type: 'bot', id: null }, to: { type: 'queue', id: 'suporte' }, actor, reason: 'pediu atendente' },
      });
      expect(handoff.body.contact.wa_id).toBe('5511933330001');
      expect(Date.parse(handoff.body.owner.since)).toBeGreaterThanOrEqual(Date.parse(start.owner.since));

      // The inbox finds it in its queue, by owner and by queue.
      const inQueue = await api('GET', '/conversations?owner_type=queue&owner_id=suporte');
      expect(inQueue.body.data.map((c: Json) => c.id)).toContain(id);
      expect((await api('GET', '/conversations?owner_type=bot&wa_id=5511933330001')).body.data).toEqual([]);

      const taken = await post(id, 'assign', { agent_id: 'ana@padaria.com' });
      expect(taken.status, taken.text).toBe(200);
      expect(taken.body).toMatchObject({ owner: { type: 'agent', id: 'ana@padaria.com' }, queue: 'suporte', transition: { action: 'assign', from: { type: 'queue', id: 'suporte' } } });
      // The agent still sees why it came and what the bot collected.
      expect(taken.body.handoff).toMatchObject({ reason: 'pediu atendente', summary: { pedido: '4471' } });
      expect((await api('GET', '/conversations?owner_id=ana@padaria.com')).body.data.map((c: Json) => c.id)).toEqual([id]);
      expect((await api('GET', '/conversations?queue=suporte&owner_type=agent')).body.data.map((c: Json) => c.id)).toContain(id);

      // Assigning it to the agent who has it changes nothing and records nothing.
      const again = await post(id, 'assign', { agent_id: 'ana@padaria.com' });
      expect(again.status).toBe(200);
      expect(again.body.transition).toBeNull();

      const transferred = await post(id, 'assign', { agent_id: 'bruno', transfer: true, reason: 'especialista em entregas' });
      expect(transferred.status, transferred.text).toBe(200);
      expect(transferred.body).toMatchObject({ owner: { type: 'agent', id: 'bruno' }, queue: 'suporte', transition: { action: 'transfer', from: { type: 'agent', id: 'ana@padaria.com' }, to: { type: 'agent', id: 'bruno' } } });

      const back = await post(id, 'unassign');
      expect(back.status, back.text).toBe(200);
      expect(back.body).toMatchObject({ owner: { type: 'queue', id: 'suporte' }, queue: 'suporte', transition: { action: 'unassign' } });

      expect((await post(id, 'assign', { agent_id: 'carla' })).status).toBe(200);
      const done = await post(id, 'resolve', { survey: true, reason: 'entrega confirmada' });
      expect(done.status, done.text).toBe(200);
      expect(done.body).toMatchObject({ owner: { type: 'bot', id: null }, queue: null, handoff: null, transition: { action: 'resolve', from: { type: 'agent', id: 'carla' }, to: { type: 'bot', id: null } } });
      expect(done.body.resolved_at).toBe(done.body.owner.since);
      expect((await api('GET', '/conversations?resolved=true&wa_id=5511933330001')).body.data.map((c: Json) => c.id)).toEqual([id]);
      expect((await api('GET', '/conversations?resolved=false&wa_id=5511933330001')).body.data).toEqual([]);

      // The chatbot's listener heard the resolve, in its transaction, with the survey asked for.
      expect(resolved.filter((n) => n.conversation.id === id)).toMatchObject([{ options: { survey: true }, conversation: { owner_type: 'bot', resolved_at: done.body.resolved_at }, transition: { action: 'resolve' } }]);

      // The history: oldest first, each with who and why; pages walk it once.
      const history = await transitionsOf(id);
      expect(history.map((t) => [t.action, t.from.id, t.to.id])).toEqual([
        ['handoff', null, 'suporte'],
        ['assign', 'suporte', 'ana@padaria.com'],
        ['transfer', 'ana@padaria.com', 'bruno'],
        ['unassign', 'bruno', 'suporte'],
        ['assign', 'suporte', 'carla'],
        ['resolve', 'carla', null],
      ]);
      expect(history.every((t) => t.actor.type === 'api_key' && t.actor.id === keyId)).toBe(true);
      expect(history[0]).toMatchObject({ reason: 'pediu atendente', summary: { pedido: '4471' }, queue: 'suporte' });
      expect(history[2]).toMatchObject({ reason: 'especialista em entregas', summary: null });
      const first = await api('GET', `/conversations/${id}/transitions?limit=4`);
      expect(first.body.data).toHaveLength(4);
      const second = await api('GET', `/conversations/${id}/transitions?limit=4&cursor=${first.body.next_cursor}`);
      expect(second.body.next_cursor).toBeNull();
      expect([...first.body.data, ...second.body.data].map((t: Json) => t.id)).toEqual(history.map((t) => t.id));

      // Each transition published conversation.updated with it and the new owner; the no-op did not.
      const events = await ownerEvents(id);
      expect(events.map((e) => [e.transition.action, e.owner.type, e.owner.id])).toEqual([
        ['handoff', 'queue', 'suporte'],
        ['assign', 'agent', 'ana@padaria.com'],
        ['transfer', 'agent', 'bruno'],
        ['unassign', 'queue', 'suporte'],
        ['assign', 'agent', 'carla'],
        ['resolve', 'bot', null],
      ]);
      expect(events[0]).toMatchObject({
        conversation_id: id,
        contact_id: start.contact.id,
        phone_number_id: running.pn,
        message_id: null,
        queue: 'suporte',
        window_open: true,
        transition: { id: history[0].id, from: { type: 'bot', id: null }, to: { type: 'queue', id: 'suporte' }, actor, reason: 'pediu atendente', summary: { pedido: '4471' } },
      });
      expect(events[5]).toMatchObject({ resolved_at: done.body.resolved_at, transition: { survey: true, reason: 'entrega confirmada' } });
    } finally {
      stop();
    }
  });

  it('refuses transitions the state does not allow with 409 naming from and to, and changes nothing', async () => {
    const { id } = await conversationOf('5511933330002');
    const refused = async (action: string, body: unknown, from: Json, to: Json) => {
      const answer = await post(id, action, body);
      expect(answer.status, `${action}: ${answer.text}`).toBe(409);
      expect(answer.body.error).toMatchObject({ code: 'CONVERSA_ERR_CONVERSATION_TRANSITION', details: { action, from, to } });
      expect(answer.body.error.details.fix).toEqual(expect.any(String));
    };
    await refused('resolve', {}, { type: 'bot', id: null }, { type: 'bot', id: null });
    await refused('unassign', undefined, { type: 'bot', id: null }, { type: 'queue', id: null });
    expect((await post(id, 'handoff', { queue: 'vendas' })).status).toBe(200);
    await refused('unassign', {}, { type: 'queue', id: 'vendas' }, { type: 'queue', id: 'vendas' });
    // Handing it to the queue it waits in changes nothing; to another queue moves it.
    expect((await post(id, 'handoff', { queue: 'vendas' })).body.transition).toBeNull();
    expect((await post(id, 'handoff', { queue: 'suporte' })).body.transition).toMatchObject({ action: 'handoff', from: { type: 'queue', id: 'vendas' } });
    expect((await post(id, 'assign', { agent_id: 'ana' })).status).toBe(200);
    await refused('handoff', { queue: 'vendas' }, { type: 'agent', id: 'ana' }, { type: 'queue', id: 'vendas' });
    await refused('assign', { agent_id: 'bruno' }, { type: 'agent', id: 'ana' }, { type: 'agent', id: 'bruno' });
    expect((await post(id, 'resolve')).status).toBe(200);

    // Straight from the bot to an agent: no queue to return to unless one is named.
    expect((await post(id, 'assign', { agent_id: 'ana' })).body).toMatchObject({ owner: { type: 'agent', id: 'ana' }, queue: null, resolved_at: null });
    await refused('unassign', {}, { type: 'agent', id: 'ana' }, { type: 'queue', id: null });
    expect((await post(id, 'unassign', { queue: 'suporte' })).body).toMatchObject({ owner: { type: 'queue', id: 'suporte' }, queue: 'suporte' });

    const history = await transitionsOf(id);
    expect(history.map((t) => t.action)).toEqual(['handoff', 'handoff', 'assign', 'resolve', 'assign', 'unassign']);
    expect(await ownerEvents(id)).toHaveLength(6);
  });

  it('lets exactly one of 20 agents taking the same queued conversation at once have it', async () => {
    const { id } = await conversationOf('5511933330003');
    expect((await post(id, 'handoff', { queue: 'suporte' })).status).toBe(200);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post(id, 'assign', { agent_id: `agente_${i}` })));
    const won = answers.filter((a) => a.status === 200);
    expect(won, answers.map((a) => `${a.status} ${a.text.slice(0, 120)}`).join('\n')).toHaveLength(1);
    const winner = won[0]!.body.owner.id as string;
    for (const lost of answers.filter((a) => a.status !== 200)) {
      expect(lost.status).toBe(409);
      expect(lost.body.error).toMatchObject({ code: 'CONVERSA_ERR_CONVERSATION_TRANSITION', details: { from: { type: 'agent', id: winner } } });
    }
    expect((await api('GET', `/conversations/${id}`)).body.owner).toMatchObject({ type: 'agent', id: winner });
    expect((await transitionsOf(id)).map((t) => [t.action, t.to.id])).toEqual([['handoff', 'suporte'], ['assign', winner]]);
    expect((await ownerEvents(id)).map((e) => e.owner.id)).toEqual(['suporte', winner]);
  });

  it('runs inside the chatbot runtime\'s transaction: the bot as actor, and a failing resolve listener rolls the resolve back', async () => {
    const { id, contact } = await conversationOf('5511933330004');
    const { db } = running.app.database;
    const ownership = running.app.modules.ownership;
    const workspaceId = (await db.selectFrom('conversations').select('workspace_id').where('id', '=', id).executeTakeFirstOrThrow()).workspace_id;
    const bot = { type: 'bot' as const, id: 'suporte-v3' };

    const handed = await db.transaction().execute((trx) => ownership.handoff(trx, { workspaceId, conversationId: id, queue: 'suporte', reason: 'intent falar_com_atendente', summary: { cpf: '529.982.247-25' }, actor: bot }));
    expect(handed).toMatchObject({ ok: true, conversation: { owner_type: 'queue', owner_id: 'suporte' }, transition: { action: 'handoff', actor: bot } });
    // A module caller gets the same rules as the API: a bad queue name is a validation error.
    expect(await db.transaction().execute((trx) => ownership.handoff(trx, { workspaceId, conversationId: id, queue: 'Fila Geral', actor: bot }))).toMatchObject({ ok: false, error: { code: 'CONVERSA_ERR_VALIDATION', details: { field: 'queue' } } });
    // Text PostgreSQL cannot keep is refused before it can fail the caller's transaction.
    expect(await db.transaction().execute((trx) => ownership.assign(trx, { workspaceId, conversationId: id, agentId: 'ana', reason: 'nul\u0000', actor: bot }))).toMatchObject({ ok: false, error: { code: 'CONVERSA_ERR_VALIDATION', details: { field: 'reason' } } });
    // Another workspace's id finds nothing.
    expect(await db.transaction().execute((trx) => ownership.resolve(trx, { workspaceId: 'ws_other', conversationId: id, actor: bot }))).toMatchObject({ ok: false, error: { code: 'CONVERSA_ERR_NOT_FOUND' } });

    // A listener that fails makes the whole resolve fail: nothing half-done is left behind.
    const stop = ownership.onResolved((_trx, notice) => {
      if (notice.conversation.id === id) throw new Error('survey flow not published');
    });
    try {
      const failed = await post(id, 'resolve', { survey: true });
      expect(failed.status).toBe(500);
    } finally {
      stop();
    }
    const after = (await api('GET', `/conversations/${id}`)).body;
    expect(after).toMatchObject({ owner: { type: 'queue', id: 'suporte' }, resolved_at: null, contact: { id: contact.id } });
    expect((await transitionsOf(id)).map((t) => [t.action, t.actor.type, t.actor.id])).toEqual([['handoff', 'bot', 'suporte-v3']]);
    expect(await ownerEvents(id)).toHaveLength(1);
  });

  it("answers 404 for another workspace's conversation, on every ownership route, and changes nothing", async () => {
    const { id } = await conversationOf('5511933330005');
    expect((await post(id, 'handoff', { queue: 'suporte' })).status).toBe(200);
    const other = await api('POST', '/workspaces', { name: 'Outra loja' });
    expect(other.status, other.text).toBe(201);
    const as = (method: string, path: string, body?: unknown) => api(method, path, body, { token: other.body.api_key });
    for (const [method, path, body] of [
      ['POST', `/conversations/${id}/handoff`, { queue: 'roubo' }],
      ['POST', `/conversations/${id}/assign`, { agent_id: 'intruso', transfer: true }],
      ['POST', `/conversations/${id}/unassign`, {}],
      ['POST', `/conversations/${id}/resolve`, { survey: true }],
      ['GET', `/conversations/${id}/transitions`],
      ['POST', '/conversations/cv_doesnotexist/assign', { agent_id: 'ana' }],
    ] as Array<[string, string, unknown?]>) {
      const answer = await as(method, path, body);
      expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(404);
      expect(answer.body.error.code).toBe('CONVERSA_ERR_NOT_FOUND');
    }
    expect((await as('GET', '/conversations?owner_type=queue&owner_id=suporte')).body.data).toEqual([]);
    // In its own workspace, a key that may only read sees the history and moves nothing.
    const reader = await api('POST', '/api-keys', { name: 'painel', scopes: ['messages:read'] });
    expect(reader.status, reader.text).toBe(201);
    expect((await api('POST', `/conversations/${id}/assign`, { agent_id: 'ana' }, { token: reader.body.key })).status).toBe(403);
    expect((await api('POST', `/conversations/${id}/resolve`, {}, { token: reader.body.key })).status).toBe(403);
    expect((await api('GET', `/conversations/${id}/transitions`, undefined, { token: reader.body.key })).status).toBe(200);
    expect((await api('GET', `/conversations/${id}`)).body.owner).toMatchObject({ type: 'queue', id: 'suporte' });
    expect(await transitionsOf(id)).toHaveLength(1);
  });

  it('answers bad bodies and queries with 400 naming the field and the rule', async () => {
    const { id } = await conversationOf('5511933330006');
    const cases: Array<[string, unknown, string, RegExp]> = [
      ['handoff', {}, 'body.queue', /required/],
      ['handoff', { queue: 'Fila Geral' }, 'body.queue', /pattern/],
      ['handoff', { queue: 'x'.repeat(65) }, 'body.queue', /pattern/],
      ['handoff', { queue: 'suporte', summary: ['não', 'é', 'objeto'] }, 'body.summary', /object/],
      ['handoff', { queue: 'suporte', summary: { texto: 'x'.repeat(17_000) } }, 'body.summary', /16384 bytes/],
      ['handoff', { queue: 'suporte', reason: 'r'.repeat(501) }, 'body.reason', /500/],
      ['assign', {}, 'body.agent_id', /required/],
      ['assign', { agent_id: 'ana maria' }, 'body.agent_id', /pattern/],
      ['assign', { agent_id: 'ana', transfer: 'talvez' }, 'body.transfer', /boolean/],
      ['assign', { agent_id: 'ana', queue: '-fila' }, 'body.queue', /pattern/],
      ['unassign', { queue: 'Vendas' }, 'body.queue', /pattern/],
      ['resolve', { survey: 'sim' }, 'body.survey', /boolean/],
    ];
    for (const [action, body, field, rule] of cases) {
      const answer = await post(id, action, body);
      expect(answer.status, `${action} ${JSON.stringify(body).slice(0, 80)}: ${answer.text}`).toBe(400);
      expect(answer.body.error.code).toBe('CONVERSA_ERR_VALIDATION');
      expect(answer.body.error.details.field).toBe(field);
      expect(answer.body.error.details.rule).toMatch(rule);
    }
    for (const [query, field] of [
      ['cursor=bm90LWEtY3Vyc29y', 'querystring.cursor'],
      ['limit=0', 'querystring.limit'],
    ]) {
      const answer = await api('GET', `/conversations/${id}/transitions?${query}`);
      expect(answer.status, answer.text).toBe(400);
      expect(answer.body.error.details.field).toBe(field);
    }
    const badFilter = await api('GET', '/conversations?owner_id=ana%20maria');
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.error.details.field).toBe('querystring.owner_id');
    // Nothing moved.
    expect((await api('GET', `/conversations/${id}`)).body.owner.type).toBe('bot');
    expect(await transitionsOf(id)).toEqual([]);
  });
});
