import type { FastifyInstance, FastifyReply } from 'fastify';
import { CONTACT_LIMITS } from '../../modules/contacts/index.js';
import { CANNED_LIMITS, CANNED_VARIABLES, LABEL_LIMITS, MAX_NOTE_LENGTH, MAX_NOTES_PAGE, checkLabels, isTimeZone, type Desk } from '../../modules/desk/index.js';
import type { HttpDeps } from '../deps.js';
import { sendAppError, sendError } from '../errors.js';
import { responses, schemas as s } from '../responses.js';
import { viewerOf } from '../session.js';

const ID = { type: 'string', minLength: 1, maxLength: 64 } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: ID } } as const;
const CURSOR = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' } as const;
const STAFF = ['admin', 'supervisor'] as const;

const person = s.object({ id: s.string, name: s.nullableString });
const noteSchema = s.object(
  { id: s.string, conversation_id: s.string, author: person, text: { type: 'string', description: 'Exactly as written (show it as text)' }, mentions: { type: 'array', items: person }, created_at: s.dateTime },
  'An internal note (never sent to the customer)',
);
const cannedSchema = s.object({ id: s.string, shortcut: s.string, title: s.string, text: s.string, created_by: s.string, updated_by: s.string, created_at: s.dateTime, updated_at: s.dateTime }, 'A canned reply');
const cannedBody = (required: string[]) =>
  ({
    type: 'object',
    required,
    additionalProperties: false,
    minProperties: 1,
    properties: {
      shortcut: { type: 'string', pattern: CANNED_LIMITS.shortcutPattern, description: 'A slash and 1–31 letters, digits, _ or - (e.g. /frete); unique in the workspace, case-insensitively' },
      title: { type: 'string', minLength: 1, maxLength: CANNED_LIMITS.title },
      text: { type: 'string', minLength: 1, maxLength: CANNED_LIMITS.text, description: `With variables such as {{contact.name}}: ${CANNED_VARIABLES.join(', ')}` },
    },
  }) as const;
const NOT_FOUND = ['CONVERSA_ERR_NOT_FOUND'] as const;

/**
 * The agent's desk under `/app/api` (issue 11, docs/inbox.md): notes with @mentions, labels,
 * canned replies, the contact panel and the supervisor's board. Every route needs a signed-in
 * person; a conversation or contact the person may not see answers 404, like one that does not
 * exist.
 */
