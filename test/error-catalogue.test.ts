import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, type CatalogueEntry } from '../src/errors/index.js';
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

  const catalogue = ERROR_CATALOGUE as Record<string, CatalogueEntry>;
  /** The doc's table rows: the codes of the first cell, the HTTP cell, the meaning. */
  const rows = doc
    .split('\n')
    .filter((line) => line.startsWith('| `CONVERSA_ERR_'))
    .map((line) => {
      const cells = line.split(' | ');
      return { codes: (cells[0]?.match(/CONVERSA_ERR_[A-Z_]+/g) ?? []) as string[], http: cells[1] ?? '', when: cells[2] ?? '', fix: cells[3] ?? '' };
    });

  it('names every CONVERSA_ERR_* code used in src/, and src/ uses only codes of the catalogue', () => {
    const codes = codesInSource();
    expect(codes.size).toBeGreaterThan(30);
    const missing = [...codes].filter((code) => !new RegExp(`\`${code}\``).test(doc));
    expect(missing).toEqual([]);
    expect([...codes].filter((code) => !(code in catalogue))).toEqual([]);
  });

  it('has a row for every code of the catalogue, with its HTTP status (and each variant status), what it means and how to fix it', () => {
    const problems: string[] = [];
    for (const [code, entry] of Object.entries(catalogue)) {
      const row = rows.find((candidate) => candidate.codes.includes(code));
      if (!row) {
        problems.push(`${code}: no row`);
        continue;
      }
      for (const status of [entry.status, ...Object.values(entry.variants ?? {})]) if (!new RegExp(`\\b${status}\\b`).test(row.http)) problems.push(`${code}: HTTP cell "${row.http}" lacks ${status}`);
      if (row.when.trim().length < 10) problems.push(`${code}: no meaning`);
      if (row.fix.replace(/\|\s*$/, '').trim().length < 5) problems.push(`${code}: no fix`);
    }
    expect(problems).toEqual([]);
  });

  it('names no code the catalogue lacks', () => {
    const named = new Set(doc.match(/CONVERSA_ERR_[A-Z_]+/g) ?? []);
    expect([...named].filter((code) => !(code in catalogue))).toEqual([]);
  });

  it('only the HTTP edge maps codes to statuses: no module names an HTTP status, no route maps errors its own way', () => {
    const offenders = sources('src/modules').flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, index) => ({ line, at: `${file}:${index + 1}` }))
        .filter(({ line }) => /\bstatus(Code)?: (4|5)\d\d\b|reply\.code\(|from '(\.\.\/)+http\//.test(line) && !/meta|provider|Graph|sandbox|webhook|code: \d+/i.test(line)) // Meta's own statuses (a Graph error shape) are facts, not answers
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
    // ... and at the edge, routes answer errors only through src/http/errors.ts (sendError, sendAppError).
    const ownMappings = sources('src/http').filter((file) => file !== join('src', 'http', 'errors.ts')).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, index) => ({ line, at: `${file}:${index + 1}` }))
        .filter(({ line }) => /\.code\((4|5)\d\d\)|\.send\(\{ error: \{|ERRORS\[/.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
    expect(ownMappings).toEqual([]);
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
