import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

/**
 * A flow's HTTP step against the company's API (a server in this test on 127.0.0.1, allowed by
 * CONVERSA_FLOWS_ALLOW_PRIVATE): the request carries the secret set through the API and the
 * customer's answer, the answer is mapped into variables; the secret is in no session, log or
 * answer; a URL at the cloud metadata address is refused by the SSRF guard even so, and the
 * flow takes its `on_error` path.
 */
const FLOW = (api: string) => `
name: pedidos-http
triggers:
  - type: keyword
    keywords: [pedido]
variables:
  api: "${api}"
steps:
  - type: ask
    text: Número do pedido?
    input: number
    var: pedido
  - id: consultar
    type: http
    method: POST
    url: "{{vars.api}}/orders/{{$string(vars.pedido)}}"
    headers:
      Authorization: "Bearer {{secrets.SHOP_TOKEN}}"
    body:
      pedido: "{{vars.pedido}}"
    timeout: 3s
    save:
      status: body.status
    on_error: falhou
  - type: end
    text: "Status: {{vars.status}}"
  - id: falhou
    type: end
    text: Não consegui consultar agora.
`;

describe.each(DIALECTS)('chatbot HTTP steps on $name', (dialect) => {
  const running = useApp(dialect, { env: { CONVERSA_FLOWS_ALLOW_PRIVATE: 'on' } });
  const api = running.api;
  const calls: Array<{ url: string; headers: IncomingMessage['headers']; body: string }> = [];
  let shop: Server;
  let shopUrl = '';

  beforeAll(async () => {
    shop = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        calls.push({ url: request.url ?? '', headers: request.headers, body });
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: 'em trânsito' }));
      });
    });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', () => resolve()));
    shopUrl = `http://127.0.0.1:${(shop.address() as { port: number }).port}`;
  });
  afterAll(() => shop.close());

  const chat = async (flowSource: string, waId: string, turns: string[]): Promise<Json[]> => {
    const created = await api('POST', '/flows', flowSource, { headers: { 'content-type': 'application/yaml' } });
    expect(created.status, created.text).toBe(201);
    expect((await api('POST', `/flows/${created.body.id}/publish`, { phone_number_id: running.pn })).status).toBe(201);
    for (const [index, text] of turns.entries()) {
      await running.sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: running.pn, type: 'text', text: { body: text } });
      await until(async () => (((await running.sandbox('GET', `/sandbox/v1/phones/${waId}/messages`)).body.data ?? []).length > index ? true : undefined), `answer ${index + 1}`);
    }
    const all = (await running.sandbox('GET', `/sandbox/v1/phones/${waId}/messages`)).body.data as Json[];
    await api('DELETE', `/flows/${created.body.id}`);
    return all;
  };

  it('calls the company API with the secret and the answer, and maps the response; the secret is stored nowhere else', async () => {
    expect((await api('POST', '/flow-secrets', { name: 'SHOP_TOKEN', value: 'tok-9f8e7d6c5b' })).status).toBe(204);
    const messages = await chat(FLOW(shopUrl), '5511961110001', ['pedido', '4471']);
    expect(messages.map((m) => m.content.body)).toEqual(['Número do pedido?', 'Status: em trânsito']);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('/orders/4471');
    expect(String((JSON.parse(calls[0]!.body) as { pedido: unknown }).pedido)).toBe('4471');
    expect(calls[0]!.headers.authorization).toBe('Bearer tok-9f8e7d6c5b');
    // "typing…" was shown while the call ran, and nothing stored holds the secret.
    const conversation = (await api('GET', '/conversations?wa_id=5511961110001')).body.data[0];
    const bot = await api('GET', `/conversations/${conversation.id}/bot`);
    const secrets = await api('GET', '/flow-secrets');
    const tasks = await running.app.database.db.selectFrom('bot_tasks').select(['payload', 'last_error']).execute();
    const log = await running.app.database.db.selectFrom('bot_log').select('message').execute();
    for (const text of [bot.text, secrets.text, JSON.stringify(tasks), JSON.stringify(log)]) expect(text).not.toContain('tok-9f8e7d6c5b');
    const stored = await running.app.database.db.selectFrom('flow_secrets').select('value').execute();
    expect(JSON.stringify(stored)).not.toContain('tok-9f8e7d6c5b');
  });

  it('refuses a call to the cloud metadata address even with private targets allowed, and takes on_error', async () => {
    const before = calls.length;
    const messages = await chat(FLOW('http://169.254.169.254/latest').replace('pedidos-http', 'pedidos-ssrf'), '5511961110002', ['pedido', '4471']);
    expect(messages.map((m) => m.content.body)).toEqual(['Número do pedido?', 'Não consegui consultar agora.']);
    expect(calls.length).toBe(before);
  });

  it('fails the step when a secret is not set, without calling', async () => {
    const before = calls.length;
    const messages = await chat(FLOW(shopUrl).replace('pedidos-http', 'pedidos-sem-segredo').replace('SHOP_TOKEN', 'MISSING_TOKEN'), '5511961110003', ['pedido', '12']);
    expect(messages.map((m) => m.content.body)).toEqual(['Número do pedido?', 'Não consegui consultar agora.']);
    expect(calls.length).toBe(before);
  });
});
