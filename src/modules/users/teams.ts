import type { Kysely } from 'kysely';
import { realClock } from '../../clock/index.js';
import { newId, type Schema, type TeamsTable } from '../../db/index.js';
import { appError, type AppErrorValue } from '../../errors/index.js';
import type { UserResult } from './users.js';

/** A team as the app shows it. */
export interface TeamView {
  id: string;
  name: string;
  /** The handoff queue the team works (the name a flow's handoff names). */
  queue: string;
  member_ids: string[];
  created_at: string;
}

export interface TeamInput {
  name?: string;
  queue?: string;
  /** Replaces the members (people of the same workspace). */
  memberIds?: readonly string[];
}

/**
 * Teams of a workspace: each works one handoff queue (unique per workspace), and its members
 * see the conversations of that queue (`canSeeConversation`).
 */
export class Teams {
  readonly #db: Kysely<Schema>;
  readonly #now: () => Date;

  constructor(deps: { db: Kysely<Schema>; now?: () => Date }) {
    this.#db = deps.db;
    this.#now = deps.now ?? (() => realClock.now());
  }

  /** The workspace's teams by name, with their members. */
  async list(workspaceId: string): Promise<TeamView[]> {
    const rows = await this.#db.selectFrom('teams').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').orderBy('id').execute();
    const members = await membersOf(this.#db, rows.map((row) => row.id));
    return rows.map((row) => viewOf(row, members.get(row.id) ?? []));
  }

  /** One team of the workspace; undefined for an unknown id or another workspace's team. */
  async get(workspaceId: string, id: string): Promise<TeamView | undefined> {
    return teamById(this.#db, workspaceId, id);
  }

  /** The team working `queue`, if any. */
  async byQueue(workspaceId: string, queue: string): Promise<TeamView | undefined> {
    const row = await this.#db.selectFrom('teams').select('id').where('workspace_id', '=', workspaceId).where('queue', '=', queue).executeTakeFirst();
    return row ? this.get(workspaceId, row.id) : undefined;
  }

  /** Creates a team; CONVERSA_ERR_CONFLICT when another team of the workspace works the same queue. */
  async create(workspaceId: string, input: { name: string; queue: string; memberIds?: readonly string[] }): Promise<UserResult<TeamView>> {
    const id = newId('team');
    return this.#db.transaction().execute(async (trx) => {
      const clash = await queueTaken(trx, workspaceId, input.queue, undefined);
      if (clash) return clash;
      const members = await checkMembers(trx, workspaceId, input.memberIds ?? []);
      if (!members.ok) return members;
      await trx.insertInto('teams').values({ id, workspace_id: workspaceId, name: input.name.trim(), queue: input.queue.trim(), created_at: this.#now().toISOString() }).execute();
      for (const userId of members.value) await trx.insertInto('team_members').values({ team_id: id, user_id: userId }).execute();
      return { ok: true, value: (await teamById(trx, workspaceId, id)) as TeamView };
    });
  }

  /** Renames a team, moves it to another queue, or replaces its members. */
  async update(workspaceId: string, id: string, input: TeamInput): Promise<UserResult<TeamView>> {
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('teams').select('id').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      if (!row) return notFound(id);
      if (input.queue !== undefined) {
        const clash = await queueTaken(trx, workspaceId, input.queue, id);
        if (clash) return clash;
      }
      let memberIds: string[] | undefined;
      if (input.memberIds !== undefined) {
        const members = await checkMembers(trx, workspaceId, input.memberIds);
        if (!members.ok) return members;
        memberIds = members.value;
      }
      if (input.name !== undefined || input.queue !== undefined) {
        await trx
          .updateTable('teams')
          .set({ ...(input.name !== undefined ? { name: input.name.trim() } : {}), ...(input.queue !== undefined ? { queue: input.queue.trim() } : {}) })
          .where('id', '=', id)
          .execute();
      }
      if (memberIds !== undefined) {
        await trx.deleteFrom('team_members').where('team_id', '=', id).execute();
        for (const userId of memberIds) await trx.insertInto('team_members').values({ team_id: id, user_id: userId }).execute();
      }
      return { ok: true, value: (await teamById(trx, workspaceId, id)) as TeamView };
    });
  }

  /** Deletes a team (its members stay, without it). */
  async remove(workspaceId: string, id: string): Promise<UserResult<TeamView>> {
    const team = await this.get(workspaceId, id);
    if (!team) return notFound(id);
    await this.#db.deleteFrom('teams').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    return { ok: true, value: team };
  }
}

async function teamById(db: Kysely<Schema>, workspaceId: string, id: string): Promise<TeamView | undefined> {
  const row = await db.selectFrom('teams').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return viewOf(row, (await membersOf(db, [id])).get(id) ?? []);
}

function notFound(id: string): { ok: false; error: AppErrorValue } {
  return { ok: false, error: appError('CONVERSA_ERR_NOT_FOUND', `No team ${id} in this workspace.`) };
}

async function queueTaken(db: Kysely<Schema>, workspaceId: string, queue: string, exceptId: string | undefined): Promise<{ ok: false; error: AppErrorValue } | undefined> {
  const row = await db.selectFrom('teams').select('id').where('workspace_id', '=', workspaceId).where('queue', '=', queue.trim()).executeTakeFirst();
  if (!row || row.id === exceptId) return undefined;
  return { ok: false, error: appError('CONVERSA_ERR_CONFLICT', `queue: another team (${row.id}) already works the queue "${queue.trim()}"`, { field: 'queue', rule: 'must be unique in the workspace', team_id: row.id }) };
}

async function checkMembers(db: Kysely<Schema>, workspaceId: string, userIds: readonly string[]): Promise<UserResult<string[]>> {
  const unique = [...new Set(userIds)];
  if (unique.length === 0) return { ok: true, value: [] };
  const found = await db.selectFrom('users').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', unique).execute();
  const missing = unique.find((id) => !found.some((user) => user.id === id));
  if (missing !== undefined) return { ok: false, error: appError('CONVERSA_ERR_VALIDATION', `member_ids: ${missing} is not a user of this workspace`, { field: 'member_ids', rule: 'must be users of this workspace' }) };
  return { ok: true, value: unique };
}

async function membersOf(db: Kysely<Schema>, teamIds: readonly string[]): Promise<Map<string, string[]>> {
  const byTeam = new Map<string, string[]>();
  if (teamIds.length === 0) return byTeam;
  const rows = await db.selectFrom('team_members').select(['team_id', 'user_id']).where('team_id', 'in', [...teamIds]).orderBy('user_id').execute();
  for (const row of rows) byTeam.set(row.team_id, [...(byTeam.get(row.team_id) ?? []), row.user_id]);
  return byTeam;
}

function viewOf(row: TeamsTable, memberIds: string[]): TeamView {
  return { id: row.id, name: row.name, queue: row.queue, member_ids: memberIds, created_at: row.created_at };
}
