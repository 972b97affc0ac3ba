import { describe, expect, it } from 'vitest';
import type { FlowDocument, OutboundSpec } from '../document/index.js';
import { runEngine } from './engine.js';
import { buildFlow, keywordClassifier, keywordSearch, type FlowInput } from './stand-ins.js';
import type { CustomerMessage, EffectResult, EngineContext, EngineEvent, EngineOutput, NluResult, SessionState } from './types.js';

const NOW = new Date('2026-03-10T15:00:00.000Z');

/** A conversation with a flow: each call feeds one event and keeps the state. */
class Chat {
  state: SessionState | null = null;
  out: EngineOutput = { state: null, messages: [], effects: [], log: [] };
  readonly flow: FlowDocument;
  context: EngineContext;

  constructor(input: FlowInput | FlowDocument, context: Partial<EngineContext> = {}) {
    this.flow = 'format' in input ? input : buildFlow(input);
    this.context = { now: NOW, contact: { wa_id: '5511999990001', name: 'Ana' }, windowOpen: true, classify: keywordClassifier(this.flow), search: keywordSearch(this.flow), ...context };
  }

  async event(event: EngineEvent): Promise<EngineOutput> {
    this.out = await runEngine(this.flow, this.state, event, this.context);
    this.state = this.out.state;
    return this.out;
  }

  start(extra: Omit<Extract<EngineEvent, { type: 'start' }>, 'type'> = {}) {
    return this.event({ type: 'start', ...extra });
  }

  say(text: string) {
    return this.event({ type: 'message', message: { kind: 'text', text } });
  }

  send(message: CustomerMessage) {
    return this.event({ type: 'message', message });
  }

  /** Taps a button or row of the last interactive message by its title or id. */
  tap(label: string) {
    const choices = this.out.messages.flatMap(choicesOf);
    const choice = choices.find((c) => c.title === label || c.id === label);
    if (!choice) throw new Error(`no "${label}" among ${JSON.stringify(choices)}`);
    return this.send({ kind: 'reply', id: choice.id, title: choice.title });
  }

  result(result: EffectResult, id?: string) {
    const waiting = this.state?.waiting;
    const effectId = id ?? (waiting?.kind === 'effect' ? waiting.effect_id : 'none');
    return this.event({ type: 'effect_result', effect_id: effectId, result });
  }

  texts(): string[] {
    return this.out.messages.map(bodyOf);
  }

  effect<T extends string>(type: T) {
    return this.out.effects.find((effect) => effect.type === type) as Extract<EngineOutput['effects'][number], { type: T }> | undefined;
  }
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- reading message bodies field by field

function bodyOf(message: OutboundSpec): string {
  const m = message as Json;
  if (m.type === 'text') return m.text.body;
  if (m.type === 'interactive') return m.interactive.body.text;
  if (m.type === 'template') return `[template ${m.template.name}]`;
  return `[${m.type}]`;
}

function choicesOf(message: OutboundSpec): Array<{ id: string; title: string }> {
  const m = message as Json;
  if (m.type !== 'interactive') return [];
  if (m.interactive.type === 'button') return m.interactive.action.buttons.map((b: Json) => b.reply);
  return m.interactive.action.sections.flatMap((s: Json) => s.rows);
}

const titles = (message: OutboundSpec | undefined) => (message ? choicesOf(message).map((c) => c.title) : []);

const FRUITS = ['Maçã', 'Banana', 'Cereja', 'Damasco', 'Figo', 'Goiaba', 'Jaca', 'Kiwi', 'Limão', 'Manga', 'Nectarina', 'Pera'];

describe('send and send_template', () => {
  it('interpolates every string of the message and goes on to the next step, ending after the last', async () => {
    const chat = new Chat({
      variables: { order: { id: 42, items: [1, 2] } },
      steps: [
        { id: 'hi', type: 'send', message: { type: 'text', text: { body: 'Olá {{contact.name}}, pedido {{vars.order.id}} {{vars.order}} [{{vars.nothing}}] {{$sum(vars.order.items)}}' } } },
        { id: 'pic', type: 'send', message: { type: 'image', image: { link: 'https://cdn.example/{{vars.order.id}}.png', caption: 'n {{ vars.order.id + 1 }}' } } },
      ],
    });
    const out = await chat.start();
    expect(out.messages).toEqual([
      { type: 'text', text: { body: 'Olá Ana, pedido 42 {"id":42,"items":[1,2]} [] 3' } },
      { type: 'image', image: { link: 'https://cdn.example/42.png', caption: 'n 43' } },
    ]);
    expect(out.effects).toEqual([{ type: 'ended', reason: 'end' }]);
    expect(out.state).toBeNull();
  });

  it('with the window closed, sends a template but stops at the next free-form step, saying why', async () => {
    const chat = new Chat(
      {
        steps: [
          { id: 'remind', type: 'send_template', template: { name: 'appointment_reminder', language: 'pt_BR', components: [{ type: 'body', parameters: [{ type: 'text', text: '{{contact.name}}' }] }] } },
          { id: 'ask', type: 'menu', text: 'Confirma?', options: [{ title: 'Sim' }, { title: 'Não' }] },
        ],
      },
      { windowOpen: false },
    );
    const out = await chat.start();
    expect(out.messages).toEqual([
      { type: 'template', template: { name: 'appointment_reminder', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }] } },
    ]);
    expect(out.effects).toEqual([{ type: 'ended', reason: 'window_closed' }]);
    expect(out.log.find((line) => line.level === 'warn')?.message).toMatch(/window is closed/);
    expect(out.state).toBeNull();
  });
});

