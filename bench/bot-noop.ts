/**
 * The no-op baseline of bench/bot.ts, in its own process: a Fastify server that takes the same
 * signed webhook, checks its signature, answers 200 and at once POSTs a text message to the fake
 * Graph API — the least any bot could do on this machine, no database, no flow.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import { Pool } from 'undici';

const secret = process.env.BENCH_APP_SECRET!;
const graph = new Pool(process.env.BENCH_GRAPH_URL!, { connections: 16 });
const app = Fastify();
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
app.post('/webhooks/whatsapp', async (request, reply) => {
  const raw = request.body as Buffer;
  const given = Buffer.from(String(request.headers['x-hub-signature-256'] ?? '').slice(7), 'hex');
  const expected = createHmac('sha256', secret).update(raw).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.code(401).send();
  const body = JSON.parse(raw.toString('utf8')) as { entry: Array<{ changes: Array<{ value: { messages?: Array<{ from: string }> } }> }> };
  const from = body.entry[0]?.changes[0]?.value.messages?.[0]?.from;
  void reply.code(200).send('EVENT_RECEIVED');
  if (from) {
    await graph.request({ method: 'POST', path: '/v23.0/400000000000001/messages', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messaging_product: 'whatsapp', to: from, type: 'text', text: { body: 'ok' } }) }).then((r) => r.body.dump());
  }
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(JSON.stringify({ event: 'ready', webhookUrl: `${url}/webhooks/whatsapp` }));
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
