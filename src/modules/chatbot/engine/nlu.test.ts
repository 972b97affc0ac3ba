import { beforeAll, describe, expect, it } from 'vitest';
import type { FlowDocument, Intent } from '../document/index.js';
import { compileFlow } from './compile.js';
import { loadClassifier, trainClassifier, trainIntents } from './nlu.js';
import type { NluResult } from './types.js';

type Classify = (text: string) => Promise<NluResult>;

function intent(name: string, phrases: Intent['phrases']): Intent {
  return { name, phrases, global: false };
}

/** A pt-BR support flow that also answers in English and Spanish. */
const SUPPORT: Pick<FlowDocument, 'language' | 'intents'> = {
  language: 'pt',
  intents: [
    intent('order.status', {
      pt: ['onde está meu pedido', 'quero saber do meu pedido', 'rastrear minha entrega', 'meu pedido não chegou', 'status do pedido'],
      en: ['where is my order', 'track my order', 'my order has not arrived', 'order status'],
      es: ['dónde está mi pedido', 'quiero rastrear mi pedido', 'mi pedido no ha llegado', 'estado de mi pedido'],
    }),
    intent('faq.hours', {
      pt: ['qual o horário de funcionamento', 'que horas vocês abrem', 'vocês abrem no sábado', 'até que horas vocês ficam abertos'],
      en: ['what are your opening hours', 'when do you open', 'are you open on saturday', 'what time do you close'],
      es: ['cuál es el horario de atención', 'a qué hora abren', 'abren los sábados', 'a qué hora cierran'],
    }),
    intent('handoff', {
      pt: ['falar com atendente', 'quero falar com uma pessoa', 'atendimento humano', 'me passa para um atendente'],
      en: ['talk to an agent', 'i want to speak to a person', 'human please'],
      es: ['hablar con un agente', 'quiero hablar con una persona', 'atención humana'],
    }),
    intent('payment', {
      pt: ['quais as formas de pagamento', 'posso pagar com pix', 'aceitam cartão de crédito', 'como faço para pagar'],
      en: ['what payment methods do you accept', 'can i pay with a credit card', 'how can i pay'],
      es: ['qué formas de pago aceptan', 'puedo pagar con tarjeta de crédito', 'cómo puedo pagar'],
    }),
  ],
};

/** None of these is a training phrase: reworded, accents left out, typos. */
const UNSEEN: Array<[string, string, string]> = [
  ['pt', 'cade meu pedido?', 'order.status'],
  ['pt', 'qual o horario de voces', 'faq.hours'],
  ['pt', 'quero falar com um atendemte', 'handoff'],
  ['pt', 'da pra pagar no pix?', 'payment'],
  ['en', 'wher is my ordr', 'order.status'],
  ['en', 'what hours are you open', 'faq.hours'],
  ['en', 'can I talk to a human', 'handoff'],
  ['es', 'donde esta mi pedido', 'order.status'],
  ['es', 'a que hora abren el sabado', 'faq.hours'],
  ['es', 'necesito hablar con un agente humano', 'handoff'],
];

