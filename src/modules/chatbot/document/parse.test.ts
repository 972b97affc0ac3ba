import { describe, expect, it } from 'vitest';
import { parseFlowDocument, type ParseFlowResult } from './parse.js';
import { COMPLETE_FLOW, COMPLETE_FLOW_YAML } from './parse-fixtures.js';
import { catastrophicRegex } from './regex-safety.js';
import { STEP_TYPES, TRIGGER_TYPES } from './schema-parts.js';
import { flowDocumentSchema } from './schema.js';
import type { FlowProblem } from './types.js';

/** The problems of a document that must be refused. */
function problemsOf(source: unknown, options?: { format?: 'yaml' | 'json' }): FlowProblem[] {
  const result: ParseFlowResult = parseFlowDocument(source, options);
  if (result.ok) throw new Error(`expected problems, the document parsed (warnings: ${JSON.stringify(result.warnings)})`);
  // Every problem says where (a readable path, never a JSON pointer), what, and what to write instead.
  for (const problem of result.problems) {
    expect(problem.path).not.toMatch(/^\/|\/\d/);
    expect(problem.message.length, problem.message).toBeGreaterThan(15);
    expect(problem.fix.length, problem.fix).toBeGreaterThan(15);
    expect(problem.rule).toMatch(/^[a-z]+\.[a-z-]+$/);
  }
  return result.problems;
}

/** The one problem of a document with one mistake (ajv's noise must not multiply it). */
function theProblem(source: unknown, options?: { format?: 'yaml' | 'json' }): FlowProblem {
  const problems = problemsOf(source, options);
  expect(problems, JSON.stringify(problems, null, 2)).toHaveLength(1);
  return problems[0] as FlowProblem;
}

/** A small valid flow with these steps (and optional top-level fields). */
function flow(steps: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'teste', ...extra, steps };
}

const END = { id: 'fim', type: 'end', text: 'Tchau' };

