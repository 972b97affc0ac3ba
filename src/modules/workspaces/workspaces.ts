import type { Kysely } from 'kysely';
import { newId, type Schema, type WorkspacesTable } from '../../db/index.js';
import { ApiKeys, type CreatedApiKey, type Scope } from '../api-keys/index.js';
import { realClock } from '../../clock/index.js';

export type Workspace = WorkspacesTable;

/** Workspaces: one business (tenant) each; every other row carries a workspace id. */
export class Workspaces {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => Date = () => realClock.now(),
  ) {}

  async create(name: string, now = this.now()): Promise<Workspace> {
    return insertWorkspace(this.db, name, now);
  }

  /**
   * Creates a workspace and its first admin key in one transaction; the key's secret is in the
   * answer only. `scopes` defaults to `["admin"]` (everything inside the new workspace).
   */
  async createWithAdminKey(input: { name: string; keyName?: string; scopes?: Scope[]; key?: string }, now = this.now()): Promise<{ workspace: Workspace; apiKey: CreatedApiKey }> {
    return this.db.transaction().execute(async (trx) => {
      const workspace = await insertWorkspace(trx, input.name, now);
      const apiKey = await new ApiKeys(trx).create({ workspaceId: workspace.id, name: input.keyName ?? 'admin', scopes: input.scopes ?? ['admin'], ...(input.key ? { key: input.key } : {}) }, now);
      return { workspace, apiKey };
    });
  }

  /** The oldest workspace: the one a single-business installation uses. */
  async findFirst(): Promise<Workspace | undefined> {
    return this.db.selectFrom('workspaces').selectAll().orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
  }

  async get(id: string): Promise<Workspace | undefined> {
    return this.db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
  }
}

async function insertWorkspace(db: Kysely<Schema>, name: string, now: Date): Promise<Workspace> {
  const row: Workspace = { id: newId('ws'), name, created_at: now.toISOString() };
  await db.insertInto('workspaces').values(row).execute();
  return row;
}
