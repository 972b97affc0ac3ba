import { rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { Agent, request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp, type RunningApp } from './support/app.js';

/**
 * A request in flight when the server starts closing (a webhook being stored) is answered, and
 * the close then ends promptly although the client keeps its connection alive.
 */
describe('graceful shutdown', () => {
  let running: RunningApp | undefined;
  const agent = new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 });
  afterAll(async () => {
    await agent.close();
    if (running) rmSync(running.dataDir, { recursive: true, force: true });
  });

  it('answers the request in flight, then closes without waiting for the client to drop its keep-alive connection', async () => {
    running = await startTestApp({ env: { CONVERSA_SANDBOX: 'off' } });
    const body = new PassThrough();
    const answer = request(`${running.started.platformUrl}/webhooks/whatsapp`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, // well-formed, so the body is read
      body,
    });
    body.write('{"object":"whatsapp_business_account",');
    await new Promise((resolve) => setTimeout(resolve, 200));

    const started = Date.now();
    const closed = running.app.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    body.end('"entry":[{"id":"1","changes":[]}]}');
    const response = await answer;
    await response.body.dump();
    // Answered (the signature is wrong: 401), not cut off.
    expect(response.statusCode).toBe(401);
    await closed;
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 20_000);
});
