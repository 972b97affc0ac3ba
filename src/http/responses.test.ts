import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { installErrorHandlers, sendError } from './errors.js';
import { installResponseCheck, installResponseDefaults, responses } from './responses.js';

/** A bare server with the response defaults and the check, and one route per case. */
async function serverWithCheck(register: (app: FastifyInstance) => void): Promise<{ app: FastifyInstance; problems: () => string[]; responseOf: (method: string, url: string) => Record<string, Record<string, unknown>> }> {
  const app = Fastify();
  installErrorHandlers(app);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const check = installResponseCheck(app);
  installResponseDefaults(app);
  const routes = new Map<string, Record<string, Record<string, unknown>>>();
  app.addHook('onRoute', (route) => {
    routes.set(`${[route.method].flat().join()} ${route.url}`, (route.schema?.response ?? {}) as Record<string, Record<string, unknown>>);
  });
  await app.register(async (scope) => register(scope), { prefix: '/api/v1' });
  await app.ready();
  return { app, problems: check.problems, responseOf: (method, url) => routes.get(`${method} ${url}`) ?? {} };
}

describe('the response check', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => app?.close());

  it('records a status the route does not declare, and an error code not declared for its status', async () => {
    const built = await serverWithCheck((scope) => {
      scope.get('/things/:id', { schema: { response: responses({ 200: { type: 'object' }, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } }, async (request, reply) => {
        const { id } = request.params as { id: string };
        if (id === 'gone') return sendError(reply, 'CONVERSA_ERR_NOT_FOUND');
        if (id === 'busy') return sendError(reply, 'CONVERSA_ERR_CONFLICT');
        if (id === 'odd') return sendError(reply, 'CONVERSA_ERR_MEDIA_NOT_READY', 'x');
        if (id === 'wrong-code') return reply.code(404).send({ error: { code: 'CONVERSA_ERR_TEMPLATE_STATE', message: 'x' } });
        return { id };
      });
    });
    app = built.app;
    for (const id of ['ok', 'gone', 'busy', 'wrong-code']) await app.inject({ method: 'GET', url: `/api/v1/things/${id}` });
    expect(built.problems()).toEqual([
      "GET /api/v1/things/:id answered 409, which its schema's response does not declare",
      'GET /api/v1/things/:id answered 404 CONVERSA_ERR_TEMPLATE_STATE, which its schema declares only with CONVERSA_ERR_NOT_FOUND',
    ]);
  });

  it('records every answer of an /api/v1 route that declares no responses at all', async () => {
    const built = await serverWithCheck((scope) => {
      scope.get('/undeclared', async () => ({ ok: true }));
    });
    app = built.app;
    await app.inject({ method: 'GET', url: '/api/v1/undeclared' });
    expect(built.problems()).toEqual(["GET /api/v1/undeclared answered 200, which its schema's response does not declare"]);
  });

  it('adds 400, 401, 403 and 500 to every route, and 413 and 415 to routes that take a body, merging their codes', async () => {
    const built = await serverWithCheck((scope) => {
      scope.get('/a', { schema: { response: responses({ 200: { type: 'object' } }) } }, async () => ({}));
      scope.post('/b', { schema: { response: responses({ 201: { type: 'object' }, 413: ['CONVERSA_ERR_MEDIA_TOO_LARGE'] }) } }, async (_request, reply) => reply.code(201).send({}));
    });
    app = built.app;
    const schemaOf = built.responseOf;
    expect(Object.keys(schemaOf('GET', '/api/v1/a')).sort()).toEqual(['200', '400', '401', '403', '500']);
    const post = schemaOf('POST', '/api/v1/b');
    expect(Object.keys(post).sort()).toEqual(['201', '400', '401', '403', '413', '415', '500']);
    expect(post['413']).toMatchObject({ $ref: 'Error#', 'x-declared-codes': ['CONVERSA_ERR_PAYLOAD_TOO_LARGE', 'CONVERSA_ERR_MEDIA_TOO_LARGE'] });
    // A Content-Type the route does not parse: Fastify's 415, declared by the defaults.
    const answer = await app.inject({ method: 'POST', url: '/api/v1/b', payload: 'x', headers: { 'content-type': 'application/x-unknown' } });
    expect(answer.statusCode).toBe(415);
    await app.inject({ method: 'POST', url: '/api/v1/b', payload: { a: 1 } });
    expect(built.problems()).toEqual([]);
  });

  it('refuses declarations that say nothing: a success without a schema, an error without codes', () => {
    expect(() => responses({ 200: true })).toThrow(/needs a schema/);
    expect(() => responses({ 404: [] })).toThrow(/error codes/);
    expect(responses({ 204: null })).toEqual({ 204: { type: 'null', description: 'No content' } });
  });
});

