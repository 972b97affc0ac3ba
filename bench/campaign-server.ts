/**
 * The platform side of bench/campaign.ts, in its own process (so its memory is its own): the
 * platform on SQLite (or BENCH_DATABASE_URL) with an external sandbox (SANDBOX_URL), one number
 * at BENCH_MPS with an unlimited messaging tier and an approved UTILITY template. Prints its URL
 * and admin key as one JSON line, then serves until SIGTERM.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app/index.js';
import { loadConfig } from '../src/config/index.js';

const MPS = Number(process.env.BENCH_MPS ?? 1000);
const sandboxUrl = process.env.SANDBOX_URL!;
const token = 'sandbox-access-token';
const KEY = 'bench-admin-key-0123456789abcdef';

const app = await buildApp(
  loadConfig({
    PORT: '0',
    SANDBOX_URL: sandboxUrl,
    SANDBOX_ACCESS_TOKEN: token,
    CONVERSA_DATA_DIR: mkdtempSync(join(tmpdir(), 'conversa-campaign-bench-')),
    LOG_LEVEL: 'warn',
    CONVERSA_ADMIN_KEY: KEY,
    ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
  }),
);
const started = await app.start();
const number = started.sandboxNumber!;
const call = async (url: string, method: string, body?: unknown, auth?: string) => {
  const response = await fetch(url, { method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(auth ? { authorization: `Bearer ${auth}` } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
};
await call(`${sandboxUrl}/sandbox/v1/phone-numbers/${number.phone_number_id}`, 'PATCH', { throughput_mps: MPS });
await app.modules.phoneNumbers.updateEndpoint(number.id, sandboxUrl, MPS);
await call(`${started.platformUrl}/api/v1/phone-numbers/${number.id}/messaging-limit`, 'PUT', { tier: 'unlimited' }, KEY);
const template = await call(`${sandboxUrl}/v23.0/${number.waba_id}/message_templates`, 'POST', { name: 'pedido_enviado', language: 'pt_BR', category: 'UTILITY', components: [{ type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} foi enviado.', example: { body_text: [['Ana', '1234']] } }] }, token);
for (;;) {
  if ((await call(`${sandboxUrl}/v23.0/${String(template.id)}`, 'GET', undefined, token)).status === 'APPROVED') break;
  await new Promise((resolve) => setTimeout(resolve, 200));
}
await call(`${started.platformUrl}/api/v1/templates/sync`, 'POST', {}, KEY);
console.log(JSON.stringify({ url: started.platformUrl, key: KEY, number: number.id, database: app.database.description }));
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
