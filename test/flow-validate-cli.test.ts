import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPLETE_FLOW, COMPLETE_FLOW_YAML } from '../src/modules/chatbot/document/parse-fixtures.js';
import { runFlow } from '../src/cli/flow.js';
import { conversa as conversaProcess } from './support/cli.js';

/**
 * `conversa flow validate` needs no server: it reads the file and runs the document layer. The
 * first two cases run the real command in a child process (exit codes, stdout, main.ts wiring);
 * the others call the same entry point in-process, so the file stays fast on a shared machine.
 */
async function conversaInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const [command, ...rest] = args;
  if (command !== 'flow') throw new Error('only flow commands run in-process');
  const code = await runFlow(rest, { env: {}, out: (text) => (stdout += `${text}\n`), err: (text) => (stderr += `${text}\n`) });
  return { code, stdout, stderr };
}

describe('conversa flow validate FILE', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conversa-flow-validate-'));
    await writeFile(file('loja.yaml'), COMPLETE_FLOW_YAML);
    await writeFile(
      file('errado.yaml'),
      ['name: errado', 'steps:', '  - id: menu', '    type: menu', '    text: Oi', '    options: [Pedidos, Trocas, Falar com um atendente]', '    next: fimm', '  - id: fim', '    type: mneu', ''].join('\n'),
    );
    await writeFile(file('avisos.yaml'), ['name: avisos', 'triggers:', '  - type: api', 'steps:', '  - type: send', '    text: Sua consulta é amanhã', '  - type: end', '  - id: orfao', '    type: end', '    next: orfao', ''].join('\n'));
    await writeFile(file('loja.json'), JSON.stringify(COMPLETE_FLOW, null, 2));
    await writeFile(file('quebrado.json'), '{\n  "name": "x",\n  "steps": [,]\n}\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a valid flow: exit 0 and a summary', async () => {
    const run = await conversaProcess(['flow', 'validate', file('loja.yaml')], {});
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`${file('loja.yaml')}: flow "loja-suporte" is valid: 16 steps, 10 triggers, 0 warnings.`);
  }, 30_000);

  it('errors: exit 1, one line per problem with file:line:column, path, message and fix', async () => {
    const run = await conversaProcess(['flow', 'validate', file('errado.yaml')], {});
    expect(run.code).toBe(1);
    // The schema pass runs first: the unknown step type is reported (one line, not one per step type).
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      `${file('errado.yaml')}:9:5: error: steps[1].type: Unknown step type "mneu" (did you mean "menu"?). (fix: Use one of: send, send_template, menu, ask, set, condition, http, search, intent, wait, goto, handoff, form, survey, end (docs/flows.md describes each).)`,
      `${file('errado.yaml')}: 1 error, 0 warnings: the flow cannot be published until the errors are fixed.`,
    ]);
    await writeFile(file('errado.yaml'), (await readFile(file('errado.yaml'), 'utf8')).replace('mneu', 'end'));
    const second = await conversaInProcess(['flow', 'validate', file('errado.yaml')]);
    expect(second.code).toBe(1);
    const lines = second.stdout.split('\n').filter(Boolean);
    // In the order of the file's lines.
    expect(lines[0]).toMatch(/^.*errado\.yaml:6:\d+: error: steps\[0\]\.options\[2\]\.title: .*at most 20 characters.* \(fix: Shorten it to 20 characters or fewer.*\)$/);
    expect(lines[1]).toBe(`${file('errado.yaml')}:7:5: error: steps[0].next: "fimm" is not a step of this flow (did you mean "fim"?). (fix: Write the id of an existing step, or add a step with id: fimm. Steps: menu, fim.)`);
    expect(lines[2]).toContain('2 errors, 0 warnings');
  }, 30_000);

  it('warnings only: exit 0, the warnings printed', async () => {
    const run = await conversaInProcess(['flow', 'validate', file('avisos.yaml')]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').filter(Boolean);
    expect(lines.filter((line) => line.includes(': warning: ')).map((line) => line.replace(/^.*: warning: /, '').split(':')[0])).toEqual(['triggers[0]', 'steps[2]', 'steps[2].next']);
    expect(lines.at(-1)).toContain('flow "avisos" is valid: 3 steps, 1 trigger, 3 warnings.');
  }, 30_000);

  it('--json prints the result: the normalised document, or the problems; .json files are read as strict JSON', async () => {
    const valid = await conversaInProcess(['flow', 'validate', '--json', file('loja.json')]);
    expect(valid.code).toBe(0);
    expect(JSON.parse(valid.stdout)).toEqual({ ok: true, document: COMPLETE_FLOW, warnings: [] });
    const broken = await conversaInProcess(['flow', 'validate', file('quebrado.json'), '--json']);
    expect(broken.code).toBe(1);
    const answer = JSON.parse(broken.stdout) as { ok: boolean; problems: Array<Record<string, unknown>> };
    expect(answer.ok).toBe(false);
    expect(answer.problems).toEqual([expect.objectContaining({ path: '', rule: 'syntax.json', severity: 'error', line: 3, message: expect.stringContaining('JSON syntax error at line 3') })]);
  }, 30_000);

  it('bad usage and missing files: exit 2 with a message', async () => {
    const missing = await conversaInProcess(['flow', 'validate', file('nao-existe.yaml')]);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toContain(`No such file: ${file('nao-existe.yaml')}`);
    const noFile = await conversaInProcess(['flow', 'validate']);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('needs one FILE');
    const unknown = await conversaInProcess(['flow', 'validar', file('loja.yaml')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown flow command "validar"');
    expect(unknown.stderr).toContain('validate FILE');
  }, 30_000);
});
