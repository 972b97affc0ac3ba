import { describe, expect, it } from 'vitest';
import { parseFormatting, safeHref } from '../web/src/format.js';

/** WhatsApp's formatting in the inbox (web/src/format.ts): values, never HTML. */
describe('WhatsApp text formatting', () => {
  it('reads *bold*, _italic_, ~strike~ and ```mono```, nested, as WhatsApp does', () => {
    expect(parseFormatting('*oi* _você_ ~não~ ```a*b*c```')).toEqual([
      { kind: 'bold', children: [{ kind: 'text', text: 'oi' }] },
      { kind: 'text', text: ' ' },
      { kind: 'italic', children: [{ kind: 'text', text: 'você' }] },
      { kind: 'text', text: ' ' },
      { kind: 'strike', children: [{ kind: 'text', text: 'não' }] },
      { kind: 'text', text: ' ' },
      { kind: 'mono', text: 'a*b*c' },
    ]);
    expect(parseFormatting('*_ambos_*')).toEqual([{ kind: 'bold', children: [{ kind: 'italic', children: [{ kind: 'text', text: 'ambos' }] }] }]);
  });

  it('leaves markers that do not open or close a span as text (2*3*4, a lone *, across lines, snake_case)', () => {
    for (const text of ['2*3*4', 'um * sozinho', '*linha\noutra*', 'nome_do_arquivo', '* espaço*']) expect(parseFormatting(text), text).toEqual([{ kind: 'text', text }]);
  });

  it('keeps markup as text and links only http(s) URLs', () => {
    const hostile = '<img src=x onerror=alert(1)> javascript:alert(2) https://example.com/a_b_c).';
    expect(parseFormatting(hostile)).toEqual([
      { kind: 'text', text: '<img src=x onerror=alert(1)> javascript:alert(2) ' },
      { kind: 'link', href: 'https://example.com/a_b_c', text: 'https://example.com/a_b_c' },
      { kind: 'text', text: ').' },
    ]);
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref('data:text/html,<b>')).toBeUndefined();
    expect(safeHref('https://loja.example/p?q=1')).toBe('https://loja.example/p?q=1');
    // A link inside bold stays a link.
    expect(parseFormatting('*veja https://x.example/y*')).toEqual([{ kind: 'bold', children: [{ kind: 'text', text: 'veja ' }, { kind: 'link', href: 'https://x.example/y', text: 'https://x.example/y' }] }]);
  });
});
