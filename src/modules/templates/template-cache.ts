import type { Kysely, Selectable } from 'kysely';
import { realClock, type Clock } from '../../clock/index.js';
import { newId, type Schema, type TemplatesTable } from '../../db/index.js';
import type { Events } from '../events/index.js';
import { TEMPLATE_CHANGE_FIELDS, type GraphResult, type TemplateComponentDefinition, type TemplateRecord } from '../../whatsapp/index.js';
import { canonicalJson, DELETED } from './template-rows.js';

export interface CachedTemplate {
  name: string;
  language: string;
  status: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  parameter_format?: 'POSITIONAL' | 'NAMED';
  components: TemplateComponentDefinition[];
}

/** What a sync changed on one WABA. */
export interface SyncSummary {
  /** Templates the provider lists. */
  listed: number;
  /** Found at the provider and new here (created in WhatsApp Manager, or a lost create answer). */
  created: number;
  /** Known here, and something (status, quality, category, components) changed. */
  updated: number;
  /** Known here as submitted, gone at the provider: marked DELETED. */
  deleted: number;
}

/** A template webhook event as stored by the inbound module (`kind: 'other'`). */
export interface TemplateWebhook {
  field: string;
  value: Record<string, unknown>;
  waba_id?: string;
  time?: number;
}

type Row = Selectable<TemplatesTable>;
type Source = 'webhook' | 'sync' | 'api';

/** The webhook fields {@link TemplateCache.applyWebhook} understands. */
export const TEMPLATE_WEBHOOK_FIELDS: readonly string[] = TEMPLATE_CHANGE_FIELDS;

/**
 * The platform's copy of the provider's templates per WABA, kept current by syncs (listing the
 * provider's templates) and by the template webhooks. Policy checks read it, so a send of an
 * unknown or unapproved template is refused before it reaches the wire. Every status, quality
 * and category change is kept in `template_events`, and a status change is published as a
 * `template.status` event (outbound webhooks carry it).
 *
 * The same table holds drafts (no provider id yet) and deleted templates; {@link byName} sees
 * neither, so the send policy reads only what the provider knows.
 */
export class TemplateCache {
  /** Per WABA (`workspace id \n waba id`): the sync waiting behind the running one, and when the last settles. */
  readonly #flights = new Map<string, { queued: Promise<GraphResult<SyncSummary>> | undefined; tail: Promise<void> }>();

  constructor(
    private readonly db: Kysely<Schema>,
    /** A template's timestamps follow its WABA's numbers' clock. */
    private readonly clock: Clock = realClock,
    private readonly events?: Pick<Events, 'record'>,
  ) {}

  /** Every language of a template name on a WABA, as the provider knows them (no drafts, nothing deleted). */
  async byName(workspaceId: string, wabaId: string, name: string, trx: Kysely<Schema> = this.db): Promise<CachedTemplate[]> {
    const rows = await trx
      .selectFrom('templates')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('waba_id', '=', wabaId)
      .where('name', '=', name)
      .where('provider_template_id', 'is not', null)
      .where('deleted_at', 'is', null)
      .execute();
    return rows.map((row) => ({
      name: row.name,
      language: row.language,
      status: row.status,
      category: row.category as CachedTemplate['category'],
      ...(row.parameter_format ? { parameter_format: row.parameter_format as 'POSITIONAL' | 'NAMED' } : {}),
      components: JSON.parse(row.components) as TemplateComponentDefinition[],
    }));
  }

  /**
   * Lists a WABA's templates at the provider (`list`) and reconciles them, one sync per WABA at a
   * time in this process. A caller arriving while one runs waits for the next, which starts when
   * the running one ends (so its list is read after the caller missed a template) and is shared by
   * everyone who arrived meanwhile: a burst of first sends of a template the platform does not
   * know yet makes at most two provider calls and never two reconciles of one WABA at once.
   *
   * @example const synced = await cache.syncFromProvider(workspaceId, wabaId, () => client.listTemplates(endpoint, wabaId));
   */
  syncFromProvider(workspaceId: string, wabaId: string, list: () => Promise<GraphResult<TemplateRecord[]>>): Promise<GraphResult<SyncSummary>> {
    const key = `${workspaceId}\n${wabaId}`;
    const flight = this.#flights.get(key);
    if (flight?.queued) return flight.queued;
    const entry = flight ?? { queued: undefined, tail: Promise.resolve() };
    const run: Promise<GraphResult<SyncSummary>> = entry.tail.then(async () => {
      if (entry.queued === run) entry.queued = undefined; // running now: later callers wait for the next
      const listed = await list();
      return listed.ok ? { ok: true, value: await this.reconcile(workspaceId, wabaId, listed.value) } : listed;
    });
    if (flight) entry.queued = run;
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    entry.tail = tail;
    this.#flights.set(key, entry);
    void tail.then(() => {
      if (entry.tail === tail) this.#flights.delete(key);
    });
    return run;
  }

