import type { Kysely, Selectable } from 'kysely';
import { realClock, type Clock } from '../../clock/index.js';
import type { ConversationsTable, ConversationTransitionsTable, Schema } from '../../db/index.js';
import { appError, type AppErrorValue } from '../../errors/index.js';
import type { Events } from '../events/index.js';
import {
  ACTOR_TYPES,
  AGENT_ID_PATTERN,
  MAX_REASON_LENGTH,
  MAX_SUMMARY_BYTES,
  QUEUE_PATTERN,
  decideTransition,
  type ActorType,
  type Owner,
  type OwnerType,
  type OwnershipRequest,
  type OwnershipState,
  type TransitionAction,
} from './ownership-rules.js';

/** Who makes a transition: `{type: 'bot', id: flow}`, `{type: 'api_key', id: key id}`, later `{type: 'user', id}`. */
export interface Actor {
  type: ActorType;
  id: string | null;
}

/** One recorded change of owner, as the API and listeners see it. */
export interface TransitionView {
  id: number;
  conversation_id: string;
  action: TransitionAction;
  from: Owner;
  to: Owner;
  /** The conversation's queue after the transition. */
  queue: string | null;
  actor: Actor;
  reason: string | null;
  /** What the bot collected before a handoff; null otherwise. */
  summary: Record<string, unknown> | null;
  created_at: string;
}

/** Passed through to {@link ResolvedListener}s: `survey` asks the chatbot to start its satisfaction survey. */
export interface ResolveOptions {
  survey?: boolean;
}

/** What a listener is told, inside the transaction of the change. */
export interface TransitionNotice {
  workspaceId: string;
  /** The conversation after the transition. */
  conversation: ConversationsTable;
  transition: TransitionView;
  /** For resolves: the options the caller gave. */
  options: ResolveOptions;
}

/**
 * Called inside the transaction that resolved a conversation (it is the bot's again): the
 * chatbot runtime starts its survey here when `options.survey`. Whatever it writes with `trx`
 * commits with the resolve; if it throws, the resolve rolls back and its caller gets the error.
 */
export type ResolvedListener = (trx: Kysely<Schema>, notice: TransitionNotice) => Promise<void> | void;
/** Called inside the transaction of every transition (e.g. the chatbot ends its session on a handoff made by a person). */
export type TransitionListener = (trx: Kysely<Schema>, notice: TransitionNotice) => Promise<void> | void;

/** A transition's answer: the conversation after it and the transition recorded (null: it was there already). */
export type TransitionOutcome =
  | { ok: true; conversation: ConversationsTable; transition: TransitionView | null }
  | { ok: false; error: AppErrorValue<'CONVERSA_ERR_NOT_FOUND' | 'CONVERSA_ERR_CONVERSATION_TRANSITION' | 'CONVERSA_ERR_VALIDATION'> };

interface Target {
  workspaceId: string;
  conversationId: string;
  actor: Actor;
  /** Why (free text, at most 500 characters): shown in the history and the event. */
  reason?: string | null | undefined;
}

export interface HandoffInput extends Target {
  queue: string;
  /** What the bot collected (a JSON object, at most 16 KB), shown to the agent who takes it. */
  summary?: Record<string, unknown> | null | undefined;
}
export interface AssignInput extends Target {
  agentId: string;
  /** File it under this queue (default: the queue it waits in; none when it comes from the bot). */
  queue?: string | undefined;
  /** Allow taking it from another agent (a transfer); without it, an agent's conversation is refused. */
  transfer?: boolean | undefined;
}
export interface UnassignInput extends Target {
  /** Give it to this queue instead of the one it came from. */
  queue?: string | undefined;
}
export interface ResolveInput extends Target, ResolveOptions {}

/** How many times a transition re-reads the owner after losing a compare-and-set before giving up. */
const ATTEMPTS = 3;

type Row = ConversationsTable & { meta_phone_number_id: string; provider: string };

/**
 * The ownership state machine of conversations (docs/conversations.md, "Ownership and handoff"):
 * the bot owns a conversation until a handoff gives it to a queue; an agent takes it (assign),
 * passes it on (transfer), gives it back (unassign) or resolves it, and it is the bot's again.
 *
 * Every method joins the caller's transaction (`trx`), so the chatbot runtime moves ownership in
 * the same transaction as its own state, and the HTTP edge wraps a call in
 * {@link Ownership.transaction}. A transition updates the conversation with a compare-and-set on
 * its current owner (two concurrent assigns cannot both win: the loser reads the winner and is
 * refused), records a row of `conversation_transitions` and a `conversation.updated` event, and
 * tells the listeners, all in that transaction.
 *
 * @example
 * const outcome = await ownership.handoff(trx, { workspaceId, conversationId, queue: 'support',
 *   reason: 'asked for a person', summary: { order: '4471' }, actor: { type: 'bot', id: 'suporte' } });
 */
