import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from './html.js';

describe('escapeHtml', () => {
  it('neutralises a script tag and attribute breakouts', () => {
    expect(escapeHtml('<script>alert("x")</script>')).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(escapeHtml(`" onmouseover='x' \`y\``)).toBe('&quot; onmouseover=&#39;x&#39; &#96;y&#96;');
  });

  it('escapes ampersands first, so entities in the input stay visible as text', () => {
    expect(escapeHtml('Tom &amp; Jerry & Co')).toBe('Tom &amp;amp; Jerry &amp; Co');
  });

  it('leaves ordinary text, accents and emoji alone', () => {
    expect(escapeHtml('João Çà 👋 nº 7')).toBe('João Çà 👋 nº 7');
  });
});

describe('html', () => {
  it('escapes interpolated values but not nested html', () => {
    const name = '<img src=x onerror=alert(1)>';
    const out = html`<p title="${name}">${html`<b>${name}</b>`}</p>`.toString();
    expect(out).toBe('<p title="&lt;img src=x onerror=alert(1)&gt;"><b>&lt;img src=x onerror=alert(1)&gt;</b></p>');
    expect(out).not.toContain('<img');
  });

  it('joins arrays and drops null, undefined and false', () => {
    const items = ['<a>', 'b'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.toString()).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul>0');
  });
});
