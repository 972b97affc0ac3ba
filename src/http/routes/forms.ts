import type { FastifyInstance, FastifyReply } from 'fastify';
import { EXPORT_CONTENT_TYPES, EXPORT_FORMATS, exportSubmissions, MAX_SUBMISSIONS_PAGE, MAX_SURVEY_PAGE, SURVEY_KINDS, type ExportFormat, type SubmissionFilter, type SurveyKind } from '../../modules/forms/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { responses, schemas as s, sendDownload } from '../responses.js';

const CURSOR = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'The next_cursor of the previous page' } as const;
const NAME = (description: string) => ({ type: 'string', minLength: 1, maxLength: 100, description }) as const;
const INSTANT_RULE = 'must be a date (2026-12-01, midnight UTC) or an ISO-8601 date-time with its offset (2026-12-01T09:00:00-03:00)';
const INSTANT = (description: string) => ({ type: 'string', minLength: 1, maxLength: 40, description: `${description}: a date (YYYY-MM-DD, midnight UTC) or an ISO-8601 date-time` }) as const;
const PERIOD = { since: INSTANT('From this time on (inclusive)'), until: INSTANT('Before this time (exclusive)') } as const;
const SUBMISSION_FILTERS = {
  form: NAME("The form's name in the flow"),
  flow: NAME("The flow's name"),
  contact_id: { type: 'string', minLength: 1, maxLength: 64, description: "The contact's id (ct_…)" },
  ...PERIOD,
} as const;

const contactSchema = s.object({ id: s.string, wa_id: s.string, name: s.nullableString }, 'The contact who answered');
const submissionSchema = s.object(
  {
    id: { type: 'string', description: 'fsub_…' },
    flow: { type: 'string', description: "The flow's name" },
    flow_version: { type: 'integer', description: 'The published version of the flow the conversation ran' },
    form: { type: 'string', description: "The form's name in the flow" },
    contact_id: s.string,
    contact: contactSchema,
    conversation_id: s.string,
    fields: { type: 'object', additionalProperties: true, description: 'Field name → value, as the flow collected them' },
    submitted_at: s.dateTime,
  },
  'A form submission',
);
const surveyStats = {
  count: s.integer,
  average: { type: ['number', 'null'], description: 'The mean score (two decimals)' },
  satisfied: { type: 'integer', description: 'CSAT: answers of 4 or 5' },
  satisfied_pct: { type: ['number', 'null'], description: 'CSAT: % of answers that are 4 or 5 (one decimal)' },
  promoters: { type: 'integer', description: 'NPS: answers of 9 or 10' },
  passives: { type: 'integer', description: 'NPS: answers of 7 or 8' },
  detractors: { type: 'integer', description: 'NPS: answers of 0 to 6' },
  promoters_pct: { type: ['number', 'null'] },
  detractors_pct: { type: ['number', 'null'] },
  nps: { type: ['number', 'null'], description: 'NPS: % promoters − % detractors, −100 to 100 (one decimal)' },
};
const surveyResponseSchema = s.object(
  {
    id: { type: 'string', description: 'srsp_…' },
    flow: s.string,
    kind: { type: 'string', enum: SURVEY_KINDS },
    score: { type: 'integer', description: 'CSAT 1–5, NPS 0–10' },
    comment: s.nullableString,
    contact_id: s.string,
    contact: contactSchema,
    conversation_id: s.string,
    agent: { type: ['string', 'null'], description: 'The agent the survey is about, when known' },
    queue: { type: ['string', 'null'], description: 'The queue the survey is about, when known' },
    answered_at: s.dateTime,
  },
  'A satisfaction survey answer',
);
const summarySchema = s.object(
  {
    kind: { type: 'string', enum: SURVEY_KINDS },
    since: s.nullableDateTime,
    until: s.nullableDateTime,
    total: s.object(surveyStats, 'Every answer of the period'),
    by_queue: { type: 'array', items: s.object({ queue: s.nullableString, ...surveyStats }), description: 'Per queue, most answers first (queue null: no queue)' },
    by_agent: { type: 'array', items: s.object({ agent: s.nullableString, ...surveyStats }), description: 'Per agent, most answers first (agent null: no agent)' },
  },
  'The answers of one kind summed up',
);

