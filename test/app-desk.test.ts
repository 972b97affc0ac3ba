import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { appApi, createUser, signIn, type AppApi, type CreatedUser } from './support/users.js';
import { until, type Json } from './support/wait.js';

/**
 * The agent's desk (issue 11, docs/inbox.md "Notes, labels, canned replies, contact panel,
 * supervisor view") over real HTTP with signed-in people, on both dialects: notes and their
 * mentions, labels, canned replies and their variables, the contact panel, the supervisor's
 * board over a scripted day on the sandbox clock, and who may see and do what.
 */
describe.each(DIALECTS)('the agent desk on $name', (dialect) => {
  const running = useApp(dialect, { transport: 'socket' });
  const api = running.api;
  let sup: AppApi;
  let ana: AppApi;
  let bruno: AppApi;
  let users: { sup: CreatedUser; ana: CreatedUser; bruno: CreatedUser; stranger: CreatedUser };
  /** A conversation of the `suporte` queue (ana's team), with its contact. */
  let support: Json;

  /** A customer writes; answers their conversation once it is stored. */
  const conversationOf = async (waId: string, text = 'Quero falar com uma pessoa'): Promise<Json> => {
    const sent = await running.sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: running.pn, type: 'text', text: { body: text } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    return until(async () => (await api('GET', `/conversations?wa_id=${waId}`)).body.data[0], `the conversation of ${waId}`);
  };
  const handoff = async (id: string, queue: string) => {
    const answer = await api('POST', `/conversations/${id}/handoff`, { queue, reason: 'pediu atendente' });
    expect(answer.status, answer.text).toBe(200);
    return answer.body;
  };
  const eventsOf = async (type: string) => (await running.app.modules.events.after(0, 100_000)).filter((event) => event.type === type).map((event) => event.data);

  beforeAll(async () => {
    // The supervisor board counts "today" in UTC on the sandbox clock: start the file at the
    // sandbox's next noon, so that its scripted minutes never cross midnight, whenever it runs.
    const { now } = (await running.sandbox('GET', '/sandbox/v1/clock')).body as { now: string };
    const toNoon = (12 * 3600 - Math.floor((Date.parse(now) % 86_400_000) / 1000) + 86_400) % 86_400;
    if (toNoon > 0) expect((await running.sandbox('POST', '/sandbox/v1/clock', { advance_seconds: toNoon })).status).toBe(200);
    const other = await running.app.modules.workspaces.create('Outra Padaria');
    users = {
      sup: await createUser(running, { role: 'supervisor', name: 'Sônia Supervisora', email: `sonia.${dialect.name}@padaria.test` }),
      ana: await createUser(running, { role: 'agent', name: 'Ana Silva', email: `ana.silva@${dialect.name}.padaria.test`, teams: [{ name: 'Suporte', queue: 'suporte' }] }),
      bruno: await createUser(running, { role: 'agent', name: 'Bruno Vendas', email: `bruno@${dialect.name}.padaria.test`, teams: [{ name: 'Vendas', queue: 'vendas' }] }),
      stranger: await createUser(running, { role: 'agent', name: 'Estranho', email: `estranho@${dialect.name}.outra.test`, workspaceId: other.id }),
    };
    const session = async (user: CreatedUser) => appApi(running, await signIn(running, user.email, user.password));
    [sup, ana, bruno] = await Promise.all([session(users.sup), session(users.ana), session(users.bruno)]);
    support = await conversationOf('5511944440001');
    await handoff(support.id, 'suporte');
  });

  it('keeps notes with @mentions beside the conversation, never sends them, and shows mentions to the people named', async () => {
    const messagesOf = async () => (await api('GET', `/conversations/${support.id}/messages?limit=100`)).body.data.map((m: Json) => m.id);
    const before = { conversation: (await api('GET', `/conversations/${support.id}`)).body, messages: await messagesOf() };
    const hostile = '<img src=x onerror=alert(1)> <script>alert("x")</script> [link](javascript:alert(1)) {{contact.name}}';
    const text = `@sonia.${dialect.name} pode ver? @[Bruno Vendas](${users.bruno.id}) @estranho @ninguem ${hostile}`;
    const note = await ana('POST', `/app/api/conversations/${support.id}/notes`, { text });
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    expect(note.headers.get('content-type')).toMatch(/^application\/json/);
    // Stored and answered verbatim, as JSON text; the other workspace's user and nobody stay text.
    expect(note.body).toMatchObject({ conversation_id: support.id, text, author: { id: users.ana.id, name: 'Ana Silva' } });
    expect(note.body.mentions).toEqual([
      { id: users.sup.id, name: 'Sônia Supervisora' },
      { id: users.bruno.id, name: 'Bruno Vendas' },
    ]);
    const listed = await sup('GET', `/app/api/conversations/${support.id}/notes`);
    expect(listed.body.data.map((n: Json) => n.text)).toEqual([text]);

    // Never a message to the customer.
    expect((await api('GET', `/conversations/${support.id}`)).body.last_message).toEqual(before.conversation.last_message);
    expect(await messagesOf()).toEqual(before.messages);
    expect((await running.sandbox('GET', `/sandbox/v1/phones/5511944440001/messages`)).text ?? '').not.toContain('onerror');

    // The inbox-only event, in the outbox, and no webhook ever offered it.
    expect(await eventsOf('note.created')).toContainEqual({ conversation_id: support.id, note_id: note.body.id, author_id: users.ana.id, mentions: [users.sup.id, users.bruno.id] });

    // The supervisor's unread mentions, then read.
    const unread = await sup('GET', '/app/api/mentions?unread=true');
    expect(unread.body.data.map((m: Json) => m.note.id)).toEqual([note.body.id]);
    expect((await sup('POST', '/app/api/mentions/read', { note_ids: [note.body.id] })).body).toEqual({ marked: 1 });
    expect((await sup('GET', '/app/api/mentions?unread=true')).body.data).toEqual([]);
    expect((await sup('GET', '/app/api/mentions')).body.data[0].read_at).not.toBeNull();
    // Ana was not mentioned; Bruno was (the author told him), but the conversation stays closed to him.
    expect((await ana('GET', '/app/api/mentions?unread=true')).body.data).toEqual([]);
    expect((await bruno('GET', '/app/api/mentions?unread=true')).body.data.map((m: Json) => m.note.id)).toEqual([note.body.id]);
    expect((await bruno('GET', `/app/api/conversations/${support.id}/notes`)).status).toBe(404);
    expect((await bruno('POST', `/app/api/conversations/${support.id}/notes`, { text: 'oi' })).status).toBe(404);

    for (const [body, field] of [[{ text: 'x'.repeat(4001) }, 'body.text'], [{ text: '   ' }, 'body.text'], [{}, 'body.text']] as const) {
      const refused = await ana('POST', `/app/api/conversations/${support.id}/notes`, body);
      expect(refused.status).toBe(400);
      expect(refused.body.error.details.field).toBe(field);
    }
  });

  it('labels conversations, one spelling per workspace, refusing bad labels by field', async () => {
    const set = await ana('PUT', `/app/api/conversations/${support.id}/labels`, { labels: [' VIP ', 'Entrega atrasada', 'vip'] });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.labels).toEqual(['VIP', 'Entrega atrasada']);
    for (const [labels, field] of [
      [['ok', '  '], 'body.labels.1'],
      [['x'.repeat(41)], 'body.labels.0'],
      [['linha\nquebrada'], 'body.labels.0'],
      [Array.from({ length: 21 }, (_, i) => `rótulo ${i}`), 'body.labels'],
    ] as const) {
      const refused = await ana('PUT', `/app/api/conversations/${support.id}/labels`, { labels });
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field } });
    }
    const sales = await conversationOf('5511944440002');
    await handoff(sales.id, 'vendas');
    // People labelling at once never see a 500.
    const racing = await Promise.all(['a', 'b', 'c', 'd'].map((label) => bruno('PUT', `/app/api/conversations/${sales.id}/labels`, { labels: ['comum', label] })));
    expect(racing.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect((await bruno('PUT', `/app/api/conversations/${sales.id}/labels`, { labels: ['vip'] })).body.labels).toEqual(['VIP']);
    expect((await sup('GET', `/app/api/conversations/${sales.id}/labels`)).body.labels).toEqual(['VIP']);
    expect((await ana('PUT', `/app/api/conversations/${sales.id}/labels`, { labels: ['x'] })).status).toBe(404);
    // Counts cover what each one may see.
    expect((await sup('GET', '/app/api/labels')).body.data).toEqual([
      { label: 'VIP', count: 2 },
      { label: 'Entrega atrasada', count: 1 },
    ]);
    expect((await ana('GET', '/app/api/labels')).body.data).toEqual([
      { label: 'Entrega atrasada', count: 1 },
      { label: 'VIP', count: 1 },
    ]);
    expect(await eventsOf('conversation.labels')).toContainEqual({ conversation_id: sales.id, labels: ['VIP'], actor_id: users.bruno.id });
  });

  it('lets supervisors write canned replies (linted) and anyone who sees the conversation render them', async () => {
    const body = { shortcut: '/Frete', title: 'Frete', text: 'Olá {{ contact.first_name }}, aqui é {{agent.first_name}} da fila {{conversation.queue}}. Cidade: {{contact.attributes.cidade}}.' };
    expect((await ana('POST', '/app/api/canned-replies', body)).status).toBe(403);
    const unknown = await sup('POST', '/app/api/canned-replies', { ...body, text: 'Seu pedido {{pedido}} saiu' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'CONVERSA_ERR_CANNED_VARIABLE', details: { field: 'text', variable: 'pedido' } });
    expect((await sup('POST', '/app/api/canned-replies', { ...body, text: '{{ 7*7 }}' })).body.error.details.variable).toBe('7*7');
    const created = await sup('POST', '/app/api/canned-replies', body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.shortcut).toBe('/frete');
    expect((await sup('POST', '/app/api/canned-replies', { ...body, shortcut: '/FRETE' })).status).toBe(409);
    expect((await sup('POST', '/app/api/canned-replies', { ...body, shortcut: 'frete' })).body.error.details.field).toBe('body.shortcut');
    const id = created.body.id as string;

    await sup('PATCH', `/app/api/contacts/${support.contact.id}`, { name: 'Maria Souza' });
    const rendered = await ana('POST', `/app/api/canned-replies/${id}/render`, { conversation_id: support.id });
    expect(rendered.status, JSON.stringify(rendered.body)).toBe(200);
    expect(rendered.body).toEqual({ text: 'Olá Maria, aqui é Ana da fila suporte. Cidade: .', missing: ['contact.attributes.cidade'] });
    expect((await bruno('POST', `/app/api/canned-replies/${id}/render`, { conversation_id: support.id })).status).toBe(404);

    expect((await ana('PATCH', `/app/api/canned-replies/${id}`, { title: 'x' })).status).toBe(403);
    expect((await sup('PATCH', `/app/api/canned-replies/${id}`, { text: '{{contact.foo}}' })).body.error.details.variable).toBe('contact.foo');
    expect((await sup('PATCH', `/app/api/canned-replies/${id}`, { title: 'Frete grátis' })).body.title).toBe('Frete grátis');
    expect((await ana('GET', '/app/api/canned-replies')).body.data.map((r: Json) => r.shortcut)).toEqual(['/frete']);
    expect((await ana('DELETE', `/app/api/canned-replies/${id}`)).status).toBe(403);
    expect((await sup('DELETE', `/app/api/canned-replies/${id}`)).status).toBe(204);
    expect((await sup('DELETE', `/app/api/canned-replies/${id}`)).status).toBe(404);
  });

  it('shows the contact panel to those who see one of its conversations, and edits the contact', async () => {
    const contactId = support.contact.id as string;
    const consent = await api('POST', `/contacts/${contactId}/consents`, { purpose: 'marketing', status: 'opted_out', source: 'api' });
    expect(consent.status, consent.text).toBe(201);
    const edited = await ana('PATCH', `/app/api/contacts/${contactId}`, { attributes: { cidade: 'Campinas', plano: 'ouro' }, tags: ['cliente', 'atacado'] });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect((await ana('PATCH', `/app/api/contacts/${contactId}`, { attributes: { plano: null } })).body.attributes).toEqual({ cidade: 'Campinas' });
    for (const [body, field] of [
      [{ tags: ['ok', ''] }, 'body.tags.1'],
      [{ name: 'x'.repeat(257) }, 'body.name'],
      [{ attributes: { cidade: 'x'.repeat(1025) } }, 'body.attributes.cidade'],
    ] as const) {
      const refused = await ana('PATCH', `/app/api/contacts/${contactId}`, body);
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      expect(refused.body.error.details.field).toBe(field);
    }

    const panel = await ana('GET', `/app/api/contacts/${contactId}/panel`);
    expect(panel.status, JSON.stringify(panel.body)).toBe(200);
    expect(panel.body.contact).toMatchObject({ id: contactId, name: 'Maria Souza', wa_id: '5511944440001', attributes: { cidade: 'Campinas' }, tags: ['cliente', 'atacado'] });
    expect(panel.body.consent).toEqual([expect.objectContaining({ purpose: 'marketing', status: 'opted_out', source: 'api' })]);
    expect(panel.body.conversations).toEqual([
      expect.objectContaining({ id: support.id, queue: 'suporte', labels: ['VIP', 'Entrega atrasada'], episodes: [expect.objectContaining({ queue: 'suporte', reason: 'pediu atendente', resolved_at: null })] }),
    ]);
    expect(panel.body).toHaveProperty('bot');
    expect(panel.body.form_submissions).toEqual([]);

    // Bruno (another team) sees neither the panel nor may edit it; the supervisor sees it.
    expect((await bruno('GET', `/app/api/contacts/${contactId}/panel`)).status).toBe(404);
    expect((await bruno('PATCH', `/app/api/contacts/${contactId}`, { name: 'Hack' })).status).toBe(404);
    expect((await sup('GET', `/app/api/contacts/${contactId}/panel`)).status).toBe(200);
    expect((await sup('GET', '/app/api/contacts/ct_nope/panel')).status).toBe(404);
  });

  it("gives supervisors today's queues, loads and times over a scripted day on the sandbox clock", async () => {
    expect((await ana('GET', '/app/api/supervisor')).status).toBe(403);
    const clock = (seconds: number) => running.sandbox('POST', '/sandbox/v1/clock', { advance_seconds: seconds });
    const day = await conversationOf('5511944440003', 'Oi, preciso de ajuda');
    await handoff(day.id, 'suporte');
    await clock(60);
    expect((await api('POST', `/conversations/${day.id}/assign`, { agent_id: users.ana.id })).status).toBe(200);
    await clock(60);
    const reply = await api('POST', '/messages', { to: '5511944440003', type: 'text', text: { body: 'Oi! Sou a Ana.' } });
    expect(reply.status, reply.text).toBe(202);
    await clock(180);
    expect((await api('POST', `/conversations/${day.id}/resolve`, {})).status).toBe(200);

    const board = await sup('GET', '/app/api/supervisor');
    expect(board.status, JSON.stringify(board.body)).toBe(200);
    const { today, queues, agents, live } = board.body;
    expect(today).toMatchObject({ time_zone: 'UTC', time_zone_source: 'default', handoffs: 3 });
    // Handoff → Ana's reply: 120 s; handoff → resolve: 300 s (the only conversation an agent answered and resolved).
    expect(today.first_response).toEqual({ count: 1, median_seconds: 120, p90_seconds: 120 });
    expect(today.resolution).toEqual({ count: 1, median_seconds: 300, p90_seconds: 300 });
    expect(queues.find((q: Json) => q.queue === 'suporte')).toMatchObject({ size: 1, team_ids: users.ana.teamIds });
    expect(queues.find((q: Json) => q.queue === 'suporte').average_wait_seconds).toBeGreaterThanOrEqual(300);
    expect(queues.find((q: Json) => q.queue === 'vendas')).toMatchObject({ size: 1 });
    expect(agents.find((a: Json) => a.id === users.ana.id)).toMatchObject({ open_conversations: 0, capacity: expect.any(Number), presence: expect.any(String) });
    expect(agents.some((a: Json) => a.id === users.stranger.id)).toBe(false);
    expect(live).toMatchObject({ with_agents: 0, in_queues: 2, with_bot: 1 });

    const saoPaulo = await sup('GET', '/app/api/supervisor?time_zone=America/Sao_Paulo');
    expect(saoPaulo.body.today).toMatchObject({ time_zone: 'America/Sao_Paulo', time_zone_source: 'request' });
    expect((await sup('GET', '/app/api/supervisor?time_zone=Mars/Olympus')).body.error.details.field).toBe('querystring.time_zone');
  });

  it('lists the conversations live on the board: queue, agent, and how long the customer waits, longest first', async () => {
    const live = async () => {
      const board = await sup('GET', '/app/api/supervisor');
      expect(board.status, JSON.stringify(board.body)).toBe(200);
      return board.body.conversations as Json[];
    };
    const withAna = await conversationOf('5511944440004', 'Meu cartão foi recusado');
    await handoff(withAna.id, 'suporte');
    expect((await api('POST', `/conversations/${withAna.id}/assign`, { agent_id: users.ana.id })).status).toBe(200);
    await conversationOf('5511944440004', 'Alguém aí?');
    let rows = await live();
    const waiting = rows.find((row) => row.id === support.id);
    expect(waiting).toMatchObject({ contact: { id: support.contact.id, wa_id: '5511944440001' }, owner: { type: 'queue', id: 'suporte', name: 'suporte' }, queue: 'suporte' });
    expect(waiting!.waiting_since).toBe(waiting!.owner_since);
    const assigned = rows.find((row) => row.id === withAna.id);
    expect(assigned).toMatchObject({ owner: { type: 'agent', id: users.ana.id, name: 'Ana Silva' }, queue: 'suporte', waiting_since: expect.any(String) });
    // Only conversations with people; the longest wait first, the answered ones last.
    expect(rows.every((row) => ['queue', 'agent'].includes(row.owner.type))).toBe(true);
    const waits = rows.filter((row) => row.waiting_since).map((row) => row.waiting_since as string);
    expect(waits).toEqual([...waits].sort());
    expect((await api('POST', '/messages', { to: '5511944440004', type: 'text', text: { body: 'Vou verificar.' } })).status).toBe(202);
    rows = await live();
    expect(rows.find((row) => row.id === withAna.id)!.waiting_since).toBeNull();
    expect(rows.at(-1)!.waiting_since).toBeNull();
    expect((await sup('GET', '/app/api/supervisor')).body.conversations_truncated).toBe(false);
    expect((await ana('GET', '/app/api/supervisor')).status).toBe(403);
  });

  it('answers 401 without a session and 403 without the CSRF token', async () => {
    const anonymous = appApi(running, null);
    for (const path of ['/app/api/labels', '/app/api/canned-replies', '/app/api/supervisor', `/app/api/conversations/${support.id}/notes`]) expect((await anonymous('GET', path)).status).toBe(401);
    const noCsrf = await ana('POST', `/app/api/conversations/${support.id}/notes`, { text: 'oi' }, { headers: { 'x-csrf-token': 'wrong' } });
    expect(noCsrf.status).toBe(403);
  });
});
