import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The web app's two languages (web/src/locales) say the same things: same keys, nothing empty. */
const load = (name: string) => JSON.parse(readFileSync(new URL(`../web/src/locales/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
const keysOf = (value: unknown, prefix = ''): string[] =>
  typeof value === 'object' && value !== null ? Object.entries(value).flatMap(([key, inner]) => keysOf(inner, prefix ? `${prefix}.${key}` : key)) : [prefix];
const valueAt = (tree: Record<string, unknown>, key: string): unknown => key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], tree);

describe('web app translations', () => {
  const en = load('en');
  const pt = load('pt-BR');

  it('pt-BR and English have exactly the same keys, each a non-empty text', () => {
    expect(keysOf(pt).sort()).toEqual(keysOf(en).sort());
    for (const key of keysOf(en)) {
      expect(typeof valueAt(en, key) === 'string' && (valueAt(en, key) as string).trim() !== '', `en ${key}`).toBe(true);
      expect(typeof valueAt(pt, key) === 'string' && (valueAt(pt, key) as string).trim() !== '', `pt-BR ${key}`).toBe(true);
    }
  });

  it('keeps the same {{placeholders}} in both languages', () => {
    const placeholders = (text: unknown) => [...String(text).matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1]).sort();
    for (const key of keysOf(en)) expect(placeholders(valueAt(pt, key)), key).toEqual(placeholders(valueAt(en, key)));
  });
});