describe('menu', () => {
  const menu = (options: FlowInput['steps'][number]['options'], extra: Record<string, unknown> = {}) =>
    new Chat({
      intents: [{ name: 'human', global: true, action: 'handoff', phrases: { pt: ['falar com atendente'] } }],
      steps: [
        { id: 'm', type: 'menu', text: 'Escolha:', var: 'choice', options, ...extra },
        { id: 'after', type: 'send', message: { type: 'text', text: { body: 'Você escolheu {{vars.choice}}' } } },
        { id: 'stop', type: 'end' },
        { id: 'failed', type: 'end', text: 'Vamos tentar depois.' },
      ],
    });

  it('shows up to 3 options as reply buttons and takes a tap by its id', async () => {
    const chat = menu([{ title: 'Pedidos', id: 'orders' }, { title: 'Boletos' }, { title: 'Outros', value: 'other' }]);
    const out = await chat.start();
    expect(out.messages).toEqual([
      {
        type: 'interactive',
        interactive: { type: 'button', body: { text: 'Escolha:' }, action: { buttons: [{ type: 'reply', reply: { id: 'orders', title: 'Pedidos' } }, { type: 'reply', reply: { id: 'opt_2', title: 'Boletos' } }, { type: 'reply', reply: { id: 'opt_3', title: 'Outros' } }] } },
      },
    ]);
    expect(out.state?.waiting).toEqual({ kind: 'menu', step: 'm', tries: 0, page: 0 });
    await chat.tap('Outros');
    expect(chat.texts()).toEqual(['Você escolheu other']);
  });

  it('shows 4 to 10 options as one list and matches typed numbers, titles without accents, synonyms and unique prefixes', async () => {
    const options = FRUITS.slice(0, 5).map((title) => ({ title, synonyms: title === 'Figo' ? ['figuinho'] : [] }));
    const chat = menu(options);
    const out = await chat.start();
    const list = (out.messages[0] as Json).interactive;
    expect(list.type).toBe('list');
    expect(list.action.button).toBe('Ver opções');
    expect(list.action.sections).toHaveLength(1);
    expect(titles(out.messages[0])).toEqual(FRUITS.slice(0, 5));
    for (const [typed, chosen] of [['2', 'opt_2'], [' MACA ', 'opt_1'], ['figuinho', 'opt_5'], ['dam', 'opt_4'], ['quero cereja', 'opt_3']] as const) {
      const again = menu(options);
      await again.start();
      await again.say(typed);
      expect(again.texts(), typed).toEqual([`Você escolheu ${chosen}`]);
    }
  });

  it('pages more than 10 options: 9 and a "more" row, then the rest', async () => {
    const chat = menu(FRUITS.map((title) => ({ title })));
    const first = await chat.start();
    expect(titles(first.messages[0])).toEqual([...FRUITS.slice(0, 9), 'Mais opções']);
    const second = await chat.tap('Mais opções');
    expect(titles(second.messages[0])).toEqual(FRUITS.slice(9));
    expect(chat.state?.waiting).toEqual({ kind: 'menu', step: 'm', tries: 0, page: 1 });
    await chat.say('2');
    expect(chat.texts()).toEqual(['Você escolheu opt_11']);
  });

  it('re-prompts with the reason and the menu, then hands off after max_tries', async () => {
    const chat = menu([{ title: 'Pedidos' }, { title: 'Boletos' }], { max_tries: 1 });
    await chat.start();
    const again = await chat.say('banana');
    expect(chat.texts()).toEqual(['Escolha uma das opções.', 'Escolha:']);
    expect(titles(again.messages[1])).toEqual(['Pedidos', 'Boletos']);
    await chat.send({ kind: 'location', latitude: 1, longitude: 2 });
    expect(chat.texts()).toEqual(['Vou te passar para uma pessoa da nossa equipe.']);
    expect(chat.out.effects).toEqual([
      { type: 'handoff', queue: 'support', reason: 'gave_up', summary: {} },
      { type: 'ended', reason: 'handoff' },
    ]);
  });

  it('goes to on_fail when set, and an option goes to its own goto', async () => {
    const chat = menu([{ title: 'Pedidos', goto: 'stop' }, { title: 'Boletos' }], { max_tries: 0, on_fail: 'failed' });
    await chat.start();
    await chat.say('nada disso');
    expect(chat.texts()).toEqual(['Vamos tentar depois.']);
    const other = menu([{ title: 'Pedidos', goto: 'stop' }, { title: 'Boletos' }]);
    await other.start();
    await other.say('pedidos');
    expect(other.texts()).toEqual([]);
    expect(other.out.effects).toEqual([{ type: 'ended', reason: 'end' }]);
  });

  it('lets a global intent win over a near match, and an exact option win over a global intent', async () => {
    const chat = menu([{ title: 'Falar com atendente' }, { title: 'Pedidos' }]);
    await chat.start();
    await chat.say('falar com atendente');
    expect(chat.texts()).toEqual(['Você escolheu opt_1']);
    const other = menu([{ title: 'Atendente financeiro' }, { title: 'Pedidos' }]);
    await other.start();
    await other.say('quero falar com atendente');
    expect(other.effect('handoff')).toEqual({ type: 'handoff', queue: 'support', reason: 'global_intent', summary: {} });
  });
});

