import pino from 'pino';
import { request } from 'undici';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { WebhookReceiver } from './webhook-receiver.js';

export const APP_SECRET = 'test-app-secret-0123456789';
export const TOKEN = 'sandbox-access-token';

export interface Json {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test responses are inspected freely
  headers: Record<string, string | string[] | undefined>;
}

export interface SandboxHarness {
  sandbox: Sandbox;
  base: string;
  receiver: WebhookReceiver;
  wabaId: string;
  phoneNumberId: string;
  /** A Graph call under /v23.0 with the sandbox token (or `token`, or none when null). */
  graph(method: string, path: string, body?: unknown, token?: string | null): Promise<Json>;
  /** A call to the sandbox control API under /sandbox/v1. */
  admin(method: string, path: string, body?: unknown): Promise<Json>;
  /** A simulated customer writes a text message, opening the window. */
  customerWrites(waId: string, text: string): Promise<string>;
  close(): Promise<void>;
}

/** A standalone sandbox on a random port with a webhook receiver subscribed. */
export async function startSandbox(options: { reviewDelayMs?: number } = {}): Promise<SandboxHarness> {
  const sandbox = await createSandbox({
    logger: pino({ level: 'silent' }),
    accessToken: TOKEN,
    appSecret: APP_SECRET,
    templateReviewDelayMs: options.reviewDelayMs ?? 30,
    webhookRetryBaseMs: 30,
  });
  const base = await sandbox.listen(0, '127.0.0.1');
  const receiver = new WebhookReceiver();
  await receiver.start();

  const call = async (method: string, url: string, body: unknown, headers: Record<string, string>): Promise<Json> => {
    const response = await request(url, {
      method: method as 'GET',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.statusCode, body: parsed, headers: response.headers };
  };
  const harness: SandboxHarness = {
    sandbox,
    base,
    receiver,
    wabaId: '',
    phoneNumberId: '',
    graph: (method, path, body, token = TOKEN) => call(method, `${base}/v23.0${path}`, body, token === null ? {} : { authorization: `Bearer ${token}` }),
    admin: (method, path, body) => call(method, `${base}/sandbox/v1${path}`, body, {}),
    async customerWrites(waId, text) {
      const response = await harness.admin('POST', `/phones/${waId}/messages`, { to: harness.phoneNumberId, type: 'text', text: { body: text } });
      if (response.status !== 201) throw new Error(`customer message failed: ${JSON.stringify(response.body)}`);
      return response.body.id as string;
    },
    async close() {
      await sandbox.close();
      await receiver.close();
    },
  };
  const subscribed = await harness.admin('PUT', '/webhook', { url: receiver.url, verify_token: receiver.verifyToken, app_secret: APP_SECRET });
  if (subscribed.status !== 200) throw new Error(`subscribe failed: ${JSON.stringify(subscribed.body)}`);
  const accounts = await harness.admin('GET', '/accounts');
  harness.wabaId = accounts.body.data[0].waba_id;
  harness.phoneNumberId = accounts.body.data[0].phone_numbers[0].id;
  return harness;
}
