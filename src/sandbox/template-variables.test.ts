import { describe, expect, it } from 'vitest';
import { charLength, countWords, parameterKeys, paramWhitespaceProblem, scanVariables, substituteVariables } from './template-variables.js';

describe('scanVariables', () => {
  it.each<[string, string, Array<[string, string, number]>, number[]]>([
    ['positional, with accents before', 'Olá {{1}}, pedido {{2}}', [['1', 'positional', 4], ['2', 'positional', 18]], []],
    ['named', 'Oi {{first_name}}!', [['first_name', 'named', 3]], []],
    ['emoji before counts as one character', '😀 {{1}}', [['1', 'positional', 2]], []],
    ['special characters are invalid', 'Total {{$1}}', [['$1', 'invalid', 6]], []],
    ['spaces inside are invalid', 'Oi {{ 1 }}', [[' 1 ', 'invalid', 3]], []],
    ['missing closing brace', 'Oi {{1} tudo bem', [], [3]],
    ['missing opening brace', 'Oi {1}} tudo bem', [], [5]],
    ['single braces', 'Oi {1} tudo bem', [], [3]],
    ['triple braces', 'Oi {{{1}}} tudo', [['1', 'positional', 4]], [3, 9]],
    ['a word in single braces looks like a broken variable; a lone } is text', 'Use {chave} ou }', [], [4]],
  ])('%s', (_name, text, variables, stray) => {
    const scan = scanVariables(text);
    expect(scan.variables.map((v) => [v.raw, v.kind, v.position])).toEqual(variables);
    expect(scan.strayBraces).toEqual(stray);
  });
});

describe('parameterKeys', () => {
  it.each<[string | undefined, string[]]>([
    [undefined, []],
    ['Sem variáveis', []],
    ['{{2}} e {{1}} e {{2}}', ['1', '2']],
    ['{{b_name}} {{a_name}} {{b_name}}', ['b_name', 'a_name']],
  ])('%s → %j', (text, keys) => {
    expect(parameterKeys(text)).toEqual(keys);
  });
});

describe('text helpers', () => {
  it('substitutes known keys and leaves the rest', () => {
    expect(substituteVariables('Olá {{1}}, {{2}}', (k) => (k === '1' ? 'Zoë 😀' : undefined))).toBe('Olá Zoë 😀, {{2}}');
  });

  it('counts code points', () => {
    expect(charLength('Olá 😀')).toBe(5);
  });

  it.each<[string, number]>([
    ['Hi , gate . Thank you.', 4],
    ['Olá, seu pedido nº chega amanhã! 🎉', 7],
    ['ご注文を発送しました', 10],
    ['— , !', 0],
  ])('countWords(%j) = %i', (text, words) => {
    expect(countWords(text)).toBe(words);
  });

  it.each<[string, string | undefined]>([
    ['a    b', undefined],
    ['a     b', 'more than 4 consecutive spaces'],
    ['a\nb', 'a new-line character'],
    ['a\r\nb', 'a new-line character'],
    ['a\tb', 'a tab character'],
    ['São Paulo 😀', undefined],
  ])('paramWhitespaceProblem(%j)', (value, problem) => {
    expect(paramWhitespaceProblem(value)).toBe(problem);
  });
});
