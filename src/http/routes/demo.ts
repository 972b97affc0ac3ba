import type { FastifyInstance } from 'fastify';
import { sendError } from '../errors.js';
import { responses, schemas as s } from '../responses.js';

const STATES = [
  { status: 'em separação', eta_days: 3 },
  { status: 'enviado', eta_days: 2 },
  { status: 'saiu para entrega', eta_days: 0 },
  { status: 'entregue', eta_days: 0 },
] as const;

/**
 * A small "company API" for the demo support bot (examples/flows/support.yaml): served only
 * while the embedded sandbox runs, so the bot's HTTP step has something to call with no
 * network. `GET /demo/orders/{id}`: a made-up order for ids of 4–10 digits (the same id always
 * answers the same), 404 for ids ending in 0 (so the bot's "not found" path can be tried).
 */
export function registerDemoRoutes(app: FastifyInstance): void {
  app.get<{ Params: { id: string } }>(
    '/demo/orders/:id',
    {
      schema: {
        tags: ['demo'],
        summary: 'A made-up order (sandbox mode only), for the demo bot',
        params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9]{4,10}$' } } },
        response: responses({ 200: s.object({ id: s.string, status: s.string, eta_days: s.integer, items: s.integer, total: s.string }), 404: ['CONVERSA_ERR_NOT_FOUND'] }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (id.endsWith('0')) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No order ${id}.`);
      const seed = [...id].reduce((sum, digit) => sum * 31 + Number(digit), 7);
      const state = STATES[seed % STATES.length]!;
      return { id, status: state.status, eta_days: state.eta_days, items: 1 + (seed % 4), total: `R$ ${(49.9 + (seed % 200)).toFixed(2).replace('.', ',')}` };
    },
  );
}