describe('ask', () => {
  const ask = (step: Record<string, unknown>, input: Partial<FlowInput> = {}) =>
    new Chat({
      intents: [
        { name: 'menu', global: true, action: 'menu', phrases: { pt: ['menu', 'voltar ao menu', '0'] } },
        { name: 'human', global: true, action: 'handoff', phrases: { pt: ['falar com atendente'] } },
      ],
      ...input,
      steps: [
        { id: 'start', type: 'send', message: { type: 'text', text: { body: 'Início' } } },
        { id: 'q', type: 'ask', var: 'answer', text: 'Pergunta?', ...step },
        { id: 'done', type: 'send', message: { type: 'text', text: { body: 'Resposta: {{vars.answer}}' } } },
        { id: 'fim', type: 'end' },
        { id: 'fallback', type: 'end', text: 'Tudo bem, fica para depois.' },
      ],
    });

  it('keeps a valid answer in the variable and goes on', async () => {
    const chat = ask({ input: 'email' });
    await chat.start();
    expect(chat.texts()).toEqual(['Início', 'Pergunta?']);
    await chat.say(' Ana@Example.COM ');
    expect(chat.texts()).toEqual(['Resposta: ana@example.com']);
  });

  it('re-prompts with the reason and the question, then goes to on_fail after max_tries', async () => {
    const chat = ask({ input: 'cpf', max_tries: 2, on_fail: 'fallback' });
    await chat.start();
    await chat.say('123');
    expect(chat.texts()).toEqual(['Esse CPF não é válido. Confira os 11 números.', 'Pergunta?']);
    expect(chat.state?.waiting).toEqual({ kind: 'ask', step: 'q', tries: 1 });
    await chat.say('111.111.111-11');
    expect(chat.state?.waiting).toEqual({ kind: 'ask', step: 'q', tries: 2 });
    await chat.say('abc');
    expect(chat.texts()).toEqual(['Tudo bem, fica para depois.']);
  });

  it('hands off by default after max_tries, with what was collected', async () => {
    const chat = ask({ input: 'number', max_tries: 0 }, { variables: { name: 'Ana', empty: '' } });
    await chat.start();
    await chat.say('muitos');
    expect(chat.out.effects).toEqual([
      { type: 'handoff', queue: 'support', reason: 'gave_up', summary: { name: 'Ana' } },
      { type: 'ended', reason: 'handoff' },
    ]);
  });

  it('uses retry_text alone as the re-prompt when set', async () => {
    const chat = ask({ input: 'cep', retry_text: 'CEP? ({{reason}})' });
    await chat.start();
    await chat.say('999');
    expect(chat.texts()).toEqual(['CEP? (Esse CEP não é válido. Digite os 8 números, como 01310-100.)']);
  });

  it('asks yes/no with two buttons and takes a tap or a typed answer', async () => {
    const chat = ask({ input: 'yes_no' });
    const out = await chat.start();
    expect(titles(out.messages[1])).toEqual(['Sim', 'Não']);
    await chat.tap('Não');
    expect(chat.texts()).toEqual(['Resposta: false']);
    const typed = ask({ input: 'yes_no' });
    await typed.start();
    await typed.say('sim');
    expect(typed.texts()).toEqual(['Resposta: true']);
  });

  it('offers choices as buttons and takes them', async () => {
    const chat = ask({ input: 'choice', choices: ['Manhã', 'Tarde'] });
    const out = await chat.start();
    expect(titles(out.messages[1])).toEqual(['Manhã', 'Tarde']);
    await chat.say('manha');
    expect(chat.texts()).toEqual(['Resposta: Manhã']);
  });

  it('takes media and locations', async () => {
    const chat = ask({ input: 'media', media_types: ['image'] });
    await chat.start();
    await chat.send({ kind: 'media', media_type: 'document', media_id: 'd1' });
    expect(chat.texts()[0]).toBe('Envie um arquivo do tipo: image.');
    await chat.send({ kind: 'media', media_type: 'image', media_id: 'm1', caption: 'foto' });
    expect(chat.texts()).toEqual(['Resposta: {"media_type":"image","media_id":"m1","caption":"foto"}']);
    const where = ask({ input: 'location' });
    await where.start();
    await where.send({ kind: 'location', latitude: -23.5, longitude: -46.6 });
    expect(where.texts()).toEqual(['Resposta: {"latitude":-23.5,"longitude":-46.6,"name":null,"address":null}']);
  });

  it('lets a text that is not a valid answer be a global intent, but a valid answer is the answer', async () => {
    const chat = ask({ input: 'email' });
    await chat.start();
    await chat.say('falar com atendente');
    expect(chat.effect('handoff')?.reason).toBe('global_intent');

    const number = ask({ input: 'number' });
    await number.start();
    await number.say('0');
    expect(number.texts()).toEqual(['Resposta: 0']);

    const back = ask({ input: 'number' });
    await back.start();
    await back.say('voltar ao menu');
    expect(back.texts()).toEqual(['Início', 'Pergunta?']);
  });

  it('takes free text as the answer unless it is a global intent phrase word for word', async () => {
    const chat = ask({ input: 'text' });
    await chat.start();
    await chat.say('Menu Silva');
    expect(chat.texts()).toEqual(['Resposta: Menu Silva']);
    const escape = ask({ input: 'text' });
    await escape.start();
    await escape.say('Voltar ao menu!');
    expect(escape.texts()).toEqual(['Início', 'Pergunta?']);
  });
});

describe('set, condition and expressions', () => {
  const flow = (steps: FlowInput['steps'], variables: Record<string, unknown> = {}) => new Chat({ variables, steps });

  it('sets variables with JSONata over vars, contact, input and now, and branches on the first true condition', async () => {
    const chat = flow(
      [
        { id: 'calc', type: 'set', values: { total: '$sum(vars.items.price)', first: '$split(contact.name, " ")[0]', today: '$substring(now, 0, 10)', stamp: '$now()' } },
        { id: 'branch', type: 'condition', branches: [{ if: 'vars.total > 100', goto: 'big' }, { if: 'vars.total > 10', goto: 'medium' }], else: 'small' },
        { id: 'big', type: 'end', text: 'grande' },
        { id: 'medium', type: 'end', text: 'médio {{vars.total}} {{vars.first}} {{vars.today}} {{vars.stamp}}' },
        { id: 'small', type: 'end', text: 'pequeno' },
      ],
      { items: [{ price: 10 }, { price: 5.5 }] },
    );
    await chat.start();
    expect(chat.texts()).toEqual(['médio 15.5 Ana 2026-03-10 2026-03-10T15:00:00.000Z']);
  });

  it('takes else when nothing is true, and next when there is no else', async () => {
    const chat = flow([
      { id: 'c', type: 'condition', branches: [{ if: 'vars.missing', goto: 'yes' }, { if: '""', goto: 'yes' }, { if: '[]', goto: 'yes' }] },
      { id: 'no', type: 'end', text: 'não' },
      { id: 'yes', type: 'end', text: 'sim' },
    ]);
    await chat.start();
    expect(chat.texts()).toEqual(['não']);
  });

  it('sets null and says why when an expression fails, and stops a runaway expression', async () => {
    const chat = flow([
      { id: 's', type: 'set', values: { broken: 'vars.(', runaway: '($f := function($n) { $f($n + 1) }; $f(0))', ok: '1 + 1' } },
      { id: 'e', type: 'end', text: '{{vars.broken}}|{{vars.runaway}}|{{vars.ok}}|{{ vars.( }}' },
    ]);
    await chat.start();
    expect(chat.texts()).toEqual(['||2|']);
    const warnings = chat.out.log.filter((line) => line.level === 'warn').map((line) => line.message);
    expect(warnings).toHaveLength(3);
    expect(warnings[1]).toMatch(/^vars\.runaway := .*stopped after \d+ evaluation steps/);
  });

  it('ends a flow that loops without waiting', async () => {
    const chat = flow([
      { id: 'a', type: 'goto', step: 'b' },
      { id: 'b', type: 'goto', step: 'a' },
    ]);
    const out = await chat.start();
    expect(out.effects).toEqual([{ type: 'ended', reason: 'loop' }]);
    expect(out.log.some((line) => line.level === 'warn' && /loops/.test(line.message))).toBe(true);
  });
});

