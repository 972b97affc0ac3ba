import { describe, expect, it } from 'vitest';
import type { CreateTemplateRequest, TemplateCategory } from '../../whatsapp/index.js';
import {
  appointmentReminder,
  blackFriday,
  body,
  BODY_TEXT,
  BODY_VALUES,
  footer,
  header,
  named,
  namedBody,
  okBody,
  orderShipped,
  place,
  span,
  utility,
  verificationCode,
} from './lint-fixtures.js';
import { lintTemplate } from './lint.js';

type Expected = ReturnType<typeof place>;

describe('lintTemplate: clean templates', () => {
  it.each([
    ['positional utility with text header, URL, phone and quick replies', orderShipped()],
    ['named utility with a named header', appointmentReminder()],
    ['marketing with image header and copy-code button', blackFriday()],
    ['authentication with security line, expiry and copy-code OTP', verificationCode()],
    ['body only', utility(body('Seu pagamento foi confirmado. Obrigado pela compra! 🙏'))],
    ['multi-line body', utility(body('Olá {{1}},\n\nSeu boleto vence amanhã.\nQualquer dúvida, responda esta mensagem.', ['Ana']))],
  ])('%s: ok with no problems', (_name, template) => {
    expect(lintTemplate(template)).toEqual({ ok: true, problems: [] });
  });
});

const LONG_HEADER = 'Seu pedido {{1}} foi confirmado e já está em separação no estoque';
const TOO_MANY = 'Oi {{1}}, pedido {{2}} em {{3}} hoje.';

describe('lintTemplate: template fields and components', () => {
  it.each<[string, CreateTemplateRequest, Expected[]]>([
    ['name with spaces and capitals', { ...orderShipped(), name: 'Pedido Enviado' }, [{ rule: 'name.invalid', path: 'name' }]],
    ['empty name', { ...orderShipped(), name: '' }, [{ rule: 'name.invalid', path: 'name' }]],
    ['name over 512 characters', { ...orderShipped(), name: 'a'.repeat(513) }, [{ rule: 'name.too-long', path: 'name' }]],
    ['language with a hyphen', { ...orderShipped(), language: 'pt-BR' }, [{ rule: 'language.invalid', path: 'language' }]],
    ['language spelled out', { ...orderShipped(), language: 'português' }, [{ rule: 'language.invalid', path: 'language' }]],
    ['retired category', { ...orderShipped(), category: 'TRANSACTIONAL' as TemplateCategory }, [{ rule: 'category.invalid', path: 'category' }]],
    ['unknown parameter_format', { ...orderShipped(), parameter_format: 'MIXED' as 'NAMED' }, [{ rule: 'parameter-format.invalid', path: 'parameter_format' }]],
    ['no BODY', utility(footer('Equipe Loja Exemplo')), [{ rule: 'components.missing-body', path: 'components' }]],
    ['two BODY components', utility(okBody(), okBody()), [{ rule: 'components.duplicate', path: 'components[1]' }]],
    ['unknown component', utility(okBody(), { type: 'CAROUSEL' as 'BODY' }), [{ rule: 'components.unknown-type', path: 'components[1].type' }]],
  ])('%s', (_name, template, expected) => {
    const report = lintTemplate(template);
    expect(report.problems.map(place)).toEqual(expected);
    expect(report.ok).toBe(false);
  });

  it('suggests the corrected value in the fix', () => {
    const fixes = (t: CreateTemplateRequest) => lintTemplate(t).problems.map((p) => p.fix);
    expect(fixes({ ...orderShipped(), name: 'Confirmação de Pedido!' })).toEqual(['Rename it to "confirmacao_de_pedido".']);
    expect(fixes({ ...orderShipped(), language: 'pt-br' })).toEqual(['Write it as "pt_BR".']);
    expect(fixes({ ...orderShipped(), category: 'OTP' as TemplateCategory })).toEqual(['Use "AUTHENTICATION".']);
    expect(fixes({ ...orderShipped(), category: 'utility' as TemplateCategory })).toEqual(['Use "UTILITY".']);
  });
});

