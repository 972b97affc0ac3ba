import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useApp } from './support/use-app.js';

const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'sandbox' ? [] : sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
/** Every CONVERSA_ERR_* code named in src/ (outside the sandbox, which has its own). */
const codesInSource = () => new Set(sources('src').flatMap((file) => readFileSync(file, 'utf8').match(/CONVERSA_ERR_[A-Z_]+/g) ?? []));

/** Every error code the platform can answer is documented in docs/errors.md, with its meaning and fix. */
describe('docs/errors.md', () => {
  const doc = readFileSync('docs/errors.md', 'utf8');

  it('names every CONVERSA_ERR_* code used in src/', () => {
    const codes = codesInSource();
    expect(codes.size).toBeGreaterThan(30);
    const missing = [...codes].filter((code) => !new RegExp(`\`${code}\``).test(doc));
    expect(missing).toEqual([]);
  });
});

/** ... and in the OpenAPI document, where generated clients and /docs read them. */
describe('/api/v1/openapi.json', () => {
  const running = useApp();
  let document: {
    paths: Record<string, Record<string, { responses: Record<string, { description: string; content?: Record<string, { schema: { $ref?: string } }> }> }>>;
    components: { schemas: Record<string, { description?: string; 'x-error-codes'?: Record<string, { status: number; message: string }> }> };
  };
  beforeAll(async () => {
    document = (await running.api('GET', '/openapi.json')).body as typeof document;
  });

  it('lists every CONVERSA_ERR_* code used in src/ in the Error schema, with its status and meaning', () => {
    const schema = document.components.schemas.Error;
    const listed = schema?.['x-error-codes'] ?? {};
    const missing = [...codesInSource()].filter((code) => !(code in listed) || !schema?.description?.includes(`\`${code}\``));
    expect(missing).toEqual([]);
    expect(listed.CONVERSA_ERR_WINDOW_CLOSED?.status).toBe(422);
    expect(listed.CONVERSA_ERR_NOT_FOUND).toEqual({ status: 404, message: 'Not found.' });
  });

  it('says for every operation what comes back: a success, and each error status with the Error schema and its codes', () => {
    const problems: string[] = [];
    const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, responses: operation.responses })));
    expect(operations.length).toBeGreaterThan(50);
    for (const { name, responses } of operations) {
      const statuses = Object.keys(responses);
      if (!statuses.some((status) => /^2/.test(status))) problems.push(`${name}: no success status`);
      for (const status of ['400', '401', '403', '500']) if (!statuses.includes(status)) problems.push(`${name}: no ${status}`);
      for (const [status, response] of Object.entries(responses)) {
        if (response.description === 'Default Response') problems.push(`${name} ${status}: undescribed`);
        if (Number(status) >= 400) {
          if (response.content?.['application/json']?.schema.$ref !== '#/components/schemas/Error') problems.push(`${name} ${status}: not the Error schema`);
          if (!/CONVERSA_ERR_/.test(response.description)) problems.push(`${name} ${status}: names no error code`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
