import type { FastifyInstance, FastifyReply } from 'fastify';
import { SandboxLink } from '../../app/sandbox-link.js';
import { PhoneNumberConnector, type ConnectOutcome, type PhoneNumberView, type RefreshOutcome } from '../../modules/phone-numbers/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { responses, schemas as s } from '../responses.js';

const connectBody = {
  type: 'object',
  required: ['provider'],
  additionalProperties: false,
  properties: {
    provider: { type: 'string', enum: ['cloud_api', 'sandbox'], description: "cloud_api: a number on Meta's Cloud API; sandbox: another number in the built-in sandbox" },
    waba_id: { type: 'string', pattern: '^[0-9]{1,32}$', description: 'The WhatsApp Business Account id (cloud_api)' },
    phone_number_id: { type: 'string', pattern: '^[0-9]{1,32}$', description: "Meta's phone number id (cloud_api; sandbox: adopt this one)" },
    access_token: { type: 'string', minLength: 8, maxLength: 4096, description: 'A system-user token with whatsapp_business_messaging and whatsapp_business_management (cloud_api)' },
    app_secret: { type: 'string', minLength: 8, maxLength: 256, description: "The Meta app's secret; webhooks are signed with it (cloud_api)" },
    verify_token: { type: 'string', minLength: 8, maxLength: 256, pattern: '^\\S+$', description: 'For the webhook handshake; generated when absent' },
    graph_version: { type: 'string', pattern: '^v[0-9]{1,3}\\.[0-9]{1,2}$', description: 'Default v23.0' },
    graph_base_url: { type: 'string', maxLength: 512, pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$', description: 'Default https://graph.facebook.com' },
    display_phone_number: { type: 'string', pattern: '^\\+?[0-9][0-9 ()-]{5,23}$', description: "Used when Meta's answer lacks it" },
    verified_name: { type: 'string', minLength: 1, maxLength: 256, description: "Used when Meta's answer lacks it" },
    throughput_mps: { type: 'integer', minimum: 1, maximum: 1000, description: "Messages per second; default from Meta's throughput level (80 or 1,000)" },
  },
  if: { properties: { provider: { const: 'cloud_api' } } },
  then: { required: ['waba_id', 'phone_number_id', 'access_token', 'app_secret'] },
} as const;

interface ConnectBody {
  provider: 'cloud_api' | 'sandbox';
  waba_id?: string;
  phone_number_id?: string;
  access_token?: string;
  app_secret?: string;
  verify_token?: string;
  graph_version?: string;
  graph_base_url?: string;
  display_phone_number?: string;
  verified_name?: string;
  throughput_mps?: number;
}

const numberSchema = s.object(
  {
    id: s.string,
    workspace_id: s.string,
    provider: { type: 'string', enum: ['cloud_api', 'sandbox'] },
    waba_id: s.string,
    phone_number_id: s.string,
    display_phone_number: s.string,
    verified_name: s.string,
    graph_base_url: s.string,
    graph_version: s.string,
    throughput_mps: s.integer,
    throughput_source: { type: 'string', enum: ['provider', 'manual'] },
    quality_rating: s.nullableString,
    messaging_limit_tier: s.nullableString,
    refreshed_at: s.nullableDateTime,
    created_at: s.dateTime,
    webhook: s.object({ url: s.string, verify_token: s.nullableString }, "What to paste into the Meta app's webhook settings"),
  },
  'A connected phone number (secrets never leave, except the webhook verify token)',
);

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

/**
 * `/api/v1/phone-numbers` (admin): list, read and connect the workspace's WhatsApp numbers.
 * Secrets never leave; the one exception is the webhook verify token, which an admin must
 * paste into the Meta app's webhook settings next to the webhook URL.
 */
export function registerPhoneNumberRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'phoneNumbers' | 'phoneNumberRefresher' | 'whatsapp' | 'publicUrl' | 'sandboxControlToken'>): void {
  const connector = new PhoneNumberConnector({ phoneNumbers: deps.phoneNumbers, graph: deps.whatsapp, sandboxAt: (baseUrl) => new SandboxLink(baseUrl, deps.sandboxControlToken()) });
  const webhookUrl = `${deps.publicUrl}/webhooks/whatsapp`;
  const present = async (number: PhoneNumberView) => {
    const secrets = await deps.phoneNumbers.secretsOf(number.id);
    return { ...number, webhook: { url: webhookUrl, verify_token: secrets?.verifyToken ?? null } };
  };

  app.get(
    '/phone-numbers',
    { onRequest: app.requireScope('admin'), schema: { tags: ['phone-numbers'], summary: "The workspace's numbers, each with the webhook URL and verify token for Meta's app settings", response: responses({ 200: s.list(numberSchema) }) } },
    async (request) => {
      const numbers = await deps.phoneNumbers.list(principalOf(request).workspaceId);
      return { data: await Promise.all(numbers.map(present)) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/phone-numbers/:id',
    { onRequest: app.requireScope('admin'), schema: { tags: ['phone-numbers'], summary: "A number by our id or Meta's phone_number_id", params: idParams, response: responses({ 200: numberSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } },
    async (request, reply) => {
      const number = await deps.phoneNumbers.resolve(principalOf(request).workspaceId, request.params.id);
      return number ? present(number) : sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No phone number ${request.params.id} in this workspace.`);
    },
  );

  app.post<{ Body: ConnectBody }>(
    '/phone-numbers',
    {
      onRequest: app.requireScope('admin'),
      schema: {
        tags: ['phone-numbers'],
        summary: 'Connect a number',
        description:
          "cloud_api: checks the credentials with Meta's `GET /{phone_number_id}` and stores the number with its display number, verified name and throughput (secrets encrypted). sandbox: creates another number in the built-in sandbox. Answers 201 with the webhook URL and verify token to paste into the Meta app; 409 if the number is already connected; 422 with Meta's error when Meta refuses.",
        body: connectBody,
        response: responses({ 201: numberSchema, 409: ['CONVERSA_ERR_CONFLICT'], 422: ['CONVERSA_ERR_PROVIDER_REJECTED'], 502: ['CONVERSA_ERR_PROVIDER_UNREACHABLE'] }),
      },
    },
    async (request, reply) => {
      const { workspaceId } = principalOf(request);
      const body = request.body;
      const outcome =
        body.provider === 'cloud_api'
          ? await connector.connectCloudApi({
              workspaceId,
              wabaId: body.waba_id as string,
              phoneNumberId: body.phone_number_id as string,
              accessToken: body.access_token as string,
              appSecret: body.app_secret as string,
              verifyToken: body.verify_token,
              graphVersion: body.graph_version,
              graphBaseUrl: body.graph_base_url,
              displayPhoneNumber: body.display_phone_number,
              verifiedName: body.verified_name,
              throughputMps: body.throughput_mps,
            })
          : await connector.connectSandbox({
              workspaceId,
              phoneNumberId: body.phone_number_id,
              displayPhoneNumber: body.display_phone_number,
              verifiedName: body.verified_name,
              throughputMps: body.throughput_mps,
            });
      if (outcome.ok) {
        request.log.info({ phoneNumberId: outcome.number.phone_number_id, provider: outcome.number.provider }, 'phone number connected');
        return reply.code(201).send(await present(outcome.number));
      }
      return sendConnectError(reply, outcome);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/phone-numbers/:id/refresh',
    {
      onRequest: app.requireScope('admin'),
      schema: {
        tags: ['phone-numbers'],
        summary: 'Read the number again from the provider: throughput, quality rating, messaging-limit tier',
        description:
          "Calls Meta's `GET /{phone_number_id}` (or the sandbox's) and stores what it reports: `throughput_mps` (80, or 1,000 after Meta's upgrade; kept when it was given by hand at connect), `quality_rating` and `messaging_limit_tier`, the tier campaigns use unless one is set with PUT /phone-numbers/{id}/messaging-limit. The periodic refresh (CONVERSA_NUMBER_REFRESH_SECONDS) does the same for every number. Answers the number; 422 with Meta's error when Meta refuses; 502 when it cannot be reached.",
        params: idParams,
        response: responses({ 200: numberSchema, 404: ['CONVERSA_ERR_NOT_FOUND'], 422: ['CONVERSA_ERR_PROVIDER_REJECTED'], 502: ['CONVERSA_ERR_PROVIDER_UNREACHABLE'] }),
      },
    },
    async (request, reply) => {
      const number = await deps.phoneNumbers.resolve(principalOf(request).workspaceId, request.params.id);
      if (!number) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No phone number ${request.params.id} in this workspace.`);
      const outcome = await deps.phoneNumberRefresher.refresh(number.id);
      if (outcome.ok) {
        request.log.info({ phoneNumberId: number.phone_number_id, throughput_mps: outcome.number.throughput_mps, messaging_limit_tier: outcome.number.messaging_limit_tier }, 'phone number refreshed');
        return present(outcome.number);
      }
      return sendRefreshError(reply, request.params.id, outcome);
    },
  );
}

/** Meta's (or the sandbox's) refusal, with its code, message and what to do about it. */
function sendProviderRejected(reply: FastifyReply, what: string, outcome: { code: number; title: string; details: string; status: number }): FastifyReply {
  return sendError(reply, 'CONVERSA_ERR_PROVIDER_REJECTED', `${what}: ${outcome.code ? `(#${outcome.code}) ` : ''}${outcome.title}`, {
    meta_code: outcome.code,
    meta_message: outcome.title,
    meta_details: outcome.details,
    meta_status: outcome.status,
    fix: fixFor(outcome.code),
  });
}

function sendRefreshError(reply: FastifyReply, id: string, outcome: Exclude<RefreshOutcome, { ok: true }>): FastifyReply {
  switch (outcome.error) {
    case 'not_found':
      return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No phone number ${id} in this workspace.`);
    case 'provider_rejected':
      return sendProviderRejected(reply, 'The provider refused to read the number', outcome);
    case 'provider_unreachable':
      return sendError(reply, 'CONVERSA_ERR_PROVIDER_UNREACHABLE', `The Graph API could not be reached: ${outcome.reason}`, {
        fix: "Check that this server can reach the number's graph_base_url over HTTPS, then try again.",
      });
  }
}

function sendConnectError(reply: FastifyReply, outcome: Exclude<ConnectOutcome, { ok: true }>): FastifyReply {
  switch (outcome.error) {
    case 'already_connected':
      return sendError(reply, 'CONVERSA_ERR_CONFLICT', `Phone number ${outcome.phoneNumberId} is already connected.`, {
        field: 'phone_number_id',
        rule: 'must not be connected already',
        fix: 'GET /api/v1/phone-numbers lists the connected numbers; a number can be connected to one workspace once.',
      });
    case 'provider_rejected':
      return sendProviderRejected(reply, 'The provider refused the credentials', outcome);
    case 'provider_unreachable':
      return sendError(reply, 'CONVERSA_ERR_PROVIDER_UNREACHABLE', `The Graph API could not be reached: ${outcome.reason}`, {
        fix: 'Check graph_base_url and that this server can reach it over HTTPS.',
      });
    case 'no_sandbox':
      return sendError(reply, 'CONVERSA_ERR_PROVIDER_REJECTED', 'This workspace has no sandbox connected, so there is no sandbox app to add a number to.', {
        field: 'provider',
        rule: 'needs the sandbox',
        fix: 'Start Conversa with the sandbox (CONVERSA_SANDBOX=on, the default, or SANDBOX_URL), or connect a cloud_api number.',
      });
  }
}

// Meta's codes for a failed `GET /{phone-number-id}` (cloud-api-facts.md §3.2).
function fixFor(code: number): string {
  if (code === 190) return 'The access token is invalid or expired: create a system-user token in Business Settings with whatsapp_business_messaging and whatsapp_business_management, and assign the WABA to that system user.';
  if (code === 10 || code === 200 || code === 3) return "The token lacks permission for this number: assign the WABA to the token's system user with full control.";
  if (code === 100 || code === 803) return "phone_number_id is not a number this token can see: copy it from the app's WhatsApp > API Setup page (it is not the phone number itself).";
  if (code === 4 || code === 80007 || code === 130429) return 'Rate limited by Meta: try again in a minute.';
  return "Check phone_number_id, access_token and graph_version against the Meta app's WhatsApp > API Setup page.";
}
