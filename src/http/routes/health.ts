import type { FastifyInstance } from 'fastify';
import { pingDatabase, type Database } from '../../db/index.js';
import { sendError } from '../errors.js';

/** `GET /healthz`: the process answers. `GET /readyz`: and its database does too. */
export function registerHealthRoutes(app: FastifyInstance, database: Database): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (await pingDatabase(database)) return { status: 'ready', database: 'ok' };
    return sendError(reply, 'CONVERSA_ERR_UNAVAILABLE', 'The database is not reachable.');
  });
}
