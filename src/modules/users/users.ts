import type { Kysely, Transaction } from 'kysely';
import { realClock } from '../../clock/index.js';
import { newId, type Capabilities, type Schema, type UsersTable } from '../../db/index.js';
import { appError, type AppErrorValue } from '../../errors/index.js';
import { generateOneTimePassword, hashPassword, verifyAgainstDummy, verifyPassword } from './passwords.js';
import type { Role, Viewer } from './viewer.js';

export const PRESENCES = ['online', 'away', 'offline'] as const;
export type Presence = (typeof PRESENCES)[number];

/** A person as the app and its API show them: never a password or its hash. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  team_ids: string[];
  /** How many conversations they take at once (automatic assignment). */
  capacity: number;
  presence: Presence;
  /** True while the password is a one-time password that must be replaced. */
  must_change_password: boolean;
  /** False: deactivated, cannot sign in. */
  active: boolean;
  created_at: string;
}

/** A person as the transfer picker shows them (`GET /app/api/agents`). */
export interface AgentView {
  id: string;
  name: string;
  role: Role;
  presence: Presence;
  presence_at: string | null;
  capacity: number;
  team_ids: string[];
}

export interface CreateUserInput {
  workspaceId: string;
  email: string;
  role: Role;
  /** Default: the part of the e-mail before the @. */
  name?: string;
  /** A chosen password (tests, scripts); absent: a one-time password is generated and must be replaced. */
  password?: string;
  capacity?: number;
  teamIds?: readonly string[];
}

export interface UpdateUserInput {
  name?: string;
  role?: Role;
  capacity?: number;
  active?: boolean;
  teamIds?: readonly string[];
}

export type UserResult<T> = { ok: true; value: T } | { ok: false; error: AppErrorValue };

/**
 * The people of a workspace: creating them (with a given or a one-time password), listing,
 * changing and removing them, their passwords and presence, and the {@link Viewer} a session
 * becomes. A workspace always keeps one active admin: demoting, deactivating or deleting the
 * last one is refused.
 */
export class Users {
  readonly #db: Kysely<Schema>;
  readonly #capabilities: Capabilities;
  readonly #now: () => Date;

  constructor(deps: { db: Kysely<Schema>; capabilities: Capabilities; now?: () => Date }) {
    this.#db = deps.db;
    this.#capabilities = deps.capabilities;
    this.#now = deps.now ?? (() => realClock.now());
  }

