import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningApp } from './app.js';
import { until } from './wait.js';

export interface ReceivedWebhook {
  raw: Buffer;
  signature: string | undefined;
  body: { entry: Array<{ id: string; changes: Array<{ field: string; value: Record<string, unknown> }> }> };
}

/**
 * A stand-in for a subscriber of the sandbox's webhooks: answers Meta's handshake, records
 * every POST with its raw bytes, and can be told to fail for a while.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** While > 0, POSTs answer 500 and this counts down. */
  failNext = 0;
  #server: Server | undefined;
  url = '';

  constructor(readonly verifyToken = 'receiver-verify-token') {}

  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'GET') {
        const ok = url.searchParams.get('hub.mode') === 'subscribe' && url.searchParams.get('hub.verify_token') === this.verifyToken;
        res.writeHead(ok ? 200 : 403).end(ok ? url.searchParams.get('hub.challenge') : 'bad token');
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.failNext > 0) {
          this.failNext -= 1;
          res.writeHead(500).end();
          return;
        }
        const raw = Buffer.concat(chunks);
        const header = req.headers['x-hub-signature-256'];
        this.received.push({ raw, signature: Array.isArray(header) ? header[0] : header, body: JSON.parse(raw.toString('utf8')) as ReceivedWebhook['body'] });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server?.address() as AddressInfo).port}/hook`;
    return this.url;
  }

  /** All `value`s of a field (default `messages`), flattened over entries and changes. */
  values(field = 'messages'): Array<Record<string, unknown>> {
    return this.received.flatMap((w) => w.body.entry.flatMap((e) => e.changes.filter((c) => c.field === field).map((c) => c.value)));
  }

  /** Every status event received, in arrival order. */
  statuses(): Array<{ id: string; status: string; errors?: Array<{ code: number }>; pricing?: Record<string, unknown>; biz_opaque_callback_data?: string }> {
    return this.values().flatMap((v) => (v.statuses ?? []) as never[]);
  }

  /** Waits until `predicate` holds (polling), or fails after `timeoutMs`. */
  async waitFor<T>(predicate: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value) return value;
      if (Date.now() > until) throw new Error('timed out waiting for webhooks');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** HMAC-SHA256 of the raw body, as the header should carry it. */
  static expectedSignature(raw: Buffer, secret: string): string {
    return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

/**
 * POSTs `body` to the platform's Meta webhook endpoint signed with `appSecret` (as Meta signs:
 * HMAC-SHA256 of the exact bytes), expects 200, and waits until the platform processed every
 * stored event.
 */
export async function deliverSignedWebhook(running: RunningApp, appSecret: string, body: string): Promise<void> {
  const response = await fetch(`${running.started.platformUrl}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}` },
    body,
  });
  if (response.status !== 200) throw new Error(`the signed webhook answered ${response.status}: ${await response.text()}`);
  await until(async () => (await running.app.modules.inboundEvents.pendingCount()) === 0 || undefined, 'the webhook to be processed');
}