export function registerDeskRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'desk' | 'contacts'>): void {
  const desk: Desk = deps.desk;
  const anyone = app.requireUser();
  const staff = app.requireUser({ roles: [...STAFF] });

  // Notes and mentions.
  app.get<{ Params: { id: string }; Querystring: { limit?: number; cursor?: string } }>(
    '/conversations/:id/notes',
    {
      onRequest: anyone,
      schema: {
        tags: ['inbox'],
        summary: "A conversation's internal notes, oldest first",
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: MAX_NOTES_PAGE, default: 50 }, cursor: CURSOR } },
        response: responses({ 200: s.page(noteSchema), 404: [...NOT_FOUND] }),
      },
    },
    async (request, reply) => {
      const viewer = viewerOf(request);
      if (!(await desk.conversationFor(viewer, request.params.id))) return conversationNotFound(reply);
      const page = await desk.notes.list(viewer.workspaceId, request.params.id, { limit: request.query.limit ?? 50, cursor: request.query.cursor });
      if (!page.ok) return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'cursor: is not a cursor of this list', { field: 'cursor', rule: 'must be the next_cursor of the previous page' });
      return { data: page.data, next_cursor: page.next_cursor };
    },
  );

  app.post<{ Params: { id: string }; Body: { text: string } }>(
    '/conversations/:id/notes',
    {
      onRequest: anyone,
      schema: {
        tags: ['inbox'],
        summary: 'Write an internal note; @local.part or @[Name](usr_id) mentions people of the workspace',
        params: idParams,
        body: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string', minLength: 1, maxLength: MAX_NOTE_LENGTH } } },
        response: responses({ 201: noteSchema, 404: [...NOT_FOUND] }),
      },
    },
    async (request, reply) => {
      const viewer = viewerOf(request);
      if (request.body.text.trim() === '') return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'body.text: must not be blank', { field: 'body.text', rule: 'must not be blank' });
      if (!(await desk.conversationFor(viewer, request.params.id))) return conversationNotFound(reply);
      const note = await desk.notes.create({ workspaceId: viewer.workspaceId, conversationId: request.params.id, authorId: viewer.userId, text: request.body.text });
      return reply.code(201).send(note);
    },
  );

  app.get<{ Querystring: { unread?: boolean; limit?: number } }>(
    '/mentions',
    {
      onRequest: anyone,
      schema: {
        tags: ['inbox'],
        summary: 'Notes that mention me, newest first',
        querystring: { type: 'object', additionalProperties: false, properties: { unread: { type: 'boolean', default: false }, limit: { type: 'integer', minimum: 1, maximum: MAX_NOTES_PAGE, default: 50 } } },
        response: responses({ 200: s.list(s.object({ note: noteSchema, read_at: s.nullableDateTime })) }),
      },
    },
    async (request) => {
      const viewer = viewerOf(request);
      return { data: await desk.notes.mentionsOf(viewer.workspaceId, viewer.userId, { unread: request.query.unread ?? false, limit: request.query.limit ?? 50 }) };
    },
  );

  app.post<{ Body: { note_ids?: string[] } }>(
    '/mentions/read',
    {
      onRequest: anyone,
      schema: {
        tags: ['inbox'],
        summary: 'Mark my mentions read: those of note_ids, or all of them without it',
        body: { type: 'object', additionalProperties: false, properties: { note_ids: { type: 'array', items: ID, maxItems: 200 } } },
        response: responses({ 200: s.object({ marked: s.integer }) }),
      },
    },
    async (request) => {
      const viewer = viewerOf(request);
      return { marked: await desk.notes.markRead(viewer.workspaceId, viewer.userId, request.body?.note_ids ?? 'all') };
    },
  );

  // Labels.
  app.get<{ Params: { id: string } }>(
    '/conversations/:id/labels',
    { onRequest: anyone, schema: { tags: ['inbox'], summary: "A conversation's labels", params: idParams, response: responses({ 200: s.object({ labels: { type: 'array', items: s.string } }), 404: [...NOT_FOUND] }) } },
    async (request, reply) => {
      const viewer = viewerOf(request);
      if (!(await desk.conversationFor(viewer, request.params.id))) return conversationNotFound(reply);
      return { labels: await desk.labels.of(viewer.workspaceId, request.params.id) };
    },
  );

  app.put<{ Params: { id: string }; Body: { labels: string[] } }>(
    '/conversations/:id/labels',
    {
      onRequest: anyone,
      schema: {
        tags: ['inbox'],
        summary: "Replace a conversation's labels",
        description: `At most ${LABEL_LIMITS.perConversation}, each 1–${LABEL_LIMITS.length} characters after trimming, unique case-insensitively (the workspace's spelling wins).`,
        params: idParams,
        body: { type: 'object', required: ['labels'], additionalProperties: false, properties: { labels: { type: 'array', items: { type: 'string', maxLength: 200 }, maxItems: 100 } } },
        response: responses({ 200: s.object({ labels: { type: 'array', items: s.string } }), 404: [...NOT_FOUND] }),
      },
    },
    async (request, reply) => {
      const viewer = viewerOf(request);
      const checked = checkLabels(request.body.labels);
      if (!checked.ok) return sendError(reply, 'CONVERSA_ERR_VALIDATION', `body.${checked.field}: ${checked.rule}`, { field: `body.${checked.field}`, rule: checked.rule });
      if (!(await desk.conversationFor(viewer, request.params.id))) return conversationNotFound(reply);
      return { labels: await desk.labels.set(viewer.workspaceId, request.params.id, checked.labels, viewer.userId) };
    },
  );

  app.get(
    '/labels',
    { onRequest: anyone, schema: { tags: ['inbox'], summary: "The workspace's labels, each with how many conversations I may see carry it", response: responses({ 200: s.list(s.object({ label: s.string, count: s.integer })) }) } },
    async (request) => ({ data: await desk.labels.inWorkspace(viewerOf(request)) }),
  );

  // Canned replies.
  app.get(
    '/canned-replies',
    { onRequest: anyone, schema: { tags: ['inbox'], summary: "The workspace's canned replies, by shortcut", response: responses({ 200: { ...s.list(cannedSchema), properties: { data: { type: 'array', items: cannedSchema }, variables: { type: 'array', items: s.string } } } }) } },
    async (request) => ({ data: await desk.cannedReplies.list(viewerOf(request).workspaceId), variables: [...CANNED_VARIABLES] }),
  );

  app.get<{ Params: { id: string } }>(
    '/canned-replies/:id',
    { onRequest: anyone, schema: { tags: ['inbox'], summary: 'A canned reply', params: idParams, response: responses({ 200: cannedSchema, 404: [...NOT_FOUND] }) } },
    async (request, reply) => (await desk.cannedReplies.get(viewerOf(request).workspaceId, request.params.id)) ?? cannedNotFound(reply),
  );

  app.post<{ Body: { shortcut: string; title: string; text: string } }>(
    '/canned-replies',
    {
      onRequest: staff,
      schema: { tags: ['inbox'], summary: 'Create a canned reply (supervisors and admins)', body: cannedBody(['shortcut', 'title', 'text']), response: responses({ 201: cannedSchema, 409: ['CONVERSA_ERR_CONFLICT'], 422: ['CONVERSA_ERR_CANNED_VARIABLE'] }) },
    },
    async (request, reply) => {
      const viewer = viewerOf(request);
      const outcome = await desk.cannedReplies.create(viewer.workspaceId, request.body, viewer.userId);
      return outcome.ok ? reply.code(201).send(outcome.reply) : sendAppError(reply, outcome.error);
    },
  );

  app.patch<{ Params: { id: string }; Body: { shortcut?: string; title?: string; text?: string } }>(
    '/canned-replies/:id',
    {
      onRequest: staff,
      schema: { tags: ['inbox'], summary: 'Edit a canned reply (supervisors and admins)', params: idParams, body: cannedBody([]), response: responses({ 200: cannedSchema, 404: [...NOT_FOUND], 409: ['CONVERSA_ERR_CONFLICT'], 422: ['CONVERSA_ERR_CANNED_VARIABLE'] }) },
    },
    async (request, reply) => {
      const viewer = viewerOf(request);
      const outcome = await desk.cannedReplies.update(viewer.workspaceId, request.params.id, request.body, viewer.userId);
      return outcome.ok ? outcome.reply : sendAppError(reply, outcome.error);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/canned-replies/:id',
    { onRequest: staff, schema: { tags: ['inbox'], summary: 'Delete a canned reply (supervisors and admins)', params: idParams, response: responses({ 204: null, 404: [...NOT_FOUND] }) } },
    async (request, reply) => ((await desk.cannedReplies.delete(viewerOf(request).workspaceId, request.params.id)) ? reply.code(204).send() : cannedNotFound(reply)),
  );

  app.post<{ Params: { id: string }; Body: { conversation_id: string } }>(
    '/canned-replies/:id/render',
    {
      onRequest: anyone,
      schema: {
        tags: ['inbox'],
        summary: "A canned reply with its variables filled for a conversation (nothing is sent)",
        params: idParams,
        body: { type: 'object', required: ['conversation_id'], additionalProperties: false, properties: { conversation_id: ID } },
        response: responses({ 200: s.object({ text: s.string, missing: { type: 'array', items: s.string, description: 'Variables without a value here (rendered as empty)' } }), 404: [...NOT_FOUND] }),
      },
    },
    async (request, reply) => (await desk.render(viewerOf(request), request.params.id, request.body.conversation_id)) ?? sendError(reply, 'CONVERSA_ERR_NOT_FOUND', 'No such canned reply, or no conversation with this id that you may see.'),
  );

  // The contact panel.
  app.get<{ Params: { id: string }; Querystring: { conversation_id?: string } }>(
    '/contacts/:id/panel',
    {
      onRequest: anyone,
      schema: {
        tags: ['inbox'],
        summary: 'Everything known about a contact: attributes, tags, consent history, conversations, the bot\'s variables, form submissions',
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: { conversation_id: { ...ID, description: 'The conversation whose bot session to show (default: the most recent)' } } },
        response: responses({ 200: s.object({ contact: s.openObject, consent: { type: 'array', items: s.openObject }, conversations: { type: 'array', items: s.openObject }, bot: { type: ['object', 'null'] }, form_submissions: { type: 'array', items: s.openObject } }), 404: [...NOT_FOUND] }),
      },
    },
    async (request, reply) => (await desk.panel(viewerOf(request), request.params.id, request.query.conversation_id)) ?? contactNotFound(reply),
  );

  app.patch<{ Params: { id: string }; Body: { name?: string | null; attributes?: Record<string, string | null>; tags?: string[] } }>(
    '/contacts/:id',
    {
      onRequest: anyone,
      schema: {
        tags: ['inbox'],
        summary: "Edit a contact's name, attributes (merged; null removes one) and tags (replaced)",
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            name: { type: ['string', 'null'], maxLength: CONTACT_LIMITS.name },
            attributes: {
              type: 'object',
              maxProperties: CONTACT_LIMITS.attributes,
              propertyNames: { pattern: `^[A-Za-z0-9_.-]{1,${CONTACT_LIMITS.attributeKey}}$` },
              additionalProperties: { type: ['string', 'null'], maxLength: CONTACT_LIMITS.attributeValue },
            },
            tags: { type: 'array', maxItems: CONTACT_LIMITS.tags, items: { type: 'string', minLength: 1, maxLength: CONTACT_LIMITS.tag, pattern: '\\S' } },
          },
        },
        response: responses({ 200: s.openObject, 404: [...NOT_FOUND] }),
      },
    },
    async (request, reply) => {
      const viewer = viewerOf(request);
      if (!(await desk.contactFor(viewer, request.params.id))) return contactNotFound(reply);
      const body = request.body;
      const name = typeof body.name === 'string' ? body.name.trim() || null : body.name;
      const outcome = await deps.contacts.edit(viewer.workspaceId, request.params.id, {
        ...(name !== undefined ? { name } : {}),
        ...(body.attributes ? { attributes: body.attributes } : {}),
        ...(body.tags ? { tags: body.tags.map((tag) => tag.trim()) } : {}),
      });
      if (outcome.ok) return outcome.contact;
      if (outcome.reason === 'not_found') return contactNotFound(reply);
      const rule = `a contact holds at most ${CONTACT_LIMITS.attributes} attributes`;
      return sendError(reply, 'CONVERSA_ERR_VALIDATION', `body.attributes: ${rule}`, { field: 'body.attributes', rule });
    },
  );

  // The supervisor's board.
  app.get<{ Querystring: { time_zone?: string } }>(
    '/supervisor',
    {
      onRequest: staff,
      schema: {
        tags: ['inbox'],
        summary: 'Queues, agents and their load, conversations live, and today\'s first response and resolution times (supervisors and admins)',
        querystring: { type: 'object', additionalProperties: false, properties: { time_zone: { type: 'string', minLength: 1, maxLength: 64, description: 'The IANA zone whose "today" to count (default: UTC; workspaces have no zone of their own yet)' } } },
        response: responses({ 200: s.openObject }),
      },
    },
    async (request, reply) => {
      const zone = request.query.time_zone;
      if (zone !== undefined && !isTimeZone(zone)) return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'querystring.time_zone: must be an IANA time zone such as America/Sao_Paulo', { field: 'querystring.time_zone', rule: 'must be an IANA time zone' });
      return desk.boards.read(viewerOf(request).workspaceId, zone !== undefined ? { timeZone: zone, source: 'request' } : { timeZone: 'UTC', source: 'default' });
    },
  );
}

function conversationNotFound(reply: FastifyReply): FastifyReply {
  return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', 'No conversation with this id that you may see.');
}
function contactNotFound(reply: FastifyReply): FastifyReply {
  return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', 'No contact with this id that you may see.');
}
function cannedNotFound(reply: FastifyReply): FastifyReply {
  return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', 'No canned reply with this id in the workspace.');
}
