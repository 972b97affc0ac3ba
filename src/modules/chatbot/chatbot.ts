import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../clock/index.js';
import { prepared, type BotSessionsTable, type Schema } from '../../db/index.js';
import { newId } from '../../db/ids.js';
import { appError, type AppErrorValue } from '../../errors/index.js';
import type { InboundContext, InboundNumber, InboundRouter } from '../inbound/index.js';
import type { MessageEventPayload, MessageType } from '../../whatsapp/index.js';
import type { SendOutcome, TransactionalSend } from '../messaging/index.js';
import type { Trigger } from './document/types.js';
import type { CompiledVersion, Flows } from './flows.js';
import type { CustomerMessage, EffectResult, EngineEvent, EngineOutput, RunEngine, SessionState } from './engine/types.js';

/** What the chatbot asks of the conversations module (ownership, issue 10's state machine). */
export interface OwnershipPort {
  handoff(trx: Kysely<Schema>, input: { workspaceId: string; conversationId: string; queue: string; reason: string; summary: Record<string, unknown> }): Promise<{ ok: true } | { ok: false; message: string }>;
}

/** Where forms and surveys a flow collects are kept (the forms module). */
export interface CollectedPort {
  submitForm(trx: Kysely<Schema>, input: { workspaceId: string; flow: string; flowVersion: number; form: string; contactId: string; conversationId: string; fields: Record<string, unknown>; at: Date }): Promise<{ ok: true } | { ok: false; message: string }>;
  recordSurvey(trx: Kysely<Schema>, input: { workspaceId: string; flow: string; conversationId: string; contactId: string; kind: 'csat' | 'nps'; score: number; comment: string | null; agent: string | null; queue: string | null; at: Date }): Promise<{ ok: true } | { ok: false; message: string }>;
}

export interface ChatbotDeps {
  db: Kysely<Schema>;
  flows: Flows;
  engine: RunEngine;
  clock: Clock;
  logger: Logger;
  ownership: OwnershipPort;
  collected: CollectedPort;
  /** Queues a message through the send policy inside `trx` (SendService.queueInTransaction). */
  queue: (trx: Kysely<Schema>, input: TransactionalSend & { idempotencyKey: string }) => Promise<SendOutcome>;
  /** Something was queued: wake the dispatcher (after the commit). */
  queued: () => void;
  /** A bot task (HTTP call, wait) was stored: wake its worker (after the commit). */
  tasksStored: () => void;
  /**
   * Blue ticks on the customer's message: recorded in `trx`; the returned function tells the
   * provider after the commit (best effort).
   */
  markRead: (trx: Kysely<Schema>, message: { id: string; conversationId: string; phoneNumberRowId: string; wamid: string; createdAt: string }) => Promise<() => Promise<void>>;
}

/** Where one engine run happens: the conversation, its contact and number, in a transaction. */
interface Place {
  trx: Kysely<Schema>;
  workspaceId: string;
  number: { id: string; waba_id: string; provider: string; phone_number_id: string };
  conversation: Schema['conversations'] extends infer T ? { [K in keyof T]: T[K] } : never;
  contact: { id: string; wa_id: string; phone: string; name: string | null; language: string | null; attributes: Record<string, unknown> };
  /** Prefix of the idempotency keys of what this run sends (unique per cause). */
  cause: string;
}

interface SessionRow {
  conversation_id: string;
  version_id: string;
  state: string;
  rev: number;
  expires_at: string;
}