describe('http', () => {
  const flow = (extra: Record<string, unknown> = {}) =>
    new Chat({
      variables: { order: '' },
      steps: [
        { id: 'ask', type: 'ask', input: 'text', var: 'order', text: 'Número do pedido?' },
        {
          id: 'call',
          type: 'http',
          method: 'POST',
          url: 'https://api.shop.example/orders/{{vars.order}}',
          headers: { Authorization: 'Bearer {{secrets.SHOP_TOKEN}}', 'X-Name': '{{contact.name}}' },
          body: { order: '{{vars.order}}', qty: '{{ 1 + 2 }}', token: '{{ secrets.SHOP_TOKEN }}' },
          save: { status: 'body.status', eta: 'body.eta', code: 'status' },
          on_error: 'oops',
          ...extra,
        },
        { id: 'say', type: 'end', text: 'Pedido {{vars.status}}, chega {{vars.eta}} ({{vars.code}})' },
        { id: 'oops', type: 'end', text: 'Não consegui consultar agora.' },
        { id: 'menu', type: 'menu', text: 'Menu', options: [{ title: 'A' }, { title: 'B' }] },
      ],
    });

  it('asks the runtime for the call with secrets left as placeholders, and saves the answer', async () => {
    const chat = flow();
    await chat.start();
    await chat.say('123');
    const call = chat.effect('http');
    expect(call).toEqual({
      type: 'http',
      id: expect.any(String),
      step: 'call',
      request: {
        method: 'POST',
        url: 'https://api.shop.example/orders/123',
        headers: { Authorization: 'Bearer {{secrets.SHOP_TOKEN}}', 'X-Name': 'Ana' },
        body: { order: '123', qty: 3, token: '{{secrets.SHOP_TOKEN}}' },
        timeout_ms: 10_000,
        retries: 0,
      },
    });
    expect(chat.state?.waiting).toEqual({ kind: 'effect', step: 'call', effect_id: call?.id });
    await chat.result({ ok: true, status: 200, body: { status: 'enviado', eta: 'amanhã' }, headers: {} });
    expect(chat.texts()).toEqual(['Pedido enviado, chega amanhã (200)']);
  });

  it('percent-encodes answers in the URL and strips line breaks from headers', async () => {
    const chat = flow({ headers: { 'X-Order': '{{vars.order}}' } });
    await chat.start();
    await chat.say('../admin?x=1 #2');
    const request = chat.effect('http')?.request;
    expect(request?.url).toBe('https://api.shop.example/orders/..%2Fadmin%3Fx%3D1%20%232');
    const crlf = flow({ headers: { 'X-Order': 'n {{vars.order}}' } });
    await crlf.start();
    await crlf.say('a\r\nX-Evil: 1');
    expect(crlf.effect('http')?.request.headers['X-Order']).toBe('n a X-Evil: 1');
  });

  it('never lets a customer answer carry a secret placeholder into the request', async () => {
    const chat = flow();
    await chat.start();
    await chat.say('{{secrets.SHOP_TOKEN}}');
    const request = chat.effect('http')?.request;
    expect(JSON.stringify(request)).not.toContain('orders/{{secrets');
    expect(request?.url).toBe('https://api.shop.example/orders/%7B%20%7Bsecrets.SHOP_TOKEN%7D%7D');
    expect(request?.body).toEqual({ order: '{ {secrets.SHOP_TOKEN}}', qty: 3, token: '{{secrets.SHOP_TOKEN}}' });
  });

  it('gives expressions no way out to JavaScript', async () => {
    const chat = new Chat({ steps: [{ id: 'e', type: 'end', text: '[{{ vars.constructor.constructor("return process.pid")() }}][{{ $lookup(vars, "__proto__") }}]' }] });
    await chat.start();
    expect(chat.texts()).toEqual(['[][]']);
  });

  it('never puts a secret in a message, the state or the log', async () => {
    const chat = new Chat({ steps: [{ id: 'e', type: 'end', text: 'token: {{secrets.SHOP_TOKEN}}.' }] });
    await chat.start();
    expect(chat.texts()).toEqual(['token: .']);
    expect(chat.out.log.some((line) => /secrets are for HTTP steps only/.test(line.message))).toBe(true);
  });

  it('goes to on_error on a failure or an error status', async () => {
    for (const result of [{ ok: false, error: 'timeout' }, { ok: true, status: 503, body: null, headers: {} }] as EffectResult[]) {
      const chat = flow();
      await chat.start();
      await chat.say('9');
      await chat.result(result);
      expect(chat.texts()).toEqual(['Não consegui consultar agora.']);
      expect(chat.out.log.some((line) => line.level === 'warn' && /failed/.test(line.message))).toBe(true);
    }
  });

  it('queues customer messages while the call runs and answers them in order after it', async () => {
    const chat = flow({ next: 'menu' });
    await chat.start();
    await chat.say('7');
    const queued = await chat.say('B');
    expect(queued.messages).toEqual([]);
    expect(chat.state?.queued).toEqual([{ kind: 'text', text: 'B' }]);
    await chat.result({ ok: true, status: 200, body: {}, headers: {} });
    expect(chat.texts()).toEqual(['Menu']);
    expect(chat.out.effects).toEqual([{ type: 'ended', reason: 'end' }]);
    expect(chat.state).toBeNull();
  });

  it('ignores a stale result', async () => {
    const chat = flow();
    await chat.start();
    await chat.say('1');
    const before = chat.state;
    const out = await chat.result({ ok: true, status: 200, body: {}, headers: {} }, 'old-1');
    expect(out.messages).toEqual([]);
    expect(out.state).toEqual(before);
    expect(out.log[0]?.message).toMatch(/ignored/);
  });
});