describe('lintTemplate: header, body and footer text', () => {
  it.each<[string, CreateTemplateRequest, Expected[]]>([
    ['header without format', utility({ type: 'HEADER', text: 'Pedido confirmado' }, okBody()), [{ rule: 'header.format-invalid', path: 'components[0].format' }]],
    ['TEXT header without text', utility({ type: 'HEADER', format: 'TEXT' }, okBody()), [{ rule: 'header.missing-text', path: 'components[0].text' }]],
    ['header over 60 characters', utility(header(LONG_HEADER, ['#4521']), okBody()), [{ rule: 'header.too-long', path: 'components[0].text', at: { start: 60, end: LONG_HEADER.length } }]],
    [
      'header with two variables',
      utility(header('Pedido {{1}} de {{2}}', ['#4521', 'Ana']), okBody()),
      [{ rule: 'header.too-many-variables', path: 'components[0].text', at: span('Pedido {{1}} de {{2}}', '{{2}}') }],
    ],
    ['image header without sample', utility({ type: 'HEADER', format: 'IMAGE' }, okBody()), [{ rule: 'header.missing-media-example', path: 'components[0].example.header_handle' }]],
    ['line break in header', utility(header('Pedido\nconfirmado'), okBody()), [{ rule: 'whitespace.newline', path: 'components[0].text', at: { start: 6, end: 7 } }]],
    ['BODY without text', utility({ type: 'BODY' }), [{ rule: 'body.missing-text', path: 'components[0].text' }]],
    ['body over 1024 characters', utility(body('Aviso: '.padEnd(1030, 'á'))), [{ rule: 'body.too-long', path: 'components[0].text', at: { start: 1024, end: 1030 } }]],
    ['body starting with a variable', utility(body('{{1}}, seu pedido saiu para entrega hoje.', ['Ana'])), [{ rule: 'body.dangling-variable', path: 'components[0].text', at: { start: 0, end: 5 } }]],
    [
      'body ending with a variable',
      utility(body('Seu pedido saiu para entrega, acompanhe em {{1}}', ['loja.example'])),
      [{ rule: 'body.dangling-variable', path: 'components[0].text', at: span('Seu pedido saiu para entrega, acompanhe em {{1}}', '{{1}}') }],
    ],
    [
      'body ending with a variable and a full stop',
      utility(body('Olá {{1}}, seu pedido saiu para entrega e chega até {{2}}.', ['Ana', 'sexta-feira'])),
      [{ rule: 'body.dangling-variable', path: 'components[0].text', at: span('Olá {{1}}, seu pedido saiu para entrega e chega até {{2}}.', '{{2}}') }],
    ],
    ['too many variables for the words', utility(body(TOO_MANY, ['Ana', '#4521', 'rota'])), [{ rule: 'body.too-many-variables', path: 'components[0].text' }]],
    ['tab in body', utility(body('Total:\tR$ 89,90. Obrigado pela compra!')), [{ rule: 'whitespace.tab', path: 'components[0].text', at: { start: 6, end: 7 } }]],
    ['footer without text', utility(okBody(), { type: 'FOOTER' }), [{ rule: 'footer.missing-text', path: 'components[1].text' }]],
    ['footer over 60 characters', utility(okBody(), footer('Você recebe esta mensagem porque comprou na Loja Exemplo em 2025.')), [{ rule: 'footer.too-long', path: 'components[1].text', at: { start: 60, end: 65 } }]],
    ['variable in footer', utility(okBody(), footer('Atendimento {{1}}')), [{ rule: 'footer.variable', path: 'components[1].text', at: { start: 12, end: 17 } }]],
    ['five spaces in footer', utility(okBody(), footer('Loja Exemplo     Desde 1998')), [{ rule: 'whitespace.spaces', path: 'components[1].text', at: { start: 12, end: 17 } }]],
  ])('%s', (_name, template, expected) => {
    const report = lintTemplate(template);
    expect(report.problems.map(place)).toEqual(expected);
    expect(report.ok).toBe(false);
  });

  it.each<[string, CreateTemplateRequest, Expected[]]>([
    ['emoji in header', utility(header('Pedido {{1}} a caminho 🚚', ['#4521']), okBody()), [{ rule: 'header.emoji', path: 'components[0].text', at: span('Pedido {{1}} a caminho 🚚', '🚚') }]],
    ['body close to the limit', utility(body('Seu extrato: '.padEnd(950, '.'))), [{ rule: 'body.near-limit', path: 'components[0].text' }]],
    ['sample values for a body without variables', utility(body('Seu pedido foi entregue. Obrigado!', ['Ana'])), [{ rule: 'examples.unused', path: 'components[0].example.body_text' }]],
  ])('warns on %s and stays ok', (_name, template, expected) => {
    const report = lintTemplate(template);
    expect(report.problems.map(place)).toEqual(expected);
    expect(report.problems.every((p) => p.severity === 'warning')).toBe(true);
    expect(report.ok).toBe(true);
  });

  it.each([
    ['a flag', 'Pedido enviado 🇧🇷', '🇧🇷'],
    ['a skin tone', 'Tudo certo 👍🏽', '👍🏽'],
    ['a joined sequence', 'Equipe 👩‍💻 Loja', '👩‍💻'],
    ['a symbol forced to emoji', 'Ligue ☎️ agora', '☎️'],
  ])('sees %s in a header as one emoji', (_name, text, emoji) => {
    expect(lintTemplate(utility(header(text), okBody())).problems.map(place)).toEqual([{ rule: 'header.emoji', path: 'components[0].text', at: span(text, emoji) }]);
  });

  it('does not take © ® ™ in a header for emoji', () => {
    expect(lintTemplate(utility(header('Loja Exemplo® – Conta™ ©'), okBody())).problems).toEqual([]);
  });

  it('counts characters, not UTF-16 units: 60 emoji-bearing characters fit a header', () => {
    const sixty = 'Pedido confirmado ✅ '.padEnd(59, 'é') + 'ã';
    expect([...sixty].length).toBe(60);
    expect(lintTemplate(utility({ type: 'HEADER', format: 'TEXT', text: sixty }, okBody())).problems.map((p) => p.rule)).toEqual(['header.emoji']);
  });
});

