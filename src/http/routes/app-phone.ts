import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { PhoneNumbers } from '../../modules/phone-numbers/index.js';
import { sendError } from '../errors.js';
import { viewerOf } from '../session.js';
import { parseInput } from '../zod-input.js';

/** The embedded sandbox's control API (`/sandbox/v1`), reached over HTTP with its token (server side only). */
export interface SandboxControl {
  control(method: 'GET' | 'POST', path: string, body?: object): Promise<{ status: number; body: unknown }>;
}

export interface AppPhoneDeps {
  /** The embedded sandbox's control API; undefined when no sandbox runs in this process. */
  sandboxControl: () => SandboxControl | undefined;
  phoneNumbers: Pick<PhoneNumbers, 'list'>;
}

const WA_ID = z.string().regex(/^\d{7,15}$/, 'must be 7 to 15 digits (the number without +)');
const TEXT = (max: number) => z.string({ invalid_type_error: 'must be a string' }).min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const REPLY_ID = TEXT(256);

const createBody = z.object({ wa_id: WA_ID, name: TEXT(256) }).strict();
const context = z.object({ id: TEXT(256) }).strict().optional();
const to = z.string().regex(/^\d{6,20}$/, "must be a phone number id (Meta's) of this workspace's sandbox number").optional();

/** What a simulated customer sends from the phone page. */
const messageBody = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('text'), to, context, text: z.object({ body: TEXT(4096) }).strict() }).strict(),
    z
      .object({
        type: z.literal('interactive'),
        to,
        context,
        interactive: z.union([
          z.object({ type: z.literal('button_reply'), button_reply: z.object({ id: REPLY_ID, title: TEXT(20) }).strict() }).strict(),
          z.object({ type: z.literal('list_reply'), list_reply: z.object({ id: REPLY_ID, title: TEXT(24), description: TEXT(72).optional() }).strict() }).strict(),
        ]),
      })
      .strict(),
    z.object({ type: z.literal('button'), to, context, button: z.object({ payload: TEXT(256), text: TEXT(256) }).strict() }).strict(),
    z
      .object({
        type: z.literal('image'),
        to,
        context,
        image: z
          .object({
            data_base64: z.string().min(1).max(7_000_000, 'must be at most 5 MB').regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
            mime_type: z.enum(['image/jpeg', 'image/png'], { errorMap: () => ({ message: 'must be image/jpeg or image/png' }) }),
            caption: TEXT(1024).optional(),
          })
          .strict(),
      })
      .strict(),
    z
      .object({
        type: z.literal('location'),
        to,
        context,
        location: z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180), name: TEXT(256).optional(), address: TEXT(256).optional() }).strict(),
      })
      .strict(),
  ],
  { errorMap: (issue, ctx) => ({ message: issue.code === 'invalid_union_discriminator' ? 'must be one of text, interactive, button, image, location' : ctx.defaultError }) },
);
const clockBody = z.object({ advance_seconds: z.number({ invalid_type_error: 'must be a number' }).positive('must be positive').max(366 * 86_400, 'must be at most a year') }).strict();

/**
 * The phone page's proxy to the embedded sandbox (docs/inbox.md, "The phone"): simulated
 * customers, what they send and receive, the sandbox clock. Only for signed-in people, only when
 * this process runs the embedded sandbox (404 otherwise); the sandbox's control token stays on
 * the server. A customer writes only to a sandbox number of the person's own workspace.
 */
