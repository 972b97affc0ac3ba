import type { Kysely } from 'kysely';
import { newId, type Schema, type WorkspacesTable } from '../../db/index.js';

export type Workspace = WorkspacesTable;

/** Workspaces: one business (tenant) each; every other row carries a workspace id. */
export class Workspaces {
  constructor(private readonly db: Kysely<Schema>) {}

  async create(name: string, now = new Date()): Promise<Workspace> {
    const row: Workspace = { id: newId('ws'), name, created_at: now.toISOString() };
    await this.db.insertInto('workspaces').values(row).execute();
    return row;
  }

  /** The oldest workspace: the one a single-business installation uses. */
  async findFirst(): Promise<Workspace | undefined> {
    return this.db.selectFrom('workspaces').selectAll().orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
  }

  async get(id: string): Promise<Workspace | undefined> {
    return this.db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
