import type { Kysely } from 'kysely';
import { realClock, type Clock } from '../../clock/index.js';
import type { Schema } from '../../db/index.js';
import type { Events } from '../events/index.js';
import type { Viewer } from '../users/index.js';
import { visibleConversations } from './visibility.js';

/** Bounds of a conversation's labels. */
export const LABEL_LIMITS = { perConversation: 20, length: 40 } as const;

/** Labels as checked: trimmed, each once (case-insensitively), in the order given. */
export type LabelsInput = { ok: true; labels: string[] } | { ok: false; field: string; rule: string };

/**
 * Checks and normalises a conversation's labels: each trimmed, 1 to 40 characters, no control
 * characters; at most 20; duplicates that differ only in case kept once (the first spelling).
 * Pure.
 */
export function checkLabels(input: readonly string[]): LabelsInput {
  const labels: string[] = [];
  const keys = new Set<string>();
  for (const [index, raw] of input.entries()) {
    const label = raw.trim().normalize('NFC');
    const field = `labels.${index}`;
    if (label.length === 0) return { ok: false, field, rule: 'must not be empty (after trimming spaces)' };
    if ([...label].length > LABEL_LIMITS.length) return { ok: false, field, rule: `must be at most ${LABEL_LIMITS.length} characters` };
    if (/[\u0000-\u001f\u007f]/.test(label)) return { ok: false, field, rule: 'must not contain control characters (line breaks, tabs)' };
    const key = label.toLowerCase();
    if (keys.has(key)) continue;
    keys.add(key);
    labels.push(label);
  }
  if (labels.length > LABEL_LIMITS.perConversation) return { ok: false, field: 'labels', rule: `must hold at most ${LABEL_LIMITS.perConversation} labels` };
  return { ok: true, labels };
}

/**
 * Labels of conversations. A workspace spells a label one way: setting `urgent` where the
 * workspace already has `Urgent` keeps `Urgent`. Setting a conversation's labels records
 * `conversation.labels` (an inbox-only event) in the same transaction.
 */
export class Labels {
  constructor(private readonly deps: { db: Kysely<Schema>; events: Pick<Events, 'record'>; clock?: Clock }) {}

  /** Replaces a conversation's labels (checked with {@link checkLabels}); answers them in order. */
  async set(workspaceId: string, conversationId: string, labels: readonly string[], actorId: string): Promise<string[]> {
    return this.deps.db.transaction().execute(async (trx) => {
      const keys = labels.map((label) => label.toLowerCase());
      const spelled = new Map<string, string>();
      if (keys.length > 0) {
        const known = await trx
          .selectFrom('conversation_labels')
          .select(['label_key', (eb) => eb.fn.min('label').as('label')])
          .where('workspace_id', '=', workspaceId)
          .where('label_key', 'in', keys)
          .where('conversation_id', '!=', conversationId)
          .groupBy('label_key')
          .execute();
        for (const row of known) spelled.set(row.label_key, row.label as string);
      }
      const final = labels.map((label) => spelled.get(label.toLowerCase()) ?? label);
      await trx.deleteFrom('conversation_labels').where('workspace_id', '=', workspaceId).where('conversation_id', '=', conversationId).execute();
      const at = (this.deps.clock ?? realClock).now().toISOString();
      if (final.length > 0) {
        await trx
          .insertInto('conversation_labels')
          .values(final.map((label, position) => ({ conversation_id: conversationId, label_key: label.toLowerCase(), label, position, workspace_id: workspaceId, created_at: at })))
          // Two people setting labels at once: the later insert takes over a row the other just
          // wrote (no unique-key failure on PostgreSQL), and the labels end up as the union.
          .onConflict((oc) => oc.columns(['conversation_id', 'label_key']).doUpdateSet((eb) => ({ label: eb.ref('excluded.label'), position: eb.ref('excluded.position') })))
          .execute();
      }
      await this.deps.events.record(trx, workspaceId, 'conversation.labels', { conversation_id: conversationId, labels: final, actor_id: actorId });
      return final;
    });
  }

  /** A conversation's labels, in the order they were set. */
  async of(workspaceId: string, conversationId: string): Promise<string[]> {
    const rows = await this.deps.db.selectFrom('conversation_labels').select('label').where('workspace_id', '=', workspaceId).where('conversation_id', '=', conversationId).orderBy('position').execute();
    return rows.map((row) => row.label);
  }

  /** The labels of several conversations of the workspace, by conversation id (one query; none: []). */
  async ofMany(workspaceId: string, conversationIds: readonly string[]): Promise<Map<string, string[]>> {
    const labels = new Map<string, string[]>(conversationIds.map((id) => [id, []]));
    if (conversationIds.length === 0) return labels;
    const rows = await this.deps.db
      .selectFrom('conversation_labels')
      .select(['conversation_id', 'label'])
      .where('workspace_id', '=', workspaceId)
      .where('conversation_id', 'in', conversationIds)
      .orderBy('conversation_id')
      .orderBy('position')
      .execute();
    for (const row of rows) labels.get(row.conversation_id)?.push(row.label);
    return labels;
  }

  /**
   * The workspace's labels (every label in use), each with how many conversations the viewer may
   * see carry it; most used first, then by name.
   */
  async inWorkspace(viewer: Viewer): Promise<Array<{ label: string; count: number }>> {
    const rows = await this.deps.db
      .selectFrom('conversation_labels as l')
      .innerJoin('conversations as c', 'c.id', 'l.conversation_id')
      .select(['l.label_key', (eb) => eb.fn.min('l.label').as('label'), (eb) => eb.fn.sum<number>(eb.case().when(visibleConversations(viewer, eb)).then(1).else(0).end()).as('count')])
      .where('l.workspace_id', '=', viewer.workspaceId)
      .groupBy('l.label_key')
      .execute();
    return rows
      .map((row) => ({ label: row.label as string, count: Number(row.count) }))
      .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  }
}
