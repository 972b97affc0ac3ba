import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The lint rule that keeps modules on the injected Clock (eslint.config.js, "One clock"). */
describe('no host clock in src/modules', () => {
  const eslint = new ESLint();
  const restricted = async (code: string, filePath: string) => {
    const [result] = await eslint.lintText(code, { filePath });
    return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.line);
  };
  const code = ['export const a = Date.now();', 'export const b = new Date();', 'export const c = new Date(0);', 'export const d = new Date(a);', 'export const e = new Date;', ''].join('\n');

  it('forbids Date.now() and new Date() without an argument in a module, and allows new Date(x)', async () => {
    expect(await restricted(code, 'src/modules/contacts/clock-probe.ts')).toEqual([1, 2, 5]);
  });

  it('leaves tests and other folders alone', async () => {
    expect(await restricted(code, 'src/modules/contacts/clock-probe.test.ts')).toEqual([]);
    expect(await restricted(code, 'src/http/clock-probe.ts')).toEqual([]);
  });
});