export class Ownership {
  readonly #resolved: ResolvedListener[] = [];
  readonly #transitioned: TransitionListener[] = [];

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly events: Pick<Events, 'record'>,
    private readonly clock: Clock = realClock,
  ) {}

  /** Runs `fn` in a new transaction (for callers that have none, such as the HTTP routes). */
  transaction<T>(fn: (trx: Kysely<Schema>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /** Registers a listener for resolves; answers a function that removes it. */
  onResolved(listener: ResolvedListener): () => void {
    return register(this.#resolved, listener);
  }

  /** Registers a listener for every transition; answers a function that removes it. */
  onTransition(listener: TransitionListener): () => void {
    return register(this.#transitioned, listener);
  }

  /** Bot (or another queue) → queue `queue`, with the bot's summary. */
  handoff(trx: Kysely<Schema>, input: HandoffInput): Promise<TransitionOutcome> {
    const invalid = checkName('queue', input.queue, QUEUE_PATTERN) ?? checkSummary(input.summary);
    if (invalid) return Promise.resolve(invalid);
    return this.#transition(trx, input, { action: 'handoff', queue: input.queue }, { summary: input.summary ?? null });
  }

  /** Bot or queue → agent `agentId`; from another agent only with `transfer: true`. */
  assign(trx: Kysely<Schema>, input: AssignInput): Promise<TransitionOutcome> {
    const invalid = checkName('agent_id', input.agentId, AGENT_ID_PATTERN) ?? (input.queue === undefined ? undefined : checkName('queue', input.queue, QUEUE_PATTERN));
    if (invalid) return Promise.resolve(invalid);
    return this.#transition(trx, input, { action: 'assign', agentId: input.agentId, queue: input.queue, transfer: input.transfer });
  }

  /** Agent → the queue it came from (or `queue`). */
  unassign(trx: Kysely<Schema>, input: UnassignInput): Promise<TransitionOutcome> {
    const invalid = input.queue === undefined ? undefined : checkName('queue', input.queue, QUEUE_PATTERN);
    if (invalid) return Promise.resolve(invalid);
    return this.#transition(trx, input, { action: 'unassign', queue: input.queue });
  }

  /** Queue or agent → bot; `resolved_at` set; the resolve listeners get `{ survey }`. */
  resolve(trx: Kysely<Schema>, input: ResolveInput): Promise<TransitionOutcome> {
    return this.#transition(trx, input, { action: 'resolve' }, { options: input.survey === undefined ? {} : { survey: input.survey } });
  }

  /**
   * A conversation's transitions, **oldest first**, in pages (`cursor`: the previous page's
   * `next_cursor`; transitions made during a walk come at its end).
   */
  async transitions(
    workspaceId: string,
    conversationId: string,
    options: { limit: number; cursor?: string | undefined },
  ): Promise<{ ok: true; data: TransitionView[]; next_cursor: string | null } | { ok: false; reason: 'not_found' | 'bad_cursor' }> {
    let after = 0;
    if (options.cursor !== undefined) {
      const decoded = decodeCursor(options.cursor);
      if (decoded === undefined) return { ok: false, reason: 'bad_cursor' };
      after = decoded;
    }
    const conversation = await this.db.selectFrom('conversations').select('id').where('workspace_id', '=', workspaceId).where('id', '=', conversationId).executeTakeFirst();
    if (!conversation) return { ok: false, reason: 'not_found' };
    const rows = await this.db
      .selectFrom('conversation_transitions')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('workspace_id', '=', workspaceId)
      .where('id', '>', after)
      .orderBy('id')
      .limit(options.limit + 1)
      .execute();
    const page = rows.slice(0, options.limit).map(toTransitionView);
    const last = page.at(-1);
    return { ok: true, data: page, next_cursor: rows.length > options.limit && last ? encodeCursor(last.id) : null };
  }

  async #transition(
    trx: Kysely<Schema>,
    target: Target,
    request: OwnershipRequest,
    extra: { summary?: Record<string, unknown> | null; options?: ResolveOptions } = {},
  ): Promise<TransitionOutcome> {
    const invalid = checkReason(target.reason) ?? checkActor(target.actor);
    if (invalid) return invalid;
    const reason = target.reason ? target.reason : null;
    for (let attempt = 1; ; attempt++) {
      const row = await this.#read(trx, target.workspaceId, target.conversationId);
      if (!row) return { ok: false, error: appError('CONVERSA_ERR_NOT_FOUND', `No conversation ${target.conversationId}.`) };
      const current = stateOf(row);
      const decision = decideTransition(current, request);
      const before = plain(row);
      if (decision.kind === 'same') return { ok: true, conversation: before, transition: null };
      if (decision.kind === 'refused') return { ok: false, error: refusal(row.id, request.action, current, decision.to, decision.rule, decision.fix) };

      const at = this.clock.forNumber({ provider: row.provider }).toISOString();
      const { next, action } = decision;
      const leavesBot = current.owner.type === 'bot';
      const patch = {
        owner_type: next.owner.type,
        owner_id: next.owner.id,
        queue: next.queue,
        owner_since: at,
        updated_at: at,
        resolved_at: action === 'resolve' ? at : leavesBot ? null : before.resolved_at,
        // A handoff's summary stays with the conversation until it is the bot's again.
        handoff_transition_id: action === 'resolve' || leavesBot ? null : before.handoff_transition_id,
      };
      const updated = await trx
        .updateTable('conversations')
        .set(patch)
        .where('id', '=', row.id)
        .where('owner_type', '=', row.owner_type)
        .where((eb) => (row.owner_id === null ? eb('owner_id', 'is', null) : eb('owner_id', '=', row.owner_id)))
        .where((eb) => (row.queue === null ? eb('queue', 'is', null) : eb('queue', '=', row.queue)))
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        // Another transition committed first: decide again on what it left (an assign that lost
        // finds an agent there and is refused; a resolve that lost to an unassign still resolves).
        if (attempt < ATTEMPTS) continue;
        return { ok: false, error: refusal(row.id, request.action, current, current.owner, 'its owner kept changing while this transition was made', 'read the conversation again and retry') };
      }
      const summary = action === 'handoff' ? (extra.summary ?? null) : null;
      const inserted = await trx
        .insertInto('conversation_transitions')
        .values({
          workspace_id: row.workspace_id,
          conversation_id: row.id,
          action,
          from_type: current.owner.type,
          from_id: current.owner.id,
          to_type: next.owner.type,
          to_id: next.owner.id,
          queue: next.queue,
          actor_type: target.actor.type,
          actor_id: target.actor.id,
          reason,
          summary: summary === null ? null : JSON.stringify(summary),
          created_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const transitionId = Number(inserted.id);
      if (action === 'handoff') {
        patch.handoff_transition_id = transitionId;
        await trx.updateTable('conversations').set({ handoff_transition_id: transitionId }).where('id', '=', row.id).execute();
      }
      const conversation: ConversationsTable = { ...before, ...patch };
      const transition: TransitionView = {
        id: transitionId,
        conversation_id: row.id,
        action,
        from: current.owner,
        to: next.owner,
        queue: next.queue,
        actor: target.actor,
        reason,
        summary,
        created_at: at,
      };
      const options = extra.options ?? {};
      await this.events.record(trx, row.workspace_id, 'conversation.updated', {
        conversation_id: row.id,
        contact_id: row.contact_id,
        phone_number_id: row.meta_phone_number_id,
        reason: 'owner_changed',
        message_id: null,
        owner: { type: next.owner.type, id: next.owner.id, since: at },
        queue: next.queue,
        resolved_at: conversation.resolved_at,
        window_open: row.window_expires_at !== null && row.window_expires_at > at,
        window_expires_at: row.window_expires_at,
        last_message_at: row.last_message_at,
        free_entry_point_until: row.free_entry_point_until,
        transition: { id: transitionId, action, from: current.owner, to: next.owner, actor: target.actor, reason, ...(summary ? { summary } : {}), ...(action === 'resolve' ? { survey: options.survey === true } : {}), at },
      });
      const notice: TransitionNotice = { workspaceId: row.workspace_id, conversation, transition, options };
      for (const listener of [...this.#transitioned]) await listener(trx, notice);
      if (action === 'resolve') for (const listener of [...this.#resolved]) await listener(trx, notice);
      return { ok: true, conversation, transition };
    }
  }

  /** The conversation with its number's Meta id (the event names it, as message events do) and provider (its clock). */
  async #read(trx: Kysely<Schema>, workspaceId: string, conversationId: string): Promise<Row | undefined> {
    return trx
      .selectFrom('conversations as c')
      .innerJoin('phone_numbers as pn', 'pn.id', 'c.phone_number_id')
      .selectAll('c')
      .select(['pn.phone_number_id as meta_phone_number_id', 'pn.provider as provider'])
      .where('c.workspace_id', '=', workspaceId)
      .where('c.id', '=', conversationId)
      .executeTakeFirst();
  }
}

/** Who owns a conversation row now. */
export function ownerOf(conversation: Pick<ConversationsTable, 'owner_type' | 'owner_id'>): Owner {
  return { type: conversation.owner_type as OwnerType, id: conversation.owner_id };
}

/** Whether the bot owns it (while a person owns it, the bot stays silent). */
export function isBotOwned(conversation: Pick<ConversationsTable, 'owner_type'>): boolean {
  return conversation.owner_type === 'bot';
}

function stateOf(row: ConversationsTable): OwnershipState {
  return { owner: ownerOf(row), queue: row.queue };
}

function plain(row: Row): ConversationsTable {
  const { meta_phone_number_id: _meta, provider: _provider, ...conversation } = row;
  return { ...conversation, handoff_transition_id: conversation.handoff_transition_id === null ? null : Number(conversation.handoff_transition_id) };
}

function refusal(conversationId: string, action: OwnershipRequest['action'], current: OwnershipState, to: Owner, rule: string, fix: string): AppErrorValue<'CONVERSA_ERR_CONVERSATION_TRANSITION'> {
  const from = current.owner;
  return appError(
    'CONVERSA_ERR_CONVERSATION_TRANSITION',
    `Cannot ${action} conversation ${conversationId} (${ownerLabel(from)} → ${ownerLabel(to)}): ${rule}.`,
    { action, from, to, queue: current.queue, rule },
    fix,
  );
}

function ownerLabel(owner: Owner): string {
  return owner.type === 'bot' ? 'bot' : `${owner.type} ${owner.id ?? '(none)'}`;
}

function toTransitionView(row: Selectable<ConversationTransitionsTable>): TransitionView {
  return {
    id: Number(row.id),
    conversation_id: row.conversation_id,
    action: row.action as TransitionAction,
    from: { type: row.from_type as OwnerType, id: row.from_id },
    to: { type: row.to_type as OwnerType, id: row.to_id },
    queue: row.queue,
    actor: { type: row.actor_type as ActorType, id: row.actor_id },
    reason: row.reason,
    summary: row.summary === null ? null : (JSON.parse(row.summary) as Record<string, unknown>),
    created_at: row.created_at,
  };
}

type Invalid = { ok: false; error: AppErrorValue<'CONVERSA_ERR_VALIDATION'> };

function invalid(field: string, rule: string): Invalid {
  return { ok: false, error: appError('CONVERSA_ERR_VALIDATION', `${field}: ${rule}`, { field, rule }) };
}

function checkName(field: string, value: unknown, pattern: string): Invalid | undefined {
  if (typeof value !== 'string') return invalid(field, 'must be a string');
  return new RegExp(pattern).test(value) ? undefined : invalid(field, `must match pattern "${pattern}"`);
}

function checkReason(reason: unknown): Invalid | undefined {
  if (reason === undefined || reason === null) return undefined;
  if (typeof reason !== 'string') return invalid('reason', 'must be a string');
  if (reason.length > MAX_REASON_LENGTH) return invalid('reason', `must NOT have more than ${MAX_REASON_LENGTH} characters`);
  // PostgreSQL text cannot hold U+0000, and an unpaired surrogate is not text: refuse both
  // here, as the HTTP edge does, rather than fail the caller's transaction.
  return isPlainText(reason) ? undefined : invalid('reason', 'must not contain U+0000 or an unpaired surrogate');
}

function checkSummary(summary: unknown): Invalid | undefined {
  if (summary === undefined || summary === null) return undefined;
  if (typeof summary !== 'object' || Array.isArray(summary)) return invalid('summary', 'must be an object');
  let json: string;
  try {
    json = JSON.stringify(summary);
  } catch {
    return invalid('summary', 'must be JSON');
  }
  return Buffer.byteLength(json, 'utf8') > MAX_SUMMARY_BYTES ? invalid('summary', `must be at most ${MAX_SUMMARY_BYTES} bytes as JSON`) : undefined;
}

function checkActor(actor: Actor | undefined): Invalid | undefined {
  if (!actor || !(ACTOR_TYPES as readonly string[]).includes(actor.type)) return invalid('actor.type', `must be one of ${ACTOR_TYPES.join(', ')}`);
  if (actor.id !== null && (typeof actor.id !== 'string' || actor.id.length > 128 || !isPlainText(actor.id))) return invalid('actor.id', 'must be text of at most 128 characters, or null');
  return undefined;
}

/** U+0000, or half of a surrogate pair without its other half (as src/http/text-guard.ts refuses). */
const NOT_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function isPlainText(text: string): boolean {
  return !NOT_TEXT.test(text);
}

function register<T>(list: T[], listener: T): () => void {
  list.push(listener);
  return () => {
    const index = list.indexOf(listener);
    if (index >= 0) list.splice(index, 1);
  };
}

function encodeCursor(id: number): string {
  return Buffer.from(`tr|${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(cursor)) return undefined;
  const match = /^tr\|(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}
