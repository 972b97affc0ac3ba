import type { Kysely } from 'kysely';
import { decodeKeysetCursor, encodeKeysetCursor, newId, type Schema } from '../../db/index.js';
import { appError, type AppErrorValue } from '../../errors/index.js';
import type { ContactDirectory, FormEvents, PeriodFilter } from './ports.js';
import { checkFields, checkName } from './submission-input.js';

/** Longest page of `list` (and of `GET /api/v1/forms/submissions`). */
export const MAX_SUBMISSIONS_PAGE = 200;

/** What a flow's form collected, as `FormSubmissions.submit` takes it (the chatbot runtime calls it). */
export interface SubmitFormInput {
  workspaceId: string;
  /** The flow's name and the published version the session ran. */
  flow: string;
  flowVersion: number;
  /** The form's name in the flow. */
  form: string;
  contactId: string;
  conversationId: string;
  /** Field name → value (any JSON); at most 100 fields, 16 KB as JSON. */
  fields: Record<string, unknown>;
  /** When the form was completed (the runtime's clock). */
  at: Date;
}

/** A submission as the API answers it. */
export interface FormSubmissionView {
  id: string;
  flow: string;
  flow_version: number;
  form: string;
  contact_id: string;
  contact: { id: string; wa_id: string; name: string | null };
  conversation_id: string;
  fields: Record<string, unknown>;
  submitted_at: string;
}

export type SubmitFormOutcome = { ok: true; submission: FormSubmissionView } | { ok: false; error: AppErrorValue<'CONVERSA_ERR_VALIDATION' | 'CONVERSA_ERR_NOT_FOUND'> };

/** Filters of the list and the export; they combine (AND). */
export interface SubmissionFilter extends PeriodFilter {
  form?: string | undefined;
  flow?: string | undefined;
  contactId?: string | undefined;
}

/** One form of an export: its name and the union of its field names, in the order they were first seen. */
export interface ExportSheet {
  form: string;
  fields: string[];
}

/** A row of an export. */
export interface ExportRow {
  id: string;
  form: string;
  flow: string;
  flow_version: number;
  contact_wa_id: string;
  contact_name: string | null;
  fields: Record<string, unknown>;
  submitted_at: string;
}

/**
 * Form submissions: what chatbot flows collect, one row per completed form, stored with a
 * `form.submitted` event in the caller's transaction; listed, read and exported per workspace.
 */
export class FormSubmissions {
  constructor(private readonly deps: { db: Kysely<Schema>; events: FormEvents; contacts: ContactDirectory }) {}

  /**
   * Stores a submission and records `form.submitted` in `trx` (the runtime's transaction: both
   * commit with the step that completed the form, or neither). A refusal names the input's
   * field and rule (`fields`: more than 100 keys or over 16 KB; `contactId`: not a contact of
   * the workspace) and stores nothing.
   *
   * @example
   * await forms.submit(trx, { workspaceId, flow: 'leads', flowVersion: 3, form: 'orcamento', contactId, conversationId, fields: { nome: 'Ana' }, at: clock.now() })
   */
  async submit(trx: Kysely<Schema>, input: SubmitFormInput): Promise<SubmitFormOutcome> {
    const refusal = checkName('flow', input.flow) ?? checkName('form', input.form) ?? checkVersion(input.flowVersion);
    if (refusal) return { ok: false, error: appError('CONVERSA_ERR_VALIDATION', `${refusal.field}: ${refusal.rule}`, { field: refusal.field, rule: refusal.rule }) };
    const checked = checkFields(input.fields);
    if (!checked.ok) return { ok: false, error: appError('CONVERSA_ERR_VALIDATION', `${checked.field}: ${checked.rule}`, { field: checked.field, rule: checked.rule }) };
    const contact = await this.deps.contacts.get(input.workspaceId, input.contactId, trx);
    if (!contact) return { ok: false, error: appError('CONVERSA_ERR_NOT_FOUND', `contactId: no contact ${input.contactId} in this workspace.`, { field: 'contactId' }) };

    const submission: FormSubmissionView = {
      id: newId('fsub'),
      flow: input.flow,
      flow_version: input.flowVersion,
      form: input.form,
      contact_id: contact.id,
      contact: { id: contact.id, wa_id: contact.wa_id, name: contact.name },
      conversation_id: input.conversationId,
      fields: checked.fields,
      submitted_at: input.at.toISOString(),
    };
    await trx
      .insertInto('form_submissions')
      .values({
        id: submission.id,
        workspace_id: input.workspaceId,
        flow: submission.flow,
        flow_version: submission.flow_version,
        form: submission.form,
        contact_id: contact.id,
        conversation_id: submission.conversation_id,
        fields: checked.json,
        field_names: JSON.stringify(checked.names),
        submitted_at: submission.submitted_at,
      })
      .execute();
    await this.deps.events.record(trx, input.workspaceId, 'form.submitted', {
      id: submission.id,
      flow: submission.flow,
      flow_version: submission.flow_version,
      form: submission.form,
      contact: { id: contact.id, wa_id: contact.wa_id },
      conversation_id: submission.conversation_id,
      fields: submission.fields,
      submitted_at: submission.submitted_at,
    });
    return { ok: true, submission };
  }