const BRACES = 'Olá {{1}, seu pedido {{2}} saiu para entrega hoje.';
const SPECIAL = 'Olá {{1}}, o total de {{$2}} vence amanhã, pague pelo app.';
const GAP = 'Olá {{1}}, seu pedido {{3}} saiu para entrega hoje.';
const ADJACENT = 'Olá {{1}} {{2}}, seu pedido saiu para entrega hoje mesmo.';

describe('lintTemplate: variables', () => {
  it.each<[string, CreateTemplateRequest, Expected[]]>([
    ['unbalanced braces', utility(body(BRACES, ['Ana', '#4521'])), [{ rule: 'variables.unbalanced-braces', path: 'components[0].text', at: span(BRACES, '{{1}') }]],
    ['a lone closing pair', utility(body('Olá }} {{1}}, seu pedido saiu para entrega.', ['Ana'])), [{ rule: 'variables.unbalanced-braces', path: 'components[0].text', at: { start: 4, end: 6 } }]],
    ['$ inside a variable', utility(body(SPECIAL, ['Ana', 'R$ 89,90'])), [{ rule: 'variables.special-characters', path: 'components[0].text', at: span(SPECIAL, '{{$2}}') }]],
    ['gap in the numbering', utility(body(GAP, ['Ana', '#4521'])), [{ rule: 'variables.not-sequential', path: 'components[0].text', at: span(GAP, '{{3}}') }]],
    ['adjacent variables', utility(body(ADJACENT, ['Ana', 'Souza'])), [{ rule: 'variables.adjacent', path: 'components[0].text', at: { start: 4, end: 15 } }]],
    ['named variable in a positional template', utility(body('Olá {{nome}}, seu pedido saiu para entrega.', ['Ana'])), [{ rule: 'variables.format-mismatch', path: 'components[0].text', at: { start: 4, end: 12 } }]],
    [
      'positional variable in a named template',
      named(namedBody('Olá {{1}}, seu pedido {{pedido}} saiu para entrega hoje.', { pedido: '#4521' })),
      [{ rule: 'variables.format-mismatch', path: 'components[0].text', at: { start: 4, end: 9 } }],
    ],
    [
      'name with spaces and capitals',
      named(namedBody('Olá {{Nome Cliente}}, seu pedido saiu para entrega.', { nome_cliente: 'Ana' })),
      [{ rule: 'variables.invalid-name', path: 'components[0].text', at: { start: 4, end: 20 } }],
    ],
  ])('%s', (_name, template, expected) => {
    expect(lintTemplate(template).problems.map(place)).toEqual(expected);
  });

  it('names the intended variable in the fix', () => {
    const fix = (template: CreateTemplateRequest, rule: string) => lintTemplate(template).problems.find((p) => p.rule === rule)?.fix;
    expect(fix(utility(body(BRACES, ['Ana', '#4521'])), 'variables.unbalanced-braces')).toContain('{{1}}');
    expect(fix(utility(body(SPECIAL, ['Ana', 'R$ 89,90'])), 'variables.special-characters')).toBe('Write {{2}} and keep $ in the text outside the braces.');
    expect(fix(utility(body(GAP, ['Ana', '#4521'])), 'variables.not-sequential')).toBe('Renumber them {{1}}, {{2}}.');
    expect(fix(named(namedBody('Olá {{Preço Final}}, obrigado pela compra na loja.', { preco_final: '1' })), 'variables.invalid-name')).toBe('Write {{preco_final}}.');
    expect(fix(utility(body('Olá {{Nome}}, obrigado pela compra na loja.', ['Ana'])), 'variables.invalid-name')).toBe('Write a number such as {{1}} (the template is POSITIONAL).');
    expect(fix(named(namedBody('Olá {{ 1 }}, obrigado pela compra na loja.', {})), 'variables.invalid-name')).toBe('Write a snake_case name such as {{first_name}}.');
  });
});

