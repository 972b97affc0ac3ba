import { describe, expect, it } from 'vitest';
import type { FlowDocument } from './document/index.js';
import { buildFlow, keywordClassifier, keywordSearch } from './engine/stand-ins.js';
import { formatTranscriptReport, runTranscript, type TranscriptDeps } from './transcript.js';

const SUPPORT = buildFlow({
  name: 'support',
  intents: [{ name: 'human', global: true, action: 'handoff', phrases: { pt: ['falar com atendente'] } }],
  steps: [
    { id: 'hello', type: 'send', message: { type: 'text', text: { body: 'Olá, {{contact.name}}!' } } },
    { id: 'main', type: 'menu', text: 'Como posso ajudar?', options: [{ title: 'Meu pedido', goto: 'order' }, { title: 'Outra coisa', goto: 'human' }] },
    { id: 'order', type: 'ask', input: 'number', var: 'order', text: 'Qual o número do pedido?' },
    { id: 'lookup', type: 'http', url: 'https://shop.example/orders/{{vars.order}}', save: { status: 'body.status' }, on_error: 'down' },
    { id: 'status', type: 'end', text: 'Seu pedido está: {{vars.status}}' },
    { id: 'down', type: 'handoff', queue: 'orders', text: 'Nosso sistema está fora do ar; vou te passar para a equipe.' },
    { id: 'human', type: 'handoff', text: 'Um momento.' },
  ],
});

const deps = (flows: Record<string, FlowDocument> = { 'support.yaml': SUPPORT }): TranscriptDeps => ({
  loadFlow: (path) => {
    const flow = flows[path];
    if (!flow) throw new Error(`no such file: ${path}`);
    return flow;
  },
  compile: (flow) => ({ classify: keywordClassifier(flow), search: keywordSearch(flow) }),
  now: new Date('2026-03-10T12:00:00Z'),
});

const HEADER = `flow: support.yaml
contact: {name: Ana, wa_id: "5511999990001"}
http:
  lookup: {status: 200, body: {status: enviado}}
`;

describe('runTranscript', () => {
  it('passes a conversation whose answers match, with taps, canned HTTP answers, effects and vars', async () => {
    const report = await runTranscript(
      `${HEADER}cases:
  - name: order status
    turns:
      - say: oi
        bot:
          - text: Olá, Ana!
          - contains: Como posso
            buttons: [Meu pedido, Outra coisa]
      - tap: Meu pedido
        bot: [Qual o número do pedido?]
      - say: "123"
        bot:
          - text: "Seu pedido está: enviado"
        effects: [{ended: end}]
        vars: {order: 123, status: enviado}
  - name: system down
    http:
      lookup: {error: timeout}
    turns:
      - say: oi
      - tap: "1"
      - say: "9"
        effects: [{handoff: orders}, {ended: handoff}]
  - name: global handoff and a new session after it
    turns:
      - say: oi
      - say: falar com atendente
        bot: [Vou te passar para uma pessoa da nossa equipe.]
        effects: [{handoff: support, reason: global_intent}]
      - say: oi de novo
        bot: [{text: "Olá, Ana!"}, {buttons: [Meu pedido, Outra coisa]}]
`,
      deps(),
    );
    expect(report.error).toBeNull();
    expect(report.cases.map((c) => [c.name, c.passed, c.failures])).toEqual([
      ['order status', true, []],
      ['system down', true, []],
      ['global handoff and a new session after it', true, []],
    ]);
  });

  it('fails a case with a readable diff of the expected and the actual messages', async () => {
    const report = await runTranscript(
      `${HEADER}cases:
  - name: wrong expectations
    turns:
      - say: oi
        bot:
          - text: Olá, Ana!
          - buttons: [Meu pedido, Falar com alguém]
      - tap: Meu pedido
        effects: [{handoff: support}]
        vars: {order: 5}
`,
      deps(),
    );
    const [result] = report.cases;
    expect(result?.passed).toBe(false);
    const text = formatTranscriptReport(report, 'support.test.yaml');
    expect(text).toContain('✗ wrong expectations');
    expect(text).toContain('turn 1 (say "oi"):');
    expect(text).toContain('✓ 1. expected: text "Olá, Ana!"');
    expect(text).toContain('✗ 2. expected: buttons [Meu pedido | Falar com alguém]');
    expect(text).toContain('got:      buttons "Como posso ajudar?" [Meu pedido | Outra coisa]');
    expect(text).toContain('turn 2 (tap "Meu pedido"):');
    expect(text).toContain('expected effect {"handoff":"support"}');
    expect(text).toContain('vars.order: expected 5, got nothing');
  });

  it('stops a case at a tap on nothing offered, or an http step without a canned answer', async () => {
    const report = await runTranscript(
      `flow: support.yaml
cases:
  - name: bad tap
    turns:
      - say: oi
      - tap: Cancelar
      - say: never reached
  - name: no canned answer
    turns:
      - say: oi
      - tap: Meu pedido
      - say: "1"
`,
      deps(),
    );
    expect(report.cases[0]?.failures).toEqual(['turn 2 (tap "Cancelar"): nothing to tap called "Cancelar" in the bot\'s last messages (offered: "Meu pedido", "Outra coisa")']);
    expect(report.cases[1]?.failures[0]).toContain('the http step "lookup" has no canned answer');
  });

  it('starts with vars and a step, respects a closed window, and runs a timeout turn', async () => {
    const reminder = buildFlow({
      name: 'reminder',
      steps: [
        { id: 'remind', type: 'send_template', template: { name: 'appointment', language: 'pt_BR', components: [{ type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'confirm' }] }] } },
        { id: 'answer', type: 'intent', routes: { confirm: 'ok' } },
        { id: 'ok', type: 'ask', input: 'text', var: 'note', text: 'Confirmado para {{vars.when}}! Alguma observação?' },
      ],
    });
    const report = await runTranscript(
      `flow: reminder.yaml
window: closed
cases:
  - name: confirm and go quiet
    start: {vars: {when: amanhã}}
    turns:
      - bot: [{template: appointment}]
      - tap: confirm
        bot: ["Confirmado para amanhã! Alguma observação?"]
      - timeout: true
        bot: [{contains: falta de resposta}]
        effects: [{ended: timeout}]
  - name: a closed window stops free-form steps
    start: {step: ok}
    turns:
      - bot: []
        effects: [{ended: window_closed}]
`,
      deps({ 'reminder.yaml': reminder }),
    );
    expect(report.cases.map((c) => c.failures)).toEqual([[], []]);
  });

  it('reports every problem of a bad transcript with its place', async () => {
    const report = await runTranscript(
      `flow: support.yaml
window: ajar
cases:
  - name: x
    turns:
      - say: oi
        tap: Meu pedido
      - bot: [{txt: oi}]
      - send: {sticker: 1}
`,
      deps(),
    );
    expect(report.cases).toEqual([]);
    expect(report.error).toContain('window: must be open or closed');
    expect(report.error).toContain('cases[0].turns[0]: one customer action per turn (found say and tap)');
    expect(report.error).toContain('cases[0].turns[1]: needs say, tap, send or timeout');
    expect(report.error).toContain('cases[0].turns[1].bot[0].txt: unknown key');
    expect(report.error).toContain('cases[0].turns[2].send: must be {location: {latitude, longitude}} or {media: {type: image, caption?}}');
  });

  it('reports a flow that cannot be loaded', async () => {
    const report = await runTranscript('flow: nowhere.yaml\ncases: [{name: a, turns: [{say: oi}]}]\n', deps());
    expect(report.error).toBe('cannot load the flow nowhere.yaml: no such file: nowhere.yaml');
  });
});