describe('parseFlowDocument: a valid document', () => {
  it('normalises a flow with every trigger and step type to the document the engine runs', () => {
    const result = parseFlowDocument(COMPLETE_FLOW_YAML);
    expect(result.ok ? result.warnings : result.problems).toEqual([]);
    expect(result.ok && result.document).toEqual(COMPLETE_FLOW);
    const triggers = new Set(COMPLETE_FLOW.triggers.map((trigger) => trigger.type));
    const steps = new Set(COMPLETE_FLOW.steps.map((step) => step.type));
    expect([...triggers].sort()).toEqual([...TRIGGER_TYPES].sort());
    expect([...steps].sort()).toEqual([...STEP_TYPES].sort());
  });

  it('reads the same flow written as JSON, strictly with format json', () => {
    const json = JSON.stringify(COMPLETE_FLOW);
    expect(parseFlowDocument(json, { format: 'json' })).toEqual({ ok: true, document: COMPLETE_FLOW, warnings: [] });
    expect(parseFlowDocument(json)).toEqual({ ok: true, document: COMPLETE_FLOW, warnings: [] });
  });

  it('accepts its own normalised output unchanged (a stored version re-validates as itself)', () => {
    expect(parseFlowDocument(structuredClone(COMPLETE_FLOW))).toEqual({ ok: true, document: COMPLETE_FLOW, warnings: [] });
  });

  it('fills every default: format, start, step and option ids, texts in the flow language, tries, timeouts, results', () => {
    const result = parseFlowDocument(`
name: minimo
language: en
steps:
  - type: menu
    text: Pick one
    options: [Yes, No]
  - type: ask
    text: Your e-mail?
    var: email
  - type: http
    url: https://api.example.com/x
  - type: search
    catalog: faq
    text: Found
    var: pick
  - type: wait
    duration: 45s
catalogs:
  faq: [{ id: a, title: A }]
`);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const { document } = result;
    expect(document).toMatchObject({ format: 1, language: 'en', start: 'step_1', triggers: [], variables: {}, intents: [] });
    expect(document.settings).toEqual({
      session_timeout_ms: 1_800_000,
      nlu_threshold: 0.7,
      max_misses: 2,
      default_queue: 'support',
      texts: { invalid: "Sorry, I couldn't use that answer: {{reason}}", did_you_mean: "I didn't quite get that. Did you mean…?", handoff: "I'm passing you to someone on our team. One moment, please.", timeout: 'We closed this conversation after a while without replies. Write again any time.', list_button: 'See options', more: 'More options' },
    });
    expect(document.steps).toEqual([
      { id: 'step_1', type: 'menu', text: 'Pick one', options: [{ id: 'opt_1', title: 'Yes', synonyms: [] }, { id: 'opt_2', title: 'No', synonyms: [] }], max_tries: 3 },
      { id: 'step_2', type: 'ask', text: 'Your e-mail?', input: 'text', var: 'email', max_tries: 3 },
      { id: 'step_3', type: 'http', method: 'GET', url: 'https://api.example.com/x', headers: {}, timeout_ms: 10_000, retries: 0, save: {} },
      { id: 'step_4', type: 'search', catalog: 'faq', query: '{{input}}', text: 'Found', var: 'pick', max_results: 5 },
      { id: 'step_5', type: 'wait', duration_ms: 45_000 },
    ]);
    const spanish = parseFlowDocument({ name: 'es', language: 'es', steps: [END] });
    expect(spanish.ok && spanish.document.settings.texts.list_button).toBe('Ver opciones');
  });

  it('warns about a step nothing leads to, and still answers the document', () => {
    const result = parseFlowDocument(flow([{ id: 'a', type: 'end' }, { id: 'orfao', type: 'end', text: 'nunca' }]));
    expect(result.ok).toBe(true);
    expect(result.ok && result.warnings).toEqual([expect.objectContaining({ path: 'steps[1]', severity: 'warning', rule: 'step.unreachable', message: expect.stringContaining('"orfao"') })]);
  });

  it('warns that a flow started by the API stops at a first step that is not a template when the window is closed', () => {
    const result = parseFlowDocument(flow([{ type: 'send', text: 'Lembrete: amanhã às 10h' }], { triggers: [{ type: 'api' }] }));
    expect(result.ok && result.warnings).toEqual([expect.objectContaining({ path: 'triggers[0]', rule: 'trigger.api-window', fix: expect.stringContaining('send_template') })]);
  });

  it('warns about a placeholder reading a name that is not in scope (a typo of vars)', () => {
    const result = parseFlowDocument(flow([{ type: 'end', text: 'Até mais, {{var.nome}}!' }]));
    expect(result.ok && result.warnings).toEqual([expect.objectContaining({ path: 'steps[0].text', rule: 'expression.unknown-name', message: expect.stringContaining('did you mean "vars"') })]);
  });
});

