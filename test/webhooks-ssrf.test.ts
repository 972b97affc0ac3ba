import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

/** A system on 127.0.0.1 that should never be reached: counts requests, answers a secret (or a 500 with a long body). */
class InternalService {
  hits = 0;
  answer: { status: number; body: string } = { status: 200, body: '{"secret":"control-api-answer"}' };
  port = 0;
  #server: Server | undefined;

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        this.hits += 1;
        res.writeHead(this.answer.status).end(this.answer.body);
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server?.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

/** The forms of internal targets the issue listed (all accepted before the guard), and their relatives. */
const REFUSED = [
  ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', 'metadata'],
  ['http://127.0.0.1:3100/sandbox/v1/phones', 'loopback'],
  ['http://localhost:3100/x', 'loopback'],
  ['http://api.localhost/x', 'loopback'],
  ['http://[::1]:3100/x', 'loopback'],
  ['http://0.0.0.0:3100/x', 'unspecified'],
  ['http://2130706433/x', 'loopback'],
  ['http://0x7f000001/x', 'loopback'],
  ['http://0177.0.0.1/x', 'loopback'],
  ['http://127.1/x', 'loopback'],
  ['http://[fd00:ec2::254]/latest/meta-data/', 'metadata'],
  ['https://user:pass@crm.example.com/hook', 'credentials'],
  ['https://token@crm.example.com/hook', 'credentials'],
  ['http://10.0.0.5/x', 'private'],
  ['http://172.16.3.4/x', 'private'],
  ['http://192.168.1.1/x', 'private'],
  ['http://100.64.0.1/x', 'shared_address'],
  ['http://169.254.1.1/x', 'link_local'],
  ['http://[fe80::1]/x', 'link_local'],
  ['http://[fc00::1]/x', 'unique_local'],
  ['http://[::ffff:127.0.0.1]/x', 'loopback'],
  ['http://[::ffff:a9fe:a9fe]/x', 'metadata'],
  ['http://[64:ff9b::a00:1]/x', 'private'],
  ['http://224.0.0.1/x', 'multicast'],
  ['http://[ff02::1]/x', 'multicast'],
  ['http://240.0.0.1/x', 'reserved'],
  ['http://metadata.google.internal/computeMetadata/v1/', 'metadata'],
] as const;

describe.each(DIALECTS)('outbound webhooks SSRF guard on $name', (dialect) => {
  const webhookTimings = { fanOut: { pollMs: 20 }, delivery: { pollMs: 20, retry: { baseMs: 50, maxAttempts: 3 } } };
  // CONVERSA_WEBHOOKS_ALLOW_PRIVATE off: the production default
  const guarded = useApp(dialect, {
    env: { CONVERSA_WEBHOOKS_ALLOW_PRIVATE: 'false' },
    build: {
      webhooks: {
        ...webhookTimings,
        // DNS rebinding: a public-looking name that resolves to 127.0.0.1 when the delivery connects.
        transport: {
          lookup: ((hostname: string, options: { all?: boolean }, callback: (error: Error | null, address: unknown, family?: number) => void) => {
            if (hostname === 'rebind.example.com') return options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4);
            return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), options.all ? [] : '');
          }) as never,
        },
      },
    },
  });
  const open = useApp(dialect, { build: { webhooks: webhookTimings } }); // CONVERSA_WEBHOOKS_ALLOW_PRIVATE on (the test default)
  const internal = new InternalService();

  const api = guarded.api;
  const sandbox = guarded.sandbox;
  const openApi = open.api;
  const openSandbox = open.sandbox;

  beforeAll(async () => {
    await internal.start();
  });
  afterAll(async () => {
    await internal.close();
  });

  it('refuses every internal, metadata or credentialed target at create and update with a 422 naming the field and rule', async () => {
    for (const [url, reason] of REFUSED) {
      const answer = await api('POST', '/webhooks', { url, events: ['*'] });
      expect(answer.status, url).toBe(422);
      expect(answer.body.error, url).toMatchObject({ code: 'CONVERSA_ERR_UNSAFE_URL', details: { field: 'body.url', reason, rule: expect.stringMatching(/^must not /) } });
      expect(answer.body.error.message, url).toMatch(/^body\.url: must not /);
    }
    expect((await api('GET', '/webhooks')).body.data).toEqual([]);

    const fine = await api('POST', '/webhooks', { url: 'https://crm.example.com/conversa', events: ['*'], active: false });
    expect(fine.status).toBe(201);
    const moved = await api('PATCH', `/webhooks/${fine.body.id}`, { url: 'http://169.254.169.254/latest/' });
    expect(moved.status).toBe(422);
    expect(moved.body.error).toMatchObject({ code: 'CONVERSA_ERR_UNSAFE_URL', details: { field: 'body.url', reason: 'metadata' } });
    expect((await api('GET', `/webhooks/${fine.body.id}`)).body.url).toBe('https://crm.example.com/conversa');
    expect((await api('DELETE', `/webhooks/${fine.body.id}`)).status).toBe(204);
  });

  it('checks the address again when connecting: a name resolving to 127.0.0.1 fails the delivery without reaching the target', async () => {
    const created = await api('POST', '/webhooks', { url: `http://rebind.example.com:${internal.port}/steal`, events: ['message.received'] });
    expect(created.status).toBe(201);
    const pn = guarded.started.sandboxNumber?.phone_number_id as string;
    expect((await sandbox('POST', '/sandbox/v1/phones/5511922229001/messages', { to: pn, type: 'text', text: { body: 'oi' } })).status).toBeLessThan(300);
    const failed: Json = await until(async () => (await api('GET', `/webhooks/${created.body.id}/deliveries?status=failed`)).body.data[0], 'the delivery to fail');
    // Refused targets are not retried: the first attempt is the last.
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, last_status_code: null, last_error: expect.stringContaining('ERR_OUTBOUND_ADDRESS_BLOCKED') });
    expect(failed.last_error).toContain('rebind.example.com resolves to 127.0.0.1, a loopback address');
    expect(failed.last_error).not.toContain('control-api-answer');
    expect(internal.hits).toBe(0);
  });

  it('with CONVERSA_WEBHOOKS_ALLOW_PRIVATE private targets work, metadata and credentials stay refused, and a failed answer is logged up to 1 KB', async () => {
    expect((await openApi('POST', '/webhooks', { url: 'http://169.254.169.254/latest/meta-data/', events: ['*'] })).body.error).toMatchObject({ code: 'CONVERSA_ERR_UNSAFE_URL', details: { reason: 'metadata' } });
    expect((await openApi('POST', '/webhooks', { url: 'http://user:pass@127.0.0.1/x', events: ['*'] })).body.error).toMatchObject({ code: 'CONVERSA_ERR_UNSAFE_URL', details: { reason: 'credentials' } });
    expect((await openApi('POST', '/webhooks', { url: 'http://0.0.0.0/x', events: ['*'] })).body.error).toMatchObject({ code: 'CONVERSA_ERR_UNSAFE_URL', details: { reason: 'unspecified' } });

    const hitsBefore = internal.hits;
    internal.answer = { status: 500, body: `${'é'.repeat(600)}${'x'.repeat(10_000)}` };
    const created = await openApi('POST', '/webhooks', { url: `http://127.0.0.1:${internal.port}/hook`, events: ['message.received'] });
    expect(created.status).toBe(201);
    const pn = open.started.sandboxNumber?.phone_number_id as string;
    expect((await openSandbox('POST', '/sandbox/v1/phones/5511922229002/messages', { to: pn, type: 'text', text: { body: 'oi' } })).status).toBeLessThan(300);
    const failed: Json = await until(async () => (await openApi('GET', `/webhooks/${created.body.id}/deliveries?status=failed`)).body.data[0], 'the delivery to fail', 15_000);
    expect(internal.hits - hitsBefore).toBe(3);
    expect(failed.last_status_code).toBe(500);
    const logged = Buffer.byteLength(failed.last_error, 'utf8');
    expect(logged).toBeLessThanOrEqual(1024);
    expect(logged).toBeGreaterThan(1000); // as much of the answer as fits, cut on a character boundary
    expect(failed.last_error).toMatch(/^HTTP 500: é+$/);
    const detail = await openApi('GET', `/webhooks/${created.body.id}/deliveries/${failed.id}`);
    expect(detail.body.attempt_log.every((attempt: Json) => Buffer.byteLength(attempt.error, 'utf8') <= 1024)).toBe(true);
  });
});
