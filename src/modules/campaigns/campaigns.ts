import type { Kysely } from 'kysely';
import { newId, type CampaignsTable, type Schema } from '../../db/index.js';
import type { TemplateSendComponent } from '../../whatsapp/index.js';
import type { PolicyError } from '../messaging/index.js';
import { buildCsvAudience, buildFilterAudience, type AudienceFilter, type AudienceReport, type AudienceSpec } from './audience.js';
import { loadCampaignTemplate } from './campaign-template.js';
import { appError, type AppErrorValue } from '../../errors/index.js';
import type { CampaignDeps } from './deps.js';
import { estimateCampaign, type CampaignEstimate } from './estimate.js';
import { referencedVariables, templateProblem } from './recipient-decision.js';
import { campaignTotals, listRecipients, type CampaignTotals } from './totals.js';

export type CampaignStatus = 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';
export type PauseReason = 'manual' | 'template_paused' | 'failure_threshold';

export interface CreateCampaign {
  name: string;
  /** Our phone number id or Meta's phone_number_id; default the workspace's first number. */
  from?: string | undefined;
  template: { name: string; language: string };
  /** Template send components; text values may use `{{variable}}` (a CSV column, or name/phone/wa_id/an attribute). */
  components?: TemplateSendComponent[] | undefined;
  audience: { type: 'filter'; filter: AudienceFilter } | { type: 'csv'; default_country?: string | undefined };
  start_at?: string | undefined;
  /** Auto-pause when failed/attempted passes this share (default 0.2). */
  failure_threshold?: number | undefined;
  /** ... once this many sends have an outcome (default 50). */
  failure_min_sample?: number | undefined;
}

export interface CampaignView {
  id: string;
  name: string;
  status: CampaignStatus;
  pause_reason: PauseReason | null;
  pause_details: Record<string, unknown> | null;
  phone_number_id: string;
  template: { name: string; language: string };
  components: TemplateSendComponent[];
  audience: AudienceSpec;
  audience_report: AudienceReport | null;
  start_at: string | null;
  failure_threshold: number;
  failure_min_sample: number;
  recipients: number;
  estimate: CampaignEstimate | null;
  created_at: string;
  updated_at: string;
  launched_at: string | null;
  completed_at: string | null;
}

/** A refusal of a campaign operation, mapped to HTTP by the routes. */
/** Why a campaign operation was refused: a catalogue error (not found, validation, state, or a policy refusal). */
export type CampaignRefusal = { error: AppErrorValue<'CONVERSA_ERR_NOT_FOUND' | 'CONVERSA_ERR_VALIDATION' | 'CONVERSA_ERR_CAMPAIGN_STATE'> | PolicyError };

export type CampaignResult<T> = { ok: true; value: T } | ({ ok: false } & CampaignRefusal);

/**
 * Campaigns: a template sent to an audience (contact filters or a CSV) from one number, with an
 * estimate before launch, a schedule, pause, resume and cancel. Sending is done by the
 * CampaignRunner, which feeds the outbox a few seconds ahead under the number's throughput and
 * messaging-limit tier.
 */
export class Campaigns {
  constructor(private readonly deps: CampaignDeps) {}

