import type { Kysely } from 'kysely';
import { newId, prepared, type ContactsTable, type Schema } from '../../db/index.js';
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
  /** Meta's business-scoped user id (BSUID), when Meta gave one; a contact known only by it has `wa_id` = it and `phone` ''. */
  user_id: string | null;
}

/** Where `contact.created` goes (the events outbox), in the transaction that created the contact. */
export interface ContactEvents {
  record(trx: Kysely<Schema>, workspaceId: string, type: 'contact.created', data: Record<string, unknown>): Promise<void>;
  recordMany(trx: Kysely<Schema>, events: ReadonlyArray<{ workspaceId: string; type: 'contact.created'; data: Record<string, unknown> }>): Promise<void>;
}

/** Who sent an inbound message: its wa_id and/or business-scoped user id (at least one). */
export interface InboundSender {
  waId?: string | undefined;
  userId?: string | undefined;
  name?: string | undefined;
}

export interface ContactInput {
  e164: string;
  waId: string;
  name?: string | undefined;
  language?: string | undefined;
  timeZone?: string | undefined;
  attributes?: Record<string, string> | undefined;
  tags?: string[] | undefined;
  userId?: string | undefined;
}

/**
 * Told of contacts just created, in the transaction that created them (the consent ledger
 * carries an erased person's opt-outs over to their new contact: `restoreTombstones`).
 */
export type ContactsCreated = (trx: Kysely<Schema>, workspaceId: string, contacts: ReadonlyArray<{ id: string; wa_id: string }>) => Promise<void>;

/** The bounds of a contact's editable fields (the API's and the inbox's validation). */
export const CONTACT_LIMITS = {
  /** Characters of a name. */
  name: 256,
  /** Attributes of one contact. */
  attributes: 100,
  /** Characters of an attribute's name. */
  attributeKey: 64,
  /** Characters of an attribute's value. */
  attributeValue: 1024,
  /** Tags of one contact. */
  tags: 50,
  /** Characters of a tag. */
  tag: 64,
} as const;

// Every customer message looks its sender up: built once (src/db/prepared.ts).
const contactByWaId = prepared((db: Kysely<Schema>, p: { workspaceId: string; waId: string }) => db.selectFrom('contacts').selectAll().where('workspace_id', '=', p.workspaceId).where('wa_id', '=', p.waId));
const contactByAlias = prepared((db: Kysely<Schema>, p: { workspaceId: string; waId: string }) =>
  db.selectFrom('contact_aliases as a').innerJoin('contacts as c', 'c.id', 'a.contact_id').selectAll('c').where('a.workspace_id', '=', p.workspaceId).where('a.wa_id', '=', p.waId),
);