describe('parseFlowDocument: each mistake answers its path, a plain message and a fix', () => {
  it('a YAML syntax error names its line and column', () => {
    const problem = theProblem('name: teste\nsteps:\n  - type: send\n     text: oi\n');
    expect(problem).toMatchObject({ path: '', rule: 'syntax.yaml', line: 3, severity: 'error' });
    expect(problem.message).toMatch(/^YAML syntax error at line 3, column \d+: /);
    expect(problem.fix).toContain('indentation');
  });

  it('tabs as indentation say to use spaces', () => {
    expect(theProblem('name: teste\nsteps:\n\t- type: end\n')).toMatchObject({ rule: 'syntax.yaml', line: 3, fix: 'Indent with spaces, not tabs.' });
  });

  it('a key written twice is a syntax error on the second', () => {
    expect(theProblem('name: teste\nname: outro\nsteps: [{type: end}]\n')).toMatchObject({ rule: 'syntax.yaml', line: 2, fix: expect.stringContaining('each key once') });
  });

  it('a JSON syntax error (format json) names its line', () => {
    const problem = theProblem('{\n  "name": "teste",\n  "steps": [ { "type": "end", } ]\n}', { format: 'json' });
    expect(problem).toMatchObject({ rule: 'syntax.json', line: 3 });
    expect(problem.message).toContain('JSON syntax error at line 3');
  });

  it('a document that is not a mapping', () => {
    expect(theProblem('- type: end\n')).toMatchObject({ path: '', rule: 'schema.type', message: expect.stringContaining('must be a mapping') });
  });

  it('an unknown step type is one problem naming the types and the likely one', () => {
    const problem = theProblem('name: teste\nsteps:\n  - type: mneu\n    text: Oi\n    options: [A, B]\n');
    expect(problem).toMatchObject({ path: 'steps[0].type', rule: 'schema.unknown-step-type', line: 3 });
    expect(problem.message).toBe('Unknown step type "mneu" (did you mean "menu"?).');
    expect(problem.fix).toContain('send, send_template, menu, ask, set, condition, http, search, intent, wait, goto, handoff, form, survey, end');
  });

  it('an unknown trigger type', () => {
    expect(theProblem(flow([END], { triggers: [{ type: 'keywords', keywords: ['oi'] }] }))).toMatchObject({ path: 'triggers[0].type', rule: 'schema.unknown-trigger-type', message: expect.stringContaining('did you mean "keyword"') });
  });

  it('a missing field says which and what to write', () => {
    const problem = theProblem(flow([{ type: 'menu', text: 'Escolha' }]));
    expect(problem).toMatchObject({ path: 'steps[0]', rule: 'schema.required', message: 'A menu step needs "options".' });
    expect(problem.fix).toMatch(/^Add options: /);
  });

  it('a misspelt field is one problem with the right name, not also "options missing"', () => {
    const problem = theProblem(flow([{ type: 'menu', text: 'Escolha', optoins: ['A'] }]));
    expect(problem).toMatchObject({ path: 'steps[0].optoins', rule: 'schema.unknown-field', message: '"optoins" is not a field of a menu step (did you mean "options"?).' });
    expect(problem.fix).toContain('text, header, footer, options');
  });

  it('a number where text is expected says to quote it', () => {
    const problem = theProblem('name: teste\nsteps:\n  - type: menu\n    text: Nota?\n    options: [1, Dois]\n');
    expect(problem).toMatchObject({ path: 'steps[0].options[0]', rule: 'schema.type', line: 5 });
    expect(problem.message).toBe('options[0] must be text or a mapping (key: value), not the number 1.');
    expect(problem.fix).toContain('Put it in quotes to make it text: "1"');
  });

  it('a goto to a step that does not exist', () => {
    const problem = theProblem(flow([{ id: 'menu', type: 'menu', text: 'Oi', options: ['A', { title: 'B', goto: 'fimm' }] }, END]));
    expect(problem).toMatchObject({ path: 'steps[0].options[1].goto', rule: 'reference.unknown-step', message: '"fimm" is not a step of this flow (did you mean "fim"?).' });
    expect(problem.fix).toContain('Steps: menu, fim');
  });

  it('every kind of reference is checked: next, on_fail, on_error, on_empty, else, branches, routes, fallback, start, intents', () => {
    const problems = problemsOf(
      flow(
        [
          { id: 'a', type: 'ask', text: 'x', var: 'x', on_fail: 'x1', next: 'x2' },
          { id: 'b', type: 'http', url: 'https://a.example', on_error: 'x3' },
          { id: 'c', type: 'search', catalog: 'faq', text: 't', var: 'r', on_empty: 'x4' },
          { id: 'd', type: 'condition', branches: [{ if: 'true', goto: 'x5' }], else: 'x6' },
          { id: 'e', type: 'intent', routes: { oi: 'x7' }, fallback: 'x8' },
          { id: 'f', type: 'goto', step: 'x9' },
        ],
        { start: 'x10', intents: [{ name: 'oi', phrases: ['oi'], global: true, goto: 'x11' }], catalogs: { faq: [] } },
      ),
    );
    expect(problems.filter((problem) => problem.rule === 'reference.unknown-step').map((problem) => problem.path).sort()).toEqual(
      ['start', 'intents[0].goto', 'steps[0].next', 'steps[0].on_fail', 'steps[1].on_error', 'steps[2].on_empty', 'steps[3].branches[0].goto', 'steps[3].else', 'steps[4].routes.oi', 'steps[4].fallback', 'steps[5].step'].sort(),
    );
  });

  it('two steps with one id', () => {
    const problem = theProblem(flow([{ id: 'oi', type: 'send', text: 'Oi' }, { id: 'oi', type: 'end' }]));
    expect(problem).toMatchObject({ path: 'steps[1].id', rule: 'step.duplicate-id', message: expect.stringContaining('steps[0] and steps[1]'), fix: expect.stringContaining('oi_2') });
  });

  it('a button title over 20 characters (3 options or fewer are buttons)', () => {
    const problem = theProblem(flow([{ type: 'menu', text: 'Oi', options: ['Pedidos', 'Trocas', 'Falar com um atendente'] }]));
    expect(problem).toMatchObject({ path: 'steps[0].options[2].title', rule: 'limits.button-title' });
    expect(problem.message).toContain('at most 20 characters; "Falar com um atendente" has 22');
    expect(problem.fix).toContain('4 or more are shown as a list');
  });

  it('a list row title over 24 and a description over 72 (4 options or more are a list)', () => {
    const long = 'd'.repeat(73);
    const problems = problemsOf(flow([{ type: 'menu', text: 'Oi', options: ['A', 'B', 'C', { title: 'Segunda via do boleto bancário', description: long }] }]));
    expect(problems.map((problem) => [problem.path, problem.rule])).toEqual([
      ['steps[0].options[3].title', 'limits.row-title'],
      ['steps[0].options[3].description', 'limits.row-description'],
    ]);
  });

  it('more than 10 options is fine (the engine pages them), but option ids must be unique', () => {
    const options = Array.from({ length: 14 }, (_, index) => `Opção ${index + 1}`);
    expect(parseFlowDocument(flow([{ type: 'menu', text: 'Escolha', options }])).ok).toBe(true);
    const problem = theProblem(flow([{ type: 'menu', text: 'Escolha', options: [{ id: 'x', title: 'A' }, { id: 'x', title: 'B' }] }]));
    expect(problem).toMatchObject({ path: 'steps[0].options[1].id', rule: 'menu.duplicate-option-id' });
  });

  it('four reply buttons in an interactive message', () => {
    const buttons = ['Sim', 'Não', 'Talvez', 'Nunca'].map((title, index) => ({ type: 'reply', reply: { id: `b${index}`, title } }));
    const problem = theProblem(flow([{ type: 'send', message: { type: 'interactive', interactive: { type: 'button', body: { text: 'Confirma?' }, action: { buttons } } } }]));
    expect(problem).toMatchObject({ path: 'steps[0].message.interactive.action.buttons', rule: 'limits.buttons', message: 'The message has 4 reply buttons; WhatsApp shows at most 3.' });
    expect(problem.fix).toContain('menu step');
  });

  it('a JSONata expression that does not parse, with where it breaks', () => {
    const problem = theProblem(flow([{ type: 'set', values: { total: 'vars.subtotal +' } }]));
    expect(problem).toMatchObject({ path: 'steps[0].values.total', rule: 'expression.syntax' });
    expect(problem.message).toContain('"vars.subtotal +" does not parse');
    expect(problem.message).toContain('vars.subtotal +⟨here⟩');
    expect(problem.fix).toContain('missing after the last operator');
  });

  it('a condition whose if is not JSONata, an http save that is not, and a bad placeholder in a text', () => {
    const problems = problemsOf(
      flow([
        { type: 'condition', branches: [{ if: "vars.cidade = 'São Paulo", goto: 'fim' }] },
        { type: 'http', url: 'https://a.example', save: { status_pedido: 'body.(status' } },
        { type: 'send', text: 'Seu pedido {{vars.pedido id}} saiu' },
        END,
      ]),
    );
    expect(problems.map((problem) => [problem.path, problem.rule])).toEqual([
      ['steps[0].branches[0].if', 'expression.syntax'],
      ['steps[1].save.status_pedido', 'expression.syntax'],
      ['steps[2].text', 'expression.syntax'],
    ]);
    expect(problems[0]?.fix).toContain('quote');
  });

  it('secrets: only {{secrets.NAME}} alone in an http step\'s url, headers or body; never where a customer or a variable could see them', () => {
    const http = (headers: Record<string, string>) => ({ type: 'http', url: 'https://api.loja.example/x?key={{secrets.API_KEY}}', headers });
    expect(parseFlowDocument(flow([http({ Authorization: 'Bearer {{secrets.API_TOKEN}}' })]))).toMatchObject({ ok: true, warnings: [] });
    const problems = problemsOf(
      flow([
        http({ Authorization: "{{'Bearer ' & secrets.API_TOKEN}}", 'X-Key': '{{secrets.api_key}}' }),
        { type: 'send', text: 'Sua chave: {{secrets.API_TOKEN}}' },
        { type: 'set', values: { token: 'secrets.API_TOKEN' } },
      ]),
    );
    expect(problems.map((problem) => [problem.path, problem.rule])).toEqual([
      ['steps[0].headers.Authorization', 'expression.secret-form'],
      ['steps[0].headers["X-Key"]', 'expression.secret-form'],
      ['steps[1].text', 'expression.secret-outside-http'],
      ['steps[2].values.token', 'expression.secret-outside-http'],
    ]);
    expect(problems[0]?.fix).toContain('Bearer {{secrets.API_TOKEN}}');
  });

  it('a placeholder opened and never closed', () => {
    expect(theProblem(flow([{ type: 'end', text: 'Olá {{contact.name' }]))).toMatchObject({ path: 'steps[0].text', rule: 'expression.unclosed-placeholder', fix: expect.stringContaining('}}') });
  });

  it('$eval and named functions are refused', () => {
    const problems = problemsOf(flow([{ type: 'set', values: { a: '$eval(input)', b: '($f := function($n){ $f($n) }; $f(1))' } }]));
    expect(problems.map((problem) => [problem.path, problem.rule])).toEqual([
      ['steps[0].values.a', 'expression.refused'],
      ['steps[0].values.b', 'expression.refused'],
    ]);
    expect(problems[0]?.message).toBe('The expression "$eval(input)" calls $eval.');
    expect(problems[1]?.message).toContain('defines a named function');
  });

  it('a regex pattern that does not compile', () => {
    const problem = theProblem(flow([END], { triggers: [{ type: 'pattern', pattern: '^pedido (\\d+' }] }));
    expect(problem).toMatchObject({ path: 'triggers[0].pattern', rule: 'pattern.syntax', message: expect.stringContaining('Unterminated group') });
  });

  it('a regex pattern with nested repetition (catastrophic backtracking)', () => {
    const problem = theProblem(flow([END], { triggers: [{ type: 'pattern', pattern: '^(\\w+\\s?)+$' }] }));
    expect(problem).toMatchObject({ path: 'triggers[0].pattern', rule: 'pattern.catastrophic', message: expect.stringContaining('(\\w+\\s?)+') });
  });

  it('a regex pattern over 200 characters', () => {
    expect(theProblem(flow([END], { triggers: [{ type: 'pattern', pattern: 'a'.repeat(201) }] }))).toMatchObject({ path: 'triggers[0].pattern', rule: 'schema.too-long', message: 'pattern has 201 characters; at most 200 fit.' });
  });

  it('a duration that is not one', () => {
    const problem = theProblem(flow([{ type: 'wait', duration: '2 horas' }]));
    expect(problem).toMatchObject({ path: 'steps[0].duration', rule: 'schema.pattern', message: '"2 horas" is not a valid duration.' });
    expect(problem.fix).toContain('45s, 30m, 2h, 1d or 1h30m');
  });

  it('a wait over 30 days, a wait of milliseconds meant as seconds, a timeout over 30 s', () => {
    const problems = problemsOf(flow([{ type: 'wait', duration: '40d' }, { type: 'wait', duration: 30 }, { type: 'http', url: 'https://a.example', timeout: '1m' }]));
    expect(problems.map((problem) => [problem.path, problem.rule])).toEqual([
      ['steps[0].duration', 'duration.range'],
      ['steps[1].duration', 'duration.range'],
      ['steps[2].timeout', 'duration.range'],
    ]);
    expect(problems[0]?.message).toBe('duration is 40d; it must be from 1s to 30d.');
    expect(problems[1]?.fix).toContain('A plain number is milliseconds');
    expect(problems[2]?.message).toBe('timeout is 1m; it must be from 100ms to 30s.');
  });

  it('retries out of range', () => {
    expect(theProblem(flow([{ type: 'http', url: 'https://a.example', retries: 9 }]))).toMatchObject({ path: 'steps[0].retries', rule: 'schema.range', fix: expect.stringContaining('from 0 to 5') });
  });

  it('a document over 512 KB is refused before it is read', () => {
    const huge = `name: grande\nsteps:\n  - type: end\n    text: "${'x'.repeat(600 * 1024)}"\n`;
    expect(theProblem(huge)).toMatchObject({ path: '', rule: 'limits.size', message: expect.stringContaining('at most 512 KB') });
  });

  it('lists or mappings nested deeper than 64 levels are refused before the YAML parser recurses into them', () => {
    const deep = `name: fundo\nsteps: [{type: end}]\nvariables:\n  a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
    expect(theProblem(deep)).toMatchObject({ path: '', rule: 'limits.nesting', message: expect.stringContaining('100000 levels deep') });
    expect(theProblem(`{"name": "fundo", "steps": [{"type": "end"}], "variables": {"a": ${'['.repeat(100)}${']'.repeat(100)}}}`, { format: 'json' })).toMatchObject({ rule: 'limits.nesting' });
  });

  it('aliases of aliases (a "billion laughs") are refused', () => {
    const laughs = ['name: risos', 'steps: [{type: end}]', 'variables:', '  a: &a [x, x, x, x, x, x, x, x, x]', ...['b', 'c', 'd', 'e', 'f'].map((name, index) => `  ${name}: &${name} [${Array(9).fill(`*${'abcde'[index]}`).join(', ')}]`)].join('\n');
    expect(theProblem(laughs)).toMatchObject({ rule: 'syntax.yaml-aliases' });
  });

  it('a document with thousands of mistakes answers the first 200 and how many more', () => {
    const steps = Array.from({ length: 300 }, () => ({ type: 'menu', text: 'x', options: ['a'], typo: 1 }));
    const problems = problemsOf(flow(steps));
    expect(problems).toHaveLength(201);
    expect(problems[200]).toMatchObject({ path: '', rule: 'limits.problems', message: '100 more problems are not shown.', severity: 'error' });
  });

  it('more than 500 steps', () => {
    const steps = Array.from({ length: 501 }, (_, index) => ({ type: 'send', text: `Passo ${index}` }));
    expect(theProblem(flow(steps))).toMatchObject({ path: 'steps', rule: 'limits.steps', message: 'steps has 501 items; at most 500 are allowed.', fix: expect.stringContaining('goto step') });
  });

  it('an intent trigger or route naming an intent that does not exist', () => {
    const problems = problemsOf(
      flow([{ type: 'intent', routes: { 'pedido.statu': 'fim' } }, END], { triggers: [{ type: 'intent', intents: ['atendente'] }], intents: [{ name: 'pedido.status', phrases: ['meu pedido'] }] }),
    );
    expect(problems.map((problem) => [problem.path, problem.rule])).toEqual([
      ['triggers[0].intents', 'reference.unknown-intent'],
      ['steps[0].routes["pedido.statu"]', 'reference.unknown-intent'],
    ]);
    expect(problems[1]?.message).toContain('did you mean "pedido.status"');
  });

  it('a search in a catalogue that does not exist', () => {
    expect(theProblem(flow([{ type: 'search', catalog: 'produtos', text: 'Achei', var: 'p' }], { catalogs: { faq: [] } }))).toMatchObject({ path: 'steps[0].catalog', rule: 'reference.unknown-catalog', fix: expect.stringContaining('faq') });
  });

  it('a global intent with nowhere to go', () => {
    expect(theProblem(flow([END], { intents: [{ name: 'menu', phrases: ['menu'], global: true }] }))).toMatchObject({ path: 'intents[0]', rule: 'intent.global-target', fix: expect.stringContaining('action: menu') });
  });

  it('two any triggers', () => {
    expect(theProblem(flow([END], { triggers: [{ type: 'any' }, { type: 'any' }] }))).toMatchObject({ path: 'triggers[1]', rule: 'trigger.any-twice' });
  });

  it('an invalid variable name', () => {
    const problem = theProblem(flow([{ type: 'set', values: { 'total-geral': '1' } }]));
    expect(problem).toMatchObject({ path: 'steps[0].values["total-geral"]', rule: 'schema.name', message: '"total-geral" is not a valid variable name.' });
    expect(problem.fix).toContain('letters, digits and _');
  });

  it('an http step: a relative URL, a header the platform sets, a value with a line break, a GET with a body', () => {
    const problems = problemsOf(flow([{ type: 'http', url: '/pedidos/{{vars.id}}', headers: { Host: 'interno', 'X-Token': 'a\r\nX-Admin: 1' }, body: { a: 1 } }]));
    expect(problems.map((problem) => [problem.path, problem.rule])).toEqual([
      ['steps[0].url', 'http.url'],
      ['steps[0].headers.Host', 'http.forbidden-header'],
      ['steps[0].headers["X-Token"]', 'http.header-value'],
      ['steps[0].body', 'http.get-body'],
    ]);
    expect(parseFlowDocument(flow([{ type: 'http', url: '{{vars.api}}/pedidos' }])).ok).toBe(true);
  });

  it('an invalid header name', () => {
    expect(theProblem(flow([{ type: 'http', url: 'https://a.example', headers: { 'X Token': 'a' } }]))).toMatchObject({ path: 'steps[0].headers["X Token"]', rule: 'schema.name', message: '"X Token" is not a valid header name.' });
  });

  it('an ask with input choice and no choices; min above max', () => {
    const problems = problemsOf(flow([{ type: 'ask', text: 'Tamanho?', input: 'choice', var: 't' }, { type: 'ask', text: 'Idade?', input: 'number', var: 'i', min: 120, max: 18 }]));
    expect(problems.map((problem) => [problem.path, problem.rule])).toEqual([
      ['steps[0]', 'ask.choices-missing'],
      ['steps[1].min', 'ask.bounds-order'],
    ]);
  });

  it('a goto with neither step nor flow, a send with two messages', () => {
    const problems = problemsOf(flow([{ type: 'goto' }, { type: 'send', text: 'Olha', image: { link: 'https://a.example/x.png' } }])).filter((problem) => problem.severity === 'error');
    expect(problems.map((problem) => [problem.path, problem.rule])).toEqual([
      ['steps[0]', 'step.goto-target'],
      ['steps[1].image', 'step.send-content'],
    ]);
    expect(problems[1]?.fix).toContain('image.caption');
  });

  it('a survey kind other than csat or nps', () => {
    expect(theProblem(flow([{ type: 'survey', kind: 'ces', text: 'Nota?' }]))).toMatchObject({ path: 'steps[0].kind', rule: 'schema.enum', fix: 'Use one of: csat, nps.' });
  });

  it('lint problems found in YAML carry the line of what they point at', () => {
    const problem = theProblem('name: teste\nsteps:\n  - id: a\n    type: send\n    text: oi\n    next: b\n');
    expect(problem).toMatchObject({ path: 'steps[0].next', rule: 'reference.unknown-step', line: 6, column: 5 });
  });
});

describe('the JSON Schema documents the format', () => {
  it('is draft 2020-12 with an $id, and every property has a title and a description', () => {
    expect(flowDocumentSchema).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', $id: 'https://conversa.local/schemas/flow.json' });
    const undocumented: string[] = [];
    const visit = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((item, index) => visit(item, `${where}/${index}`));
      if (node === null || typeof node !== 'object') return;
      const schema = node as Record<string, unknown>;
      for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        if (typeof property.title !== 'string' || typeof property.description !== 'string') undocumented.push(`${where}/properties/${name}`);
      }
      for (const [key, value] of Object.entries(schema)) visit(value, `${where}/${key}`);
    };
    visit(flowDocumentSchema, '#');
    expect(undocumented).toEqual([]);
  });
});

describe('catastrophicRegex', () => {
  it('refuses nested repetition and lets ordinary trigger patterns through', () => {
    for (const bad of ['(a+)+', '(a*)*', '((a+))+', '^(\\w+\\s?)*$', '(x+x+)+y', '(a{2,})+', '(?:[a-z]+\\d?){2,}', '(a|a)*b', '(a|ab)+$', '(\\w|\\d)+$', '(?:x|.)*y']) expect(catastrophicRegex(bad), bad).toBeDefined();
    for (const good of ['^pedido\\s*#?\\d+$', '(ab)+', '(a|b)*c', '\\d{3}-\\d{4}', '^(oi|olá)!*$', '[(+]+', '\\(a+\\)+', '(a+)?', '^(sim|não|nao)$', '(?:ab|cd){2}', '[\\w\\s]+']) expect(catastrophicRegex(good), good).toBeUndefined();
  });
});
