import { sql, type Kysely } from 'kysely';
import { decodeKeysetCursor, encodeKeysetCursor, newId, prepared, type Schema } from '../../db/index.js';
import { appError, type AppErrorValue } from '../../errors/index.js';
import type { InboundContext } from '../inbound/index.js';
import type { MessageEventPayload } from '../../whatsapp/index.js';
import { extractLeadFields } from './extract.js';
import { fieldsFromForm, fieldsFromMessage, fieldsGiven, mergeFields, type LeadField, type LeadSource } from './lead-fields.js';
import type { LeadContacts, LeadEvents } from './ports.js';

/** Fields one lead may hold, all merges together. */
export const MAX_LEAD_FIELDS = 200;

/** Longest page of `list` (and of `GET /api/v1/leads`). */
export const MAX_LEADS_PAGE = 200;

/** A lead as the API, the events and the exports show it. */
export interface LeadView {
  id: string;
  contact_id: string;
  contact: { id: string; wa_id: string; name: string | null };
  source: LeadSource;
  /** Field name → value with its provenance, in the order they were found. */
  fields: Record<string, LeadField>;
  created_at: string;
  updated_at: string;
}

export type LeadOutcome = { ok: true; lead: LeadView; created: boolean; changed: string[] } | { ok: false; error: AppErrorValue<'CONVERSA_ERR_VALIDATION' | 'CONVERSA_ERR_NOT_FOUND'> };

/** Filters of the list and the export; they combine (AND). Times are ISO-8601 UTC, inclusive. */
export interface LeadFilter {
  sourceType?: string | undefined;
  sourceId?: string | undefined;
  createdSince?: string | undefined;
  updatedSince?: string | undefined;
  /** Only leads holding this field. */
  hasField?: string | undefined;
  /** Text in the contact's name or wa_id or in a field's value (case-insensitive for ASCII). */
  q?: string | undefined;
  /** Export only: created before this instant (exclusive). */
  createdBefore?: string | undefined;
}

// The contact's leads and the workspace's lead sources in one round trip: this runs for every
// text a customer writes, so it is built once (src/db/prepared.ts).
const leadsAndSources = prepared((db: Kysely<Schema>, p: { workspaceId: string; contactId: string }) =>
  db
    .selectFrom('leads')
    .select([sql<string>`'lead'`.as('row_kind'), 'source_type', 'source_id', sql<string | null>`null`.as('keywords')])
    .where('workspace_id', '=', p.workspaceId)
    .where('contact_id', '=', p.contactId)
    .unionAll(db.selectFrom('lead_sources').select([sql<string>`'source'`.as('row_kind'), 'source_type', 'source_id', 'keywords']).where('workspace_id', '=', p.workspaceId)),
);

/**
 * Leads: people who showed interest, one per contact and source, with the fields found and
 * their provenance. Every change records `lead.created` or `lead.updated` in the caller's
 * transaction. The chatbot's completed forms (`fromForm`), the inbound router (`onMessage`), the
 * inbox (`mark` by an agent) and the API (`mark` by a key) feed it; a future source (a group)
 * calls `record` with its own `{type, id}`.
 */
export class Leads {
  constructor(private readonly deps: { db: Kysely<Schema>; events: LeadEvents; contacts: LeadContacts }) {}