describe('lintTemplate: sample values', () => {
  it.each<[string, CreateTemplateRequest, Expected[]]>([
    ['no samples', utility(body(BODY_TEXT)), [{ rule: 'examples.missing', path: 'components[0].text', at: span(BODY_TEXT, '{{1}}') }]],
    ['too few samples', utility(body(BODY_TEXT, ['Ana', '#4521'])), [{ rule: 'examples.count-mismatch', path: 'components[0].example.body_text[0]' }]],
    ['an empty sample', utility(body(BODY_TEXT, ['Ana', '', 'sexta-feira'])), [{ rule: 'examples.empty-value', path: 'components[0].example.body_text[0][1]' }]],
    ['a line break in a sample', utility(body(BODY_TEXT, ['Ana', '#45\n21', 'sexta-feira'])), [{ rule: 'whitespace.newline', path: 'components[0].example.body_text[0][1]', at: { start: 3, end: 4 } }]],
    ['header variable without sample', utility(header('Pedido {{1}} a caminho'), okBody()), [{ rule: 'examples.missing', path: 'components[0].text', at: { start: 7, end: 12 } }]],
    [
      'named: a variable without sample and a sample for no variable',
      named(namedBody('Oi {{nome}}, sua consulta com {{medico}} é amanhã de manhã.', { nome: 'João', medica: 'Dra. Márcia' })),
      [
        { rule: 'examples.missing', path: 'components[0].text', at: { start: 30, end: 40 } },
        { rule: 'examples.unknown-name', path: 'components[0].example.body_text_named_params[1].param_name' },
      ],
    ],
    [
      'named: positional samples',
      named({ type: 'BODY', text: 'Oi {{nome}}, sua consulta é amanhã às nove horas.', example: { body_text: [['João']] } }),
      [{ rule: 'examples.missing', path: 'components[0].text', at: { start: 3, end: 11 } }],
    ],
    [
      'named: two samples for one variable',
      named({
        type: 'BODY',
        text: 'Oi {{nome}}, sua consulta é amanhã às nove horas.',
        example: { body_text_named_params: [{ param_name: 'nome', example: 'João' }, { param_name: 'nome', example: 'José' }] },
      }),
      [{ rule: 'examples.duplicate-name', path: 'components[0].example.body_text_named_params[1].param_name' }],
    ],
  ])('%s', (_name, template, expected) => {
    expect(lintTemplate(template).problems.map(place)).toEqual(expected);
  });

  it('shows the expected sample shape in the fix', () => {
    const [problem] = lintTemplate(utility(body(BODY_TEXT))).problems;
    expect(problem?.fix).toBe('Add example.body_text: [["sample for {{1}}", "sample for {{2}}", "sample for {{3}}"]], one realistic value per variable.');
    expect(BODY_VALUES).toHaveLength(3);
  });
});