  async create(workspaceId: string, input: CreateCampaign): Promise<CampaignResult<CampaignView>> {
    const { deps } = this;
    const number = input.from ? await deps.phoneNumbers.resolve(workspaceId, input.from) : (await deps.phoneNumbers.list(workspaceId))[0];
    if (!number) return input.from ? { ok: false, error: appError('CONVERSA_ERR_NOT_FOUND', `No phone number ${input.from} in this workspace.`) } : invalid('from', 'the workspace has no phone number; connect one first');
    const at = deps.clock.forNumber(number).toISOString();
    const components = input.components ?? [];
    const audience: AudienceSpec = input.audience.type === 'csv' ? { type: 'csv', ...(input.audience.default_country ? { default_country: input.audience.default_country.toUpperCase() } : {}) } : input.audience;
    const row: CampaignsTable = {
      id: newId('cmp'),
      workspace_id: workspaceId,
      name: input.name,
      phone_number_id: number.id,
      template_name: input.template.name,
      template_language: input.template.language,
      components: JSON.stringify(components),
      audience: JSON.stringify(audience),
      status: 'draft',
      pause_reason: null,
      pause_details: null,
      start_at: input.start_at ? new Date(input.start_at).toISOString() : null,
      failure_threshold: input.failure_threshold ?? 0.2,
      failure_min_sample: input.failure_min_sample ?? 50,
      recipients_total: 0,
      audience_report: 'null',
      estimate: null,
      created_at: at,
      updated_at: at,
      launched_at: null,
      completed_at: null,
    };
    await deps.db.insertInto('campaigns').values(row).execute();
    if (audience.type === 'filter') {
      const built = await buildFilterAudience(deps, row.id, workspaceId, audience.filter, referencedVariables(components));
      if (!built.ok) return this.#discard(row.id, built);
      await this.#saveReport(row.id, built.report);
    }
    return { ok: true, value: (await this.get(workspaceId, row.id)) as CampaignView };
  }

  /** Replaces a draft campaign's audience with a CSV read from `source` (streamed). */
  async uploadCsv(workspaceId: string, id: string, source: AsyncIterable<Uint8Array | string>, options: { defaultCountry?: string | undefined; fileName?: string | undefined }): Promise<CampaignResult<CampaignView>> {
    const row = await this.#row(workspaceId, id);
    if (!row) return notFound(id);
    if (row.status !== 'draft') return { ok: false, error: appError('CONVERSA_ERR_CAMPAIGN_STATE', `Campaign ${id} is ${row.status}; its audience can be changed only while it is a draft.`, { status: row.status }) };
    const spec = JSON.parse(row.audience) as AudienceSpec;
    if (spec.type !== 'csv') return invalid('audience', 'this campaign was created with a contact filter; create a campaign with audience {"type":"csv"} to upload a file');
    await this.#clearAudience(id);
    const defaultCountry = options.defaultCountry?.toUpperCase() ?? spec.default_country;
    const built = await buildCsvAudience(this.deps, id, workspaceId, source, { defaultCountry, variables: referencedVariables(JSON.parse(row.components) as TemplateSendComponent[]) }).catch(async (error: unknown) => {
      await this.#clearAudience(id); // a broken upload leaves no half audience
      throw error;
    });
    if (!built.ok) {
      await this.#clearAudience(id);
      return invalid(built.field, built.rule);
    }
    const audience: AudienceSpec = { type: 'csv', ...(defaultCountry ? { default_country: defaultCountry } : {}), ...(options.fileName ? { file_name: options.fileName } : {}) };
    await this.deps.db.updateTable('campaigns').set({ audience: JSON.stringify(audience) }).where('id', '=', id).execute();
    await this.#saveReport(id, built.report);
    return { ok: true, value: (await this.get(workspaceId, id)) as CampaignView };
  }

  async get(workspaceId: string, id: string): Promise<CampaignView | undefined> {
    const row = await this.#row(workspaceId, id);
    return row ? toView(row) : undefined;
  }

  async totals(workspaceId: string, id: string): Promise<CampaignTotals | undefined> {
    const row = await this.#row(workspaceId, id);
    return row ? campaignTotals(this.deps.db, row.id, row.phone_number_id) : undefined;
  }

  /** Newest first, with a cursor (the last id of the previous page). */
  async list(workspaceId: string, options: { limit: number; cursor?: string | undefined; status?: string | undefined }): Promise<{ data: CampaignView[]; next_cursor: string | null }> {
    let query = this.deps.db.selectFrom('campaigns').selectAll().where('workspace_id', '=', workspaceId).orderBy('id', 'desc').limit(options.limit + 1);
    if (options.cursor) query = query.where('id', '<', options.cursor);
    if (options.status) query = query.where('status', '=', options.status);
    const rows = await query.execute();
    const page = rows.slice(0, options.limit);
    return { data: page.map(toView), next_cursor: rows.length > options.limit ? (page.at(-1)?.id ?? null) : null };
  }

