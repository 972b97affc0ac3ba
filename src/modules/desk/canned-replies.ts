import type { Kysely } from 'kysely';
import { realClock, type Clock } from '../../clock/index.js';
import { newId, type CannedRepliesTable, type Schema } from '../../db/index.js';
import { appError, type AppErrorValue } from '../../errors/index.js';
import { CANNED_VARIABLES, lintCannedText } from './canned-variables.js';

/** Bounds of a canned reply. */
export const CANNED_LIMITS = { title: 100, text: 4096, shortcutPattern: '^/[A-Za-z0-9_-]{1,31}$' } as const;

export interface CannedReplyView {
  id: string;
  /** `/frete`: typed in the composer (lower-cased). */
  shortcut: string;
  title: string;
  text: string;
  created_by: string;
  updated_by: string;
  created_at: string;
  updated_at: string;
}

export type CannedOutcome =
  | { ok: true; reply: CannedReplyView }
  | { ok: false; error: AppErrorValue<'CONVERSA_ERR_NOT_FOUND' | 'CONVERSA_ERR_CONFLICT' | 'CONVERSA_ERR_CANNED_VARIABLE'> };

/**
 * The workspace's canned replies: a shortcut, a title and a text with `{{variables}}`
 * (canned-variables.ts). The text is linted on every save: an unknown variable is refused,
 * naming it. Who may save is the HTTP edge's decision (supervisors and admins).
 */
export class CannedReplies {
  constructor(private readonly deps: { db: Kysely<Schema>; clock?: Clock }) {}

  async list(workspaceId: string): Promise<CannedReplyView[]> {
    return this.deps.db.selectFrom('canned_replies').selectAll().where('workspace_id', '=', workspaceId).orderBy('shortcut').execute().then((rows) => rows.map(toView));
  }

  async get(workspaceId: string, id: string): Promise<CannedReplyView | undefined> {
    const row = await this.deps.db.selectFrom('canned_replies').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row ? toView(row) : undefined;
  }

  async create(workspaceId: string, input: { shortcut: string; title: string; text: string }, userId: string): Promise<CannedOutcome> {
    const lint = lintOf(input.text);
    if (lint) return lint;
    const at = this.#now();
    const row: CannedRepliesTable = { id: newId('crep'), workspace_id: workspaceId, shortcut: input.shortcut.toLowerCase(), title: input.title, text: input.text, created_by: userId, updated_by: userId, created_at: at, updated_at: at };
    const inserted = await this.deps.db.insertInto('canned_replies').values(row).onConflict((oc) => oc.columns(['workspace_id', 'shortcut']).doNothing()).executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return taken(row.shortcut);
    return { ok: true, reply: toView(row) };
  }

  async update(workspaceId: string, id: string, input: { shortcut?: string | undefined; title?: string | undefined; text?: string | undefined }, userId: string): Promise<CannedOutcome> {
    if (input.text !== undefined) {
      const lint = lintOf(input.text);
      if (lint) return lint;
    }
    return this.deps.db.transaction().execute(async (trx): Promise<CannedOutcome> => {
      const existing = await trx.selectFrom('canned_replies').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      if (!existing) return { ok: false, error: appError('CONVERSA_ERR_NOT_FOUND', 'No canned reply with this id in the workspace.') };
      const patch: Partial<CannedRepliesTable> = { updated_by: userId, updated_at: this.#now() };
      if (input.shortcut !== undefined) patch.shortcut = input.shortcut.toLowerCase();
      if (input.title !== undefined) patch.title = input.title;
      if (input.text !== undefined) patch.text = input.text;
      if (patch.shortcut !== undefined && patch.shortcut !== existing.shortcut) {
        const clash = await trx.selectFrom('canned_replies').select('id').where('workspace_id', '=', workspaceId).where('shortcut', '=', patch.shortcut).executeTakeFirst();
        if (clash) return taken(patch.shortcut);
      }
      try {
        await trx.updateTable('canned_replies').set(patch).where('id', '=', id).execute();
      } catch (error) {
        // A concurrent save took the shortcut between the check and the update.
        if (patch.shortcut !== undefined && /unique/i.test(String(error))) return taken(patch.shortcut);
        throw error;
      }
      return { ok: true, reply: toView({ ...existing, ...patch }) };
    });
  }

  /** Answers whether it was there. */
  async delete(workspaceId: string, id: string): Promise<boolean> {
    const result = await this.deps.db.deleteFrom('canned_replies').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  #now(): string {
    return (this.deps.clock ?? realClock).now().toISOString();
  }
}

function lintOf(text: string): CannedOutcome | undefined {
  const variable = lintCannedText(text);
  if (variable === undefined) return undefined;
  return {
    ok: false,
    error: appError('CONVERSA_ERR_CANNED_VARIABLE', `text: {{${variable}}} is not a variable Conversa knows.`, { field: 'text', rule: 'variables must be one of details.known', variable, known: [...CANNED_VARIABLES] }),
  };
}

function taken(shortcut: string): CannedOutcome {
  return { ok: false, error: appError('CONVERSA_ERR_CONFLICT', `shortcut: ${shortcut} is already the shortcut of another canned reply.`, { field: 'shortcut', rule: 'must be unique in the workspace' }) };
}

function toView(row: CannedRepliesTable): CannedReplyView {
  return { id: row.id, shortcut: row.shortcut, title: row.title, text: row.text, created_by: row.created_by, updated_by: row.updated_by, created_at: row.created_at, updated_at: row.updated_at };
}