describe('search', () => {
  const catalogs = {
    faq: [
      { id: 'hours', title: 'Horário de atendimento', answer: 'Atendemos das 8h às 18h. ({{item.title}})', keywords: ['horario', 'abre'] },
      { id: 'delivery', title: 'Prazo de entrega', description: 'Quanto tempo leva', answer: 'Até 5 dias úteis.', keywords: ['entrega', 'prazo'], data: { days: 5 } },
      { id: 'returns', title: 'Troca e devolução', keywords: ['troca', 'devolucao', 'entrega'] },
    ],
  };
  const flow = (extra: Record<string, unknown> = {}) =>
    new Chat({
      catalogs,
      steps: [
        { id: 'q', type: 'ask', input: 'text', var: 'q', text: 'Sua dúvida?' },
        { id: 's', type: 'search', catalog: 'faq', query: '{{vars.q}}', text: 'Encontrei:', var: 'faq', ...extra },
        { id: 'bye', type: 'end', text: 'Mais algo? {{vars.faq.data.days}}' },
        { id: 'none', type: 'end', text: 'Nada feito.' },
      ],
    });

  it('shows the results as a list and a tap keeps the item and says its answer', async () => {
    const chat = flow();
    await chat.start();
    const out = await chat.say('prazo de entrega');
    expect(titles(out.messages[0])).toEqual(['Prazo de entrega', 'Troca e devolução']);
    expect((out.messages[0] as Json).interactive.action.sections[0].rows[0]).toEqual({ id: 'delivery', title: 'Prazo de entrega', description: 'Quanto tempo leva' });
    await chat.tap('Prazo de entrega');
    expect(chat.texts()).toEqual(['Até 5 dias úteis.', 'Mais algo? 5']);
  });

  it('takes a typed number, interpolates the answer with the item, and searches again on other text', async () => {
    const chat = flow();
    await chat.start();
    await chat.say('que horas abre');
    expect(titles(chat.out.messages[0])).toEqual(['Horário de atendimento']);
    await chat.say('entrega');
    expect(titles(chat.out.messages[0])).toEqual(['Prazo de entrega', 'Troca e devolução']);
    await chat.say('2');
    expect(chat.state).toBeNull();
    expect(chat.texts()).toEqual(['Mais algo? ']);
  });

  it('goes to on_empty when nothing is found, else says so and waits for other words', async () => {
    const chat = flow({ on_empty: 'none' });
    await chat.start();
    await chat.say('xyz');
    expect(chat.texts()).toEqual(['Nada feito.']);
    const again = flow();
    await again.start();
    await again.say('xyz');
    expect(again.texts()).toEqual(['Não encontrei nada sobre isso. Pode tentar com outras palavras?']);
    await again.say('devolução');
    expect(titles(again.out.messages[0])).toEqual(['Troca e devolução']);
  });

  it('searches the message that started the flow with the default query', async () => {
    const chat = new Chat({ catalogs, steps: [{ id: 's', type: 'search', catalog: 'faq', text: 'Veja:', var: 'faq' }] });
    const out = await chat.start({ message: { kind: 'text', text: 'troca' } });
    expect(titles(out.messages[0])).toEqual(['Troca e devolução']);
    const bare = new Chat({ catalogs, steps: [{ id: 's', type: 'search', catalog: 'faq', text: 'O que procura?', var: 'faq' }] });
    await bare.start();
    expect(bare.texts()).toEqual(['O que procura?']);
    await bare.say('horario');
    expect(titles(bare.out.messages[0])).toEqual(['Horário de atendimento']);
  });
});

describe('intent and global intents', () => {
  const intents: FlowInput['intents'] = [
    { name: 'order_status', title: 'Meu pedido', phrases: { pt: ['onde está meu pedido', 'status do pedido'] } },
    { name: 'billing', title: 'Boleto', phrases: { pt: ['segunda via do boleto', 'pagar boleto'] } },
    { name: 'menu', global: true, action: 'menu', phrases: { pt: ['menu'] } },
    { name: 'back', global: true, action: 'back', phrases: { pt: ['voltar'] } },
    { name: 'human', global: true, action: 'handoff', phrases: { pt: ['falar com atendente'] } },
    { name: 'bye', global: true, action: 'end', phrases: { pt: ['tchau'] } },
    { name: 'hours', global: true, goto: 'hours', phrases: { pt: ['horario de funcionamento'] } },
  ];
  const flow = (extra: Record<string, unknown> = {}, settings: FlowInput['settings'] = {}) =>
    new Chat({
      intents,
      settings,
      steps: [
        { id: 'main', type: 'menu', text: 'Menu principal', options: [{ title: 'Ajuda', goto: 'help' }, { title: 'Sair', goto: 'out' }] },
        { id: 'help', type: 'intent', text: 'Como posso ajudar?', routes: { order_status: 'orders', billing: 'bills', confirm: 'confirmed' }, ...extra },
        { id: 'orders', type: 'end', text: 'Vamos ver seu pedido.' },
        { id: 'bills', type: 'end', text: 'Vamos ver seu boleto.' },
        { id: 'confirmed', type: 'end', text: 'Confirmado!' },
        { id: 'hours', type: 'end', text: 'Das 8h às 18h.' },
        { id: 'out', type: 'end', text: 'Até logo.' },
        { id: 'lost', type: 'end', text: 'Vou te mandar o menu por e-mail.' },
      ],
    });

  it('routes what the customer says by intent', async () => {
    const chat = flow();
    await chat.start();
    await chat.tap('Ajuda');
    expect(chat.texts()).toEqual(['Como posso ajudar?']);
    await chat.say('Onde está meu pedido?');
    expect(chat.texts()).toEqual(['Vamos ver seu pedido.']);
  });

  it('routes a reply whose id is a route (a template button payload)', async () => {
    const chat = flow();
    await chat.start();
    await chat.tap('Ajuda');
    await chat.send({ kind: 'reply', id: 'confirm', title: 'Confirmar' });
    expect(chat.texts()).toEqual(['Confirmado!']);
  });

  it('asks "did you mean…?" with the closest intents as buttons below the threshold, and takes a tap', async () => {
    const chat = flow();
    await chat.start();
    await chat.tap('Ajuda');
    const out = await chat.say('boleto do pedido');
    expect(chat.texts()).toEqual(['Não entendi bem. Você quis dizer:']);
    expect(titles(out.messages[0]).sort()).toEqual(['Boleto', 'Meu pedido']);
    expect(chat.state?.waiting).toMatchObject({ kind: 'did_you_mean', step: 'help' });
    await chat.tap('Boleto');
    expect(chat.texts()).toEqual(['Vamos ver seu boleto.']);
  });

  it('hands off after max_misses misses in a row, or goes to the fallback', async () => {
    const chat = flow();
    await chat.start();
    await chat.tap('Ajuda');
    await chat.say('qwerty');
    expect(chat.texts()).toEqual(['Desculpe, não entendi. Pode dizer de outro jeito?']);
    expect(chat.state?.misses).toBe(1);
    await chat.say('asdfgh');
    expect(chat.texts()).toEqual(['Vou te passar para uma pessoa da nossa equipe.']);
    expect(chat.out.effects[0]).toEqual({ type: 'handoff', queue: 'support', reason: 'not_understood', summary: {} });

    const fallback = flow({ fallback: 'lost' }, { max_misses: 1 });
    await fallback.start();
    await fallback.tap('Ajuda');
    await fallback.say('qwerty');
    expect(fallback.texts()).toEqual(['Vou te mandar o menu por e-mail.']);
  });

  it('classifies the message that started the flow at an intent step without a question', async () => {
    const chat = new Chat({ intents, steps: [{ id: 'route', type: 'intent', routes: { billing: 'bills' } }, { id: 'bills', type: 'end', text: 'Boleto!' }] });
    const out = await chat.start({ message: { kind: 'text', text: 'pagar boleto' } });
    expect(out.messages.map(bodyOf)).toEqual(['Boleto!']);
  });

  it('runs global intents from any waiting step: menu, back, handoff, end and goto', async () => {
    const menu = flow();
    await menu.start();
    await menu.tap('Ajuda');
    await menu.say('menu');
    expect(menu.texts()).toEqual(['Menu principal']);

    const back = flow();
    await back.start();
    await back.tap('Ajuda');
    await back.say('voltar');
    expect(back.texts()).toEqual(['Menu principal']);
    expect(back.state?.waiting).toMatchObject({ kind: 'menu', step: 'main' });

    const human = flow();
    await human.start();
    await human.say('falar com atendente');
    expect(human.out.effects.map((effect) => effect.type)).toEqual(['handoff', 'ended']);

    const bye = flow();
    await bye.start();
    await bye.say('tchau');
    expect(bye.out.effects).toEqual([{ type: 'ended', reason: 'end' }]);

    const hours = flow();
    await hours.start();
    await hours.tap('Ajuda');
    await hours.say('horario de funcionamento');
    expect(hours.texts()).toEqual(['Das 8h às 18h.']);
  });

  it('classifies each message once and only text messages for global intents', async () => {
    let calls = 0;
    const counting = (flowDoc: FlowDocument) => {
      const inner = keywordClassifier(flowDoc);
      return async (text: string): Promise<NluResult> => {
        calls += 1;
        return inner(text);
      };
    };
    const chat = flow();
    chat.context = { ...chat.context, classify: counting(chat.flow) };
    await chat.start();
    await chat.tap('Ajuda');
    expect(calls).toBe(0);
    await chat.say('status do pedido');
    expect(calls).toBe(1);
  });
});