  /** Decides every pending recipient now and stores the estimate on the campaign. */
  async estimate(workspaceId: string, id: string): Promise<CampaignResult<CampaignEstimate>> {
    const row = await this.#row(workspaceId, id);
    if (!row) return notFound(id);
    const template = await loadCampaignTemplate(this.deps, templateInput(row));
    const outcome = await estimateCampaign(this.deps, { id, workspaceId, phoneNumberRowId: row.phone_number_id }, template, await this.deps.clock.at(row.phone_number_id));
    if (!outcome.ok) return { ok: false, error: outcome.error };
    await this.deps.db.updateTable('campaigns').set({ estimate: JSON.stringify(outcome.estimate), updated_at: (await this.deps.clock.at(row.phone_number_id)).toISOString() }).where('id', '=', id).execute();
    return { ok: true, value: outcome.estimate };
  }

  /** Starts a draft: `running` now, or `scheduled` until its start_at. The template must be sendable. */
  async launch(workspaceId: string, id: string, startAt?: string): Promise<CampaignResult<CampaignView>> {
    const row = await this.#row(workspaceId, id);
    if (!row) return notFound(id);
    if (row.status !== 'draft') return wrongState(row, 'launched', 'a draft');
    if (row.recipients_total === 0) return invalid('audience', 'the campaign has no recipients (upload the CSV first, or widen the filter)');
    const problem = templateProblem(await loadCampaignTemplate(this.deps, templateInput(row)));
    if (problem) return { ok: false, error: problem };
    const at = await this.deps.clock.at(row.phone_number_id);
    const start = startAt ? new Date(startAt).toISOString() : row.start_at;
    const status: CampaignStatus = start && start > at.toISOString() ? 'scheduled' : 'running';
    await this.#transition(id, ['draft'], { status, start_at: start, launched_at: at.toISOString() });
    return this.#answer(workspaceId, id);
  }

  /** Stops feeding the outbox and takes back the campaign's messages not yet sent. */
  async pause(workspaceId: string, id: string, reason: PauseReason = 'manual', details?: Record<string, unknown>): Promise<CampaignResult<CampaignView>> {
    const row = await this.#row(workspaceId, id);
    if (!row) return notFound(id);
    if (row.status !== 'running' && row.status !== 'scheduled') return wrongState(row, 'paused', 'running or scheduled');
    const moved = await this.#transition(id, ['running', 'scheduled'], { status: 'paused', pause_reason: reason, pause_details: details ? JSON.stringify(details) : null });
    if (moved) await this.withdraw(id, row.phone_number_id, 'pending');
    return this.#answer(workspaceId, id);
  }

  async resume(workspaceId: string, id: string): Promise<CampaignResult<CampaignView>> {
    const row = await this.#row(workspaceId, id);
    if (!row) return notFound(id);
    if (row.status !== 'paused') return wrongState(row, 'resumed', 'paused');
    const problem = templateProblem(await loadCampaignTemplate(this.deps, templateInput(row)));
    if (problem) return { ok: false, error: problem };
    const status: CampaignStatus = row.start_at && row.start_at > (await this.deps.clock.at(row.phone_number_id)).toISOString() ? 'scheduled' : 'running';
    await this.#transition(id, ['paused'], { status, pause_reason: null, pause_details: null });
    return this.#answer(workspaceId, id);
  }

  /** Ends the campaign: unsent messages are taken back, pending recipients become `cancelled`. */
  async cancel(workspaceId: string, id: string): Promise<CampaignResult<CampaignView>> {
    const row = await this.#row(workspaceId, id);
    if (!row) return notFound(id);
    if (row.status === 'completed' || row.status === 'cancelled') return wrongState(row, 'cancelled', 'not finished');
    await this.#transition(id, ['draft', 'scheduled', 'running', 'paused'], { status: 'cancelled', completed_at: (await this.deps.clock.at(row.phone_number_id)).toISOString() });
    await this.withdraw(id, row.phone_number_id, 'cancelled');
    await this.deps.db.updateTable('campaign_recipients').set({ state: 'cancelled' }).where('campaign_id', '=', id).where('state', '=', 'pending').execute();
    return this.#answer(workspaceId, id);
  }

