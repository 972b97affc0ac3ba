import { sql, type Kysely } from 'kysely';
import { decodeKeysetCursor, encodeKeysetCursor, newId, type Schema } from '../../db/index.js';
import { appError, type AppErrorValue } from '../../errors/index.js';
import type { ContactDirectory, FormEvents, PeriodFilter } from './ports.js';
import { checkComment, checkName, checkScore, type SurveyKind } from './submission-input.js';
import { summarise, type SurveyGroupCounts, type SurveySummary } from './survey-summary.js';

/** Longest page of `list` (and of `GET /api/v1/surveys/responses`). */
export const MAX_SURVEY_PAGE = 200;

/** A survey answer, as `SurveyResponses.record` takes it (the chatbot runtime calls it). */
export interface RecordSurveyInput {
  workspaceId: string;
  conversationId: string;
  contactId: string;
  flow: string;
  kind: SurveyKind;
  /** CSAT 1–5, NPS 0–10. */
  score: number;
  comment: string | null;
  /** Who the survey is about: the agent and queue that owned the conversation before it returned to the bot. */
  agent?: string | null;
  queue?: string | null;
  at: Date;
}

/** A survey answer as the API answers it. */
export interface SurveyResponseView {
  id: string;
  flow: string;
  kind: SurveyKind;
  score: number;
  comment: string | null;
  contact_id: string;
  contact: { id: string; wa_id: string; name: string | null };
  conversation_id: string;
  agent: string | null;
  queue: string | null;
  answered_at: string;
}

export type RecordSurveyOutcome = { ok: true; response: SurveyResponseView } | { ok: false; error: AppErrorValue<'CONVERSA_ERR_VALIDATION' | 'CONVERSA_ERR_NOT_FOUND'> };

export interface SurveyFilter extends PeriodFilter {
  kind?: SurveyKind | undefined;
  queue?: string | undefined;
  agent?: string | undefined;
}

/**
 * Satisfaction survey answers (CSAT 1–5, NPS 0–10, an optional comment), stored with a
 * `survey.answered` event in the caller's transaction; listed and summed up per workspace.
 */
export class SurveyResponses {
  constructor(private readonly deps: { db: Kysely<Schema>; events: FormEvents; contacts: ContactDirectory }) {}

  /**
   * Stores an answer and records `survey.answered` in `trx`. A refusal names the input's
   * field and rule (`score` out of the kind's range, a comment over 4,096 characters, a
   * contact of another workspace) and stores nothing.
   */
  async record(trx: Kysely<Schema>, input: RecordSurveyInput): Promise<RecordSurveyOutcome> {
    const refusal =
      checkName('flow', input.flow) ??
      checkScore(input.kind, input.score) ??
      (input.agent == null ? undefined : checkName('agent', input.agent)) ??
      (input.queue == null ? undefined : checkName('queue', input.queue));
    if (refusal) return { ok: false, error: appError('CONVERSA_ERR_VALIDATION', `${refusal.field}: ${refusal.rule}`, { field: refusal.field, rule: refusal.rule }) };
    const comment = checkComment(input.comment);
    if (!comment.ok) return { ok: false, error: appError('CONVERSA_ERR_VALIDATION', `${comment.field}: ${comment.rule}`, { field: comment.field, rule: comment.rule }) };
    const contact = await this.deps.contacts.get(input.workspaceId, input.contactId, trx);
    if (!contact) return { ok: false, error: appError('CONVERSA_ERR_NOT_FOUND', `contactId: no contact ${input.contactId} in this workspace.`, { field: 'contactId' }) };

    const response: SurveyResponseView = {
      id: newId('srsp'),
      flow: input.flow,
      kind: input.kind,
      score: input.score,
      comment: comment.comment,
      contact_id: contact.id,
      contact: { id: contact.id, wa_id: contact.wa_id, name: contact.name },
      conversation_id: input.conversationId,
      agent: input.agent ?? null,
      queue: input.queue ?? null,
      answered_at: input.at.toISOString(),
    };
    await trx
      .insertInto('survey_responses')
      .values({
        id: response.id,
        workspace_id: input.workspaceId,
        flow: response.flow,
        kind: response.kind,
        score: response.score,
        comment: response.comment,
        contact_id: contact.id,
        conversation_id: response.conversation_id,
        agent: response.agent,
        queue: response.queue,
        answered_at: response.answered_at,
      })
      .execute();
    await this.deps.events.record(trx, input.workspaceId, 'survey.answered', {
      id: response.id,
      flow: response.flow,
      kind: response.kind,
      score: response.score,
      comment: response.comment,
      contact: { id: contact.id, wa_id: contact.wa_id },
      conversation_id: response.conversation_id,
      agent: response.agent,
      queue: response.queue,
      answered_at: response.answered_at,
    });
    return { ok: true, response };
  }