  /** One submission of the workspace (undefined for another workspace's id). */
  async get(workspaceId: string, id: string): Promise<FormSubmissionView | undefined> {
    const row = await this.#select(workspaceId).where('s.id', '=', id).executeTakeFirst();
    return row ? toView(row) : undefined;
  }

  /**
   * Newest first, by (submitted_at, id), in keyset pages: rows stored during the walk never
   * shift a page. `'bad_cursor'` for a cursor this server did not make.
   */
  async list(
    workspaceId: string,
    options: SubmissionFilter & { limit: number; cursor?: string | undefined },
  ): Promise<{ ok: true; data: FormSubmissionView[]; next_cursor: string | null } | { ok: false; reason: 'bad_cursor' }> {
    const after = options.cursor === undefined ? undefined : decodeKeysetCursor(options.cursor);
    if (options.cursor !== undefined && !after) return { ok: false, reason: 'bad_cursor' };
    const limit = Math.min(Math.max(1, options.limit), MAX_SUBMISSIONS_PAGE);
    let query = this.#select(workspaceId).orderBy('s.submitted_at', 'desc').orderBy('s.id', 'desc').limit(limit + 1);
    if (options.form !== undefined) query = query.where('s.form', '=', options.form);
    if (options.flow !== undefined) query = query.where('s.flow', '=', options.flow);
    if (options.contactId !== undefined) query = query.where('s.contact_id', '=', options.contactId);
    if (options.since !== undefined) query = query.where('s.submitted_at', '>=', options.since);
    if (options.until !== undefined) query = query.where('s.submitted_at', '<', options.until);
    if (after) query = query.where((eb) => eb.or([eb('s.submitted_at', '<', after.at), eb.and([eb('s.submitted_at', '=', after.at), eb('s.id', '<', after.id)])]));
    const rows = await query.execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { ok: true, data: page.map(toView), next_cursor: rows.length > limit && last ? encodeKeysetCursor(last.submitted_at, last.id) : null };
  }

