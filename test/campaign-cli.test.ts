import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_KEY } from './support/app.js';
import { conversa } from './support/cli.js';
import { approvedTemplate, useApp } from './support/use-app.js';
import { until } from './support/wait.js';


// The CLI only talks HTTP to a running platform, so one dialect is enough here; storage is
// covered on both by test/campaigns.test.ts.
describe('conversa campaign (CLI) against a running platform', () => {
  const running = useApp(undefined, { build: { campaigns: { pollMs: 20 } } });
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    env = { CONVERSA_URL: running.started.platformUrl, CONVERSA_API_KEY: TEST_ADMIN_KEY };
    dir = mkdtempSync(join(tmpdir(), 'conversa-cli-'));
    await approvedTemplate(running, {
      name: 'lembrete_consulta',
      language: 'pt_BR',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Olá {{1}}, sua consulta é amanhã às {{2}}. Responda SIM para confirmar.', example: { body_text: [['Maria', '10:00']] } }],
    });
    expect((await running.api('PUT', `/phone-numbers/${running.pn}/messaging-limit`, { tier: 2000 })).status).toBe(200);
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates from a CSV, estimates, launches and follows a campaign to the end', async () => {
    const csv = join(dir, 'consultas.csv');
    const rows = ['telefone;nome;horario', ...Array.from({ length: 40 }, (_, i) => `(21) 98888-${String(1000 + i)};Paciente ${i};${9 + (i % 8)}:00`), 'abc;Errado;10:00', '(21) 98888-1000;Repetido;11:00'];
    writeFileSync(csv, rows.join('\n'));

    const created = await conversa(['campaign', 'create', '--name', 'Lembretes', '--template', 'lembrete_consulta', '--language', 'pt_BR', '--csv', csv, '--default-country', 'BR', '--body-param', '{{nome}}', '--body-param', '{{horario}}'], env);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const id = created.stdout.split('\n')[0] as string;
    expect(id).toMatch(/^cmp_/);
    expect(created.stdout).toContain('41 recipients; 1 duplicates merged, 1 invalid numbers, 1 rejected rows');

    const estimate = await conversa(['campaign', 'estimate', id], env);
    expect(estimate.code).toBe(0);
    expect(estimate.stdout).toMatch(/will receive\s+40/);
    expect(estimate.stdout).toMatch(/invalid_number\s+1 {2}not a valid phone number/);
    expect(estimate.stdout).toContain('cost if all are delivered: USD 0.27'); // 40 × $0.0068 utility in Brazil
    expect(estimate.stdout).toContain('messaging limit: 2,000 per 24 h, 2,000 available now');

    const launched = await conversa(['campaign', 'launch', id], env);
    expect(launched).toMatchObject({ code: 0, stdout: `Campaign ${id} is running.\n` });

    const watched = await conversa(['campaign', 'status', id, '--watch', '--interval', '200'], env);
    expect(watched.code).toBe(0);
    const lines = watched.stdout.split('\n');
    expect(lines.some((line) => /^Lembretes \[#+-*\] +\d+% /.test(line))).toBe(true);
    expect(lines.find((line) => line.includes('100%'))).toMatch(/^Lembretes \[#{30}\] 100% 41\/41 completed · sent \d+ · delivered \d+ · read \d+ · failed 0 · skipped 1$/);
    expect(watched.stdout).toMatch(/invalid_number\s+1/);
    expect(watched.stdout).toContain('messaging limit  40 of 2,000 used in the last 24 h');

    const inbox = await until(async () => {
      const phone = await fetch(`${running.started.sandboxUrl}/sandbox/v1/phones/5521988881007/messages`).then((r) => r.json() as Promise<{ data: Array<{ content: { rendered?: { body?: string } } }> }>);
      return phone.data.find((m) => m.content.rendered?.body);
    }, 'a patient to receive the reminder');
    expect(inbox.content.rendered?.body).toBe('Olá Paciente 7, sua consulta é amanhã às 16:00. Responda SIM para confirmar.');
  }, 30_000);

  it('documents the campaign API in the OpenAPI document', async () => {
    const doc = (await fetch(`${running.started.platformUrl}/api/v1/openapi.json`).then((r) => r.json())) as { paths: Record<string, Record<string, unknown>> };
    for (const path of ['/api/v1/campaigns', '/api/v1/campaigns/{id}', '/api/v1/campaigns/{id}/audience', '/api/v1/campaigns/{id}/estimate', '/api/v1/campaigns/{id}/launch', '/api/v1/campaigns/{id}/pause', '/api/v1/campaigns/{id}/recipients', '/api/v1/phone-numbers/{id}/messaging-limit']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(Object.keys(doc.paths['/api/v1/phone-numbers/{id}/messaging-limit'] ?? {}).sort()).toEqual(['get', 'put']);
  });

  it('reports the API refusal and exits 1, and usage errors with 2', async () => {
    const missing = await conversa(['campaign', 'estimate', 'cmp_nope'], env);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('CONVERSA_ERR_NOT_FOUND') });
    const noKey = await conversa(['campaign', 'status', 'cmp_x'], { CONVERSA_URL: env.CONVERSA_URL as string, CONVERSA_API_KEY: '' });
    expect(noKey).toMatchObject({ code: 2, stderr: expect.stringContaining('CONVERSA_API_KEY') });
    // Every contact (no filter), and a template nobody created: refused before anything is sent.
    const unknownTemplate = await conversa(['campaign', 'create', '--name', 'X', '--template', 'nao_existe', '--language', 'pt_BR'], env);
    expect(unknownTemplate.stdout).toContain('(draft): 40 recipients.');
    const launch = await conversa(['campaign', 'launch', unknownTemplate.stdout.split('\n')[0] as string], env);
    expect(launch).toMatchObject({ code: 1, stderr: expect.stringMatching(/^CONVERSA_ERR_TEMPLATE_NOT_FOUND: .*\n {2}fix: /) });
  }, 30_000);
});