  /**
   * Takes the campaign's messages still `queued` in the outbox (not claimed by the dispatcher)
   * back out of it: their rows are deleted and their recipients return to `to`. Only the
   * bounded look-ahead can be there, so this is quick.
   */
  async withdraw(campaignId: string, phoneNumberRowId: string, to: 'pending' | 'cancelled'): Promise<number> {
    const { db } = this.deps;
    const queued = await db
      .selectFrom('messages')
      .innerJoin('campaign_recipients', 'campaign_recipients.message_id', 'messages.id')
      .select('messages.id')
      .where('messages.status', '=', 'queued')
      .where('messages.phone_number_id', '=', phoneNumberRowId)
      .where('campaign_recipients.campaign_id', '=', campaignId)
      .execute();
    let withdrawn = 0;
    for (let i = 0; i < queued.length; i += 500) {
      const ids = queued.slice(i, i + 500).map((row) => row.id);
      withdrawn += await db.transaction().execute(async (trx) => {
        const deleted = await this.deps.messages.withdrawQueued(ids, trx);
        if (deleted.length > 0) await trx.updateTable('campaign_recipients').set({ state: to, queued_at: null }).where('message_id', 'in', deleted).execute();
        return deleted.length;
      });
    }
    return withdrawn;
  }

  /** The campaign's recipients in audience order with their state and message (see `listRecipients`). */
  /**
   * Erasure of a person (issue 13), in `trx`: deletes their rows from every campaign of the
   * workspace (by contact and by number: a CSV recipient not yet matched to a contact has only
   * the number). Their messages go with their conversations, so a row kept without its message
   * would count as "in the outbox" forever; deleted, the campaign's totals count one recipient
   * fewer than its `recipients_total` (the audience as it was planned). Answers how many.
   */
  async forgetRecipient(trx: Kysely<Schema>, workspaceId: string, person: { contactId: string; waIds: readonly string[] }): Promise<number> {
    const campaigns = trx.selectFrom('campaigns').select('id').where('workspace_id', '=', workspaceId);
    const deleted = await trx
      .deleteFrom('campaign_recipients')
      .where('campaign_id', 'in', campaigns)
      .where((eb) => eb.or([eb('contact_id', '=', person.contactId), ...(person.waIds.length > 0 ? [eb('wa_id', 'in', [...person.waIds])] : [])]))
      .executeTakeFirst();
    return Number(deleted.numDeletedRows);
  }

