import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ASSIGNMENT_STRATEGIES, type AgentInbox, type Assignment, type InboxOutcome, type TransitionAnswer } from '../../modules/agent-inbox/index.js';
import { INBOX_VIEWS, type InboxConversation } from '../../modules/conversations/index.js';
import type { Labels } from '../../modules/desk/index.js';
import { MAX_HISTORY_PAGE, MESSAGE_TYPES, toView } from '../../modules/messaging/index.js';
import type { MessageType } from '../../whatsapp/index.js';
import { sendAppError, sendError } from '../errors.js';
import { viewerOf } from '../session.js';
import { parseInput } from '../zod-input.js';
import { sendProviderError } from './provider-error.js';

export interface AppInboxDeps {
  agentInbox: AgentInbox;
  assignment: Assignment;
  /** The desk's labels: each conversation answered carries its `labels`. */
  desk?: { labels: Pick<Labels, 'ofMany'> } | undefined;
}

const ID = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be an id');
const CURSOR = z.string().min(1).max(200).regex(/^[A-Za-z0-9_-]+$/, 'must be the next_cursor of a previous page');
const REASON = z.string({ invalid_type_error: 'must be a string' }).max(500, 'must be at most 500 characters');
const idParams = z.object({ id: ID });
const limit = (max: number, fallback: number) => z.coerce.number({ invalid_type_error: 'must be an integer' }).int('must be an integer').min(1, 'must be at least 1').max(max, `must be at most ${max}`).default(fallback);

const listQuery = z
  .object({
    view: z.enum(INBOX_VIEWS, { errorMap: () => ({ message: `must be one of ${INBOX_VIEWS.join(', ')}` }) }).default('mine'),
    q: z.string().trim().min(2, 'must be at least 2 characters').max(100, 'must be at most 100 characters').optional(),
    limit: limit(100, 25),
    cursor: CURSOR.optional(),
  })
  .strict();
const pageQuery = z.object({ limit: limit(MAX_HISTORY_PAGE, 50), cursor: CURSOR.optional() }).strict();

const sendBody = z
  .object({
    type: z.enum(MESSAGE_TYPES as [MessageType, ...MessageType[]], { errorMap: () => ({ message: `must be one of ${MESSAGE_TYPES.join(', ')}` }) }),
    context: z.object({ message_id: z.string().min(1).max(512) }).strict().optional(),
  })
  .passthrough()
  .superRefine((body, ctx) => {
    const extra = Object.keys(body).filter((key) => key !== 'type' && key !== 'context' && key !== body.type);
    if (extra.length > 0) ctx.addIssue({ code: z.ZodIssueCode.unrecognized_keys, keys: extra, path: [] });
    const content = (body as Record<string, unknown>)[body.type];
    if (typeof content !== 'object' || content === null || Array.isArray(content)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [body.type], message: `is required: the ${body.type} content, shaped as in the Cloud API` });
  });

const readBody = z.object({ typing: z.boolean({ invalid_type_error: 'must be a boolean' }).default(false) }).strict();
const assignBody = z.object({ user_id: ID }).strict();
const transferBody = z
  .object({ user_id: ID.optional(), team_id: ID.optional(), reason: REASON.optional() })
  .strict()
  .refine((body) => (body.user_id === undefined) !== (body.team_id === undefined), { message: 'give exactly one of user_id and team_id', path: ['user_id'] });
const resolveBody = z.object({ survey: z.boolean({ invalid_type_error: 'must be a boolean' }).default(false) }).strict();
const snoozeBody = z
  .object({
    until: z.string({ invalid_type_error: 'must be a string' }).datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
    until_next_message: z.literal(true, { errorMap: () => ({ message: 'must be true' }) }).optional(),
  })
  .strict()
  .refine((body) => (body.until === undefined) !== (body.until_next_message === undefined), { message: 'give exactly one of until and until_next_message', path: ['until'] });
