import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every error code the platform can answer is documented in docs/errors.md, with its meaning and fix. */
describe('docs/errors.md', () => {
  const doc = readFileSync('docs/errors.md', 'utf8');
  const sources = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'sandbox' ? [] : sources(path);
      return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
    });

  it('names every CONVERSA_ERR_* code used in src/', () => {
    const codes = new Set(sources('src').flatMap((file) => readFileSync(file, 'utf8').match(/CONVERSA_ERR_[A-Z_]+/g) ?? []));
    expect(codes.size).toBeGreaterThan(30);
    const missing = [...codes].filter((code) => !new RegExp(`\`${code}\``).test(doc));
    expect(missing).toEqual([]);
  });
});