  async recipients(workspaceId: string, id: string, options: Parameters<typeof listRecipients>[2]): Promise<Awaited<ReturnType<typeof listRecipients>> | undefined> {
    if (!(await this.#row(workspaceId, id))) return undefined;
    return listRecipients(this.deps.db, id, options);
  }

  /** The CSV lines that could not be used, by line. */
  async rejections(workspaceId: string, id: string, options: { limit: number; after?: number | undefined }): Promise<{ data: Array<{ line: number; field: string; reason: string }>; next_cursor: string | null } | undefined> {
    if (!(await this.#row(workspaceId, id))) return undefined;
    let query = this.deps.db.selectFrom('campaign_rejections').select(['line', 'field', 'reason']).where('campaign_id', '=', id).orderBy('line').limit(options.limit + 1);
    if (options.after !== undefined) query = query.where('line', '>', options.after);
    const rows = await query.execute();
    const page = rows.slice(0, options.limit);
    return { data: page, next_cursor: rows.length > options.limit ? String(page.at(-1)?.line) : null };
  }

  async #row(workspaceId: string, id: string, db: Kysely<Schema> = this.deps.db): Promise<CampaignsTable | undefined> {
    return db.selectFrom('campaigns').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  }

  async #transition(id: string, from: CampaignStatus[], patch: Partial<CampaignsTable>): Promise<boolean> {
    const result = await this.deps.db
      .updateTable('campaigns')
      .set({ ...patch, updated_at: (await this.#now(id)).toISOString() })
      .where('id', '=', id)
      .where('status', 'in', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async #answer(workspaceId: string, id: string): Promise<CampaignResult<CampaignView>> {
    return { ok: true, value: (await this.get(workspaceId, id)) as CampaignView };
  }

  async #saveReport(id: string, report: AudienceReport): Promise<void> {
    await this.deps.db.updateTable('campaigns').set({ audience_report: JSON.stringify(report), recipients_total: report.recipients, estimate: null, updated_at: (await this.#now(id)).toISOString() }).where('id', '=', id).execute();
  }

  /** The time of the campaign's number. */
  async #now(id: string): Promise<Date> {
    const row = await this.deps.db.selectFrom('campaigns').select('phone_number_id').where('id', '=', id).executeTakeFirst();
    return row ? this.deps.clock.at(row.phone_number_id) : this.deps.clock.now();
  }

  /**
   * Empties the audience. The count goes to 0 first, so while a new CSV is being read the
   * campaign has no recipients and cannot be launched on half an audience.
   */
  async #clearAudience(id: string): Promise<void> {
    await this.deps.db.updateTable('campaigns').set({ recipients_total: 0, audience_report: 'null', estimate: null }).where('id', '=', id).execute();
    await this.deps.db.deleteFrom('campaign_recipients').where('campaign_id', '=', id).execute();
    await this.deps.db.deleteFrom('campaign_rejections').where('campaign_id', '=', id).execute();
  }

  async #discard(id: string, failure: { field: string; rule: string }): Promise<CampaignResult<CampaignView>> {
    await this.#clearAudience(id);
    await this.deps.db.deleteFrom('campaigns').where('id', '=', id).execute();
    return invalid(failure.field, failure.rule);
  }
}

export function templateInput(row: CampaignsTable) {
  return { workspaceId: row.workspace_id, phoneNumberRowId: row.phone_number_id, name: row.template_name, language: row.template_language, components: JSON.parse(row.components) as TemplateSendComponent[] };
}

function notFound(id: string): { ok: false } & CampaignRefusal {
  return { ok: false, error: appError('CONVERSA_ERR_NOT_FOUND', `No campaign ${id}.`) };
}

function wrongState(row: CampaignsTable, verb: string, needed: string): { ok: false } & CampaignRefusal {
  return { ok: false, error: appError('CONVERSA_ERR_CAMPAIGN_STATE', `Campaign ${row.id} is ${row.status}; only ${needed} campaign can be ${verb}.`, { status: row.status }) };
}

function invalid(field: string, rule: string): { ok: false } & CampaignRefusal {
  return { ok: false, error: appError('CONVERSA_ERR_VALIDATION', `${field}: ${rule}`, { field, rule }) };
}

function toView(row: CampaignsTable): CampaignView {
  return {
    id: row.id,
    name: row.name,
    status: row.status as CampaignStatus,
    pause_reason: row.pause_reason as PauseReason | null,
    pause_details: row.pause_details ? (JSON.parse(row.pause_details) as Record<string, unknown>) : null,
    phone_number_id: row.phone_number_id,
    template: { name: row.template_name, language: row.template_language },
    components: JSON.parse(row.components) as TemplateSendComponent[],
    audience: JSON.parse(row.audience) as AudienceSpec,
    audience_report: JSON.parse(row.audience_report) as AudienceReport | null,
    start_at: row.start_at,
    failure_threshold: Number(row.failure_threshold),
    failure_min_sample: Number(row.failure_min_sample),
    recipients: Number(row.recipients_total),
    estimate: row.estimate ? (JSON.parse(row.estimate) as CampaignEstimate) : null,
    created_at: row.created_at,
    updated_at: row.updated_at,
    launched_at: row.launched_at,
    completed_at: row.completed_at,
  };
}
