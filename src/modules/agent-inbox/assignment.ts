import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../clock/index.js';
import type { Schema } from '../../db/index.js';
import type { Ownership, TransitionNotice } from '../conversations/index.js';

/** How conversations handed to a queue find an agent. */
export const ASSIGNMENT_STRATEGIES = ['manual', 'round_robin', 'least_busy'] as const;
export type AssignmentStrategy = (typeof ASSIGNMENT_STRATEGIES)[number];

export interface AssignmentSettingsView {
  strategy: AssignmentStrategy;
  updated_at: string | null;
  updated_by: string | null;
}

/** One agent who could take a conversation of a queue now. */
interface Candidate {
  id: string;
  load: number;
  capacity: number;
}

/** How many times a pick re-reads after another node moved the queue's rotation first. */
const ATTEMPTS = 5;

/**
 * Automatic assignment (docs/inbox.md, "Assignment"): when a conversation lands in a queue
 * (a handoff, an unassign, a transfer to a team), an **online** member of the team working that
 * queue whose open conversations are fewer than their capacity gets it, in the same transaction
 * as the move, through `Ownership.assign` (a compare-and-set on the owner: never two agents).
 *
 * - `round_robin`: the next candidate after the queue's rotation pointer, by user id, wrapping;
 * - `least_busy`: the candidate with the fewest open conversations; ties go round the rotation;
 * - `manual`: nobody is picked; people take conversations from the queue.
 *
 * The pointer (`assignment_rotations`) moves with a compare-and-set, so two nodes assigning from
 * the same queue at once take turns: the loser reads the winner's pointer (and load) and picks
 * again. Nobody available: the conversation waits. When an agent frees a slot (resolves or passes
 * a conversation on) or comes online ({@link Assignment.agentAvailable}), the oldest conversations
 * waiting in their queues are given to them, up to their capacity.
 */