// The bot's reads and writes for every customer message: built once (src/db/prepared.ts).
// The conversation and its contact in one round trip.
const conversationWithContact = prepared((db: Kysely<Schema>, p: { conversationId: string; workspaceId: string }) =>
  db
    .selectFrom('conversations as cv')
    .innerJoin('contacts as ct', (join) => join.onRef('ct.id', '=', 'cv.contact_id').onRef('ct.workspace_id', '=', 'cv.workspace_id'))
    .selectAll('cv')
    .select(['ct.wa_id as contact_wa_id', 'ct.e164 as contact_e164', 'ct.name as contact_name', 'ct.language as contact_language', 'ct.attributes as contact_attributes'])
    .where('cv.id', '=', p.conversationId)
    .where('cv.workspace_id', '=', p.workspaceId),
);
const sessionOf = prepared((db: Kysely<Schema>, p: { conversationId: string }) => db.selectFrom('bot_sessions').select(['conversation_id', 'version_id', 'state', 'rev', 'expires_at']).where('conversation_id', '=', p.conversationId));
// Compare-and-set on the session's revision, so two writers never both win.
const updateSession = prepared((db: Kysely<Schema>, p: { state: string; rev: number; expiresAt: string; versionId: string; flowId: string; at: string; conversationId: string }) =>
  db
    .updateTable('bot_sessions')
    .set((eb) => ({ state: p.state, rev: eb('rev', '+', 1), expires_at: p.expiresAt, version_id: p.versionId, flow_id: p.flowId, updated_at: p.at, claimed_until: null }))
    .where('conversation_id', '=', p.conversationId)
    .where('rev', '=', p.rev),
);
const insertSession = prepared((db: Kysely<Schema>, row: BotSessionsTable) => db.insertInto('bot_sessions').values(row));
const deleteSession = prepared((db: Kysely<Schema>, p: { conversationId: string; rev: number }) => db.deleteFrom('bot_sessions').where('conversation_id', '=', p.conversationId).where('rev', '=', p.rev));

/** At most this many flows chained by `goto: {flow}` in one run (a loop between flows stops). */
const MAX_CHAIN = 5;
const WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Runs chatbot flows in conversations. Registered on the inbound router after messaging: each
 * new customer message of a bot-owned conversation is answered inside the inbound batch's
 * transaction — the session's state, the queued answers (through the send policy, each with
 * an idempotency key derived from its cause), the tasks for effects (HTTP calls, waits) and the
 * handoff all commit with the event's "processed" mark, or none does. So a crash repeats the
 * event and the answer, never doubles or drops it, and one conversation's messages are answered
 * in arrival order. A person owning the conversation silences the bot.
 */
export class Chatbot {
  #afterCommit: Array<() => Promise<void>> = [];
  readonly #wabas = new Map<string, string>();

  constructor(private readonly deps: ChatbotDeps) {}

  register(router: InboundRouter): void {
    router.on('message', (event, context) => this.onMessage(event.payload, context));
  }