  /**
   * Creates a person. Without `password`, a one-time password is generated, answered once as
   * `oneTimePassword`, and must be replaced at the first sign-in.
   *
   * @example await users.create({ workspaceId, email: 'ana@example.com', role: 'agent' })
   */
  async create(input: CreateUserInput): Promise<UserResult<{ user: UserView; oneTimePassword?: string }>> {
    const email = normaliseEmail(input.email);
    const oneTimePassword = input.password === undefined ? generateOneTimePassword() : undefined;
    const passwordHash = await hashPassword(input.password ?? (oneTimePassword as string));
    const now = this.#now().toISOString();
    const id = newId('usr');
    const taken = { ok: false, error: appError('CONVERSA_ERR_CONFLICT', `email: ${email} already has an account`, { field: 'email', rule: 'must not belong to another user' }) } as const;
    try {
      return await this.#insert(input, { id, email, passwordHash, oneTimePassword, now, taken });
    } catch (error) {
      // Two creations of one e-mail at once (two nodes' first start, two admins): the unique index decides.
      if (await this.#db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()) return taken;
      throw error;
    }
  }

  async #insert(
    input: CreateUserInput,
    row: { id: string; email: string; passwordHash: string; oneTimePassword: string | undefined; now: string; taken: { ok: false; error: AppErrorValue } },
  ): Promise<UserResult<{ user: UserView; oneTimePassword?: string }>> {
    const { id, email, passwordHash, oneTimePassword, now, taken } = row;
    return this.#db.transaction().execute(async (trx) => {
      if (await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()) return taken;
      const teams = await checkTeams(trx, input.workspaceId, input.teamIds ?? []);
      if (!teams.ok) return teams;
      await trx
        .insertInto('users')
        .values({
          id,
          workspace_id: input.workspaceId,
          email,
          name: input.name?.trim() || email.split('@')[0] || email,
          role: input.role,
          password_hash: passwordHash,
          must_change_password: oneTimePassword === undefined ? 0 : 1,
          capacity: input.capacity ?? 5,
          presence: 'offline',
          presence_at: null,
          active: 1,
          created_at: now,
          updated_at: now,
          last_login_at: null,
        })
        .execute();
      for (const teamId of teams.value) await trx.insertInto('team_members').values({ team_id: teamId, user_id: id }).execute();
      const user = await viewById(trx, input.workspaceId, id);
      return { ok: true, value: { user: user as UserView, ...(oneTimePassword ? { oneTimePassword } : {}) } };
    });
  }

  /** Whether the installation has any user at all (the first start creates an admin when not). */
  async any(): Promise<boolean> {
    return (await this.#db.selectFrom('users').select('id').limit(1).executeTakeFirst()) !== undefined;
  }

  /** One person of the workspace; undefined for an unknown id or another workspace's person. */
  async get(workspaceId: string, id: string): Promise<UserView | undefined> {
    return viewById(this.#db, workspaceId, id);
  }

  /** The names of these people of the workspace, by id (another workspace's ids are not answered). */
  async names(workspaceId: string, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.#db.selectFrom('users').select(['id', 'name']).where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute();
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  /** The workspace's people by name. */
  async list(workspaceId: string): Promise<UserView[]> {
    const rows = await this.#db.selectFrom('users').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').orderBy('id').execute();
    const teams = await teamIdsOf(this.#db, rows.map((row) => row.id));
    return rows.map((row) => viewOf(row, teams.get(row.id) ?? []));
  }

  /** The workspace's active people with presence, capacity and teams (for transfers and assignment). */
  async agents(workspaceId: string): Promise<AgentView[]> {
    const rows = await this.#db.selectFrom('users').selectAll().where('workspace_id', '=', workspaceId).where('active', '=', 1).orderBy('name').orderBy('id').execute();
    const teams = await teamIdsOf(this.#db, rows.map((row) => row.id));
    return rows.map((row) => ({ id: row.id, name: row.name, role: row.role as Role, presence: row.presence as Presence, presence_at: row.presence_at, capacity: row.capacity, team_ids: teams.get(row.id) ?? [] }));
  }

  /**
   * Changes a person (admin). Refused with CONVERSA_ERR_LAST_ADMIN when it would leave the
   * workspace without an active admin. Deactivating signs the person out everywhere.
   */
  async update(workspaceId: string, id: string, input: UpdateUserInput): Promise<UserResult<UserView>> {
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('users').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      if (!row) return notFound(id);
      const losesAdmin = row.role === 'admin' && row.active === 1 && ((input.role !== undefined && input.role !== 'admin') || input.active === false);
      if (losesAdmin && !(await this.#otherAdminExists(trx, workspaceId, id))) return lastAdmin();
      let teamIds: string[] | undefined;
      if (input.teamIds !== undefined) {
        const teams = await checkTeams(trx, workspaceId, input.teamIds);
        if (!teams.ok) return teams;
        teamIds = teams.value;
      }
      await trx
        .updateTable('users')
        .set({
          ...(input.name !== undefined ? { name: input.name.trim() } : {}),
          ...(input.role !== undefined ? { role: input.role } : {}),
          ...(input.capacity !== undefined ? { capacity: input.capacity } : {}),
          ...(input.active !== undefined ? { active: input.active ? 1 : 0 } : {}),
          ...(input.active === false ? { presence: 'offline', presence_at: this.#now().toISOString() } : {}),
          updated_at: this.#now().toISOString(),
        })
        .where('id', '=', id)
        .execute();
      if (teamIds !== undefined) {
        await trx.deleteFrom('team_members').where('user_id', '=', id).execute();
        for (const teamId of teamIds) await trx.insertInto('team_members').values({ team_id: teamId, user_id: id }).execute();
      }
      if (input.active === false) await trx.deleteFrom('user_sessions').where('user_id', '=', id).execute();
      return { ok: true, value: (await viewById(trx, workspaceId, id)) as UserView };
    });
  }

  /** Deletes a person and their sessions; refused for the workspace's last active admin. */
  async remove(workspaceId: string, id: string): Promise<UserResult<UserView>> {
    return this.#db.transaction().execute(async (trx) => {
      const view = await viewById(trx, workspaceId, id);
      if (!view) return notFound(id);
      if (view.role === 'admin' && view.active && !(await this.#otherAdminExists(trx, workspaceId, id))) return lastAdmin();
      await trx.deleteFrom('users').where('id', '=', id).execute();
      return { ok: true, value: view };
    });
  }

  /**
   * A new one-time password for a person (admin): the old password stops working, every session
   * of theirs ends, and they must choose a password at the next sign-in.
   */
  async resetPassword(workspaceId: string, id: string): Promise<UserResult<{ oneTimePassword: string }>> {
    const oneTimePassword = generateOneTimePassword();
    const passwordHash = await hashPassword(oneTimePassword);
    return this.#db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('users')
        .set({ password_hash: passwordHash, must_change_password: 1, updated_at: this.#now().toISOString() })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return notFound(id);
      await trx.deleteFrom('user_sessions').where('user_id', '=', id).execute();
      return { ok: true, value: { oneTimePassword } };
    });
  }

  /**
   * A person changes their own password: `current` must match. Their other sessions end
   * (`keepSessionId` stays signed in).
   */
  async changePassword(userId: string, current: string, next: string, keepSessionId?: string): Promise<UserResult<null>> {
    const row = await this.#db.selectFrom('users').select(['password_hash']).where('id', '=', userId).where('active', '=', 1).executeTakeFirst();
    if (!row || !(await verifyPassword(row.password_hash, current))) {
      return { ok: false, error: appError('CONVERSA_ERR_LOGIN_FAILED', 'current_password: does not match your password', { field: 'current_password', rule: 'must be your current password' }) };
    }
    if (current === next) return { ok: false, error: appError('CONVERSA_ERR_VALIDATION', 'new_password: must differ from the current password', { field: 'new_password', rule: 'must differ from the current password' }) };
    const passwordHash = await hashPassword(next);
    await this.#db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: passwordHash, must_change_password: 0, updated_at: this.#now().toISOString() }).where('id', '=', userId).execute();
      let others = trx.deleteFrom('user_sessions').where('user_id', '=', userId);
      if (keepSessionId !== undefined) others = others.where('id', '!=', keepSessionId);
      await others.execute();
    });
    return { ok: true, value: null };
  }

  /**
   * Checks an e-mail and password. An unknown e-mail or a deactivated person costs the same
   * argon2 work as a wrong password and answers the same, so neither timing nor answer tells
   * which e-mails have an account. Records `last_login_at` on success.
   */
  async authenticate(email: string, password: string): Promise<{ ok: true; userId: string; workspaceId: string; email: string } | { ok: false; user?: { id: string; workspaceId: string; email: string } }> {
    const row = await this.#db.selectFrom('users').select(['id', 'workspace_id', 'email', 'password_hash', 'active']).where('email', '=', normaliseEmail(email)).executeTakeFirst();
    if (!row) return { ok: await verifyAgainstDummy(password) };
    const matches = await verifyPassword(row.password_hash, password);
    // The account a failure was for (the audit log's entry; never part of the HTTP answer).
    if (!matches || row.active !== 1) return { ok: false, user: { id: row.id, workspaceId: row.workspace_id, email: row.email } };
    await this.#db.updateTable('users').set({ last_login_at: this.#now().toISOString() }).where('id', '=', row.id).execute();
    return { ok: true, userId: row.id, workspaceId: row.workspace_id, email: row.email };
  }

  /** A person's own changes: their name and presence (`PATCH /app/api/me`). */
  async updateSelf(userId: string, input: { name?: string; presence?: Presence }): Promise<void> {
    const now = this.#now().toISOString();
    await this.#db
      .updateTable('users')
      .set({
        ...(input.name !== undefined ? { name: input.name.trim() } : {}),
        ...(input.presence !== undefined ? { presence: input.presence, presence_at: now } : {}),
        updated_at: now,
      })
      .where('id', '=', userId)
      .execute();
  }

  /** A person's own view (any workspace: the id comes from their session). */
  async self(userId: string): Promise<(UserView & { workspace_id: string }) | undefined> {
    const row = await this.#db.selectFrom('users').select('workspace_id').where('id', '=', userId).executeTakeFirst();
    if (!row) return undefined;
    const view = await viewById(this.#db, row.workspace_id, userId);
    return view ? { ...view, workspace_id: row.workspace_id } : undefined;
  }

  /**
   * Who a signed-in person is for the inbox's checks: workspace, role, teams and their queues.
   * Undefined for an unknown or deactivated person.
   */
  async viewer(userId: string): Promise<(Viewer & { mustChangePassword: boolean }) | undefined> {
    const row = await this.#db.selectFrom('users').selectAll().where('id', '=', userId).where('active', '=', 1).executeTakeFirst();
    if (!row) return undefined;
    const teams = await this.#db.selectFrom('team_members').innerJoin('teams', 'teams.id', 'team_members.team_id').select(['teams.id', 'teams.queue']).where('team_members.user_id', '=', userId).orderBy('teams.id').execute();
    return {
      workspaceId: row.workspace_id,
      userId: row.id,
      name: row.name,
      email: row.email,
      role: row.role as Role,
      teamIds: teams.map((team) => team.id),
      queues: teams.map((team) => team.queue),
      mustChangePassword: row.must_change_password === 1,
    };
  }

  // Locks the workspace's active admins (PostgreSQL), so two admins demoting each other at once
  // cannot both succeed; SQLite has one writer, so its transaction is enough.
  async #otherAdminExists(trx: Transaction<Schema>, workspaceId: string, exceptId: string): Promise<boolean> {
    let query = trx.selectFrom('users').select('id').where('workspace_id', '=', workspaceId).where('role', '=', 'admin').where('active', '=', 1);
    if (!this.#capabilities.singleWriter) query = query.forUpdate();
    const admins = await query.execute();
    return admins.some((admin) => admin.id !== exceptId);
  }
}

/** E-mails are compared lower-cased and trimmed. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function notFound(id: string): { ok: false; error: AppErrorValue } {
  return { ok: false, error: appError('CONVERSA_ERR_NOT_FOUND', `No user ${id} in this workspace.`) };
}

function lastAdmin(): { ok: false; error: AppErrorValue } {
  return { ok: false, error: appError('CONVERSA_ERR_LAST_ADMIN') };
}

async function checkTeams(db: Kysely<Schema>, workspaceId: string, teamIds: readonly string[]): Promise<UserResult<string[]>> {
  const unique = [...new Set(teamIds)];
  if (unique.length === 0) return { ok: true, value: [] };
  const found = await db.selectFrom('teams').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', unique).execute();
  const missing = unique.find((id) => !found.some((team) => team.id === id));
  if (missing !== undefined) return { ok: false, error: appError('CONVERSA_ERR_VALIDATION', `team_ids: ${missing} is not a team of this workspace`, { field: 'team_ids', rule: 'must be teams of this workspace' }) };
  return { ok: true, value: unique };
}

async function viewById(db: Kysely<Schema>, workspaceId: string, id: string): Promise<UserView | undefined> {
  const row = await db.selectFrom('users').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const teams = await teamIdsOf(db, [id]);
  return viewOf(row, teams.get(id) ?? []);
}

async function teamIdsOf(db: Kysely<Schema>, userIds: readonly string[]): Promise<Map<string, string[]>> {
  const byUser = new Map<string, string[]>();
  if (userIds.length === 0) return byUser;
  const rows = await db.selectFrom('team_members').select(['user_id', 'team_id']).where('user_id', 'in', [...userIds]).orderBy('team_id').execute();
  for (const row of rows) byUser.set(row.user_id, [...(byUser.get(row.user_id) ?? []), row.team_id]);
  return byUser;
}

function viewOf(row: UsersTable, teamIds: string[]): UserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as Role,
    team_ids: teamIds,
    capacity: row.capacity,
    presence: row.presence as Presence,
    must_change_password: row.must_change_password === 1,
    active: row.active === 1,
    created_at: row.created_at,
  };
}