  /**
   * Creates the lead of (contact, source) or merges `fields` into it (`mergeFields`: a guess
   * never replaces a checked value, provenance is kept for unchanged values) in `trx`, with
   * `lead.created`, or `lead.updated` when a field changed. Nothing is recorded when nothing changed.
   */
  async record(trx: Kysely<Schema>, input: { workspaceId: string; contactId: string; source: LeadSource; fields: Record<string, LeadField>; at: Date }): Promise<LeadOutcome> {
    const contact = await this.deps.contacts.get(input.workspaceId, input.contactId, trx);
    if (!contact) return { ok: false, error: appError('CONVERSA_ERR_NOT_FOUND', `contact_id: no contact ${input.contactId} in this workspace.`, { field: 'contact_id' }) };
    const at = input.at.toISOString();
    const merged = mergeFields({}, [], input.fields);
    const id = newId('lead');
    const inserted = await trx
      .insertInto('leads')
      .values({ id, workspace_id: input.workspaceId, contact_id: contact.id, source_type: input.source.type, source_id: input.source.id, fields: JSON.stringify(merged.fields), field_names: JSON.stringify(merged.names), created_at: at, updated_at: at })
      .onConflict((conflict) => conflict.columns(['workspace_id', 'contact_id', 'source_type', 'source_id']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
      const lead: LeadView = { id, contact_id: contact.id, contact, source: input.source, fields: merged.fields, created_at: at, updated_at: at };
      await this.deps.events.record(trx, input.workspaceId, 'lead.created', eventData(lead));
      return { ok: true, lead, created: true, changed: merged.changed };
    }
    const row = await trx
      .selectFrom('leads')
      .selectAll()
      .where('workspace_id', '=', input.workspaceId)
      .where('contact_id', '=', contact.id)
      .where('source_type', '=', input.source.type)
      .where('source_id', '=', input.source.id)
      .executeTakeFirstOrThrow();
    const next = mergeFields(JSON.parse(row.fields) as Record<string, LeadField>, JSON.parse(row.field_names) as string[], input.fields);
    // A lead grows by merges; its size is bounded all the same (an API client adding new names call after call).
    if (next.names.length > MAX_LEAD_FIELDS) return { ok: false, error: appError('CONVERSA_ERR_VALIDATION', `fields: a lead holds at most ${MAX_LEAD_FIELDS} fields`, { field: 'fields', rule: `a lead holds at most ${MAX_LEAD_FIELDS} fields` }) };
    const lead: LeadView = { id: row.id, contact_id: contact.id, contact, source: input.source, fields: next.fields, created_at: row.created_at, updated_at: row.updated_at };
    if (next.changed.length === 0) return { ok: true, lead, created: false, changed: [] };
    const updatedAt = at > row.updated_at ? at : row.updated_at;
    await trx.updateTable('leads').set({ fields: JSON.stringify(next.fields), field_names: JSON.stringify(next.names), updated_at: updatedAt }).where('id', '=', row.id).execute();
    lead.updated_at = updatedAt;
    await this.deps.events.record(trx, input.workspaceId, 'lead.updated', { ...eventData(lead), changed: next.changed });
    return { ok: true, lead, created: false, changed: next.changed };
  }

  /**
   * A completed chatbot form makes its customer a lead of source `{type: "form", id: <form>}`,
   * in the transaction that stored the submission (see `fieldsFromForm` for the fields).
   */
  async fromForm(trx: Kysely<Schema>, input: { workspaceId: string; form: string; contactId: string; fields: Record<string, unknown>; at: Date }): Promise<LeadOutcome> {
    return this.record(trx, { workspaceId: input.workspaceId, contactId: input.contactId, source: { type: 'form', id: input.form }, fields: fieldsFromForm(input.fields, input.at.toISOString()), at: input.at });
  }

  /**
   * A person (`agent`, source id their user id) or an API client (`api`, source id its label)
   * marks a contact as a lead, with fields they give (checked: `fieldsGiven`). A refusal names
   * `fields.<name>` and the rule, and stores nothing.
   */
  async mark(input: { workspaceId: string; contactId: string; source: LeadSource & { type: 'agent' | 'api' }; fields: Record<string, unknown>; at: Date }): Promise<LeadOutcome> {
    const given = fieldsGiven(input.fields, input.source.type, input.at.toISOString());
    if (!given.ok) return { ok: false, error: appError('CONVERSA_ERR_VALIDATION', `${given.field}: ${given.rule}`, { field: given.field, rule: given.rule }) };
    return this.deps.db.transaction().execute((trx) => this.record(trx, { ...input, fields: given.fields }));
  }

  /**
   * The inbound router's handler (after messaging's, in the batch's transaction): a customer's
   * text message is read for lead fields when its contact is a lead, or when it was written to
   * a number configured as a `chat` source (which makes the customer a lead of that source).
   * Fields go to every lead of the contact but its group leads (a group's messages are the
   * group's); each lead's source adds its own interest keywords. Two indexed reads for a text
   * message of anyone else, nothing at all for other messages.
   */
  async onMessage(payload: MessageEventPayload, context: InboundContext): Promise<void> {
    const facts = context.stored.message;
    if (!facts || facts.consentKeyword || payload.message.type !== 'text') return;
    const text = (payload.message.text as { body?: unknown } | undefined)?.body;
    if (typeof text !== 'string' || text.trim() === '') return;
    const { trx, workspaceId } = context;
    const rows = await leadsAndSources.rows(trx, { workspaceId, contactId: facts.contactId });
    const leads = rows.filter((row) => row.row_kind === 'lead');
    const sources = rows.filter((row) => row.row_kind === 'source');
    const targets: LeadSource[] = leads.filter((lead) => lead.source_type !== 'group').map((lead) => ({ type: lead.source_type as LeadSource['type'], id: lead.source_id }));
    // In a group: only that group counts, and only when it is configured as a lead source (a sales group).
    if (facts.groupId) {
      targets.length = 0;
      if (sources.some((source) => source.source_type === 'group' && source.source_id === facts.groupId)) targets.push({ type: 'group', id: facts.groupId });
    }
    const chat = !facts.groupId && context.number && sources.find((source) => source.source_type === 'chat' && source.source_id === context.number?.phone_number_id);
    if (chat && !targets.some((target) => target.type === 'chat' && target.id === chat.source_id)) targets.push({ type: 'chat', id: chat.source_id });
    if (targets.length === 0) return;
    const at = facts.at.toISOString();
    const plain = extractLeadFields(text);
    for (const source of targets) {
      const keywords = sources.find((row) => row.source_type === source.type && row.source_id === source.id)?.keywords;
      const found = keywords && keywords !== '[]' ? extractLeadFields(text, { keywords: JSON.parse(keywords) as string[] }) : plain;
      // A chat source or a sales group makes everyone who writes there a lead, fields or not.
      const isNew = (source.type === 'chat' || source.type === 'group') && !leads.some((lead) => lead.source_type === source.type && lead.source_id === source.id);
      if (found.length === 0 && !isNew) continue;
      await this.record(trx, { workspaceId, contactId: facts.contactId, source, fields: fieldsFromMessage(found, facts.id, at), at: facts.at });
    }
  }

  /** A participant joined a group: a lead of it when the group is configured as a lead source (a sales group). */
  async onGroupJoin(trx: Kysely<Schema>, input: { workspaceId: string; groupId: string; contactId: string; at: Date }): Promise<void> {
    const source = await trx.selectFrom('lead_sources').select('source_id').where('workspace_id', '=', input.workspaceId).where('source_type', '=', 'group').where('source_id', '=', input.groupId).executeTakeFirst();
    if (!source) return;
    await this.record(trx, { workspaceId: input.workspaceId, contactId: input.contactId, source: { type: 'group', id: input.groupId }, fields: {}, at: input.at });
  }

  /** One lead of the workspace (undefined for another workspace's id). */
  async get(workspaceId: string, id: string): Promise<LeadView | undefined> {
    const row = await this.#select(workspaceId).where('l.id', '=', id).executeTakeFirst();
    return row ? toView(row) : undefined;
  }

  /** Newest first, by (created_at, id), in keyset pages. `'bad_cursor'` for a cursor this server did not make. */
  async list(workspaceId: string, options: LeadFilter & { limit: number; cursor?: string | undefined }): Promise<{ ok: true; data: LeadView[]; next_cursor: string | null } | { ok: false; reason: 'bad_cursor' }> {
    const after = options.cursor === undefined ? undefined : decodeKeysetCursor(options.cursor);
    if (options.cursor !== undefined && !after) return { ok: false, reason: 'bad_cursor' };
    const limit = Math.min(Math.max(1, options.limit), MAX_LEADS_PAGE);
    let query = filtered(this.#select(workspaceId), options).orderBy('l.created_at', 'desc').orderBy('l.id', 'desc').limit(limit + 1);
    if (after) query = query.where((eb) => eb.or([eb('l.created_at', '<', after.at), eb.and([eb('l.created_at', '=', after.at), eb('l.id', '<', after.id)])]));
    const rows = await query.execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { ok: true, data: page.map(toView), next_cursor: rows.length > limit && last ? encodeKeysetCursor(last.created_at, last.id) : null };
  }

  /** The sources an export holds with the union of each one's field names in first-seen order (one aggregate). */
  async exportSheets(workspaceId: string, filter: LeadFilter): Promise<Array<{ source: LeadSource; fields: string[] }>> {
    const groups = await filtered(
      this.deps.db
        .selectFrom('leads as l')
        .innerJoin('contacts as c', 'c.id', 'l.contact_id')
        .select((eb) => ['l.source_type', 'l.source_id', 'l.field_names', eb.fn.min('l.created_at').as('first_at')])
        .where('l.workspace_id', '=', workspaceId)
        .groupBy(['l.source_type', 'l.source_id', 'l.field_names']),
      filter,
    ).execute();
    groups.sort((a, b) => `${a.source_type}\u0000${a.source_id}`.localeCompare(`${b.source_type}\u0000${b.source_id}`) || String(a.first_at).localeCompare(String(b.first_at)));
    const sheets = new Map<string, { source: LeadSource; fields: Set<string> }>();
    for (const group of groups) {
      const key = `${group.source_type}\u0000${group.source_id}`;
      const sheet = sheets.get(key) ?? { source: { type: group.source_type as LeadSource['type'], id: group.source_id }, fields: new Set<string>() };
      for (const name of JSON.parse(group.field_names) as string[]) sheet.fields.add(name);
      sheets.set(key, sheet);
    }
    return [...sheets.values()].map((sheet) => ({ source: sheet.source, fields: [...sheet.fields] }));
  }

  /** The leads of an export, oldest first, in pages of `pageSize`; `source` limits them to one source (an XLSX sheet). */
  async *exportRows(workspaceId: string, filter: LeadFilter, source?: LeadSource, pageSize = 500): AsyncGenerator<LeadView[]> {
    let after: { at: string; id: string } | undefined;
    for (;;) {
      let query = filtered(this.#select(workspaceId), filter).orderBy('l.created_at').orderBy('l.id').limit(pageSize);
      if (source) query = query.where('l.source_type', '=', source.type).where('l.source_id', '=', source.id);
      const from = after;
      if (from) query = query.where((eb) => eb.or([eb('l.created_at', '>', from.at), eb.and([eb('l.created_at', '=', from.at), eb('l.id', '>', from.id)])]));
      const rows = await query.execute();
      if (rows.length > 0) yield rows.map(toView);
      const last = rows.at(-1);
      if (!last || rows.length < pageSize) return;
      after = { at: last.created_at, id: last.id };
    }
  }

  #select(workspaceId: string) {
    return this.deps.db
      .selectFrom('leads as l')
      .innerJoin('contacts as c', 'c.id', 'l.contact_id')
      .select(['l.id', 'l.contact_id', 'l.source_type', 'l.source_id', 'l.fields', 'l.created_at', 'l.updated_at', 'c.wa_id as contact_wa_id', 'c.name as contact_name'])
      .where('l.workspace_id', '=', workspaceId);
  }
}

type LeadRow = { id: string; contact_id: string; source_type: string; source_id: string; fields: string; created_at: string; updated_at: string; contact_wa_id: string; contact_name: string | null };

/** The filters on a query over `leads as l` joined with `contacts as c`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one helper for the select and the aggregate, whose selections differ
function filtered<Q extends { where: (...args: any[]) => Q }>(query: Q, filter: LeadFilter): Q {
  let q = query;
  if (filter.sourceType !== undefined) q = q.where('l.source_type', '=', filter.sourceType);
  if (filter.sourceId !== undefined) q = q.where('l.source_id', '=', filter.sourceId);
  if (filter.createdSince !== undefined) q = q.where('l.created_at', '>=', filter.createdSince);
  if (filter.createdBefore !== undefined) q = q.where('l.created_at', '<', filter.createdBefore);
  if (filter.updatedSince !== undefined) q = q.where('l.updated_at', '>=', filter.updatedSince);
  if (filter.hasField !== undefined) q = q.where(sql<boolean>`l.field_names like ${`%${likeEscape(JSON.stringify(filter.hasField))}%`} escape '\\'`);
  if (filter.q !== undefined) {
    const pattern = `%${likeEscape(filter.q.toLowerCase())}%`;
    q = q.where(sql<boolean>`(lower(c.name) like ${pattern} escape '\\' or c.wa_id like ${pattern} escape '\\' or lower(l.fields) like ${pattern} escape '\\')`);
  }
  return q;
}

function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function toView(row: LeadRow): LeadView {
  return {
    id: row.id,
    contact_id: row.contact_id,
    contact: { id: row.contact_id, wa_id: row.contact_wa_id, name: row.contact_name },
    source: { type: row.source_type as LeadSource['type'], id: row.source_id },
    fields: JSON.parse(row.fields) as Record<string, LeadField>,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** What `lead.created` and `lead.updated` carry: the lead, its contact's id, wa_id and name. */
function eventData(lead: LeadView): Record<string, unknown> {
  return { id: lead.id, contact: lead.contact, source: lead.source, fields: lead.fields, created_at: lead.created_at, updated_at: lead.updated_at };
}
