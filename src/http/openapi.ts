import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * The OpenAPI 3.1 document, generated from the routes' own JSON schemas (so it cannot drift
 * from what the server validates), served at `/api/v1/openapi.json`, browsable at `/docs`.
 * Register before any route.
 */
export async function installOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Conversa API',
        version: '1.0.0',
        description: [
          'Business messaging on the WhatsApp Business Platform. Authenticate with `Authorization: Bearer <api key>`.',
          '',
          'Every error answers `{"error": {"code", "message", "details"?}}`; `details.field` and `details.rule` name what was wrong.',
          'Each operation lists the statuses it answers and, for errors, their `CONVERSA_ERR_*` codes; the `Error` schema lists every code with its status and meaning (also as `x-error-codes`). Policy refusals of a send (422) carry `details.fix`.',
        ].join('\n'),
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (cv_live_...)' } } },
      security: [{ apiKey: [] }],
    },
    hideUntagged: false,
    // Shared schemas (the error shape) keep their $id as their name: #/components/schemas/Error.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transform: ({ schema, url }) => {
      // Only the public REST API belongs in the document (not Meta's webhook or health probes).
      if (!url.startsWith('/api/v1/') || url === '/api/v1/openapi.json') return { schema: { ...schema, hide: true }, url };
      return { schema, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