describe('lintTemplate: every problem at once', () => {
  it('does what its documentation example says', () => {
    const report = lintTemplate({ name: 'Pedido Enviado', language: 'pt-BR', category: 'UTILITY', components: [{ type: 'BODY', text: '{{1}}, seu pedido saiu para entrega.' }] });
    expect(report.problems.map((p) => [p.rule, p.path, p.at, p.rule.startsWith('name') || p.rule.startsWith('language') ? p.fix : ''])).toEqual([
      ['name.invalid', 'name', undefined, 'Rename it to "pedido_enviado".'],
      ['language.invalid', 'language', undefined, 'Write it as "pt_BR".'],
      ['body.dangling-variable', 'components[0].text', { start: 0, end: 5 }, ''],
      ['examples.missing', 'components[0].text', { start: 0, end: 5 }, ''],
    ]);
  });

  it('survives a request that is not shaped like one, reporting instead of throwing', () => {
    const broken = { components: [null, { type: 'BUTTONS', buttons: [null] }] } as unknown as CreateTemplateRequest;
    expect(lintTemplate(broken).problems.map((p) => p.rule)).toEqual([
      'name.invalid',
      'language.invalid',
      'category.invalid',
      'components.missing-body',
      'components.unknown-type',
      'buttons.unknown-type',
    ]);
    expect(lintTemplate({} as CreateTemplateRequest).problems.map((p) => p.rule)).toEqual(['name.invalid', 'language.invalid', 'category.invalid', 'components.missing-body']);
  });

  it('reports all problems of a badly written template, in reading order', () => {
    const text = '{{1}}, aproveite a promoção: {{2}}{{4}}';
    const report = lintTemplate({
      name: 'Promoção Relâmpago',
      language: 'pt-BR',
      category: 'UTILITY',
      components: [header('Só hoje!! 🔥\n{{1}} {{2}}'), { type: 'BODY', text }, footer('Loja {{1}}')],
    });
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => `${p.severity} ${p.rule} ${p.path}`)).toEqual([
      'error name.invalid name',
      'error language.invalid language',
      'warning header.emoji components[0].text',
      'error whitespace.newline components[0].text',
      'error variables.adjacent components[0].text',
      'error examples.missing components[0].text',
      'error header.too-many-variables components[0].text',
      'error body.too-many-variables components[1].text',
      'error body.dangling-variable components[1].text',
      'error examples.missing components[1].text',
      'warning category.marketing-content components[1].text',
      'warning category.marketing-content components[1].text',
      'error variables.adjacent components[1].text',
      'error variables.not-sequential components[1].text',
      'error body.dangling-variable components[1].text',
      'error footer.variable components[2].text',
    ]);
    for (const problem of report.problems) {
      expect(problem.message.length).toBeGreaterThan(0);
      expect(problem.fix.length).toBeGreaterThan(0);
    }
  });
});
