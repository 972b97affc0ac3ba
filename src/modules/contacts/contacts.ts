import type { Kysely } from 'kysely';
import { newId, type ContactsTable, type Schema } from '../../db/index.js';
import { realClock } from '../../clock/index.js';

export interface ContactView {
  id: string;
  wa_id: string;
  phone: string;
  name: string | null;
  language: string | null;
  time_zone: string | null;
  attributes: Record<string, string>;
  tags: string[];
  created_at: string;
  updated_at: string;
}

export interface ContactInput {
  e164: string;
  waId: string;
  name?: string | undefined;
  language?: string | undefined;
  timeZone?: string | undefined;
  attributes?: Record<string, string> | undefined;
  tags?: string[] | undefined;
}

/** Contacts: people known by their WhatsApp id, with attributes, tags, language and time zone. */
export class Contacts {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => Date = () => realClock.now(),
  ) {}

  /**
   * Creates a contact, or updates the given fields of the existing one with that wa_id
   * (attributes merge, tags union). Answers the contact and whether it was new.
   */
  async upsert(workspaceId: string, input: ContactInput, trx: Kysely<Schema> = this.db): Promise<{ contact: ContactView; created: boolean }> {
    const at = this.now().toISOString();
    const existing = await trx.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('wa_id', '=', input.waId).executeTakeFirst();
    if (!existing) {
      const row: ContactsTable = {
        id: newId('ct'),
        workspace_id: workspaceId,
        wa_id: input.waId,
        e164: input.e164,
        name: input.name ?? null,
        language: input.language ?? null,
        time_zone: input.timeZone ?? null,
        attributes: JSON.stringify(input.attributes ?? {}),
        tags: JSON.stringify([...new Set(input.tags ?? [])]),
        created_at: at,
        updated_at: at,
      };
      const inserted = await trx
        .insertInto('contacts')
        .values(row)
        .onConflict((oc) => oc.columns(['workspace_id', 'wa_id']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { contact: toView(row), created: true };
      return this.upsert(workspaceId, input, trx); // lost a race with another writer: update theirs
    }
    // Only the fields given are written: writing back fields read earlier would undo a
    // concurrent update (an inbound message naming the contact while an API call adds a tag).
    const patch: Partial<ContactsTable> = { updated_at: at };
    if (input.name !== undefined) patch.name = input.name;
    if (input.language !== undefined) patch.language = input.language;
    if (input.timeZone !== undefined) patch.time_zone = input.timeZone;
    if (input.attributes !== undefined) patch.attributes = JSON.stringify({ ...(JSON.parse(existing.attributes) as Record<string, string>), ...input.attributes });
    if (input.tags !== undefined) patch.tags = JSON.stringify([...new Set([...(JSON.parse(existing.tags) as string[]), ...input.tags])]);
    await trx.updateTable('contacts').set(patch).where('id', '=', existing.id).execute();
    return { contact: toView({ ...existing, ...patch }), created: false };
  }

  /**
   * The ids of many contacts by wa_id, creating the missing ones with just their number: one
   * insert and one select per call (campaign audiences from a CSV). Existing contacts are not
   * changed. Answers wa_id → contact id.
   */
  async ensureMany(workspaceId: string, phones: ReadonlyArray<{ e164: string; waId: string }>, trx: Kysely<Schema> = this.db): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    if (phones.length === 0) return ids;
    const at = this.now().toISOString();
    const rows: ContactsTable[] = phones.map((phone) => ({
      id: newId('ct'),
      workspace_id: workspaceId,
      wa_id: phone.waId,
      e164: phone.e164,
      name: null,
      language: null,
      time_zone: null,
      attributes: '{}',
      tags: '[]',
      created_at: at,
      updated_at: at,
    }));
    for (let i = 0; i < rows.length; i += 500) {
      await trx.insertInto('contacts').values(rows.slice(i, i + 500)).onConflict((oc) => oc.columns(['workspace_id', 'wa_id']).doNothing()).execute();
    }
    const waIds = phones.map((phone) => phone.waId);
    for (let i = 0; i < waIds.length; i += 500) {
      const found = await trx.selectFrom('contacts').select(['id', 'wa_id']).where('workspace_id', '=', workspaceId).where('wa_id', 'in', waIds.slice(i, i + 500)).execute();
      for (const row of found) ids.set(row.wa_id, row.id);
    }
    return ids;
  }

  /** The contact for an inbound message, created on first contact; the profile name is kept fresh. */
  async ensureFromInbound(workspaceId: string, waId: string, profileName: string | undefined, trx: Kysely<Schema> = this.db): Promise<ContactView> {
    const existing = await trx.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('wa_id', '=', waId).executeTakeFirst();
    if (existing && (!profileName || existing.name)) return toView(existing);
    return (await this.upsert(workspaceId, { e164: `+${waId}`, waId, name: profileName }, trx)).contact;
  }

  async get(workspaceId: string, id: string, trx: Kysely<Schema> = this.db): Promise<ContactView | undefined> {
    const row = await trx.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row ? toView(row) : undefined;
  }

  async findByWaId(workspaceId: string, waId: string, trx: Kysely<Schema> = this.db): Promise<ContactView | undefined> {
    const row = await trx.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('wa_id', '=', waId).executeTakeFirst();
    return row ? toView(row) : undefined;
  }

  /** Newest first, with an opaque cursor (the last id of the previous page). */
  async list(workspaceId: string, options: { limit: number; cursor?: string; tag?: string }): Promise<{ data: ContactView[]; next_cursor: string | null }> {
    let query = this.db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).orderBy('id', 'desc').limit(options.limit + 1);
    if (options.cursor) query = query.where('id', '<', options.cursor);
    if (options.tag) query = query.where('tags', 'like', `%${JSON.stringify(options.tag)}%`);
    const rows = await query.execute();
    const page = rows.slice(0, options.limit);
    return { data: page.map(toView), next_cursor: rows.length > options.limit ? (page.at(-1)?.id ?? null) : null };
  }
}

function toView(row: ContactsTable): ContactView {
  return {
    id: row.id,
    wa_id: row.wa_id,
    phone: row.e164,
    name: row.name,
    language: row.language,
    time_zone: row.time_zone,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    tags: JSON.parse(row.tags) as string[],
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
