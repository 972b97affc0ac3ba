import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversa } from './support/cli.js';

const FLOW = `name: shop
steps:
  - id: main
    type: menu
    text: Como posso ajudar, {{contact.name}}?
    options:
      - {title: Pedidos, goto: order}
      - {title: Ajuda, goto: help}
  - id: order
    type: ask
    input: number
    var: order
    text: Qual o número do pedido?
  - id: lookup
    type: http
    method: GET
    url: https://shop.example/orders/{{vars.order}}
    headers: {Authorization: "Bearer {{secrets.SHOP_TOKEN}}"}
    save: {status: body.status}
    on_error: down
  - id: done
    type: end
    text: Pedido {{vars.order}}, {{vars.status}}.
  - id: down
    type: handoff
    text: Sistema fora do ar.
  - id: help
    type: handoff
    queue: help
`;

const PASSING = `flow: ../flows/shop.yaml
contact: {name: Ana}
http:
  lookup: {status: 200, body: {status: enviado}}
cases:
  - name: order status
    turns:
      - say: oi
        bot: [{text: "Como posso ajudar, Ana?", buttons: [Pedidos, Ajuda]}]
      - tap: Pedidos
        bot: [Qual o número do pedido?]
      - say: "42"
        bot: ["Pedido 42, enviado."]
        effects: [{ended: end}]
`;

const FAILING = `flow: ../flows/shop.yaml
contact: {name: Bia}
cases:
  - name: help goes to people
    turns:
      - say: oi
      - tap: Ajuda
        effects: [{handoff: help}]
  - name: wrong expectation
    turns:
      - say: oi
        bot: [{buttons: [Pedidos, Suporte]}]
`;

// The CLI runs the engine alone: no server, no database, one process per command.
describe('conversa flow test and flow chat', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conversa-flow-cli-'));
    await mkdir(join(dir, 'flows'));
    await mkdir(join(dir, 'tests'));
    await writeFile(join(dir, 'shop.yaml'), FLOW);
    await writeFile(join(dir, 'flows', 'shop.yaml'), FLOW);
    await writeFile(join(dir, 'tests', 'passing.test.yaml'), PASSING);
    await writeFile(join(dir, 'tests', 'failing.test.yaml'), FAILING);
    await writeFile(join(dir, 'canned.yaml'), 'lookup: {status: 200, body: {status: entregue}}\n');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('flow test: runs the transcripts of a file or a folder, prints each case and exits 1 when one fails', async () => {
    const one = await conversa(['flow', 'test', join(dir, 'tests', 'passing.test.yaml')], {});
    expect(one.stderr).toBe('');
    expect(one.stdout).toContain('✓ order status');
    expect(one.stdout).toMatch(/\n1 passed, 0 failed\n$/);
    expect(one.code).toBe(0);

    const all = await conversa(['flow', 'test', join(dir, 'tests')], {});
    expect(all.stdout).toContain('✓ help goes to people');
    expect(all.stdout).toContain('✗ wrong expectation');
    expect(all.stdout).toContain('✗ 1. expected: buttons [Pedidos | Suporte]');
    expect(all.stdout).toContain('got:      buttons "Como posso ajudar, Bia?" [Pedidos | Ajuda]');
    expect(all.stdout).toMatch(/\n2 passed, 1 failed\n$/);
    expect(all.code).toBe(1);
  });

  it('flow test: bad usage and missing files exit 2', async () => {
    expect((await conversa(['flow', 'test'], {})).code).toBe(2);
    const missing = await conversa(['flow', 'test', join(dir, 'nope.test.yaml')], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or folder');
  });

  it('flow chat: numbered choices, a typed HTTP answer with the secret left as a placeholder, and the end', async () => {
    const input = ['oi', '1', '42', '{"status": 200, "body": {"status": "a caminho"}}', ''].join('\n');
    const chat = await conversa(['flow', 'chat', join(dir, 'shop.yaml'), '--name', 'Bia'], {}, input);
    expect(chat.stderr).toBe('');
    expect(chat.code).toBe(0);
    const out = chat.stdout;
    expect(out).toContain('bot: Como posso ajudar, Bia?\n     1) Pedidos\n     2) Ajuda');
    expect(out).toContain('you: 1\n');
    expect(out).toContain('bot: Qual o número do pedido?');
    expect(out).toContain('  → HTTP GET https://shop.example/orders/42\n      Authorization: Bearer {{secrets.SHOP_TOKEN}}');
    expect(out).toContain('bot: Pedido 42, a caminho.');
    expect(out).toContain('  → session ended (end)');
  });

  it('flow chat: canned HTTP answers from --http, and a handoff', async () => {
    const input = ['oi', 'pedidos', '7', 'oi', '2', '/quit', 'never read'].join('\n');
    const chat = await conversa(['flow', 'chat', join(dir, 'shop.yaml'), '--http', join(dir, 'canned.yaml')], {}, input);
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain('(canned answer for "lookup": 200)');
    expect(chat.stdout).toContain('bot: Pedido 7, entregue.');
    expect(chat.stdout).toContain('  → handoff to queue "help" (handoff_step) {}');
    expect(chat.stdout).not.toContain('never read');
  });
});