  /**
   * After a commit (the processor's batch, a task's result, an API run): wakes the dispatcher
   * and the task worker for what it stored, and tells the provider of the blue ticks it recorded.
   */
  committed(): void {
    if (this.#pendingQueued) {
      this.#pendingQueued = false;
      this.deps.queued();
    }
    if (this.#pendingTasks) {
      this.#pendingTasks = false;
      this.deps.tasksStored();
    }
    const work = this.#afterCommit;
    this.#afterCommit = [];
    for (const task of work) task().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'chatbot: after-commit work failed'));
  }

  async onMessage(payload: MessageEventPayload, context: InboundContext): Promise<void> {
    const facts = context.stored.message;
    // Opt-in and opt-out keywords were answered by messaging and keep priority over any flow.
    // No bot answers in a group.
    if (!facts || facts.consentKeyword || facts.groupId || !context.number) return;
    const { trx, workspaceId } = context;
    const joined = await conversationWithContact.first(trx, { conversationId: facts.conversationId, workspaceId });
    if (!joined || joined.owner_type !== 'bot') return;
    const { contact_wa_id, contact_e164, contact_name, contact_language, contact_attributes, ...conversation } = joined;
    const contact = { id: conversation.contact_id, wa_id: contact_wa_id, e164: contact_e164, name: contact_name, language: contact_language, attributes: contact_attributes };
    const place = await this.#place(trx, workspaceId, context.number, conversation, `bot:${facts.id}`, contact);
    if (!place) return;
    const message = customerMessage(payload);
    const now = this.deps.clock.forNumber(context.number);
    let session = await this.#session(trx, conversation.id);
    if (session && session.expires_at <= now.toISOString()) {
      await this.#run(place, session, { type: 'timeout' }, now);
      session = await this.#session(trx, conversation.id);
    }
    let ran = false;
    if (session) {
      await this.#run(place, session, { type: 'message', message }, now);
      ran = true;
    } else {
      const live = await this.deps.flows.live(context.number.id, trx);
      const match = await pickFlow(live, message, { referral: payload.message.referral, contactCreated: facts.contactCreated });
      if (match) {
        await this.#start(place, match, { type: 'start', message }, now);
        ran = true;
      }
    }
    if (ran) this.#afterCommit.push(await this.deps.markRead(trx, { id: facts.id, conversationId: conversation.id, phoneNumberRowId: context.number.id, wamid: facts.wamid, createdAt: facts.at.toISOString() }));
  }

  /**
   * Starts a flow for a contact (`POST /api/v1/flows/{id}/runs`): the version live on the
   * number; refused when a person owns the conversation or a session runs (unless `replace`).
   */
  async startRun(input: {
    workspaceId: string;
    flowId: string;
    number: { id: string; waba_id: string; provider: string; phone_number_id: string };
    contactId: string;
    conversationId: string;
    vars: Record<string, unknown>;
    replace: boolean;
  }): Promise<{ ok: true; run: RunView } | { ok: false; error: AppErrorValue }> {
    const runId = newId('run');
    const result = await this.deps.db.transaction().execute(async (trx) => {
      const conversation = await trx.selectFrom('conversations').selectAll().where('id', '=', input.conversationId).where('workspace_id', '=', input.workspaceId).executeTakeFirstOrThrow();
      if (conversation.owner_type !== 'bot') {
        return { ok: false as const, error: appError('CONVERSA_ERR_CONVERSATION_BUSY', `A ${conversation.owner_type} owns conversation ${conversation.id}: the bot is silent until it is resolved.`, { field: 'to', rule: 'the conversation must be owned by the bot', owner: { type: conversation.owner_type, id: conversation.owner_id } }) };
      }
      const live = (await this.deps.flows.live(input.number.id, trx)).find((v) => v.flowId === input.flowId);
      if (!live) return { ok: false as const, error: appError('CONVERSA_ERR_FLOW_NOT_PUBLISHED', `The flow is not live on phone number ${input.number.id}.`, { field: 'phone_number_id', rule: 'the flow must be published on this number' }, `POST /api/v1/flows/${input.flowId}/publish {"phone_number_id": "${input.number.id}"} first.`) };
      const existing = await this.#session(trx, conversation.id);
      if (existing && !input.replace) {
        return { ok: false as const, error: appError('CONVERSA_ERR_CONVERSATION_BUSY', `Conversation ${conversation.id} is in a flow already.`, { field: 'replace', rule: 'set replace: true to end the running session and start this flow' }) };
      }
      const place = await this.#place(trx, input.workspaceId, input.number, conversation, `bot:${runId}`);
      if (!place) throw new Error('contact of the conversation not found');
      if (existing) await trx.deleteFrom('bot_sessions').where('conversation_id', '=', conversation.id).execute();
      const now = this.deps.clock.forNumber(input.number);
      const outcome = await this.#start(place, live, { type: 'start', vars: input.vars }, now);
      const session = await this.#session(trx, conversation.id);
      return {
        ok: true as const,
        run: {
          id: runId,
          flow: live.name,
          version: live.version,
          conversation_id: conversation.id,
          messages: outcome.queued,
          refused: outcome.refused,
          waiting: session ? ((JSON.parse(session.state) as SessionState).waiting?.step ?? null) : null,
          ended: session === undefined,
        },
      };
    });
    if (result.ok) this.committed();
    return result;
  }

  /**
   * A person resolved the conversation asking for the survey: the live flow with a `resolved`
   * trigger on its number starts, in the resolve's transaction, knowing who resolved it
   * (`vars.resolved_by`: the agent and queue), so its survey answer is kept against them.
   */
  async onResolved(trx: Kysely<Schema>, input: { workspaceId: string; conversationId: string; survey: boolean; agent: string | null; queue: string | null }): Promise<void> {
    if (!input.survey) return;
    const conversation = await trx.selectFrom('conversations').selectAll().where('id', '=', input.conversationId).where('workspace_id', '=', input.workspaceId).executeTakeFirst();
    if (!conversation || conversation.owner_type !== 'bot') return;
    const number = await trx.selectFrom('phone_numbers').select(['id', 'waba_id', 'provider', 'phone_number_id']).where('id', '=', conversation.phone_number_id).executeTakeFirst();
    if (!number) return;
    const flow = (await this.deps.flows.live(number.id, trx)).find((v) => v.document.triggers.some((t) => t.type === 'resolved'));
    if (!flow) return;
    const place = await this.#place(trx, input.workspaceId, number, conversation, `bot:resolved:${conversation.id}:${this.deps.clock.now().getTime()}`);
    if (!place) return;
    const existing = await this.#session(trx, conversation.id);
    if (existing) await trx.deleteFrom('bot_sessions').where('conversation_id', '=', conversation.id).execute();
    await this.#start(place, flow, { type: 'start', vars: { resolved_by: { agent: input.agent, queue: input.queue } } }, this.deps.clock.forNumber(number));
  }

  /** A person took the conversation (handoff by the API, assign): the bot's session ends, silently. */
  async onTakenOver(trx: Kysely<Schema>, input: { workspaceId: string; conversationId: string; owner: string }): Promise<void> {
    const session = await trx.selectFrom('bot_sessions as s').innerJoin('flow_versions as v', 'v.id', 's.version_id').innerJoin('flows as f', 'f.id', 's.flow_id').select(['f.name', 'v.version']).where('s.conversation_id', '=', input.conversationId).where('s.workspace_id', '=', input.workspaceId).executeTakeFirst();
    if (!session) return;
    await trx.deleteFrom('bot_sessions').where('conversation_id', '=', input.conversationId).execute();
    await trx
      .insertInto('bot_log')
      .values({ id: newId('blog'), workspace_id: input.workspaceId, conversation_id: input.conversationId, flow: session.name, version: Number(session.version), step: null, level: 'info', message: `session ended: the conversation went to ${input.owner}`, created_at: this.deps.clock.now().toISOString() })
      .execute();
  }

  /** An effect's result (HTTP answer, elapsed wait) resumes the conversation's session. */
  async resume(task: { id: string; workspace_id: string; conversation_id: string; effect_id: string }, result: EffectResult, trx: Kysely<Schema>): Promise<void> {
    const session = await this.#session(trx, task.conversation_id);
    if (!session) return;
    const conversation = await trx.selectFrom('conversations').selectAll().where('id', '=', task.conversation_id).executeTakeFirst();
    if (!conversation || conversation.owner_type !== 'bot') return;
    const number = await trx.selectFrom('phone_numbers').select(['id', 'waba_id', 'provider', 'phone_number_id']).where('id', '=', conversation.phone_number_id).executeTakeFirst();
    if (!number) return;
    const place = await this.#place(trx, task.workspace_id, number, conversation, `bot:${task.id}`);
    if (!place) return;
    await this.#run(place, session, { type: 'effect_result', effect_id: task.effect_id, result }, this.deps.clock.forNumber(number));
  }

  /** Ends a session whose idle time ran out (the timeout sweep). */
  async expire(conversationId: string, trx: Kysely<Schema>): Promise<void> {
    const session = await this.#session(trx, conversationId);
    if (!session) return;
    const conversation = await trx.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirst();
    const number = conversation ? await trx.selectFrom('phone_numbers').select(['id', 'waba_id', 'provider', 'phone_number_id']).where('id', '=', conversation.phone_number_id).executeTakeFirst() : undefined;
    if (!conversation || !number) return;
    const now = this.deps.clock.forNumber(number);
    if (session.expires_at > now.toISOString()) return;
    const place = await this.#place(trx, conversation.workspace_id, number, conversation, `bot:timeout:${session.conversation_id}:${session.rev}`);
    if (!place) return;
    await this.#run(place, session, { type: 'timeout' }, now);
  }

  /** The bot's part of a conversation (its running session and its log), for the API and the inbox. */
  async botView(workspaceId: string, conversationId: string): Promise<BotView | undefined> {
    const conversation = await this.deps.db.selectFrom('conversations').select('id').where('id', '=', conversationId).where('workspace_id', '=', workspaceId).executeTakeFirst();
    if (!conversation) return undefined;
    const row = await this.deps.db
      .selectFrom('bot_sessions as s')
      .innerJoin('flow_versions as v', 'v.id', 's.version_id')
      .innerJoin('flows as f', 'f.id', 's.flow_id')
      .select(['s.state', 's.expires_at', 'f.name', 'v.version'])
      .where('s.conversation_id', '=', conversationId)
      .where('s.workspace_id', '=', workspaceId)
      .executeTakeFirst();
    const state = row ? (JSON.parse(row.state) as SessionState) : undefined;
    const log = await this.deps.db
      .selectFrom('bot_log')
      .select(['flow', 'version', 'step', 'level', 'message', 'created_at'])
      .where('conversation_id', '=', conversationId)
      .where('workspace_id', '=', workspaceId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(100)
      .execute();
    return {
      session: row && state ? { flow: row.name, version: Number(row.version), waiting: state.waiting?.step ?? null, vars: state.vars, expires_at: row.expires_at, started_at: state.started_at } : null,
      log: log.reverse().map((line) => ({ ...line, version: Number(line.version) })),
    };
  }

  #pendingQueued = false;
  #pendingTasks = false;

  async #place(
    trx: Kysely<Schema>,
    workspaceId: string,
    number: Pick<InboundNumber, 'id' | 'provider' | 'phone_number_id'> & { waba_id?: string },
    conversation: Place['conversation'],
    cause: string,
    /** The conversation's contact, when the caller read it already. */
    known?: Pick<Schema['contacts'], 'id' | 'wa_id' | 'e164' | 'name' | 'language' | 'attributes'>,
  ): Promise<Place | undefined> {
    const contact = known ?? (await trx.selectFrom('contacts').select(['id', 'wa_id', 'e164', 'name', 'language', 'attributes']).where('id', '=', conversation.contact_id).where('workspace_id', '=', workspaceId).executeTakeFirst());
    if (!contact) return undefined;
    // A number's WABA never changes: read once per process.
    let wabaId = number.waba_id ?? this.#wabas.get(number.id);
    if (wabaId === undefined) {
      wabaId = (await trx.selectFrom('phone_numbers').select('waba_id').where('id', '=', number.id).executeTakeFirstOrThrow()).waba_id;
      this.#wabas.set(number.id, wabaId);
    }
    return {
      trx,
      workspaceId,
      number: { id: number.id, waba_id: wabaId, provider: number.provider, phone_number_id: number.phone_number_id },
      conversation,
      contact: { id: contact.id, wa_id: contact.wa_id, phone: contact.e164, name: contact.name, language: contact.language, attributes: safeJson(contact.attributes) },
      cause,
    };
  }

  async #session(trx: Kysely<Schema>, conversationId: string): Promise<SessionRow | undefined> {
    const row = await sessionOf.first(trx, { conversationId });
    return row ? { ...row, rev: Number(row.rev) } : undefined;
  }

  async #start(place: Place, version: CompiledVersion, event: EngineEvent, now: Date, chain = 0): Promise<{ queued: string[]; refused: Array<{ code: string; message: string }> }> {
    const output = await this.deps.engine(version.document, null, event, this.#context(place, version, now));
    return this.#apply(place, version, undefined, output, now, chain, event.type === 'start' ? (event.vars ?? {}) : {});
  }

  async #run(place: Place, session: SessionRow, event: EngineEvent, now: Date): Promise<void> {
    const version = await this.deps.flows.compiled(session.version_id, place.trx);
    const state = JSON.parse(session.state) as SessionState;
    const output = await this.deps.engine(version.document, state, event, this.#context(place, version, now));
    await this.#apply(place, version, session, output, now, 0, state.vars);
  }

  #context(place: Place, version: CompiledVersion, now: Date) {
    const lastInbound = place.conversation.last_inbound_at ? Date.parse(place.conversation.last_inbound_at) : null;
    return {
      now,
      ...(version.classify ? { classify: version.classify } : {}),
      ...(version.search ? { search: version.search } : {}),
      contact: { wa_id: place.contact.wa_id, name: place.contact.name, language: place.contact.language, attributes: place.contact.attributes },
      windowOpen: lastInbound !== null && now.getTime() - lastInbound <= WINDOW_MS,
    };
  }

  /** Stores what one engine run produced, in the run's transaction. */
  async #apply(place: Place, version: CompiledVersion, session: SessionRow | undefined, output: EngineOutput, now: Date, chain: number, before: Record<string, unknown>): Promise<{ queued: string[]; refused: Array<{ code: string; message: string }> }> {
    const { trx, workspaceId, conversation } = place;
    const at = now.toISOString();
    const queued: string[] = [];
    const refused: Array<{ code: string; message: string }> = [];
    // The history keeps what a person reading it needs: warnings (a refusal, a failed call, a
    // give-up), session ends and handoffs; the engine's routine lines are not stored.
    const logs: Array<{ level: string; step: string | null; message: string }> = output.log.filter((line) => line.level === 'warn').slice(0, 20).map((line) => ({ level: line.level, step: line.step, message: line.message }));
    const cause = `${place.cause}:${version.versionId.slice(-8)}:${chain}`;
    for (const [index, message] of output.messages.entries()) {
      const { type, ...rest } = message;
      const content = (rest as Record<string, unknown>)[type] ?? rest;
      const sent = await this.deps.queue(trx, { workspaceId, number: place.number, conversationId: conversation.id, contact: place.contact, type: type as MessageType, content, idempotencyKey: `${cause}:${index}`, window: conversation });
      if (sent.ok) {
        queued.push(sent.message.id);
        this.#pendingQueued = true;
      } else {
        // The flow cannot say this (window closed, bad content): the history says why.
        refused.push({ code: sent.error.code, message: sent.error.message ?? '' });
        logs.push({ level: 'warn', step: output.state?.waiting?.step ?? null, message: `not sent (${sent.error.code}): ${sent.error.message ?? ''}` });
      }
    }
    // The session first (a handoff below ends it as the person takes over): compare-and-set on its revision, so two writers never both win.
    if (output.state) {
      const state = JSON.stringify(output.state);
      if (session) {
        const updated = await updateSession.affected(trx, { state, rev: session.rev, expiresAt: output.state.expires_at, versionId: version.versionId, flowId: version.flowId, at, conversationId: conversation.id });
        if (updated !== 1) throw new Error(`bot session of ${conversation.id} changed concurrently`);
      } else {
        await insertSession.run(trx, { conversation_id: conversation.id, workspace_id: workspaceId, flow_id: version.flowId, version_id: version.versionId, state, rev: 1, expires_at: output.state.expires_at, claimed_until: null, created_at: at, updated_at: at });
      }
    } else if (session) {
      const removed = await deleteSession.affected(trx, { conversationId: conversation.id, rev: session.rev });
      if (removed !== 1) throw new Error(`bot session of ${conversation.id} changed concurrently`);
    }
    let next: { version: CompiledVersion } | undefined;
    for (const effect of output.effects) {
      if (effect.type === 'http' || effect.type === 'wait') {
        await trx
          .insertInto('bot_tasks')
          .values({
            id: newId('btask'),
            workspace_id: workspaceId,
            conversation_id: conversation.id,
            kind: effect.type,
            effect_id: effect.id,
            payload: JSON.stringify(effect),
            due_at: effect.type === 'wait' ? effect.until : at,
            claimed_until: null,
            attempts: 0,
            done_at: null,
            last_error: null,
            created_at: at,
          })
          .execute();
        this.#pendingTasks = true;
      } else if (effect.type === 'handoff') {
        const handed = await this.deps.ownership.handoff(trx, { workspaceId, conversationId: conversation.id, queue: effect.queue, reason: effect.reason, summary: { flow: version.name, version: version.version, ...effect.summary } });
        logs.push(handed.ok ? { level: 'info', step: null, message: `handed off to queue ${effect.queue} (${effect.reason})` } : { level: 'warn', step: null, message: `handoff to ${effect.queue} refused: ${handed.message}` });
      } else if (effect.type === 'form') {
        const saved = await this.deps.collected.submitForm(trx, { workspaceId, flow: version.name, flowVersion: version.version, form: effect.form, contactId: place.contact.id, conversationId: conversation.id, fields: effect.fields, at: now });
        if (!saved.ok) logs.push({ level: 'warn', step: null, message: `form "${effect.form}" not saved: ${saved.message}` });
      } else if (effect.type === 'survey') {
        const by = ((output.state?.vars ?? before).resolved_by ?? {}) as { agent?: unknown; queue?: unknown };
        const saved = await this.deps.collected.recordSurvey(trx, {
          workspaceId,
          flow: version.name,
          conversationId: conversation.id,
          contactId: place.contact.id,
          kind: effect.kind,
          score: effect.score,
          comment: effect.comment,
          agent: typeof by.agent === 'string' ? by.agent : null,
          queue: typeof by.queue === 'string' ? by.queue : null,
          at: now,
        });
        if (!saved.ok) logs.push({ level: 'warn', step: null, message: `survey answer not saved: ${saved.message}` });
      } else if (effect.type === 'start_flow') {
        const target = (await this.deps.flows.live(place.number.id, trx)).find((v) => v.name === effect.flow);
        if (!target) logs.push({ level: 'warn', step: null, message: `flow "${effect.flow}" is not live on this number; the conversation stays without a flow` });
        else if (chain + 1 >= MAX_CHAIN) logs.push({ level: 'warn', step: null, message: `flow "${effect.flow}" not started: ${MAX_CHAIN} flows chained in one turn` });
        else next = { version: target };
      } else if (effect.type === 'ended') {
        logs.push({ level: 'info', step: null, message: `session ended (${effect.reason})` });
      }
    }
    if (logs.length > 0) {
      await trx
        .insertInto('bot_log')
        .values(logs.map((line, index) => ({ id: `${newId('blog')}${index}`, workspace_id: workspaceId, conversation_id: conversation.id, flow: version.name, version: version.version, step: line.step, level: line.level, message: line.message.slice(0, 1000), created_at: at })))
        .execute();
    }
    if (next) {
      const more = await this.#start(place, next.version, { type: 'start' }, now, chain + 1);
      return { queued: [...queued, ...more.queued], refused: [...refused, ...more.refused] };
    }
    return { queued, refused };
  }
}

