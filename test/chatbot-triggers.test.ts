import { describe, expect, it } from 'vitest';
import { conversa } from './support/cli.js';
import { DIALECTS } from './support/databases.js';
import { TEST_ADMIN_KEY } from './support/app.js';
import { useApp } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

/**
 * Which flow a message starts and what a running session does, end to end through the sandbox
 * (issue 10): trigger priority (payload, ad referral, keyword, pattern, new contact, any), opt-out
 * keywords before any flow, a conversation finishing on its version after a new publish, a
 * `wait` step run as a job, an idle session timing out (the sandbox clock moved), and
 * `conversa flow publish` against the running server.
 */
const flow = (name: string, triggers: string, steps: string) => `name: ${name}\ntriggers:\n${triggers}\nsteps:\n${steps}\n`;
const say = (text: string) => `  - type: end\n    text: "${text}"`;

describe.each(DIALECTS)('chatbot triggers and sessions on $name', (dialect) => {
  const running = useApp(dialect);
  const api = running.api;
  const received = async (waId: string): Promise<string[]> =>
    (((await running.sandbox('GET', `/sandbox/v1/phones/${waId}/messages?limit=1000`)).body.data ?? []) as Json[]).map((m) => (m.type === 'text' ? m.content.body : m.type === 'interactive' ? m.content.body.text : m.type));
  const write = async (waId: string, body: Record<string, unknown>): Promise<void> => {
    const sent = await running.sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: running.pn, ...body });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
  };
  const text = (waId: string, body: string) => write(waId, { type: 'text', text: { body } });
  const nth = async (waId: string, count: number): Promise<string[]> => until(async () => ((await received(waId)).length >= count ? received(waId) : undefined), `${count} message(s) to ${waId}`);
  const publish = async (source: string): Promise<string> => {
    const created = await api('POST', '/flows', source, { headers: { 'content-type': 'application/yaml' } });
    expect(created.status, created.text).toBe(201);
    expect((await api('POST', `/flows/${created.body.id}/publish`, { phone_number_id: running.pn })).status).toBe(201);
    return created.body.id as string;
  };

  it('starts the flow whose trigger matches, by priority; opt-out keywords come before any flow', async () => {
    await publish(flow('t-any', '  - type: any', say('any')));
    await publish(flow('t-keyword', '  - type: keyword\n    keywords: [promo]', say('keyword')));
    await publish(flow('t-pattern', "  - type: pattern\n    pattern: '^pedido\\s*#?\\d+$'", say('pattern')));
    await publish(flow('t-new', '  - type: new_contact', say('new contact')));
    await publish(flow('t-ad', '  - type: referral\n    source_ids: ["120208888888"]', say('ad')));
    await text('5511962220001', 'PROMO');
    expect((await nth('5511962220001', 1))[0]).toBe('keyword');
    await text('5511962220002', 'pedido #123');
    expect((await nth('5511962220002', 1))[0]).toBe('pattern');
    await text('5511962220003', 'bom dia');
    expect((await nth('5511962220003', 1))[0]).toBe('new contact');
    await text('5511962220003', 'de novo');
    expect((await nth('5511962220003', 2))[1]).toBe('any');
    await write('5511962220004', { type: 'text', text: { body: 'vi o anúncio' }, referral: { source_url: 'https://fb.me/x', source_id: '120208888888', source_type: 'ad', headline: 'Promo', body: 'Oferta', media_type: 'image', image_url: 'https://example.com/a.png', ctwa_clid: 'abc' } });
    expect((await nth('5511962220004', 1))[0]).toBe('ad');
    // An opt-out keyword is answered by the consent ledger, never by a flow.
    await text('5511962220005', 'SAIR');
    const answers = await nth('5511962220005', 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await received('5511962220005')).toHaveLength(1);
    expect(answers[0]).toMatch(/não receberá mais/);
  });

  it('lets a conversation finish on its version after a new publish; runs a wait step as a job; times out an idle session', async () => {
    const id = await publish(
      flow('versoes', '  - type: keyword\n    keywords: [começar]', '  - type: ask\n    text: "v1: seu nome?"\n    input: text\n    var: nome\n  - type: end\n    text: "v1: tchau {{vars.nome}}"'),
    );
    await text('5511962220010', 'começar');
    expect((await nth('5511962220010', 1))[0]).toBe('v1: seu nome?');
    const v2 = flow('versoes', '  - type: keyword\n    keywords: [começar]', '  - type: ask\n    text: "v2: seu nome?"\n    input: text\n    var: nome\n  - type: end\n    text: "v2: tchau {{vars.nome}}"');
    expect((await api('PUT', `/flows/${id}`, v2, { headers: { 'content-type': 'application/yaml' } })).status).toBe(200);
    expect((await api('POST', `/flows/${id}/publish`, { phone_number_id: running.pn })).body.version).toBe(2);
    await text('5511962220010', 'Ana');
    expect((await nth('5511962220010', 2))[1]).toBe('v1: tchau Ana'); // finished on version 1
    await text('5511962220010', 'começar');
    expect((await nth('5511962220010', 3))[2]).toBe('v2: seu nome?'); // a new session starts on version 2

    await publish(flow('espera', '  - type: keyword\n    keywords: [lembrar]', '  - type: send\n    text: "ok, em 1 minuto"\n  - type: wait\n    duration: 1m\n  - type: end\n    text: "lembrete!"'));
    await publish(`name: cochilo
triggers:
  - type: keyword
    keywords: [cochilo]
settings:
  session_timeout: 5m
  texts:
    timeout: encerrado por inatividade
steps:
  - type: ask
    text: pode falar
    input: text
    var: x
`);
    await text('5511962220011', 'lembrar');
    await text('5511962220012', 'cochilo');
    expect((await nth('5511962220011', 1))[0]).toBe('ok, em 1 minuto');
    expect((await nth('5511962220012', 1))[0]).toBe('pode falar');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await received('5511962220011')).toHaveLength(1);
    // The embedded sandbox's numbers run on sandbox time: 6 minutes later the wait is over and the idle session timed out.
    await running.sandbox('POST', '/sandbox/v1/clock', { advance_seconds: 360 });
    running.app.modules.botTasks.wake();
    expect((await nth('5511962220011', 2))[1]).toBe('lembrete!');
    expect((await nth('5511962220012', 2))[1]).toBe('encerrado por inatividade');
  });

  it('publishes a flow file with conversa flow publish (a new version, live at once)', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'conversa-flow-')), 'ola.yaml');
    writeFileSync(file, flow('ola-cli', '  - type: keyword\n    keywords: [olá cli]', say('publicado pela CLI')));
    const env = { CONVERSA_URL: running.started.platformUrl, CONVERSA_API_KEY: TEST_ADMIN_KEY };
    const first = await conversa(['flow', 'publish', file, '--number', running.pn], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Published ola-cli version 1/);
    const again = await conversa(['flow', 'publish', file, '--number', running.pn], env);
    expect(again.stdout).toMatch(/version 2/);
    await text('5511962220020', 'olá cli');
    expect((await nth('5511962220020', 1))[0]).toBe('publicado pela CLI');
    writeFileSync(file, 'name: quebrado\nsteps:\n  - type: menuu\n');
    const bad = await conversa(['flow', 'publish', file, '--number', running.pn], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/steps\[0\]\.type/);
  });
});