describe('intents (nlp.js)', () => {
  let model: string;
  let classify: Classify;

  beforeAll(async () => {
    const trained = await trainIntents(SUPPORT);
    if (!trained) throw new Error('expected a model');
    model = trained.model;
    classify = await loadClassifier(model, { language: 'pt' });
  });

  it.each(UNSEEN)('%s: "%s" is %s, above the default 0.7 threshold', async (_language, text, expected) => {
    const result = await classify(text);
    expect(result.intent).toBe(expected);
    expect(result.score).toBeGreaterThanOrEqual(0.7);
    expect(result.ranking[0]).toEqual({ intent: expected, score: result.score });
  });

  it('does not claim to understand what no intent is about', async () => {
    for (const text of ['banana', 'qual a capital da França?', 'asdf qwerty']) {
      const result = await classify(text);
      expect(result.intent === null || result.score < 0.7, `${text}: ${JSON.stringify(result)}`).toBe(true);
    }
  });

  it('ranks at most three intents, best first', async () => {
    const result = await classify('quero falar sobre o pagamento do meu pedido');
    expect(result.ranking.length).toBeGreaterThan(0);
    expect(result.ranking.length).toBeLessThanOrEqual(3);
    const scores = result.ranking.map((entry) => entry.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it("reports the customer's language when the text is clearly in another trained language", async () => {
    expect((await classify('where is my order, I have been waiting for a week')).language).toBe('en');
    expect((await classify('donde esta mi pedido, lo estoy esperando hace una semana')).language).toBe('es');
    expect((await classify('onde está meu pedido? estou esperando faz uma semana')).language).toBe('pt');
    // Too short to tell: the flow's language.
    expect((await classify('ok')).language).toBe('pt');
    expect((await classify('menu')).language).toBe('pt');
  });

  it('extracts entities with normalised values', async () => {
    const result = await classify('meu cpf é 529.982.247-25 e o email Joao.Silva@Example.com');
    expect(result.entities).toEqual([
      { entity: 'cpf', text: '529.982.247-25', value: '52998224725' },
      { entity: 'email', text: 'Joao.Silva@Example.com', value: 'joao.silva@example.com' },
    ]);
    expect((await classify('cpf 11144477735')).entities).toEqual([{ entity: 'cpf', text: '11144477735', value: '11144477735' }]);
  });

  it('drops a CPF whose check digits are wrong (and does not report it as a number)', async () => {
    const result = await classify('meu cpf é 123.456.789-00');
    expect(result.entities).toEqual([]);
  });

  it.each([
    ['quero 3 pizzas', { entity: 'number', text: '3', value: 3 }],
    ['o total deu R$ 1.234,56', { entity: 'number', text: '1.234,56', value: 1234.56 }],
    ['paguei 12,5 reais', { entity: 'number', text: '12,5', value: 12.5 }],
    ['pode ser dia 25/12/2026?', { entity: 'date', text: '25/12/2026', value: '2026-12-25' }],
    ['pode ser dia 5/3?', { entity: 'date', text: '5/3', value: '--03-05' }],
    ['nasci em 01/02/99', { entity: 'date', text: '01/02/99', value: '1999-02-01' }],
    ['meu cep é 01310-100', { entity: 'cep', text: '01310-100', value: '01310100' }],
    ['CEP: 01310100', { entity: 'cep', text: '01310100', value: '01310100' }],
    ['vence 25-12-26', { entity: 'date', text: '25-12-26', value: '2026-12-25' }],
    ['vence 2026-12-25', { entity: 'date', text: '2026-12-25', value: '2026-12-25' }],
    ['cnpj 11222333000181', { entity: 'cnpj', text: '11222333000181', value: '11222333000181' }],
    ['cnpj 11.222.333/0001-81', { entity: 'cnpj', text: '11.222.333/0001-81', value: '11222333000181' }],
    ['me liga no (11) 98888-7777', { entity: 'phone', text: '(11) 98888-7777', value: '+5511988887777' }],
    ['whatsapp +55 21 99876-5432', { entity: 'phone', text: '+55 21 99876-5432', value: '+5521998765432' }],
  ])('"%s" → %j', async (text, expected) => {
    expect((await classify(text)).entities).toEqual([expected]);
  });

  it('drops impossible dates', async () => {
    expect((await classify('dia 31/02/2026')).entities).toEqual([]);
  });

  it('reads numbers the way the text\'s language writes them', async () => {
    const english = await classify('I would like to pay 1,500.25 dollars for the whole order');
    expect(english.language).toBe('en');
    expect(english.entities).toEqual([{ entity: 'number', text: '1,500.25', value: 1500.25 }]);
    expect((await classify('são 1.500 reais')).entities).toEqual([{ entity: 'number', text: '1.500', value: 1500 }]);
  });

  it('trains deterministically: the same document gives the same model and the same answers', async () => {
    const again = await trainIntents(SUPPORT);
    expect(again?.model).toBe(model);
    const classifyAgain = await loadClassifier(again?.model ?? '', { language: 'pt' });
    for (const [, text] of UNSEEN) expect(await classifyAgain(text)).toEqual(await classify(text));
  });

  it('classifies the same after export and import as the model it was trained into', async () => {
    const trained = await trainClassifier(SUPPORT);
    const imported = await loadClassifier(trained.model, { language: 'pt' });
    for (const text of [...UNSEEN.map(([, phrase]) => phrase), 'banana', 'meu cpf é 529.982.247-25']) {
      expect(await imported(text)).toEqual(await trained.classify(text));
    }
  });

  it('answers undefined for a flow without intents or phrases', async () => {
    expect(await trainIntents({ language: 'pt', intents: [] })).toBeUndefined();
    expect(await trainIntents({ language: 'pt', intents: [intent('empty', { pt: ['  '] })] })).toBeUndefined();
  });

  it("classifies in the only trained language when it is not the flow's", async () => {
    const trained = await trainIntents({ language: 'pt', intents: [intent('greet', { en: ['hello there', 'good morning'] }), intent('bye', { en: ['goodbye', 'see you later'] })] });
    const english = await loadClassifier(trained?.model ?? '', { language: 'pt' });
    const result = await english('hello');
    expect(result.intent).toBe('greet');
    expect(result.language).toBe('pt');
  });

  it('leaves no trace in the process: RegExp serialises as before', async () => {
    expect(JSON.stringify({ pattern: /x/ })).toBe('{"pattern":{}}');
  });

  it('takes hostile text and intent names in its stride', async () => {
    const trained = await trainIntents({ language: 'pt', intents: [intent('constructor', { pt: ['quero construir algo'] }), intent('tostring', { pt: ['texto qualquer aqui'] })] });
    const hostile = await loadClassifier(trained?.model ?? '', { language: 'pt' });
    expect((await hostile('quero construir uma casa')).intent).toBe('constructor');
    for (const text of ['__proto__ constructor hasOwnProperty toString', '', '   ', '🙂🙂🙂', 'a'.repeat(4096), '1'.repeat(4096), `${'1.'.repeat(2000)}x`]) {
      const started = performance.now();
      const result = await hostile(text);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(result.language).toBe('pt');
    }
  });

  it('runs only its own entity rules, whatever the stored model says', async () => {
    const stored = JSON.parse(model) as { ner: { rules: Record<string, Record<string, { rules: string[] }>> } };
    stored.ner.rules['*']!['email']!.rules.push('/banana/gi');
    stored.ner.rules['pt'] = { secret: { name: 'secret', type: 'regex', rules: ['/(a+)+$/'] } as never };
    const tampered = await loadClassifier(JSON.stringify(stored), { language: 'pt' });
    expect((await tampered('banana 3')).entities).toEqual([{ entity: 'number', text: '3', value: 3 }]);
  });

  it('trains on phrases made of object-prototype words', async () => {
    const trained = await trainIntents({ language: 'pt', intents: [intent('proto', { pt: ['__proto__ constructor', 'hasOwnProperty toString valueOf'] }), intent('other', { pt: ['outra coisa qualquer'] })] });
    const odd = await loadClassifier(trained?.model ?? '', { language: 'pt' });
    expect((await odd('constructor __proto__')).intent).toBe('proto');
    expect((await odd('outra coisa')).intent).toBe('other');
  });

  it('rejects a model that is not one', async () => {
    await expect(loadClassifier('{}', { language: 'pt' })).rejects.toThrow(/no trained languages/);
    await expect(loadClassifier('not json', { language: 'pt' })).rejects.toThrow();
  });
});

describe('compileFlow', () => {
  const base: FlowDocument = {
    format: 1,
    name: 'support',
    language: 'pt',
    triggers: [{ type: 'any' }],
    variables: {},
    settings: {
      session_timeout_ms: 1_800_000,
      nlu_threshold: 0.7,
      max_misses: 2,
      default_queue: 'support',
      texts: { invalid: '{{reason}}', did_you_mean: 'Você quis dizer…', handoff: 'Vou chamar alguém.', timeout: '', list_button: 'Ver opções', more: 'Mais' },
    },
    intents: [],
    catalogs: {},
    start: 'hello',
    steps: [{ id: 'hello', type: 'end', text: 'Oi!' }],
  };

  it('gives the engine classify and search when the flow has intents and catalogues', async () => {
    const doc: FlowDocument = { ...base, intents: SUPPORT.intents, catalogs: { faq: [{ id: 'pix', title: 'Pagamento por Pix' }, { id: 'card', title: 'Cartão de crédito' }] } };
    const trained = await trainIntents(doc);
    const compiled = await compileFlow(doc, trained?.model);
    expect((await compiled.classify?.('cade meu pedido'))?.intent).toBe('order.status');
    expect(compiled.search?.('faq', 'cartões', 5)).toEqual([{ id: 'card', score: expect.any(Number) }]);
  });

  it('gives neither when there is nothing to classify or search', async () => {
    expect(await compileFlow(base)).toEqual({});
    expect(await compileFlow({ ...base, intents: SUPPORT.intents })).toEqual({});
  });
});