describe('wait, goto, handoff, form, survey, end', () => {
  it('waits with a wait effect and goes on when it elapses, keeping the session past the wait', async () => {
    const chat = new Chat({ steps: [{ id: 'w', type: 'wait', duration_ms: 3_600_000 }, { id: 'e', type: 'end', text: 'Uma hora depois.' }] });
    const out = await chat.start();
    const wait = chat.effect('wait');
    expect(wait).toEqual({ type: 'wait', id: expect.any(String), step: 'w', until: '2026-03-10T16:00:00.000Z' });
    expect(out.state?.expires_at).toBe('2026-03-10T16:30:00.000Z');
    await chat.result({ ok: true, elapsed: true });
    expect(chat.texts()).toEqual(['Uma hora depois.']);
  });

  it('goes to a step, or to another flow (start_flow) ending this session', async () => {
    const chat = new Chat({ steps: [{ id: 'g', type: 'goto', step: 'b' }, { id: 'a', type: 'end', text: 'a' }, { id: 'b', type: 'goto', flow: 'billing' }] });
    const out = await chat.start();
    expect(out.messages).toEqual([]);
    expect(out.effects).toEqual([
      { type: 'ended', reason: 'goto_flow' },
      { type: 'start_flow', flow: 'billing' },
    ]);
    expect(out.state).toBeNull();
  });

  it('hands off with its text, queue and the named variables', async () => {
    const chat = new Chat({ variables: { name: 'Ana', cpf: '123', secret_note: 'x' }, steps: [{ id: 'h', type: 'handoff', queue: 'billing', text: 'Um momento, {{vars.name}}.', summary: ['name', 'cpf', 'missing'] }] });
    const out = await chat.start();
    expect(chat.texts()).toEqual(['Um momento, Ana.']);
    expect(out.effects).toEqual([
      { type: 'handoff', queue: 'billing', reason: 'handoff_step', summary: { name: 'Ana', cpf: '123', missing: null } },
      { type: 'ended', reason: 'handoff' },
    ]);
  });

  it('submits a form with the named fields', async () => {
    const chat = new Chat({ variables: { name: 'Ana', email: 'a@b.co', other: 1 }, steps: [{ id: 'f', type: 'form', form: 'lead', fields: ['name', 'email', 'phone'] }, { id: 'e', type: 'end', text: 'Obrigado!' }] });
    const out = await chat.start();
    expect(out.effects).toEqual([
      { type: 'form', form: 'lead', fields: { name: 'Ana', email: 'a@b.co', phone: null } },
      { type: 'ended', reason: 'end' },
    ]);
    expect(out.final_vars).toEqual({ name: 'Ana', email: 'a@b.co', other: 1 });
  });

  it('runs a CSAT survey with a list, a comment and thanks', async () => {
    const chat = new Chat({ steps: [{ id: 's', type: 'survey', kind: 'csat', text: 'Como foi o atendimento?', comment: true }, { id: 'e', type: 'end' }] });
    const out = await chat.start();
    expect(titles(out.messages[0])).toEqual(['5 - Excelente', '4 - Bom', '3 - Regular', '2 - Ruim', '1 - Péssimo']);
    await chat.say('nota 7');
    expect(chat.texts()).toEqual(['Responda com um número de 1 a 5.', 'Como foi o atendimento?']);
    await chat.tap('4 - Bom');
    expect(titles(chat.out.messages[0])).toEqual(['Pular']);
    expect(chat.state?.waiting).toEqual({ kind: 'survey', step: 's', phase: 'comment', tries: 0, score: 4 });
    await chat.say('Demorou um pouco');
    expect(chat.out.effects).toEqual([
      { type: 'survey', kind: 'csat', score: 4, comment: 'Demorou um pouco' },
      { type: 'ended', reason: 'end' },
    ]);
    expect(chat.texts()).toEqual(['Obrigado pela sua avaliação!']);
  });

  it('leaves no comment when the customer taps Skip or types a skip word', async () => {
    for (const skip of [(chat: Chat) => chat.tap('Pular'), (chat: Chat) => chat.say('não')]) {
      const chat = new Chat({ steps: [{ id: 's', type: 'survey', kind: 'csat', text: 'Nota?', comment: true, comment_text: 'Comentário, {{contact.name}}?' }] });
      await chat.start();
      await chat.say('⭐⭐⭐');
      expect(chat.texts()).toEqual(['Comentário, Ana?']);
      await skip(chat);
      expect(chat.out.effects[0]).toEqual({ type: 'survey', kind: 'csat', score: 3, comment: null });
    }
  });

  it('runs an NPS survey with a typed score and its own thanks', async () => {
    const chat = new Chat({ steps: [{ id: 's', type: 'survey', kind: 'nps', text: 'De 0 a 10, nos recomendaria?', comment: false, thanks: 'Valeu, {{contact.name}}!' }] });
    await chat.start();
    expect(chat.texts()).toEqual(['De 0 a 10, nos recomendaria?']);
    await chat.say('0');
    expect(chat.out.effects[0]).toEqual({ type: 'survey', kind: 'nps', score: 0, comment: null });
    expect(chat.texts()).toEqual(['Valeu, Ana!']);
  });

  it('ends with a text and an ended effect', async () => {
    const chat = new Chat({ steps: [{ id: 'e', type: 'end', text: 'Tchau!' }] });
    const out = await chat.start();
    expect(out).toMatchObject({ state: null, messages: [{ type: 'text', text: { body: 'Tchau!' } }], effects: [{ type: 'ended', reason: 'end' }] });
  });
});