  /**
   * Upserts the provider's list by provider id (a template of ours not linked yet is matched by
   * name and language), records what changed, and marks templates the provider no longer lists
   * as DELETED. Drafts, history and versions are kept. Components that differ from ours (an
   * edit made in WhatsApp Manager) become a new version by `provider`.
   */
  async reconcile(workspaceId: string, wabaId: string, records: TemplateRecord[]): Promise<SyncSummary> {
    const summary: SyncSummary = { listed: records.length, created: 0, updated: 0, deleted: 0 };
    // Read before the transaction: a query inside it would widen the window in which two syncs of
    // one WABA (a webhook's and a send's) both find a template missing and both insert it.
    const at = (await this.clock.atWaba(workspaceId, wabaId)).toISOString();
    await this.db.transaction().execute(async (trx) => {
      const rows = await trx.selectFrom('templates').selectAll().where('workspace_id', '=', workspaceId).where('waba_id', '=', wabaId).execute();
      const listedIds = new Set(records.map((r) => r.id));
      for (const record of records) {
        const row = rows.find((r) => r.provider_template_id === record.id) ?? rows.find((r) => r.provider_template_id === null && r.deleted_at === null && r.name === record.name && r.language === record.language);
        if (row?.deleted_at) continue;
        if (!row) {
          if (await this.#insertFromProvider(trx, workspaceId, wabaId, record, at)) summary.created += 1;
        } else if (await this.#updateFromProvider(trx, row, record, at)) {
          summary.updated += 1;
        }
      }
      for (const row of rows) {
        if (row.provider_template_id === null || row.deleted_at !== null || listedIds.has(row.provider_template_id)) continue;
        await this.markDeleted(trx, row, 'sync', at);
        summary.deleted += 1;
      }
    });
    return summary;
  }

  /** Applies a status webhook; answers false when the template is not known here yet. */
  async applyStatus(workspaceId: string, input: { providerTemplateId: string; status: string }, trx: Kysely<Schema> = this.db): Promise<boolean> {
    return this.applyWebhook(workspaceId, { field: 'message_template_status_update', value: { event: input.status, message_template_id: input.providerTemplateId } }, trx);
  }

  /**
   * Applies `message_template_status_update` (status, rejection reason and details),
   * `message_template_quality_update` (quality score) or `template_category_update` (category),
   * inside the processor's transaction. Answers false when the template is not known here (the
   * next sync brings it) or the field is not a template field.
   */
  async applyWebhook(workspaceId: string, webhook: TemplateWebhook, trx: Kysely<Schema> = this.db): Promise<boolean> {
    if (!TEMPLATE_WEBHOOK_FIELDS.includes(webhook.field)) return false;
    const value = webhook.value;
    const providerId = value.message_template_id === undefined ? undefined : String(value.message_template_id);
    if (providerId === undefined) return false;
    const found = await this.#find(trx, workspaceId, providerId, webhook.waba_id, stringOf(value.message_template_name), stringOf(value.message_template_language));
    // An edit may be storing the next version right now: wait for it, then read the row it left
    // (on PostgreSQL a stale row would set the old version's status and leave the new one PENDING).
    const row = found && (await this.locked(trx, found.id));
    if (!row || row.deleted_at) return false;
    const at = typeof webhook.time === 'number' ? new Date(webhook.time * 1000).toISOString() : (await this.clock.atWaba(workspaceId, row.waba_id, trx)).toISOString();
    if (row.provider_template_id === null) {
      await trx.updateTable('templates').set({ provider_template_id: providerId }).where('id', '=', row.id).execute();
      row.provider_template_id = providerId;
    }

    if (webhook.field === 'message_template_quality_update') {
      const score = stringOf(value.new_quality_score);
      if (score === undefined || score === row.quality_score) return true;
      await trx.updateTable('templates').set({ quality_score: score, updated_at: at }).where('id', '=', row.id).execute();
      await this.#event(trx, row, { kind: 'quality', quality_score: score, previous_quality_score: stringOf(value.previous_quality_score) ?? row.quality_score, source: 'webhook', at });
      return true;
    }
    if (webhook.field === 'template_category_update') {
      const category = stringOf(value.new_category);
      if (category === undefined || category === row.category) return true;
      await trx.updateTable('templates').set({ category, previous_category: row.category, updated_at: at }).where('id', '=', row.id).execute();
      await this.#event(trx, row, { kind: 'category', category, previous_category: row.category, source: 'webhook', at });
      return true;
    }

    const event = stringOf(value.event);
    if (event === undefined) return false;
    // Meta's webhooks can arrive out of order (retries): a status older than the last one a
    // webhook brought must not overwrite it. Compared only with webhook times (Meta's clock),
    // never with our syncs' times.
    const latest = await trx
      .selectFrom('template_events')
      .select('at')
      .where('template_id', '=', row.id)
      .where('kind', '=', 'status')
      .where('source', '=', 'webhook')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (latest && latest.at > at) return true;
    // Already there (a sync saw it first): nothing to record twice. Unless a submission is on its
    // way: then this is the new review's answer, arrived before the submission was stored.
    if (event === row.status && row.submitting_since === null) return true;
    const reason = stringOf(value.reason);
    const details = pickDetails(value);
    await this.setStatus(trx, row, event, { reason, details, source: 'webhook', at });
    return true;
  }

  /** Marks a template deleted (kept with its history) and publishes the change. */
  async markDeleted(trx: Kysely<Schema>, row: Row, source: Source, at: string): Promise<void> {
    await trx.updateTable('templates').set({ status: DELETED, deleted_at: at, updated_at: at }).where('id', '=', row.id).execute();
    await this.#recordStatus(trx, row, DELETED, { source, at });
  }

  // Writes of TemplateService (create, edit, submit): this class is the one writer of the
  // template tables (docs/architecture.md, "Who owns which table").

  /** Stores a new draft and its version 1, in one transaction. */
  async insertDraft(row: Row, actor: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('templates').values(row).execute();
      await trx
        .insertInto('template_versions')
        .values({ template_id: row.id, version: 1, category: row.category, parameter_format: row.parameter_format, components: row.components, created_by: actor, created_at: row.created_at, submitted_at: null, status: row.status })
        .execute();
    });
  }

  /** Removes a draft the provider refused to create (a create-and-submit leaves nothing behind). */
  async discardDraft(id: string): Promise<void> {
    await this.db.deleteFrom('templates').where('id', '=', id).execute();
  }

  /** Stores an edit as the template's next version (`fresh`: the row read in `trx`), in `trx`. */
  async storeVersion(
    trx: Kysely<Schema>,
    fresh: Row,
    next: { version: number; category: string; parameterFormat: string | null; components: string; actor: string; at: string; submitted: boolean; status: string },
  ): Promise<void> {
    const { version, category, parameterFormat, components, actor, at, submitted, status } = next;
    await trx
      .insertInto('template_versions')
      .values({ template_id: fresh.id, version, category, parameter_format: parameterFormat, components, created_by: actor, created_at: at, submitted_at: submitted ? at : null, status })
      .execute();
    await trx
      .updateTable('templates')
      .set({
        category,
        parameter_format: parameterFormat,
        components,
        version,
        updated_at: at,
        ...(submitted ? { submitted_at: at, submitting_since: null } : {}),
        ...(category !== fresh.category ? { previous_category: fresh.category } : {}),
      })
      .where('id', '=', fresh.id)
      .execute();
  }

  /** History entries recorded after `afterEventId` belong to `version` (a review that answered before the edit was stored). */
  async moveEventsToVersion(trx: Kysely<Schema>, templateId: string, afterEventId: number, version: number): Promise<void> {
    await trx.updateTable('template_events').set({ version }).where('template_id', '=', templateId).where('id', '>', afterEventId).execute();
  }

  /** The provider accepted a submission of the current version: stamp it, and link the provider id of a create. */
  async markSubmitted(trx: Kysely<Schema>, fresh: Row, at: string, providerTemplateId?: string): Promise<void> {
    await trx
      .updateTable('templates')
      .set({ submitted_at: at, submitting_since: null, ...(providerTemplateId !== undefined ? { provider_template_id: providerTemplateId, updated_at: at } : {}) })
      .where('id', '=', fresh.id)
      .execute();
    await trx.updateTable('template_versions').set({ submitted_at: at }).where('template_id', '=', fresh.id).where('version', '=', fresh.version).execute();
  }

  /** Marks a template as on its way to the provider (`at`), or no longer (`null`). */
  async setSubmitting(templateId: string, at: string | null): Promise<void> {
    await this.db.updateTable('templates').set({ submitting_since: at }).where('id', '=', templateId).execute();
  }

  /**
   * Sets a template's status, keeps the rejection reason while it is REJECTED, updates the
   * current version's status, records it and publishes `template.status`. REINSTATED (a
   * paused template Meta lets send again) is kept in the history and stored as APPROVED.
   */
  async setStatus(trx: Kysely<Schema>, row: Row, event: string, input: { reason: string | undefined; details: Record<string, unknown> | undefined; source: Source; at: string }): Promise<void> {
    const status = event === 'REINSTATED' ? 'APPROVED' : event;
    const rejected = status === 'REJECTED';
    const reason = input.reason && input.reason !== 'NONE' ? input.reason : undefined;
    await trx
      .updateTable('templates')
      .set({
        status,
        rejected_reason: rejected ? (reason ?? null) : null,
        status_details: input.details ? describeDetails(input.details) : null,
        updated_at: input.at,
        ...(status === DELETED ? { deleted_at: input.at } : {}),
      })
      .where('id', '=', row.id)
      .execute();
    await this.#recordStatus(trx, row, event, { ...input, reason });
  }

  async #recordStatus(
    trx: Kysely<Schema>,
    row: Row,
    status: string,
    input: { reason?: string | undefined; details?: Record<string, unknown> | undefined; source: Source; at: string },
    previous: string | null = row.status,
  ): Promise<void> {
    const stored = status === 'REINSTATED' ? 'APPROVED' : status;
    await trx.updateTable('template_versions').set({ status: stored }).where('template_id', '=', row.id).where('version', '=', row.version).execute();
    await this.#event(trx, row, { kind: 'status', status, previous_status: previous, reason: input.reason ?? null, details: input.details, source: input.source, at: input.at });
    await this.events?.record(trx, row.workspace_id, 'template.status', {
      template_id: row.id,
      provider_template_id: row.provider_template_id,
      waba_id: row.waba_id,
      name: row.name,
      language: row.language,
      category: row.category,
      version: row.version,
      status: stored,
      previous_status: previous,
      ...(input.reason ? { reason: input.reason } : {}),
      ...(input.details ? { details: input.details } : {}),
      source: input.source,
      at: input.at,
    });
    row.status = stored;
  }

  async #event(
    trx: Kysely<Schema>,
    row: Row,
    input: {
      kind: 'status' | 'quality' | 'category';
      status?: string | null;
      previous_status?: string | null;
      reason?: string | null;
      quality_score?: string | null;
      previous_quality_score?: string | null;
      category?: string | null;
      previous_category?: string | null;
      details?: Record<string, unknown> | undefined;
      source: Source;
      at: string;
    },
  ): Promise<void> {
    await trx
      .insertInto('template_events')
      .values({
        workspace_id: row.workspace_id,
        template_id: row.id,
        kind: input.kind,
        version: row.version,
        status: input.status ?? null,
        previous_status: input.previous_status ?? null,
        reason: input.reason ?? null,
        quality_score: input.quality_score ?? null,
        previous_quality_score: input.previous_quality_score ?? null,
        category: input.category ?? null,
        previous_category: input.previous_category ?? null,
        details: input.details ? JSON.stringify(input.details) : null,
        source: input.source,
        at: input.at,
      })
      .execute();
  }

  /** By provider id; else a template of ours on the WABA not linked yet (its create answer may not be stored yet). */
  /**
   * The template row, read after taking its row lock (a no-op update: SQLite has no `for update`
   * and needs none), so an edit and a webhook of the same template take turns.
   */
  async locked(trx: Kysely<Schema>, id: string): Promise<Row | undefined> {
    await trx.updateTable('templates').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', id).execute();
    return trx.selectFrom('templates').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async #find(trx: Kysely<Schema>, workspaceId: string, providerId: string, wabaId: string | undefined, name: string | undefined, language: string | undefined): Promise<Row | undefined> {
    // A webhook's template is looked for only on the WABA its entry names (in the verifying workspace).
    const linked = await trx
      .selectFrom('templates')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('provider_template_id', '=', providerId)
      .$if(wabaId !== undefined, (query) => query.where('waba_id', '=', wabaId!))
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    if (linked || !wabaId || !name || !language) return linked;
    return trx
      .selectFrom('templates')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('waba_id', '=', wabaId)
      .where('name', '=', name)
      .where('language', '=', language)
      .where('provider_template_id', 'is', null)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
  }

  /** Answers false when a live template of that name and language is there already (another node's sync). */
  async #insertFromProvider(trx: Kysely<Schema>, workspaceId: string, wabaId: string, record: TemplateRecord, at: string): Promise<boolean> {
    const row: Row = {
      id: newId('tpl'),
      workspace_id: workspaceId,
      waba_id: wabaId,
      provider_template_id: record.id,
      name: record.name,
      language: record.language,
      category: record.category,
      status: record.status,
      parameter_format: record.parameter_format ?? null,
      components: JSON.stringify(record.components),
      version: 1,
      rejected_reason: rejectedReason(record),
      status_details: null,
      quality_score: record.quality_score?.score ?? null,
      previous_category: record.previous_category ?? null,
      submitted_at: null,
      submitting_since: null,
      created_at: at,
      updated_at: at,
      deleted_at: null,
    };
    // Another node's sync of this WABA may have inserted it since this one read the WABA: on
    // PostgreSQL this insert waits for that transaction and then does nothing (no unique violation).
    const inserted = await trx
      .insertInto('templates')
      .values(row)
      .onConflict((oc) => oc.columns(['workspace_id', 'waba_id', 'name', 'language']).where('deleted_at', 'is', null).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return false;
    await trx
      .insertInto('template_versions')
      .values({ template_id: row.id, version: 1, category: row.category, parameter_format: row.parameter_format, components: row.components, created_by: 'provider', created_at: at, submitted_at: null, status: row.status })
      .execute();
    await this.#recordStatus(trx, row, record.status, { source: 'sync', at }, null);
    return true;
  }

  /** Answers whether anything changed. */
  async #updateFromProvider(trx: Kysely<Schema>, row: Row, record: TemplateRecord, at: string): Promise<boolean> {
    let changed = false;
    if (row.provider_template_id !== record.id) {
      await trx.updateTable('templates').set({ provider_template_id: record.id }).where('id', '=', row.id).execute();
      row.provider_template_id = record.id;
      changed = true;
    }
    if (canonicalJson(record.components) !== canonicalJson(JSON.parse(row.components)) || (record.parameter_format ?? null) !== row.parameter_format) {
      const version = row.version + 1;
      const components = JSON.stringify(record.components);
      await trx
        .insertInto('template_versions')
        .values({ template_id: row.id, version, category: record.category, parameter_format: record.parameter_format ?? null, components, created_by: 'provider', created_at: at, submitted_at: null, status: record.status })
        .execute();
      await trx.updateTable('templates').set({ components, parameter_format: record.parameter_format ?? null, version, updated_at: at }).where('id', '=', row.id).execute();
      row.version = version;
      changed = true;
    }
    const score = record.quality_score?.score ?? null;
    if (score !== null && score !== row.quality_score) {
      await trx.updateTable('templates').set({ quality_score: score, updated_at: at }).where('id', '=', row.id).execute();
      await this.#event(trx, row, { kind: 'quality', quality_score: score, previous_quality_score: row.quality_score, source: 'sync', at });
      changed = true;
    }
    if (record.category !== row.category) {
      await trx.updateTable('templates').set({ category: record.category, previous_category: row.category, updated_at: at }).where('id', '=', row.id).execute();
      await this.#event(trx, row, { kind: 'category', category: record.category, previous_category: row.category, source: 'sync', at });
      row.category = record.category;
      changed = true;
    }
    if (record.status !== row.status) {
      await this.setStatus(trx, row, record.status, { reason: record.rejected_reason, details: undefined, source: 'sync', at });
      changed = true;
    }
    return changed;
  }
}