/** Contacts: people known by their WhatsApp id, with attributes, tags, language and time zone. */
export class Contacts {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => Date = () => realClock.now(),
    /** Records `contact.created` for each contact created one by one (not `ensureMany`'s bulk rows). */
    private readonly events?: ContactEvents,
    /** Called with every contact created (one by one and in bulk), in the creating transaction. */
    private readonly created?: ContactsCreated,
  ) {}

  /** The former numbers (aliases) of a contact. */
  async aliasesOf(workspaceId: string, contactId: string, trx: Kysely<Schema> = this.db): Promise<string[]> {
    const rows = await trx.selectFrom('contact_aliases').select('wa_id').where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).execute();
    return rows.map((row) => row.wa_id);
  }

  /**
   * Erasure (issue 13): deletes the contact and its aliases in `trx`. What the schema declares
   * `on delete cascade` from a contact goes with it (conversations and, through them, messages,
   * notes, labels, transitions and the bot's rows; consents, form submissions, survey answers,
   * leads, notifications, group participations). Answers whether there was such a contact.
   */
  async erase(trx: Kysely<Schema>, workspaceId: string, contactId: string): Promise<boolean> {
    await trx.deleteFrom('contact_aliases').where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).execute();
    const deleted = await trx.deleteFrom('contacts').where('workspace_id', '=', workspaceId).where('id', '=', contactId).executeTakeFirst();
    return Number(deleted.numDeletedRows) > 0;
  }

  /**
   * Creates a contact, or updates the given fields of the existing one with that wa_id
   * (attributes merge, tags union). Answers the contact and whether it was new.
   */
  async upsert(workspaceId: string, input: ContactInput, trx: Kysely<Schema> = this.db): Promise<{ contact: ContactView; created: boolean }> {
    const at = this.now().toISOString();
    const existing = await this.#byWaId(workspaceId, input.waId, trx);
    if (!existing) {
      const row = newContactRow(workspaceId, input, at);
      const inserted = await trx
        .insertInto('contacts')
        .values(row)
        .onConflict((oc) => oc.columns(['workspace_id', 'wa_id']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) {
        const contact = toView(row);
        await this.events?.record(trx, workspaceId, 'contact.created', createdEventData(contact));
        await this.created?.(trx, workspaceId, [{ id: row.id, wa_id: row.wa_id }]);
        return { contact, created: true };
      }
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
   * `upsert` for many inputs (a contact import's batch), with the same result as calling it for
   * each in order: the numbers new to the workspace (no contact, no former number, once in the
   * batch) are inserted together, with their `contact.created` events in one insert (so before
   * the events of the others); the others go through `upsert` one by one. Answers one result per
   * input, in order.
   */
  async upsertMany(workspaceId: string, inputs: readonly ContactInput[], trx: Kysely<Schema>): Promise<Array<{ contact: ContactView; created: boolean }>> {
    const at = this.now().toISOString();
    const waIds = [...new Set(inputs.map((input) => input.waId))];
    const known = new Set<string>();
    for (let i = 0; i < waIds.length; i += 500) {
      const chunk = waIds.slice(i, i + 500);
      const rows = await trx
        .selectFrom('contacts')
        .select('wa_id')
        .where('workspace_id', '=', workspaceId)
        .where('wa_id', 'in', chunk)
        .unionAll(trx.selectFrom('contact_aliases').select('wa_id').where('workspace_id', '=', workspaceId).where('wa_id', 'in', chunk))
        .execute();
      for (const row of rows) known.add(row.wa_id);
    }
    const times = new Map<string, number>();
    for (const input of inputs) times.set(input.waId, (times.get(input.waId) ?? 0) + 1);
    const fresh = new Map<string, ContactsTable>();
    for (const input of inputs) {
      if (known.has(input.waId) || times.get(input.waId) !== 1 || input.userId !== undefined) continue;
      fresh.set(input.waId, newContactRow(workspaceId, input, at));
    }
    const inserted = new Map<string, ContactsTable>();
    const rows = [...fresh.values()];
    for (let i = 0; i < rows.length; i += 200) {
      const chunk = rows.slice(i, i + 200);
      const ids = new Set((await trx.insertInto('contacts').values(chunk).onConflict((oc) => oc.columns(['workspace_id', 'wa_id']).doNothing()).returning('id').execute()).map((row) => row.id));
      for (const row of chunk) if (ids.has(row.id)) inserted.set(row.wa_id, row);
    }
    if (inserted.size > 0) {
      await this.events?.recordMany(
        trx,
        [...inserted.values()].map((row) => ({ workspaceId, type: 'contact.created' as const, data: createdEventData(toView(row)) })),
      );
      await this.created?.(trx, workspaceId, [...inserted.values()].map((row) => ({ id: row.id, wa_id: row.wa_id })));
    }
    const results: Array<{ contact: ContactView; created: boolean }> = [];
    for (const input of inputs) {
      const row = inserted.get(input.waId);
      // Not inserted above (known, repeated, or taken by another writer meanwhile): one by one.
      results.push(row ? { contact: toView(row), created: true } : await this.upsert(workspaceId, input, trx));
    }
    return results;
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
    if (this.created) {
      const made = rows.filter((row) => ids.get(row.wa_id) === row.id).map((row) => ({ id: row.id, wa_id: row.wa_id }));
      if (made.length > 0) await this.created(trx, workspaceId, made);
    }
    return ids;
  }

  /** The contact for an inbound message, created on first contact; the profile name is kept fresh. */
  async ensureFromInbound(workspaceId: string, waId: string, profileName: string | undefined, trx: Kysely<Schema> = this.db): Promise<ContactView> {
    const existing = await this.#byWaId(workspaceId, waId, trx);
    if (existing && (!profileName || existing.name)) return toView(existing);
    return (await this.upsert(workspaceId, { e164: `+${waId}`, waId, name: profileName }, trx)).contact;
  }

  /**
   * The contact of an inbound message's sender, by wa_id (or a former one), else by Meta's
   * business-scoped user id; created on first contact. A user known only by username (no
   * `from`) gets a contact keyed by its user id (`wa_id` = it, `phone` ''), which takes the
   * number when a later message gives it. Undefined when the sender names neither.
   */
  async ensureFromSender(workspaceId: string, sender: InboundSender, trx: Kysely<Schema> = this.db): Promise<(ContactView & { created: boolean }) | undefined> {
    const { waId, userId, name } = sender;
    let row = waId ? await this.#byWaId(workspaceId, waId, trx) : undefined;
    if (!row && userId) row = await trx.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('user_id', '=', userId).executeTakeFirst();
    if (!row) {
      const made = waId ? await this.upsert(workspaceId, { e164: `+${waId}`, waId, name, userId }, trx) : userId ? await this.upsert(workspaceId, { e164: '', waId: userId, name, userId }, trx) : undefined;
      return made ? { ...made.contact, created: made.created } : undefined;
    }
    const patch: Partial<ContactsTable> = {};
    // The user id is unique in a workspace: another contact holding it (known by username before
    // this number had a contact of its own) keeps it; merging the two is a person's decision.
    if (userId && !row.user_id && !(await trx.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).executeTakeFirst())) patch.user_id = userId;
    // Known by username until now: the number Meta gives now becomes its wa_id.
    if (waId && row.wa_id === row.user_id && row.wa_id !== waId) Object.assign(patch, { wa_id: waId, e164: `+${waId}` });
    if (name && !row.name) patch.name = name;
    if (Object.keys(patch).length === 0) return { ...toView(row), created: false };
    patch.updated_at = this.now().toISOString();
    await trx.updateTable('contacts').set(patch).where('id', '=', row.id).execute();
    return { ...toView({ ...row, ...patch }), created: false };
  }

  /**
   * The user changed number (a `user_changed_number` system message): the contact of `oldWaId`
   * takes `newWaId`, keeping its id (so its conversations and consent history), and the old
   * number stays as an alias that still finds it. Nothing when no contact has the old number;
   * when another contact already has the new one, that one is kept and the old number is left
   * as it is (merging two contacts is a person's decision). Answers the moved contact.
   */
  async changeNumber(workspaceId: string, oldWaId: string, newWaId: string, trx: Kysely<Schema> = this.db): Promise<ContactView | undefined> {
    if (oldWaId === newWaId) return undefined;
    const row = await trx.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('wa_id', '=', oldWaId).executeTakeFirst();
    if (!row) return undefined;
    if (await trx.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('wa_id', '=', newWaId).executeTakeFirst()) return undefined;
    const at = this.now().toISOString();
    const patch = { wa_id: newWaId, e164: `+${newWaId}`, updated_at: at };
    await trx.updateTable('contacts').set(patch).where('id', '=', row.id).execute();
    await trx.deleteFrom('contact_aliases').where('workspace_id', '=', workspaceId).where('wa_id', '=', newWaId).execute();
    await trx
      .insertInto('contact_aliases')
      .values({ workspace_id: workspaceId, wa_id: oldWaId, contact_id: row.id, created_at: at })
      .onConflict((oc) => oc.columns(['workspace_id', 'wa_id']).doUpdateSet({ contact_id: row.id, created_at: at }))
      .execute();
    return toView({ ...row, ...patch });
  }

  /** A contact by its wa_id, or by a former one (an alias kept when it changed number). */
  async #byWaId(workspaceId: string, waId: string, trx: Kysely<Schema>): Promise<ContactsTable | undefined> {
    return (await contactByWaId.first(trx, { workspaceId, waId })) ?? contactByAlias.first(trx, { workspaceId, waId });
  }

  /**
   * Edits a contact by id (the inbox's contact panel, `PATCH /api/v1/contacts/{id}`): `name`,
   * `language` and `timeZone` replace (null clears them), `attributes` merge (a null value
   * removes that attribute; null removes them all), `tags` replace the list (null empties it).
   * Answers the contact after the edit, or `not_found` when it is not a contact of the workspace.
   * The caller validates against {@link CONTACT_LIMITS}; the merged attributes are checked here.
   */
  async edit(
    workspaceId: string,
    id: string,
    input: { name?: string | null; language?: string | null; timeZone?: string | null; attributes?: Record<string, string | null> | null; tags?: string[] | null },
  ): Promise<{ ok: true; contact: ContactView } | { ok: false; reason: 'not_found' | 'too_many_attributes' }> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      if (!existing) return { ok: false, reason: 'not_found' } as const;
      const patch: Partial<ContactsTable> = { updated_at: this.now().toISOString() };
      if (input.name !== undefined) patch.name = input.name;
      if (input.language !== undefined) patch.language = input.language;
      if (input.timeZone !== undefined) patch.time_zone = input.timeZone;
      if (input.attributes === null) patch.attributes = '{}';
      else if (input.attributes !== undefined) {
        const merged: Record<string, string> = JSON.parse(existing.attributes) as Record<string, string>;
        for (const [key, value] of Object.entries(input.attributes)) {
          if (value === null) delete merged[key];
          else merged[key] = value;
        }
        if (Object.keys(merged).length > CONTACT_LIMITS.attributes) return { ok: false, reason: 'too_many_attributes' } as const;
        patch.attributes = JSON.stringify(merged);
      }
      if (input.tags !== undefined) patch.tags = JSON.stringify([...new Set(input.tags ?? [])]);
      await trx.updateTable('contacts').set(patch).where('id', '=', existing.id).execute();
      return { ok: true, contact: toView({ ...existing, ...patch }) } as const;
    });
  }

  async get(workspaceId: string, id: string, trx: Kysely<Schema> = this.db): Promise<ContactView | undefined> {
    const row = await trx.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row ? toView(row) : undefined;
  }

  /** A contact by wa_id; a former wa_id (the contact changed number) finds it too. */
  async findByWaId(workspaceId: string, waId: string, trx: Kysely<Schema> = this.db): Promise<ContactView | undefined> {
    const row = await this.#byWaId(workspaceId, waId, trx);
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

  /**
   * The attribute names of the contacts an export holds (`tag`: only contacts with it; created
   * before `until`), sorted; read in pages of 1,000 before the rows stream, at most `max` names.
   */
  async exportAttributeNames(workspaceId: string, filter: { tag?: string | undefined; until: string }, max = 200): Promise<string[]> {
    const names = new Set<string>();
    for await (const page of this.#exportPages(workspaceId, filter, 1000, true)) {
      for (const row of page) for (const name of Object.keys(JSON.parse(row.attributes) as Record<string, string>)) if (names.size < max) names.add(name);
    }
    return [...names].sort();
  }

  /** The contacts of an export (the list's `tag` filter; created before `until`), oldest first, in keyset pages. */
  async *exportRows(workspaceId: string, filter: { tag?: string | undefined; until: string }, pageSize = 500): AsyncGenerator<ContactView[]> {
    for await (const page of this.#exportPages(workspaceId, filter, pageSize, false)) yield page.map((row) => toView(row as ContactsTable));
  }

  async *#exportPages(workspaceId: string, filter: { tag?: string | undefined; until: string }, pageSize: number, attributesOnly: boolean): AsyncGenerator<Array<Pick<ContactsTable, 'id' | 'attributes'>>> {
    let after: string | undefined;
    for (;;) {
      let query = (attributesOnly ? this.db.selectFrom('contacts').select(['id', 'attributes']) : this.db.selectFrom('contacts').selectAll())
        .where('workspace_id', '=', workspaceId)
        .where('created_at', '<', filter.until)
        .orderBy('id')
        .limit(pageSize);
      if (filter.tag) query = query.where('tags', 'like', `%${JSON.stringify(filter.tag)}%`);
      if (after !== undefined) query = query.where('id', '>', after);
      const rows = await query.execute();
      if (rows.length > 0) yield rows;
      const last = rows.at(-1);
      if (!last || rows.length < pageSize) return;
      after = last.id;
    }
  }
}

/** The row of a new contact from its input, stamped `at`. */
function newContactRow(workspaceId: string, input: ContactInput, at: string): ContactsTable {
  return {
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
    ...(input.userId !== undefined ? { user_id: input.userId } : {}),
  };
}

/** The data of a `contact.created` event (a contact known only by its user id has no wa_id). */
function createdEventData(contact: ContactView): Record<string, unknown> {
  return { contact_id: contact.id, wa_id: contact.user_id === contact.wa_id ? null : contact.wa_id, user_id: contact.user_id, phone: contact.phone || null, name: contact.name, created_at: contact.created_at };
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
    user_id: row.user_id ?? null,
  };
}