describe('sessions', () => {
  const flow = () =>
    new Chat({
      variables: { plan: 'basic', n: 1 },
      steps: [
        { id: 'q', type: 'ask', input: 'text', var: 'name', text: 'Nome? ({{vars.plan}})' },
        { id: 'vip', type: 'ask', input: 'text', var: 'name', text: 'Nome VIP?' },
      ],
    });

  it('starts with vars over the flow variables, at a chosen step', async () => {
    const chat = flow();
    await chat.start({ vars: { plan: 'gold' } });
    expect(chat.texts()).toEqual(['Nome? (gold)']);
    expect(chat.state?.vars).toEqual({ plan: 'gold', n: 1 });
    await chat.start({ step: 'vip' });
    expect(chat.texts()).toEqual(['Nome VIP?']);
  });

  it('pushes expires_at after each event and times out with the timeout text', async () => {
    const chat = flow();
    const out = await chat.start();
    expect(out.state?.expires_at).toBe('2026-03-10T15:30:00.000Z');
    expect(out.state?.started_at).toBe('2026-03-10T15:00:00.000Z');
    const early = await chat.event({ type: 'timeout' });
    expect(early.state).toEqual(out.state);
    chat.context = { ...chat.context, now: new Date('2026-03-10T15:31:00.000Z') };
    const late = await chat.event({ type: 'timeout' });
    expect(late.messages.map(bodyOf)).toEqual(['Encerramos a conversa por falta de resposta. É só chamar se precisar!']);
    expect(late.effects).toEqual([{ type: 'ended', reason: 'timeout' }]);
  });

  it('says nothing on timeout when the text is empty', async () => {
    const chat = new Chat({ settings: { texts: { timeout: '' } }, steps: [{ id: 'q', type: 'ask', input: 'text', var: 'x', text: '?' }] });
    await chat.start();
    chat.context = { ...chat.context, now: new Date('2026-03-11T00:00:00.000Z') };
    const out = await chat.event({ type: 'timeout' });
    expect(out.messages).toEqual([]);
    expect(out.effects).toEqual([{ type: 'ended', reason: 'timeout' }]);
  });

  it('leaves a message without a session to the triggers', async () => {
    const chat = flow();
    const out = await chat.say('oi');
    expect(out).toMatchObject({ state: null, messages: [], effects: [] });
  });

  it('is pure: the given state is not changed and the same event gives the same answer', async () => {
    const chat = flow();
    await chat.start();
    const state = chat.state;
    const frozen = JSON.stringify(state);
    const a = await runEngine(chat.flow, state, { type: 'message', message: { kind: 'text', text: 'Ana' } }, chat.context);
    const b = await runEngine(chat.flow, state, { type: 'message', message: { kind: 'text', text: 'Ana' } }, chat.context);
    expect(JSON.stringify(state)).toBe(frozen);
    expect(a).toEqual(b);
    expect(a.state?.vars.name).toBe('Ana');
  });
});