export class Assignment {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly ownership: Pick<Ownership, 'assign' | 'transaction'>,
    private readonly clock: Clock,
  ) {}

  /** The workspace's strategy (`manual` until an admin chooses another). */
  async settings(workspaceId: string, trx: Kysely<Schema> = this.db): Promise<AssignmentSettingsView> {
    const row = await trx.selectFrom('assignment_settings').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
    return row ? { strategy: row.strategy as AssignmentStrategy, updated_at: row.updated_at, updated_by: row.updated_by } : { strategy: 'manual', updated_at: null, updated_by: null };
  }

  /** Chooses the workspace's strategy (an admin's call); answers the settings after it. */
  async setStrategy(workspaceId: string, strategy: AssignmentStrategy, userId: string): Promise<AssignmentSettingsView> {
    const at = this.clock.now().toISOString();
    await this.db
      .insertInto('assignment_settings')
      .values({ workspace_id: workspaceId, strategy, updated_by: userId, updated_at: at })
      .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ strategy, updated_by: userId, updated_at: at }))
      .execute();
    return this.settings(workspaceId);
  }

  /**
   * The `Ownership.onTransition` listener: a conversation that reached a queue gets an agent;
   * an agent who let one go (resolve, transfer, unassign) gets the oldest waiting one. Runs in
   * the transition's transaction.
   */
  async onTransition(trx: Kysely<Schema>, notice: TransitionNotice): Promise<void> {
    const { transition, workspaceId, conversation } = notice;
    const strategy = (await this.settings(workspaceId, trx)).strategy;
    if (strategy === 'manual') return;
    if (transition.to.type === 'queue' && transition.queue) {
      // An agent who gives a conversation back is not handed the same one again.
      const exclude = transition.from.type === 'agent' && transition.from.id ? [transition.from.id] : [];
      await this.#assignFromQueue(trx, strategy, workspaceId, conversation.id, transition.queue, exclude);
    }
    if (transition.from.type === 'agent' && transition.from.id) {
      await this.#fill(trx, workspaceId, transition.from.id, conversation.id);
    }
  }

  /**
   * An agent came online (or got more capacity): gives them the oldest conversations waiting in
   * their teams' queues, up to their capacity, when the workspace assigns automatically.
   * Answers how many they got.
   */
  async agentAvailable(workspaceId: string, userId: string): Promise<number> {
    if ((await this.settings(workspaceId)).strategy === 'manual') return 0;
    return this.ownership.transaction((trx) => this.#fill(trx, workspaceId, userId, undefined));
  }

  async #assignFromQueue(trx: Kysely<Schema>, strategy: Exclude<AssignmentStrategy, 'manual'>, workspaceId: string, conversationId: string, queue: string, exclude: readonly string[]): Promise<boolean> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const candidates = (await this.#candidates(trx, workspaceId, queue)).filter((c) => c.load < c.capacity && !exclude.includes(c.id));
      if (candidates.length === 0) return false;
      const pointer = await this.#pointer(trx, workspaceId, queue);
      const pick = strategy === 'round_robin' ? nextAfter(candidates, pointer) : leastBusy(candidates, pointer);
      if (!(await this.#movePointer(trx, workspaceId, queue, pointer, pick.id))) continue;
      const outcome = await this.ownership.assign(trx, {
        workspaceId,
        conversationId,
        agentId: pick.id,
        actor: { type: 'system', id: `assignment:${strategy}` },
        reason: strategy === 'round_robin' ? 'round robin' : 'least busy',
      });
      return outcome.ok;
    }
    return false;
  }

  /** Gives `userId` the oldest conversations waiting in their queues while they have room. */
  async #fill(trx: Kysely<Schema>, workspaceId: string, userId: string, except: string | undefined): Promise<number> {
    const agent = await trx
      .selectFrom('users as u')
      .select(['u.capacity', 'u.presence', 'u.active', sql<number | string>`(select count(*) from conversations c where c.workspace_id = u.workspace_id and c.owner_type = 'agent' and c.owner_id = u.id)`.as('load')])
      .where('u.workspace_id', '=', workspaceId)
      .where('u.id', '=', userId)
      .executeTakeFirst();
    if (!agent || Number(agent.active) !== 1 || agent.presence !== 'online') return 0;
    const room = Number(agent.capacity) - Number(agent.load);
    if (room <= 0) return 0;
    let waiting = trx
      .selectFrom('conversations')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('owner_type', '=', 'queue')
      .where('queue', 'in', trx.selectFrom('teams as t').innerJoin('team_members as tm', 'tm.team_id', 't.id').select('t.queue').where('t.workspace_id', '=', workspaceId).where('tm.user_id', '=', userId))
      .orderBy('owner_since')
      .orderBy('id')
      .limit(room);
    if (except) waiting = waiting.where('id', '!=', except);
    let given = 0;
    for (const { id } of await waiting.execute()) {
      const outcome = await this.ownership.assign(trx, { workspaceId, conversationId: id, agentId: userId, actor: { type: 'system', id: 'assignment:available' }, reason: 'agent available' });
      if (outcome.ok && outcome.transition) given++;
    }
    return given;
  }

  /** Online, active members of the team working `queue`, with their open conversations, by id. */
  async #candidates(trx: Kysely<Schema>, workspaceId: string, queue: string): Promise<Candidate[]> {
    const rows = await trx
      .selectFrom('users as u')
      .innerJoin('team_members as tm', 'tm.user_id', 'u.id')
      .innerJoin('teams as t', 't.id', 'tm.team_id')
      .select(['u.id', 'u.capacity', sql<number | string>`(select count(*) from conversations c where c.workspace_id = u.workspace_id and c.owner_type = 'agent' and c.owner_id = u.id)`.as('load')])
      .where('t.workspace_id', '=', workspaceId)
      .where('t.queue', '=', queue)
      .where('u.workspace_id', '=', workspaceId)
      .where('u.active', '=', 1)
      .where('u.presence', '=', 'online')
      .orderBy('u.id')
      .execute();
    return rows.map((row) => ({ id: row.id, load: Number(row.load), capacity: Number(row.capacity) }));
  }

  async #pointer(trx: Kysely<Schema>, workspaceId: string, queue: string): Promise<string | null> {
    await trx
      .insertInto('assignment_rotations')
      .values({ workspace_id: workspaceId, queue, last_user_id: null, updated_at: this.clock.now().toISOString() })
      .onConflict((oc) => oc.columns(['workspace_id', 'queue']).doNothing())
      .execute();
    const row = await trx.selectFrom('assignment_rotations').select('last_user_id').where('workspace_id', '=', workspaceId).where('queue', '=', queue).executeTakeFirst();
    return row?.last_user_id ?? null;
  }

  /** Compare-and-set: false when another transaction moved the pointer since it was read. */
  async #movePointer(trx: Kysely<Schema>, workspaceId: string, queue: string, from: string | null, to: string): Promise<boolean> {
    const result = await trx
      .updateTable('assignment_rotations')
      .set({ last_user_id: to, updated_at: this.clock.now().toISOString() })
      .where('workspace_id', '=', workspaceId)
      .where('queue', '=', queue)
      .where((eb) => (from === null ? eb('last_user_id', 'is', null) : eb('last_user_id', '=', from)))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}

/** The first candidate after `pointer` in id order, wrapping round. */
function nextAfter(candidates: readonly Candidate[], pointer: string | null): Candidate {
  return candidates.find((c) => pointer === null || c.id > pointer) ?? (candidates[0] as Candidate);
}

/** The fewest open conversations; among equals, the next after `pointer`. */
function leastBusy(candidates: readonly Candidate[], pointer: string | null): Candidate {
  const fewest = Math.min(...candidates.map((c) => c.load));
  return nextAfter(candidates.filter((c) => c.load === fewest), pointer);
}
