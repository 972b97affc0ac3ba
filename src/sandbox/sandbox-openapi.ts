/**
 * OpenAPI 3.1 description of the sandbox's own control API (`/sandbox/v1`). The Graph API
 * paths the sandbox emulates are Meta's (see shared/whatsapp/meta-openapi/); this document
 * covers only what the sandbox adds: simulated customers, the clock, faults and accounts.
 */
const error = { $ref: '#/components/schemas/Error' };
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema: object = { type: 'object' }) => ({ description, ...json(schema) });
const bad = { '400': ok('Invalid input: `details.field` names the field, `details.rule` the rule', error) };
const notFound = { '404': ok('Unknown phone or number', error) };
const waIdParam = { name: 'wa_id', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{7,15}$' } };
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{1,20}$' } });
const gone = { '204': { description: 'Deleted' }, '404': ok('Unknown WABA or id', error) };

export const SANDBOX_OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Conversa sandbox control API',
    version: '1.0.0',
    description:
      'Simulated customers, clock and fault injection for the Conversa Cloud API sandbox. Graph API paths (`/{version}/{phone-number-id}/messages`, media, templates, profile, registration) follow Meta\'s Cloud API.',
  },
  servers: [{ url: '/sandbox/v1' }],
  // Required when the sandbox has a control token (SANDBOX_CONTROL_TOKEN, or generated beyond loopback); open on loopback otherwise. A missing or wrong token answers 401 SANDBOX_ERR_UNAUTHORIZED.
  security: [{}, { controlToken: [] }, { controlTokenHeader: [] }],
  paths: {
    '/accounts': {
      get: { summary: 'The WABAs with their phone numbers, flows and catalogs (ids included)', responses: { '200': ok('Accounts') } },
      post: {
        summary: 'Create a WABA with one phone number (idempotent on phone_number_id)',
        requestBody: json({ type: 'object', properties: { waba_id: { type: 'string' }, phone_number_id: { type: 'string' }, display_phone_number: { type: 'string' }, verified_name: { type: 'string' }, throughput_mps: { type: 'integer', minimum: 1, maximum: 1000 } } }),
        responses: { '201': ok('Created or existing account'), ...bad },
      },
    },
    '/accounts/{waba_id}/flows/{flow_id}': {
      parameters: [idParam('waba_id'), idParam('flow_id')],
      put: {
        summary: 'Create or rename a flow of the WABA; interactive flow messages must name one by flow_id or flow_name (else 131009)',
        requestBody: json({ $ref: '#/components/schemas/FlowInput' }),
        responses: { '200': ok('The flow', { $ref: '#/components/schemas/Flow' }), ...bad, '404': ok('Unknown WABA', error), '409': ok('Another flow of the WABA has this name', error) },
      },
      delete: { summary: 'Remove a flow from the WABA', responses: gone },
    },
    '/accounts/{waba_id}/catalogs/{catalog_id}': {
      parameters: [idParam('waba_id'), idParam('catalog_id')],
      put: {
        summary: 'Connect a catalog to the WABA, or replace its products; product, product_list and catalog_message must name these (else 131009)',
        requestBody: json({ $ref: '#/components/schemas/CatalogInput' }),
        responses: { '200': ok('The catalog', { $ref: '#/components/schemas/Catalog' }), ...bad, '404': ok('Unknown WABA', error) },
      },
      delete: { summary: 'Disconnect a catalog from the WABA', responses: gone },
    },
    '/phone-numbers/{id}': {
      patch: {
        summary: 'Change throughput (1–1,000 mps), registration, quality rating or messaging-limit tier',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: json({ type: 'object', properties: { throughput_mps: { type: 'integer' }, registered: { type: 'boolean' }, quality_rating: { enum: ['GREEN', 'YELLOW', 'RED'] }, messaging_limit_tier: { enum: ['TIER_250', 'TIER_2K', 'TIER_10K', 'TIER_100K', 'TIER_UNLIMITED'] } } }),
        responses: { '200': ok('The phone number'), ...bad, ...notFound },
      },
    },
    '/webhook': {
      get: { summary: 'The callback URL and delivery counters', responses: { '200': ok('Webhook subscription') } },
      put: {
        summary: 'Set the callback URL; the sandbox runs the verification handshake first',
        requestBody: json({ type: 'object', required: ['url', 'verify_token'], properties: { url: { type: 'string' }, verify_token: { type: 'string' }, app_secret: { type: 'string' } } }),
        responses: { '200': ok('Verified and saved'), ...bad, '422': ok('The callback failed the handshake', error) },
      },
    },
    '/phones': {
      get: { summary: 'The simulated phones', responses: { '200': ok('Phones') } },
      post: {
        summary: 'Create or update a simulated customer phone',
        requestBody: json({ $ref: '#/components/schemas/PhoneInput' }),
        responses: { '201': ok('The phone', { $ref: '#/components/schemas/Phone' }), ...bad },
      },
    },
    '/phones/{wa_id}': {
      parameters: [waIdParam],
      get: { summary: 'One simulated phone', responses: { '200': ok('The phone', { $ref: '#/components/schemas/Phone' }), ...notFound } },
      patch: { summary: 'Change name, WhatsApp presence or behaviour (going online delivers held messages)', responses: { '200': ok('The phone'), ...bad, ...notFound } },
    },
    '/phones/{wa_id}/messages': {
      parameters: [waIdParam],
      post: {
        summary: 'The customer sends a message; it reaches the subscriber as Meta\'s signed webhook',
        requestBody: json({
          type: 'object',
          required: ['to', 'type'],
          properties: {
            to: { type: 'string', description: 'phone_number_id of the business' },
            type: { enum: ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contacts', 'reaction', 'button', 'interactive', 'order', 'system', 'request_welcome', 'unsupported'] },
            context: {
              type: 'object',
              description: 'A reply (`id`), a forward, or a "Message business" product inquiry (`referred_product`, which gets a Meta-made `id`)',
              properties: {
                id: { type: 'string' },
                forwarded: { type: 'boolean' },
                frequently_forwarded: { type: 'boolean' },
                referred_product: { type: 'object', required: ['catalog_id', 'product_retailer_id'], properties: { catalog_id: { type: 'string' }, product_retailer_id: { type: 'string' } }, additionalProperties: false },
              },
              additionalProperties: false,
            },
            referral: { $ref: '#/components/schemas/Referral' },
            unsupported: { type: 'object', description: 'For type unsupported: what it was (`edit`, `revoke`, `poll_creation`, ...)', properties: { type: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' } } },
          },
          additionalProperties: true,
        }),
        responses: { '201': ok('The inbound message as delivered in the webhook'), ...bad, ...notFound, '422': ok('Not possible in this chat', error) },
      },
      get: { summary: 'What the phone received, with statuses', parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }], responses: { '200': ok('Messages'), ...notFound } },
    },
    '/phones/{wa_id}/preferences': {
      parameters: [waIdParam],
      post: {
        summary: 'The customer stops or resumes marketing messages (user_preferences webhook)',
        requestBody: json({ type: 'object', required: ['to', 'value'], properties: { to: { type: 'string' }, value: { enum: ['stop', 'resume'] } } }),
        responses: { '200': ok('The phone'), ...bad, ...notFound },
      },
    },
    '/phones/{wa_id}/chats': {
      parameters: [waIdParam],
      post: {
        summary: "The customer opens the chat with a business number: on the first open of a chat without messages, and only when the number's welcome message is on, the business gets a request_welcome message",
        requestBody: json({ type: 'object', required: ['to'], properties: { to: { type: 'string', description: 'The business phone number id' } }, additionalProperties: false }),
        responses: { '200': ok('Whether request_welcome went out, and why not', { type: 'object', properties: { request_welcome: { type: 'boolean' }, id: { type: 'string' }, reason: { type: 'string' } } }), ...bad, ...notFound },
      },
    },
    '/phones/{wa_id}/qr-scans': {
      parameters: [waIdParam],
      post: {
        summary: "The customer scans a QR code (message_qrdls) and sends its prefilled message to the code's number",
        requestBody: json({ type: 'object', required: ['code'], properties: { code: { type: 'string', pattern: '^[A-Z0-9]{1,32}$' } }, additionalProperties: false }),
        responses: { '201': ok('The inbound message (delivered_to_business false when the business blocked the customer)'), ...bad, '404': ok('Unknown QR code', error) },
      },
    },
    '/phones/{wa_id}/groups/join': {
      parameters: [waIdParam],
      post: {
        summary: 'The customer taps a group invite link: joins at once (auto_approve, 201) or leaves a join request for the business (approval_required, 202); a full group (8 participants) is 422 with meta_code 131204',
        requestBody: json({ type: 'object', properties: { invite_link: { type: 'string', description: 'https://chat.whatsapp.com/{code}' }, code: { type: 'string' } }, additionalProperties: false, description: 'Exactly one of invite_link or code' }),
        responses: {
          '201': ok('Joined', { type: 'object', properties: { group_id: { type: 'string' }, status: { const: 'joined' } } }),
          '202': ok('Join request waiting for the business', { type: 'object', properties: { group_id: { type: 'string' }, status: { const: 'requested' }, join_request_id: { type: 'string' } } }),
          ...bad,
          '404': ok('Not the current invite link of any group', error),
          '409': ok('Already a participant (meta_code 131202)', error),
          '422': ok('Group full (131204) or suspended (131207), or the phone has no WhatsApp', error),
        },
      },
    },
    '/phones/{wa_id}/groups/{group_id}/leave': {
      parameters: [waIdParam, { name: 'group_id', in: 'path', required: true, schema: { type: 'string' } }],
      post: { summary: 'The customer leaves the group (group_participants_update, group_remove_participants)', responses: { '200': ok('Left'), '404': ok('Unknown phone or group', error), '409': ok('Not a participant', error) } },
    },
    '/groups': {
      get: { summary: 'Every group of the sandbox: info, participants, invite link, open join requests (customers write in one with POST /phones/{wa_id}/messages, to = the group id)', responses: { '200': ok('Groups') } },
    },
    '/groups/{group_id}': {
      parameters: [{ name: 'group_id', in: 'path', required: true, schema: { type: 'string' } }],
      patch: {
        summary: 'WhatsApp suspends or reinstates the group (group_status_update); a suspended group answers 131207',
        requestBody: json({ type: 'object', required: ['suspended'], properties: { suspended: { type: 'boolean' } }, additionalProperties: false }),
        responses: { '200': ok('The group'), ...bad, '404': ok('Unknown group', error) },
      },
    },
    '/phone-numbers/{id}/verification-code': {
      get: {
        summary: 'The code the last POST /{id}/request_code "sent" by SMS or voice (6 digits, valid 10 minutes of sandbox time), for POST /{id}/verify_code',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': ok('The code', { type: 'object', properties: { code: { type: 'string' }, code_method: { enum: ['SMS', 'VOICE'] }, language: { type: 'string' }, requested_at: { type: 'string', format: 'date-time' }, verified_at: { type: ['string', 'null'], format: 'date-time' } } }),
          '404': ok('Unknown number, or no code requested', error),
        },
      },
    },
    '/qr-codes/{file}': {
      get: {
        summary: "The image behind a QR code's qr_image_url: {code}.png or {code}.svg, holding https://wa.me/message/{code}",
        parameters: [{ name: 'file', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Z0-9]{1,32}\\.(png|svg)$' } }],
        responses: { '200': { description: 'The image', content: { 'image/png': { schema: { type: 'string', format: 'binary' } }, 'image/svg+xml': { schema: { type: 'string' } } } }, '404': ok('Unknown QR code', error) },
      },
    },
    '/clock': {
      get: { summary: 'Sandbox time', responses: { '200': ok('Clock') } },
      post: { summary: 'Move sandbox time forward', requestBody: json({ type: 'object', required: ['advance_seconds'], properties: { advance_seconds: { type: 'number', exclusiveMinimum: 0 } } }), responses: { '200': ok('Clock'), ...bad } },
    },
    '/faults': {
      get: { summary: 'Current faults', responses: { '200': ok('Faults', { $ref: '#/components/schemas/Faults' }) } },
      put: { summary: 'Set faults (partial update)', requestBody: json({ $ref: '#/components/schemas/Faults' }), responses: { '200': ok('Faults'), ...bad } },
    },
    '/templates/{id}/status': {
      post: {
        summary: 'Pause, disable, approve or reject a template as Meta would (sends the status webhook)',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: json({ type: 'object', required: ['status'], properties: { status: { enum: ['APPROVED', 'PAUSED', 'DISABLED', 'REJECTED'] }, reason: { type: 'string' } } }),
        responses: { '200': ok('The template'), ...bad, ...notFound },
      },
    },
  },
  components: {
    securitySchemes: {
      controlToken: { type: 'http', scheme: 'bearer', description: 'The control token (SANDBOX_CONTROL_TOKEN, or the one printed at start).' },
      controlTokenHeader: { type: 'apiKey', in: 'header', name: 'X-Sandbox-Control-Token', description: 'The same token in its own header.' },
    },
    schemas: {
      Error: {
        type: 'object',
        properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } } } },
      },
      Behaviour: {
        type: 'object',
        properties: { delivery_delay_ms: { type: 'integer' }, read_delay_ms: { type: ['integer', 'null'] }, offline: { type: 'boolean' } },
      },
      PhoneInput: {
        type: 'object',
        required: ['wa_id', 'name'],
        properties: { wa_id: { type: 'string' }, name: { type: 'string' }, has_whatsapp: { type: 'boolean' }, behaviour: { $ref: '#/components/schemas/Behaviour' } },
      },
      Phone: {
        type: 'object',
        properties: {
          wa_id: { type: 'string' },
          name: { type: 'string' },
          has_whatsapp: { type: 'boolean' },
          behaviour: { $ref: '#/components/schemas/Behaviour' },
          marketing_stopped: { type: 'boolean' },
          received_count: { type: 'integer' },
          sent_count: { type: 'integer' },
          business_typing: {
            description: 'The business typing on this phone (mark-as-read with typing_indicator) until its next message here or 25 s of sandbox time; null otherwise',
            oneOf: [
              { type: 'null' },
              { type: 'object', properties: { phone_number_id: { type: 'string' }, since: { type: 'string', format: 'date-time' }, until: { type: 'string', format: 'date-time' } } },
            ],
          },
        },
      },
      Referral: {
        type: 'object',
        description: "A Click-to-WhatsApp ad or post, as in Meta's webhook; a reply within 24 h opens a 72 h free entry point",
        required: ['source_url', 'source_id', 'source_type', 'body', 'headline', 'media_type', 'ctwa_clid'],
        properties: {
          source_url: { type: 'string' },
          source_id: { type: 'string' },
          source_type: { enum: ['ad', 'post'] },
          body: { type: 'string' },
          headline: { type: 'string' },
          media_type: { enum: ['image', 'video'] },
          image_url: { type: 'string', description: 'media_type image only (required there)' },
          video_url: { type: 'string', description: 'media_type video only (required there)' },
          thumbnail_url: { type: 'string', description: 'media_type video only (required there)' },
          ctwa_clid: { type: 'string' },
          welcome_message: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
        },
        additionalProperties: false,
      },
      FlowInput: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 200 } }, additionalProperties: false },
      Flow: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } },
      CatalogInput: {
        type: 'object',
        required: ['products'],
        properties: { products: { type: 'array', maxItems: 10000, items: { type: 'string', minLength: 1, maxLength: 100 }, description: 'product_retailer_id values' } },
        additionalProperties: false,
      },
      Catalog: { type: 'object', properties: { id: { type: 'string' }, products: { type: 'array', items: { type: 'string' } } } },
      Faults: {
        type: 'object',
        properties: {
          graph_error_rate: { type: 'number', minimum: 0, maximum: 1 },
          graph_latency_ms: { type: 'integer', minimum: 0 },
          group_messages_per_minute: { type: 'integer', minimum: 0, maximum: 100000, description: "Messages to one group per minute before Meta's 131208 (HTTP 429); 0: no limit" },
          webhook_duplicate_rate: { type: 'number', minimum: 0, maximum: 1 },
          webhook_reorder_ms: { type: 'integer', minimum: 0 },
          webhook_drop_rate: { type: 'number', minimum: 0, maximum: 1 },
        },
      },
    },
  },
} as const;