  /** Newest first, by (answered_at, id), in keyset pages; `'bad_cursor'` for a cursor this server did not make. */
  async list(
    workspaceId: string,
    options: SurveyFilter & { limit: number; cursor?: string | undefined },
  ): Promise<{ ok: true; data: SurveyResponseView[]; next_cursor: string | null } | { ok: false; reason: 'bad_cursor' }> {
    const after = options.cursor === undefined ? undefined : decodeKeysetCursor(options.cursor);
    if (options.cursor !== undefined && !after) return { ok: false, reason: 'bad_cursor' };
    const limit = Math.min(Math.max(1, options.limit), MAX_SURVEY_PAGE);
    let query = this.deps.db
      .selectFrom('survey_responses as r')
      .innerJoin('contacts as c', 'c.id', 'r.contact_id')
      .selectAll('r')
      .select(['c.wa_id as contact_wa_id', 'c.name as contact_name'])
      .where('r.workspace_id', '=', workspaceId)
      .orderBy('r.answered_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(limit + 1);
    if (options.kind !== undefined) query = query.where('r.kind', '=', options.kind);
    if (options.queue !== undefined) query = query.where('r.queue', '=', options.queue);
    if (options.agent !== undefined) query = query.where('r.agent', '=', options.agent);
    if (options.since !== undefined) query = query.where('r.answered_at', '>=', options.since);
    if (options.until !== undefined) query = query.where('r.answered_at', '<', options.until);
    if (after) query = query.where((eb) => eb.or([eb('r.answered_at', '<', after.at), eb.and([eb('r.answered_at', '=', after.at), eb('r.id', '<', after.id)])]));
    const rows = await query.execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      ok: true,
      data: page.map((row) => ({
        id: row.id,
        flow: row.flow,
        kind: row.kind as SurveyKind,
        score: Number(row.score),
        comment: row.comment,
        contact_id: row.contact_id,
        contact: { id: row.contact_id, wa_id: row.contact_wa_id, name: row.contact_name },
        conversation_id: row.conversation_id,
        agent: row.agent,
        queue: row.queue,
        answered_at: row.answered_at,
      })),
      next_cursor: rows.length > limit && last ? encodeKeysetCursor(last.answered_at, last.id) : null,
    };
  }

  /**
   * The answers of one kind over a period, in total and by queue and by agent: their count,
   * and for CSAT the average and the share satisfied (4–5), for NPS the shares of promoters
   * (9–10), passives and detractors (0–6) and the score (% promoters − % detractors).
   * Three grouped counts; the arithmetic is `summarise` (./survey-summary.ts).
   */
  async summary(workspaceId: string, kind: SurveyKind, period: PeriodFilter = {}): Promise<SurveySummary> {
    const counts = async (by: 'queue' | 'agent' | null): Promise<Array<SurveyGroupCounts & { key: string | null }>> => {
      let query = this.deps.db
        .selectFrom('survey_responses')
        .select((eb) => [
          by === null ? sql<null>`null`.as('key') : eb.ref(by).as('key'),
          eb.fn.countAll<number | string>().as('count'),
          eb.fn.sum<number | string | null>('score').as('score_sum'),
          sql<number | string | null>`sum(case when score >= ${kind === 'csat' ? 4 : 9} then 1 else 0 end)`.as('high'),
          sql<number | string | null>`sum(case when score <= ${kind === 'csat' ? 2 : 6} then 1 else 0 end)`.as('low'),
        ])
        .where('workspace_id', '=', workspaceId)
        .where('kind', '=', kind);
      if (period.since !== undefined) query = query.where('answered_at', '>=', period.since);
      if (period.until !== undefined) query = query.where('answered_at', '<', period.until);
      if (by !== null) query = query.groupBy(by);
      const rows = await query.execute();
      return rows
        .map((row) => ({ key: row.key, count: Number(row.count), scoreSum: Number(row.score_sum ?? 0), high: Number(row.high ?? 0), low: Number(row.low ?? 0) }))
        .filter((row) => row.count > 0);
    };
    const [total, byQueue, byAgent] = [await counts(null), await counts('queue'), await counts('agent')];
    return summarise(kind, total[0] ?? { count: 0, scoreSum: 0, high: 0, low: 0 }, byQueue, byAgent);
  }
}