function rejectedReason(record: TemplateRecord): string | null {
  return record.status === 'REJECTED' && record.rejected_reason && record.rejected_reason !== 'NONE' ? record.rejected_reason : null;
}

function stringOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** The parts of a status webhook that explain it (Meta: rejection_info, disable_info, other_info). */
function pickDetails(value: Record<string, unknown>): Record<string, unknown> | undefined {
  const details = Object.fromEntries(['rejection_info', 'disable_info', 'other_info'].filter((key) => value[key] !== undefined && value[key] !== null).map((key) => [key, value[key]]));
  return Object.keys(details).length > 0 ? details : undefined;
}

/** One readable line from the webhook's explanation objects, for `status_details`. */
function describeDetails(details: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const value of Object.values(details)) {
    if (value && typeof value === 'object') {
      const object = value as Record<string, unknown>;
      const text = [object.title, object.description, object.reason, object.recommendation].filter((v) => typeof v === 'string' && v !== '').join(': ');
      if (text) parts.push(text);
      else if (typeof object.disable_date === 'number') parts.push(`disabled on ${new Date(object.disable_date * 1000).toISOString()}`);
      else parts.push(JSON.stringify(object));
    } else if (typeof value === 'string') {
      parts.push(value);
    }
  }
  return parts.join('; ');
}