export interface BotView {
  session: { flow: string; version: number; waiting: string | null; vars: Record<string, unknown>; expires_at: string; started_at: string } | null;
  log: Array<{ flow: string; version: number; step: string | null; level: string; message: string; created_at: string }>;
}

export interface RunView {
  id: string;
  flow: string;
  version: number;
  conversation_id: string;
  /** Our ids of the messages the run queued. */
  messages: string[];
  /** What the flow tried to send and the policy refused (e.g. free text with the window closed). */
  refused: Array<{ code: string; message: string }>;
  /** The step now waiting (for the customer, an HTTP call or a timer); null when it ended. */
  waiting: string | null;
  ended: boolean;
}

/** The customer's message as a flow sees it. */
export function customerMessage(payload: MessageEventPayload): CustomerMessage {
  const message = payload.message as unknown as Record<string, unknown> & { type: string; id: string };
  const id = message.id;
  const part = (message[message.type] ?? {}) as Record<string, unknown>;
  switch (message.type) {
    case 'text':
      return { kind: 'text', text: String(part.body ?? ''), message_id: id };
    case 'interactive': {
      const reply = (part.button_reply ?? part.list_reply) as { id?: unknown; title?: unknown } | undefined;
      if (reply) return { kind: 'reply', id: String(reply.id ?? ''), title: String(reply.title ?? ''), message_id: id };
      return { kind: 'other', type: `interactive:${String(part.type ?? '')}`, message_id: id };
    }
    case 'button':
      return { kind: 'reply', id: String(part.payload ?? part.text ?? ''), title: String(part.text ?? ''), message_id: id };
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      return { kind: 'media', media_type: message.type, media_id: String(part.id ?? ''), ...(typeof part.caption === 'string' ? { caption: part.caption } : {}), message_id: id };
    case 'location':
      return {
        kind: 'location',
        latitude: Number(part.latitude),
        longitude: Number(part.longitude),
        ...(typeof part.name === 'string' ? { name: part.name } : {}),
        ...(typeof part.address === 'string' ? { address: part.address } : {}),
        message_id: id,
      };
    default:
      return { kind: 'other', type: message.type, message_id: id };
  }
}