export function registerAppPhoneRoutes(app: FastifyInstance, deps: AppPhoneDeps): void {
  const guard = { onRequest: app.requireUser() };
  const sandbox = (reply: FastifyReply): SandboxControl | undefined => {
    const control = deps.sandboxControl();
    if (!control) void sendError(reply, 'CONVERSA_ERR_NOT_FOUND', 'The phone page needs the embedded sandbox (CONVERSA_SANDBOX on); this server runs without it.');
    return control;
  };
  const forward = async (reply: FastifyReply, control: SandboxControl, method: 'GET' | 'POST', path: string, body?: object) => {
    const answer = await call(control, method, path, body);
    if (answer.status >= 300) return sandboxError(reply, answer);
    return reply.code(answer.status).send(answer.body);
  };

  app.get('/phone/phones', guard, async (_request, reply) => {
    const control = sandbox(reply);
    return control ? forward(reply, control, 'GET', '/sandbox/v1/phones') : reply;
  });

  app.post('/phone/phones', guard, async (request, reply) => {
    const control = sandbox(reply);
    if (!control) return reply;
    const body = parseInput(reply, 'body', createBody, request.body);
    return body ? forward(reply, control, 'POST', '/sandbox/v1/phones', body) : reply;
  });

  app.get('/phone/phones/:wa_id', guard, async (request, reply) => {
    const control = sandbox(reply);
    if (!control) return reply;
    const path = parseInput(reply, 'params', z.object({ wa_id: WA_ID }), request.params);
    if (!path) return reply;
    const phone = await call(control, 'GET', `/sandbox/v1/phones/${path.wa_id}`);
    if (phone.status !== 200) return sandboxError(reply, phone);
    const messages = await call(control, 'GET', `/sandbox/v1/phones/${path.wa_id}/messages?limit=200`);
    if (messages.status !== 200) return sandboxError(reply, messages);
    const { data, sent } = messages.body as { data: unknown[]; sent: unknown[] };
    return { phone: phone.body, received: data, sent };
  });

  app.post('/phone/phones/:wa_id/messages', guard, async (request, reply) => {
    const control = sandbox(reply);
    if (!control) return reply;
    const path = parseInput(reply, 'params', z.object({ wa_id: WA_ID }), request.params);
    if (!path) return reply;
    const body = parseInput(reply, 'body', messageBody, request.body);
    if (!body) return reply;
    const numbers = (await deps.phoneNumbers.list(viewerOf(request).workspaceId)).filter((number) => number.provider === 'sandbox');
    const target = body.to === undefined ? numbers[0] : numbers.find((number) => number.phone_number_id === body.to);
    if (!target) {
      return body.to === undefined
        ? sendError(reply, 'CONVERSA_ERR_NOT_FOUND', 'This workspace has no sandbox number for a simulated customer to write to.')
        : sendError(reply, 'CONVERSA_ERR_VALIDATION', 'body.to: must be the phone number id of a sandbox number of this workspace', { field: 'body.to', rule: 'must be the phone number id of a sandbox number of this workspace' });
    }
    return forward(reply, control, 'POST', `/sandbox/v1/phones/${path.wa_id}/messages`, { ...body, to: target.phone_number_id });
  });

  app.get('/phone/clock', guard, async (_request, reply) => {
    const control = sandbox(reply);
    return control ? forward(reply, control, 'GET', '/sandbox/v1/clock') : reply;
  });

  app.post('/phone/clock', guard, async (request, reply) => {
    const control = sandbox(reply);
    if (!control) return reply;
    const body = parseInput(reply, 'body', clockBody, request.body);
    return body ? forward(reply, control, 'POST', '/sandbox/v1/clock', body) : reply;
  });
}

/** The sandbox's answer, or 599 when it could not be reached (answered as 502 below). */
async function call(control: SandboxControl, method: 'GET' | 'POST', path: string, body?: object): Promise<{ status: number; body: unknown }> {
  try {
    return await control.control(method, path, body);
  } catch {
    return { status: 599, body: null };
  }
}

/** The sandbox's refusals in the platform's error shape (its field and rule kept). */
function sandboxError(reply: FastifyReply, answer: { status: number; body: unknown }) {
  const error = (answer.body as { error?: { message?: string; details?: { field?: string; rule?: string } } } | null)?.error;
  const message = error?.message ?? 'The sandbox refused the request.';
  const details = error?.details?.field ? { field: `body.${error.details.field}`, rule: error.details.rule ?? 'is invalid' } : undefined;
  if (answer.status === 400) return sendError(reply, 'CONVERSA_ERR_VALIDATION', message, details);
  if (answer.status === 404) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', message, details);
  if (answer.status === 422) return sendError(reply, 'CONVERSA_ERR_SANDBOX_REFUSED', message, details);
  return sendError(reply, 'CONVERSA_ERR_PROVIDER_UNREACHABLE', 'The embedded sandbox did not answer.');
}
