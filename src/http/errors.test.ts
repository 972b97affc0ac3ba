import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { AppError, appError, ERROR_CATALOGUE } from '../errors/index.js';
import { installErrorHandlers, sendAppError } from './errors.js';

/** The one mapping at the HTTP edge: a module's error (returned or thrown) answers its catalogue status and the API's error shape. */
describe('the HTTP edge of the error catalogue', () => {
  const server = async () => {
    const app = Fastify();
    installErrorHandlers(app);
    app.get('/thrown', async () => {
      throw new AppError('CONVERSA_ERR_CAMPAIGN_STATE', 'Campaign cmp_1 is completed.', { status: 'completed' });
    });
    app.get('/thrown-bare', async () => {
      throw new AppError('CONVERSA_ERR_NOT_FOUND');
    });
    app.get('/returned', async (_request, reply) => sendAppError(reply, appError('CONVERSA_ERR_MESSAGE_NOT_SENT', 'context.message_id: not sent yet', { field: 'context.message_id' }, 'Wait until it is sent.')));
    app.get('/variant', async (_request, reply) => sendAppError(reply, { ...appError('CONVERSA_ERR_NO_PHONE_NUMBER', 'No phone number x.'), variant: 'unknown_sender' }));
    app.get('/refused', async (_request, reply) => sendAppError(reply, { ...appError('CONVERSA_ERR_VALIDATION', 'template.name: is required'), variant: 'refused' }));
    app.get('/bug', async () => {
      throw new Error('boom');
    });
    await app.ready();
    return app;
  };

  it('answers a thrown AppError, a returned appError (fix as details.fix) and a variant with the catalogue status; a plain Error stays a 500', async () => {
    const app = await server();
    const answer = async (url: string) => {
      const response = await app.inject({ method: 'GET', url });
      return { status: response.statusCode, body: response.json() as Record<string, unknown> };
    };
    expect(await answer('/thrown')).toEqual({ status: 409, body: { error: { code: 'CONVERSA_ERR_CAMPAIGN_STATE', message: 'Campaign cmp_1 is completed.', details: { status: 'completed' } } } });
    expect(await answer('/thrown-bare')).toEqual({ status: 404, body: { error: { code: 'CONVERSA_ERR_NOT_FOUND', message: 'Not found.' } } });
    expect(await answer('/returned')).toEqual({
      status: 422,
      body: { error: { code: 'CONVERSA_ERR_MESSAGE_NOT_SENT', message: 'context.message_id: not sent yet', details: { fix: 'Wait until it is sent.', field: 'context.message_id' } } },
    });
    expect(await answer('/variant')).toMatchObject({ status: 404, body: { error: { code: 'CONVERSA_ERR_NO_PHONE_NUMBER', message: 'No phone number x.' } } });
    expect((await answer('/variant')).body.error).not.toHaveProperty('variant');
    expect((await answer('/refused')).status).toBe(422);
    expect(await answer('/bug')).toMatchObject({ status: 500, body: { error: { code: 'CONVERSA_ERR_INTERNAL' } } });
    await app.close();
  });

  it('gives every code of the catalogue an error status and a title', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
      expect(entry.status, code).toBeLessThan(600);
      expect(entry.title.length, code).toBeGreaterThan(5);
    }
  });
});