/** Case, accents and surrounding spaces folded: how keywords are compared. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim().replace(/\s+/g, ' ');
}

/**
 * Which live flow a message without a session starts, by trigger priority: a first open of the
 * chat (`request_welcome`) for a welcome trigger, a button or list payload, a click-to-WhatsApp ad, a keyword, a pattern, an intent (the best score above each
 * flow's threshold), a new contact, any message. Flows are tried in name order within a kind.
 */
export async function pickFlow(live: readonly CompiledVersion[], message: CustomerMessage, facts: { referral?: unknown; contactCreated: boolean }): Promise<CompiledVersion | undefined> {
  const has = <T extends Trigger['type']>(version: CompiledVersion, type: T) => version.document.triggers.filter((t): t is Extract<Trigger, { type: T }> => t.type === type);
  const text = message.kind === 'text' ? message.text : message.kind === 'reply' ? message.title : message.kind === 'media' ? (message.caption ?? '') : '';
  if (message.kind === 'other' && message.type === 'request_welcome') {
    const byWelcome = live.find((v) => has(v, 'welcome').length > 0);
    if (byWelcome) return byWelcome;
  }
  if (message.kind === 'reply') {
    const byPayload = live.find((v) => has(v, 'payload').some((t) => t.payloads.includes(message.id)));
    if (byPayload) return byPayload;
  }
  const referral = facts.referral as { source_id?: unknown } | undefined;
  if (referral && typeof referral === 'object') {
    const sourceId = typeof referral.source_id === 'string' ? referral.source_id : undefined;
    const byAd = live.find((v) => has(v, 'referral').some((t) => t.source_ids.length === 0 || (sourceId !== undefined && t.source_ids.includes(sourceId))));
    if (byAd) return byAd;
  }
  if (text) {
    const folded = fold(text);
    const byKeyword = live.find((v) => has(v, 'keyword').some((t) => t.keywords.some((k) => fold(k) === folded)));
    if (byKeyword) return byKeyword;
    const byPattern = live.find((v) => has(v, 'pattern').some((t) => safeTest(t.pattern, text)));
    if (byPattern) return byPattern;
    let best: { version: CompiledVersion; score: number } | undefined;
    for (const version of live) {
      const wanted = has(version, 'intent').flatMap((t) => t.intents);
      if (wanted.length === 0 || !version.classify) continue;
      const result = await version.classify(text);
      if (result.intent && wanted.includes(result.intent) && result.score >= version.document.settings.nlu_threshold && (!best || result.score > best.score)) best = { version, score: result.score };
    }
    if (best) return best.version;
  }
  if (facts.contactCreated) {
    const byNew = live.find((v) => has(v, 'new_contact').length > 0);
    if (byNew) return byNew;
  }
  return live.find((v) => has(v, 'any').length > 0);
}

function safeTest(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern, 'iu').test(text.slice(0, 4096));
  } catch {
    return false;
  }
}

function safeJson(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
