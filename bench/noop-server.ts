/** A raw Fastify no-op (`GET /`, `POST /webhooks/whatsapp`) in its own process, for comparison. Prints its URL. */
import Fastify from 'fastify';

const noop = Fastify();
noop.get('/', async () => 'ok');
noop.post('/webhooks/whatsapp', async () => 'EVENT_RECEIVED');
console.log(JSON.stringify({ url: await noop.listen({ port: 0, host: '127.0.0.1' }) }));
process.on('SIGTERM', () => void noop.close().then(() => process.exit(0)));