describe('edges', () => {
  it('shows a menu header and footer, takes the typed "more" text and wraps after the last page', async () => {
    const chat = new Chat({ steps: [{ id: 'm', type: 'menu', text: 'Frutas', header: 'Loja {{contact.name}}', footer: 'Escolha uma', options: FRUITS.map((title) => ({ title })) }] });
    const out = await chat.start();
    expect((out.messages[0] as Json).interactive).toMatchObject({ header: { type: 'text', text: 'Loja Ana' }, footer: { text: 'Escolha uma' } });
    await chat.say('mais opções');
    expect(titles(chat.out.messages[0])).toEqual(FRUITS.slice(9));
    await chat.say('Mais opções');
    expect(titles(chat.out.messages[0])).toEqual([...FRUITS.slice(0, 9), 'Mais opções']);
  });

  it('picks a "did you mean…?" choice by its typed number, and a text that is neither is a new try', async () => {
    const chat = new Chat({
      intents: [
        { name: 'a', title: 'Pedido', phrases: { pt: ['status pedido'] } },
        { name: 'b', title: 'Boleto', phrases: { pt: ['pagar boleto'] } },
      ],
      settings: { max_misses: 5 },
      steps: [{ id: 'i', type: 'intent', text: 'Diga', routes: { a: 'ra', b: 'rb' } }, { id: 'ra', type: 'end', text: 'A' }, { id: 'rb', type: 'end', text: 'B' }],
    });
    await chat.start();
    await chat.say('boleto pedido');
    const offered = titles(chat.out.messages[0]);
    await chat.say('xyz');
    expect(chat.texts()).toEqual(['Desculpe, não entendi. Pode dizer de outro jeito?']);
    expect(chat.state?.misses).toBe(2);
    await chat.say('boleto pedido');
    expect(titles(chat.out.messages[0])).toEqual(offered);
    await chat.say(String(offered.indexOf('Boleto') + 1));
    expect(chat.texts()).toEqual(['B']);
  });

  it('treats a low-confidence global intent, or no classifier at all, as no intent', async () => {
    const intents: FlowInput['intents'] = [{ name: 'human', global: true, action: 'handoff', phrases: { pt: ['falar com um atendente humano agora'] } }];
    const steps: FlowInput['steps'] = [{ id: 'q', type: 'ask', input: 'email', var: 'e', text: 'E-mail?' }];
    const low = new Chat({ intents, steps });
    await low.start();
    await low.say('atendente');
    expect(low.effect('handoff')).toBeUndefined();
    expect(low.state?.waiting).toEqual({ kind: 'ask', step: 'q', tries: 1 });
    const none = new Chat({ intents, steps }, { classify: undefined });
    await none.start();
    await none.say('falar com um atendente humano agora');
    expect(none.effect('handoff')).toBeUndefined();
  });

  it('lets a global intent interrupt a survey score, and goes on without a score after the tries', async () => {
    const chat = new Chat({
      intents: [{ name: 'human', global: true, action: 'handoff', phrases: { pt: ['falar com atendente'] } }],
      steps: [{ id: 's', type: 'survey', kind: 'nps', text: 'Nota?', comment: false }, { id: 'e', type: 'end', text: 'fim' }],
    });
    await chat.start();
    await chat.say('falar com atendente');
    expect(chat.effect('handoff')?.reason).toBe('global_intent');
    const quiet = new Chat({ steps: [{ id: 's', type: 'survey', kind: 'nps', text: 'Nota?', comment: false }, { id: 'e', type: 'end', text: 'fim' }] });
    await quiet.start();
    await quiet.say('11');
    await quiet.say('boa');
    await quiet.say('ótimo');
    expect(quiet.texts()).toEqual(['fim']);
    expect(quiet.effect('survey')).toBeUndefined();
  });

  it('goes back to the start when there is no earlier step, and ends on an unknown step', async () => {
    const chat = new Chat({
      intents: [{ name: 'back', global: true, action: 'back', phrases: { pt: ['voltar'] } }],
      steps: [{ id: 'q', type: 'ask', input: 'number', var: 'n', text: 'Número?' }, { id: 'g', type: 'goto', step: 'missing' }],
    });
    await chat.start();
    await chat.say('voltar');
    expect(chat.texts()).toEqual(['Número?']);
    await chat.say('3');
    expect(chat.out.effects).toEqual([{ type: 'ended', reason: 'error' }]);
    expect(chat.out.log.at(-2)?.message).toBe('no step "missing" in flow "test"');
  });

  it('queues messages during a wait too, and ignores results and timeouts without a session', async () => {
    const chat = new Chat({ steps: [{ id: 'w', type: 'wait', duration_ms: 1000 }, { id: 'q', type: 'ask', input: 'text', var: 'x', text: 'Diga' }, { id: 'e', type: 'end', text: '{{vars.x}}' }] });
    await chat.start();
    await chat.say('cedo');
    await chat.result({ ok: true, elapsed: true });
    expect(chat.texts()).toEqual(['Diga', 'cedo']);
    const out = await chat.result({ ok: true, elapsed: true }, 'x-1');
    expect(out).toMatchObject({ state: null, messages: [], effects: [] });
    expect((await chat.event({ type: 'timeout' })).effects).toEqual([]);
  });

  it('reads "hoje" in the context time zone', async () => {
    const steps: FlowInput['steps'] = [{ id: 'q', type: 'ask', input: 'date', var: 'd', text: 'Quando?' }, { id: 'e', type: 'end', text: '{{vars.d}}' }];
    const late = new Date('2026-03-10T01:00:00.000Z');
    const saoPaulo = new Chat({ steps }, { now: late });
    await saoPaulo.start();
    await saoPaulo.say('hoje');
    expect(saoPaulo.texts()).toEqual(['2026-03-09']);
    const tokyo = new Chat({ steps }, { now: late, timeZone: 'Asia/Tokyo' });
    await tokyo.start();
    await tokyo.say('hoje');
    expect(tokyo.texts()).toEqual(['2026-03-10']);
  });

  it('stops a search, survey or intent question when the window is closed', async () => {
    for (const step of [
      { id: 's', type: 'search', catalog: 'faq', text: 'O que procura?', var: 'x' },
      { id: 's', type: 'survey', kind: 'csat', text: 'Nota?', comment: false },
      { id: 's', type: 'intent', text: 'Diga', routes: {} },
    ] as FlowInput['steps']) {
      const chat = new Chat({ steps: [step] }, { windowOpen: false });
      const out = await chat.start();
      expect(out.messages, step.type).toEqual([]);
      expect(out.effects, step.type).toEqual([{ type: 'ended', reason: 'window_closed' }]);
    }
  });
});

describe('a flow started by an intent trigger', () => {
  const flow = {
    triggers: [{ type: 'intent' as const, intents: ['hours'] }, { type: 'any' as const }],
    intents: [
      { name: 'hours', goto: 'hours', phrases: { pt: ['horario de funcionamento'] } },
      { name: 'prices', goto: 'prices', phrases: { pt: ['tabela de precos'] } },
    ],
    steps: [
      { id: 'menu', type: 'end', text: 'menu' },
      { id: 'hours', type: 'end', text: 'das 8h às 20h' },
      { id: 'prices', type: 'end', text: 'preços' },
    ],
  } as unknown as FlowInput;

  it("begins at the intent's goto when the first message is that trigger's intent", async () => {
    const chat = new Chat(flow);
    await chat.start({ message: { kind: 'text', text: 'horario de funcionamento' } });
    expect(chat.texts()).toEqual(['das 8h às 20h']);
  });

  it('begins at start for an intent that is not one of its triggers, or for any other text', async () => {
    const byPrices = new Chat(flow);
    await byPrices.start({ message: { kind: 'text', text: 'tabela de precos' } });
    expect(byPrices.texts()).toEqual(['menu']);
    const other = new Chat(flow);
    await other.start({ message: { kind: 'text', text: 'bom dia' } });
    expect(other.texts()).toEqual(['menu']);
  });
});