type SubmissionQuery = { form?: string; flow?: string; contact_id?: string; since?: string; until?: string };

/**
 * `GET /api/v1/forms/submissions` (list), `/forms/submissions/export` (CSV or XLSX, streamed),
 * `/forms/submissions/{id}`, `GET /api/v1/surveys/responses` and `/surveys/summary`. All need
 * the `forms:read` scope (admin implies it): submissions and comments are personal data.
 */
export function registerFormRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'formSubmissions' | 'surveyResponses' | 'clock' | 'logger'>): void {
  app.get<{ Querystring: SubmissionQuery & { limit?: number; cursor?: string } }>(
    '/forms/submissions',
    {
      onRequest: app.requireScope('forms:read'),
      schema: {
        tags: ['forms'],
        summary: 'Form submissions collected by chatbot flows, newest first',
        description: 'Filters combine (AND). Follow next_cursor to the end: each submission comes exactly once, also when new ones arrive during the walk.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...SUBMISSION_FILTERS, limit: { type: 'integer', minimum: 1, maximum: MAX_SUBMISSIONS_PAGE, default: 50 }, cursor: CURSOR },
        },
        response: responses({ 200: s.page(submissionSchema, 'A page of submissions, newest first') }),
      },
    },
    async (request, reply) => {
      const filter = submissionFilter(request.query, reply);
      if (!filter) return reply;
      const page = await deps.formSubmissions.list(principalOf(request).workspaceId, { ...filter, limit: request.query.limit ?? 50, cursor: request.query.cursor });
      if (!page.ok) return badCursor(reply);
      return { data: page.data, next_cursor: page.next_cursor };
    },
  );

  app.get<{ Querystring: SubmissionQuery & { format?: ExportFormat; delimiter?: ',' | ';' } }>(
    '/forms/submissions/export',
    {
      onRequest: app.requireScope('forms:read'),
      schema: {
        tags: ['forms'],
        summary: 'Export submissions as XLSX (one sheet per form) or CSV',
        description:
          'Streamed as it is read. Columns: submitted_at (a date cell, UTC), contact_wa_id, contact_name, flow, flow_version, then every field of the form in the order first seen (CSV: one file, a `form` column after submitted_at, the fields of every form). XLSX cells are typed: numbers, booleans, dates (YYYY-MM-DD) as such, objects as JSON text, text never as a formula. CSV: UTF-8 with a BOM, RFC 4180 quoting, text starting with = + - @ prefixed with an apostrophe. Holds the submissions stored before the request.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...SUBMISSION_FILTERS,
            format: { type: 'string', enum: EXPORT_FORMATS, default: 'xlsx' },
            delimiter: { type: 'string', enum: [',', ';'], default: ',', description: 'CSV only: `;` for spreadsheets set up for a decimal comma (pt-BR Excel)' },
          },
        },
        response: responses({ 200: s.file([EXPORT_CONTENT_TYPES.xlsx, 'text/csv'], 'The export: an XLSX workbook or a CSV file (UTF-8 with a BOM)') }),
      },
    },
    async (request, reply) => {
      const filter = submissionFilter(request.query, reply);
      if (!filter) return reply;
      const { workspaceId } = principalOf(request);
      const exported = await exportSubmissions(deps.formSubmissions, workspaceId, filter, {
        format: request.query.format ?? 'xlsx',
        delimiter: request.query.delimiter,
        now: deps.clock.now(),
        onError: (error) => request.log.error({ err: error, workspaceId }, 'form submissions export failed after it started'),
      });
      return sendDownload(reply, exported);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/forms/submissions/:id',
    {
      onRequest: app.requireScope('forms:read'),
      schema: {
        tags: ['forms'],
        summary: 'A form submission',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } },
        response: responses({ 200: submissionSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }),
      },
    },
    async (request, reply) => {
      const submission = await deps.formSubmissions.get(principalOf(request).workspaceId, request.params.id);
      return submission ?? sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No form submission ${request.params.id}.`);
    },
  );

  app.get<{ Querystring: { kind?: SurveyKind; queue?: string; agent?: string; since?: string; until?: string; limit?: number; cursor?: string } }>(
    '/surveys/responses',
    {
      onRequest: app.requireScope('forms:read'),
      schema: {
        tags: ['forms'],
        summary: 'Satisfaction survey answers (CSAT, NPS), newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: SURVEY_KINDS },
            queue: NAME('Answers about this queue'),
            agent: NAME('Answers about this agent'),
            ...PERIOD,
            limit: { type: 'integer', minimum: 1, maximum: MAX_SURVEY_PAGE, default: 50 },
            cursor: CURSOR,
          },
        },
        response: responses({ 200: s.page(surveyResponseSchema, 'A page of answers, newest first') }),
      },
    },
    async (request, reply) => {
      const period = periodOf(request.query, reply);
      if (!period) return reply;
      const { kind, queue, agent, limit, cursor } = request.query;
      const page = await deps.surveyResponses.list(principalOf(request).workspaceId, { ...period, kind, queue, agent, limit: limit ?? 50, cursor });
      if (!page.ok) return badCursor(reply);
      return { data: page.data, next_cursor: page.next_cursor };
    },
  );

  app.get<{ Querystring: { kind?: SurveyKind; since?: string; until?: string } }>(
    '/surveys/summary',
    {
      onRequest: app.requireScope('forms:read'),
      schema: {
        tags: ['forms'],
        summary: 'CSAT or NPS over a period, in total, by queue and by agent',
        description: 'CSAT: count, average and % satisfied (4–5). NPS: count, % promoters (9–10), % detractors (0–6) and NPS = % promoters − % detractors.',
        querystring: { type: 'object', additionalProperties: false, properties: { kind: { type: 'string', enum: SURVEY_KINDS, default: 'csat' }, ...PERIOD } },
        response: responses({ 200: summarySchema }),
      },
    },
    async (request, reply) => {
      const period = periodOf(request.query, reply);
      if (!period) return reply;
      const summary = await deps.surveyResponses.summary(principalOf(request).workspaceId, request.query.kind ?? 'csat', period);
      return { ...summary, since: period.since ?? null, until: period.until ?? null };
    },
  );
}

/** The list's and export's filters, or undefined after answering 400 for a bad time. */
function submissionFilter(query: SubmissionQuery, reply: FastifyReply): SubmissionFilter | undefined {
  const period = periodOf(query, reply);
  return period && { ...period, form: query.form, flow: query.flow, contactId: query.contact_id };
}

/** `since` and `until` as ISO-8601 UTC, or undefined after answering 400 naming the field. */
function periodOf(query: { since?: string; until?: string }, reply: FastifyReply): { since?: string; until?: string } | undefined {
  const period: { since?: string; until?: string } = {};
  for (const field of ['since', 'until'] as const) {
    const text = query[field];
    if (text === undefined) continue;
    const at = parseInstant(text);
    if (!at) {
      void sendError(reply, 'CONVERSA_ERR_VALIDATION', `querystring.${field}: ${INSTANT_RULE}`, { field: `querystring.${field}`, rule: INSTANT_RULE });
      return undefined;
    }
    period[field] = at;
  }
  if (period.since !== undefined && period.until !== undefined && period.until < period.since) {
    void sendError(reply, 'CONVERSA_ERR_VALIDATION', 'querystring.until: must not be before since', { field: 'querystring.until', rule: 'must not be before since' });
    return undefined;
  }
  return period;
}

/** `2026-12-01` (midnight UTC) or a date-time with its offset (`Z`, `-03:00`), as ISO-8601 UTC; undefined for anything else (a 31st of February too). */
export function parseInstant(text: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = match.slice(1).map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const calendar = new Date(Date.UTC(year as number, (month as number) - 1, day));
  if (calendar.getUTCMonth() !== (month as number) - 1 || calendar.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const ms = Date.parse(match[4] === undefined ? `${text}T00:00:00Z` : text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function badCursor(reply: FastifyReply) {
  return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'querystring.cursor: is not a cursor this API gave', { field: 'querystring.cursor', rule: 'must be the next_cursor of a previous page' });
}