const previewBody = z
  .object({
    params: z
      .object({
        header: z.union([z.string().max(1024), z.record(z.string().max(1024))]).optional(),
        body: z.union([z.array(z.string().max(1024)).max(100), z.record(z.string().max(1024))]).optional(),
        buttons: z.record(z.string().regex(/^\d{1,2}$/, 'must be a button index'), z.string().max(2000)).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
const settingsBody = z.object({ strategy: z.enum(ASSIGNMENT_STRATEGIES, { errorMap: () => ({ message: `must be one of ${ASSIGNMENT_STRATEGIES.join(', ')}` }) }) }).strict();

/** A conversation as the inbox answers it (its latest messages shaped as the API shows messages). */
export const presentConversation = (conversation: InboxConversation) => ({ ...conversation, last_messages: conversation.last_messages.map(toView) });

/**
 * The agent inbox's conversation routes under `/app/api` (docs/inbox.md, "The inbox API"):
 * views and counts, a conversation and its history, sending, read and typing, take / assign /
 * transfer / resolve, snooze, the composer's templates, and the workspace's assignment strategy.
 * Every route needs a signed-in person (`requireUser`); a conversation the person may not see
 * answers 404, as one that does not exist.
 */
export function registerAppInboxRoutes(app: FastifyInstance, deps: AppInboxDeps): void {
  const { agentInbox } = deps;
  const signedIn = { onRequest: app.requireUser() };
  const params = (request: FastifyRequest, reply: FastifyReply) => parseInput(reply, 'params', idParams, request.params);

  /** The labels of these conversations (one query), for the list's rows and the conversation's header. */
  const labelsOf = async (workspaceId: string, ids: string[]) => (deps.desk ? deps.desk.labels.ofMany(workspaceId, ids) : new Map<string, string[]>());

  app.get('/conversations', signedIn, async (request, reply) => {
    const query = parseInput(reply, 'querystring', listQuery, request.query);
    if (!query) return reply;
    const viewer = viewerOf(request);
    const page = await agentInbox.list(viewer, { view: query.view, search: query.q, limit: query.limit, cursor: query.cursor });
    if (!page.ok) return badCursor(reply);
    const labels = await labelsOf(viewer.workspaceId, page.data.map((conversation) => conversation.id));
    return { view: query.view, data: page.data.map((conversation) => ({ ...presentConversation(conversation), labels: labels.get(conversation.id) ?? [] })), next_cursor: page.next_cursor };
  });

  app.get('/conversations/counts', signedIn, async (request) => agentInbox.counts(viewerOf(request)));

  app.get('/conversations/:id', signedIn, async (request, reply) => {
    const path = params(request, reply);
    if (!path) return reply;
    const viewer = viewerOf(request);
    const outcome = await agentInbox.detail(viewer, path.id);
    if (!outcome.ok) return sendAppError(reply, outcome.error);
    const labels = await labelsOf(viewer.workspaceId, [path.id]);
    return { ...presentConversation(outcome.value.conversation), labels: labels.get(path.id) ?? [], bot: outcome.value.bot, composer: outcome.value.composer };
  });

  app.get('/conversations/:id/messages', signedIn, async (request, reply) => {
    const path = params(request, reply);
    if (!path) return reply;
    const query = parseInput(reply, 'querystring', pageQuery, request.query);
    if (!query) return reply;
    const page = await agentInbox.history(viewerOf(request), path.id, { limit: query.limit, cursor: query.cursor });
    if (!page.ok) return page.reason === 'bad_cursor' ? badCursor(reply) : notFound(reply, path.id);
    return { data: page.data, next_cursor: page.next_cursor };
  });

  app.post('/conversations/:id/messages', signedIn, async (request, reply) => {
    const path = params(request, reply);
    if (!path) return reply;
    const body = parseInput(reply, 'body', sendBody, request.body);
    if (!body) return reply;
    const key = request.headers['idempotency-key'];
    if (typeof key === 'string' && (key.length === 0 || key.length > 255)) return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'headers.idempotency-key: must be 1 to 255 characters', { field: 'headers.idempotency-key', rule: 'must be 1 to 255 characters' });
    const outcome = await agentInbox.send(viewerOf(request), path.id, { type: body.type, content: (body as Record<string, unknown>)[body.type], context: body.context }, typeof key === 'string' ? key : undefined);
    if (!outcome.ok) return sendAppError(reply, outcome.error);
    if (outcome.duplicate) reply.header('idempotent-replayed', 'true');
    return reply.code(202).send({ id: outcome.message.id, status: outcome.message.status });
  });

  const receipt = (typing: boolean | undefined) => async (request: FastifyRequest, reply: FastifyReply) => {
    const path = params(request, reply);
    if (!path) return reply;
    let withTyping = typing;
    if (withTyping === undefined) {
      const body = parseInput(reply, 'body', readBody, request.body ?? {});
      if (!body) return reply;
      withTyping = body.typing;
    }
    const outcome = await agentInbox.markRead(viewerOf(request), path.id, withTyping);
    if (outcome.ok) return outcome.receipt;
    if (outcome.reason === 'not_found') return notFound(reply, path.id);
    if (outcome.reason === 'provider') return sendProviderError(reply, withTyping ? 'Typing indicator' : 'Read receipt', outcome.result);
    return sendError(reply, 'CONVERSA_ERR_NO_INBOUND_MESSAGE', `Conversation ${path.id} has no message from the contact yet.`);
  };
  app.post('/conversations/:id/read', signedIn, receipt(undefined));
  app.post('/conversations/:id/typing', signedIn, receipt(true));

  /** An ownership move: the body's rules, then the conversation after it with the transition recorded. */
  const move = <S extends z.ZodTypeAny>(path: string, schema: S, run: (request: FastifyRequest, id: string, body: z.output<S>) => Promise<TransitionAnswer>) =>
    app.post(path, signedIn, async (request, reply) => {
      const target = params(request, reply);
      if (!target) return reply;
      const body = parseInput(reply, 'body', schema, request.body ?? {});
      if (body === undefined) return reply;
      return answerMove(reply, await run(request, target.id, body));
    });

  move('/conversations/:id/take', z.object({}).strict(), (request, id) => agentInbox.take(viewerOf(request), id));
  move('/conversations/:id/assign', assignBody, (request, id, body) => agentInbox.assign(viewerOf(request), id, body.user_id));
  move('/conversations/:id/transfer', transferBody, (request, id, body) =>
    agentInbox.transfer(viewerOf(request), id, body.user_id !== undefined ? { userId: body.user_id } : { teamId: body.team_id as string }, body.reason),
  );
  move('/conversations/:id/resolve', resolveBody, (request, id, body) => agentInbox.resolve(viewerOf(request), id, body.survey));

  app.post('/conversations/:id/snooze', signedIn, async (request, reply) => {
    const path = params(request, reply);
    if (!path) return reply;
    const body = parseInput(reply, 'body', snoozeBody, request.body);
    if (!body) return reply;
    return answerConversation(reply, await agentInbox.snooze(viewerOf(request), path.id, body.until !== undefined ? { until: new Date(body.until) } : { untilNextMessage: true }));
  });

  app.post('/conversations/:id/unsnooze', signedIn, async (request, reply) => {
    const path = params(request, reply);
    if (!path) return reply;
    return answerConversation(reply, await agentInbox.unsnooze(viewerOf(request), path.id));
  });

  app.get('/conversations/:id/templates', signedIn, async (request, reply) => {
    const path = params(request, reply);
    if (!path) return reply;
    const outcome = await agentInbox.templates(viewerOf(request), path.id);
    return outcome.ok ? outcome.value : sendAppError(reply, outcome.error);
  });

  app.post('/conversations/:id/templates/:templateId/preview', signedIn, async (request, reply) => {
    const path = parseInput(reply, 'params', z.object({ id: ID, templateId: ID }), request.params);
    if (!path) return reply;
    const body = parseInput(reply, 'body', previewBody, request.body ?? {});
    if (!body) return reply;
    const buttons = body.params?.buttons ? Object.fromEntries(Object.entries(body.params.buttons).map(([index, value]) => [Number(index), value])) : undefined;
    const outcome = await agentInbox.previewTemplate(viewerOf(request), path.id, path.templateId, body.params ? { ...body.params, ...(buttons ? { buttons } : {}) } : undefined);
    return outcome.ok ? outcome.value : sendAppError(reply, outcome.error);
  });

  app.get('/settings/assignment', { onRequest: app.requireUser({ roles: ['admin'] }) }, async (request) => deps.assignment.settings(viewerOf(request).workspaceId));

  app.put('/settings/assignment', { onRequest: app.requireUser({ roles: ['admin'] }) }, async (request, reply) => {
    const body = parseInput(reply, 'body', settingsBody, request.body);
    if (!body) return reply;
    const viewer = viewerOf(request);
    return deps.assignment.setStrategy(viewer.workspaceId, body.strategy, viewer.userId);
  });
}

function answerMove(reply: FastifyReply, outcome: TransitionAnswer) {
  if (!outcome.ok) return sendAppError(reply, outcome.error);
  return { ...presentConversation(outcome.value.conversation), transition: outcome.value.transition };
}

function answerConversation(reply: FastifyReply, outcome: InboxOutcome<InboxConversation>) {
  return outcome.ok ? presentConversation(outcome.value) : sendAppError(reply, outcome.error);
}

function notFound(reply: FastifyReply, id: string) {
  return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No conversation ${id}.`);
}

function badCursor(reply: FastifyReply) {
  return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'querystring.cursor: is not a cursor this API gave', { field: 'querystring.cursor', rule: 'must be the next_cursor of a previous page' });
}