  /**
   * The forms an export holds (by name) with the union of each one's field names in the order
   * they were first seen: one aggregate over the stored key lists, before any row is written.
   */
  async exportSheets(workspaceId: string, filter: SubmissionFilter): Promise<ExportSheet[]> {
    let query = this.deps.db
      .selectFrom('form_submissions')
      .select((eb) => ['form', 'field_names', eb.fn.min('submitted_at').as('first_at')])
      .where('workspace_id', '=', workspaceId)
      .groupBy(['form', 'field_names']);
    if (filter.form !== undefined) query = query.where('form', '=', filter.form);
    if (filter.flow !== undefined) query = query.where('flow', '=', filter.flow);
    if (filter.contactId !== undefined) query = query.where('contact_id', '=', filter.contactId);
    if (filter.since !== undefined) query = query.where('submitted_at', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('submitted_at', '<', filter.until);
    const groups = await query.execute();
    // A key's first submission belongs to the key list whose earliest submission is that one,
    // so walking the key lists by their earliest time adds each key at its first-seen place.
    groups.sort((a, b) => (a.form < b.form ? -1 : a.form > b.form ? 1 : String(a.first_at).localeCompare(String(b.first_at))));
    const sheets = new Map<string, Set<string>>();
    for (const group of groups) {
      const fields = sheets.get(group.form) ?? new Set<string>();
      for (const name of JSON.parse(group.field_names) as string[]) fields.add(name);
      sheets.set(group.form, fields);
    }
    return [...sheets].map(([form, fields]) => ({ form, fields: [...fields] }));
  }

  /** One form's submissions for an export, oldest first, in pages of `pageSize` (the contact's wa_id and name joined). */
  async *exportRows(workspaceId: string, form: string, filter: SubmissionFilter, pageSize = 500): AsyncGenerator<ExportRow[]> {
    let after: { at: string; id: string } | undefined;
    for (;;) {
      let query = this.deps.db
        .selectFrom('form_submissions as s')
        .innerJoin('contacts as c', 'c.id', 's.contact_id')
        .select(['s.id', 's.form', 's.flow', 's.flow_version', 's.fields', 's.submitted_at', 'c.wa_id as contact_wa_id', 'c.name as contact_name'])
        .where('s.workspace_id', '=', workspaceId)
        .where('s.form', '=', form)
        .orderBy('s.submitted_at')
        .orderBy('s.id')
        .limit(pageSize);
      if (filter.flow !== undefined) query = query.where('s.flow', '=', filter.flow);
      if (filter.contactId !== undefined) query = query.where('s.contact_id', '=', filter.contactId);
      if (filter.since !== undefined) query = query.where('s.submitted_at', '>=', filter.since);
      if (filter.until !== undefined) query = query.where('s.submitted_at', '<', filter.until);
      const from = after;
      if (from) query = query.where((eb) => eb.or([eb('s.submitted_at', '>', from.at), eb.and([eb('s.submitted_at', '=', from.at), eb('s.id', '>', from.id)])]));
      const rows = await query.execute();
      if (rows.length > 0) yield rows.map((row) => ({ ...row, flow_version: Number(row.flow_version), fields: JSON.parse(row.fields) as Record<string, unknown> }));
      const last = rows.at(-1);
      if (!last || rows.length < pageSize) return;
      after = { at: last.submitted_at, id: last.id };
    }
  }

  #select(workspaceId: string) {
    return this.deps.db
      .selectFrom('form_submissions as s')
      .innerJoin('contacts as c', 'c.id', 's.contact_id')
      .select(['s.id', 's.flow', 's.flow_version', 's.form', 's.contact_id', 's.conversation_id', 's.fields', 's.submitted_at', 'c.wa_id as contact_wa_id', 'c.name as contact_name'])
      .where('s.workspace_id', '=', workspaceId);
  }
}

function checkVersion(version: unknown): { ok: false; field: string; rule: string } | undefined {
  return typeof version === 'number' && Number.isInteger(version) && version >= 1 && version <= 2_147_483_647 ? undefined : { ok: false, field: 'flowVersion', rule: 'must be a positive integer' };
}

function toView(row: { id: string; flow: string; flow_version: number; form: string; contact_id: string; conversation_id: string; fields: string; submitted_at: string; contact_wa_id: string; contact_name: string | null }): FormSubmissionView {
  return {
    id: row.id,
    flow: row.flow,
    flow_version: Number(row.flow_version),
    form: row.form,
    contact_id: row.contact_id,
    contact: { id: row.contact_id, wa_id: row.contact_wa_id, name: row.contact_name },
    conversation_id: row.conversation_id,
    fields: JSON.parse(row.fields) as Record<string, unknown>,
    submitted_at: row.submitted_at,
  };
}
