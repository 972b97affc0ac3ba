import { sql, type Kysely, type Selectable } from 'kysely';
import type { Clock } from '../../clock/index.js';
import { newId, type Schema, type TemplatesTable } from '../../db/index.js';
import type { CreateTemplateRequest, GraphEndpoint, GraphResult, TemplateSendObject, WhatsAppClient } from '../../whatsapp/index.js';
import type { PhoneNumbers } from '../phone-numbers/index.js';
import { lintTemplate, type LintReport } from './lint.js';
import { previewFromSend, previewTemplate, type PreviewParams, type TemplatePreview } from './preview.js';
import type { SyncSummary, TemplateCache } from './template-cache.js';
import { definitionOf, DELETED, DRAFT, toEventView, toTemplateView, toVersionView, type TemplateEventView, type TemplateVersionView, type TemplateView } from './template-rows.js';

export type TemplateErrorCode =
  | 'CONVERSA_ERR_VALIDATION'
  | 'CONVERSA_ERR_NOT_FOUND'
  | 'CONVERSA_ERR_CONFLICT'
  | 'CONVERSA_ERR_NO_PHONE_NUMBER'
  | 'CONVERSA_ERR_TEMPLATE_LINT'
  | 'CONVERSA_ERR_TEMPLATE_STATE'
  | 'CONVERSA_ERR_PROVIDER_REJECTED'
  | 'CONVERSA_ERR_PROVIDER_UNREACHABLE';

export interface TemplateError {
  code: TemplateErrorCode;
  message: string;
  fix: string;
  details?: Record<string, unknown>;
}

export type TemplateOutcome<T> = { ok: true; value: T } | { ok: false; error: TemplateError };

/** A template with its lint report (of the current definition). */
export interface TemplateWithLint extends TemplateView {
  lint: LintReport;
}

/** `GET /api/v1/templates/{id}`: the template, every version and its status history. */
export interface TemplateDetail extends TemplateWithLint {
  versions: TemplateVersionView[];
  history: TemplateEventView[];
}

export interface TemplateListOptions {
  limit: number;
  cursor?: string | undefined;
  /** One status or several, comma-separated; DELETED ones are listed only when asked for. */
  status?: string | undefined;
  /** Part of the name. */
  name?: string | undefined;
  category?: string | undefined;
  language?: string | undefined;
  /** Only this WhatsApp Business Account's templates (those a number of it may send). */
  wabaId?: string | undefined;
}

/** What an edit may change: Meta keeps the name and language of a template. */
export type TemplatePatch = Partial<Pick<CreateTemplateRequest, 'category' | 'parameter_format' | 'components'>>;

export interface TemplateServiceDeps {
  db: Kysely<Schema>;
  cache: TemplateCache;
  phoneNumbers: Pick<PhoneNumbers, 'list' | 'resolve' | 'sender' | 'onePerWaba'>;
  client: Pick<WhatsAppClient, 'listTemplates' | 'createTemplate' | 'editTemplate' | 'deleteTemplate'>;
  /** A template's timestamps follow its WABA's numbers' clock. */
  clock: Clock;
}

type Row = Selectable<TemplatesTable>;
type Target = { wabaId: string; endpoint: GraphEndpoint };

/** Statuses from which Meta lets a template be edited (and so resubmitted). */
const EDITABLE = new Set(['APPROVED', 'REJECTED', 'PAUSED']);

/**
 * Templates as managed assets: drafts, submission to the provider (Meta or the sandbox) after
 * the local linter, edits as numbered versions, deletion at the provider, syncs, previews. The
 * provider's view of each template (status, quality, category) is kept by {@link TemplateCache}.
 * Expected refusals are values (`{ ok: false, error }`); the HTTP edge maps codes to statuses.
 */
export class TemplateService {
  constructor(private readonly deps: TemplateServiceDeps) {}

  /** The linter alone: nothing stored. */
  lint(definition: CreateTemplateRequest): LintReport {
    return lintTemplate(definition);
  }

  /**
   * Stores a new template as a DRAFT (version 1); with `submit`, sends it to the provider for
   * review too. A submission with lint errors is refused unless `force`; a submission the
   * provider refuses stores nothing.
   */
  async create(
    workspaceId: string,
    input: { definition: CreateTemplateRequest; phoneNumber?: string | undefined; submit?: boolean | undefined; force?: boolean | undefined },
    actor: string,
  ): Promise<TemplateOutcome<TemplateDetail>> {
    const target = await this.#target(workspaceId, input.phoneNumber);
    if (!target.ok) return target;
    const { definition } = input;
    const clash = await this.#live(workspaceId, target.value.wabaId, definition.name, definition.language);
    if (clash) {
      return fail('CONVERSA_ERR_CONFLICT', `A template named "${definition.name}" in ${definition.language} already exists on this WhatsApp Business Account (${clash.id}).`, 'Edit that template (PATCH), delete it, or choose another name.', {
        field: 'name',
        rule: 'must be unique per WABA and language',
        template_id: clash.id,
      });
    }
    const lint = lintTemplate(definition);
    if (input.submit && !lint.ok && !input.force) return lintRefusal(lint);
    const at = await this.#now({ workspace_id: workspaceId, waba_id: target.value.wabaId });
    const row: Row = {
      id: newId('tpl'),
      workspace_id: workspaceId,
      waba_id: target.value.wabaId,
      provider_template_id: null,
      name: definition.name,
      language: definition.language,
      category: definition.category,
      status: DRAFT,
      parameter_format: definition.parameter_format ?? null,
      components: JSON.stringify(definition.components),
      version: 1,
      rejected_reason: null,
      status_details: null,
      quality_score: null,
      previous_category: null,
      submitted_at: null,
      submitting_since: null,
      created_at: at,
      updated_at: at,
      deleted_at: null,
    };
    await this.deps.cache.insertDraft(row, actor);
    if (input.submit) {
      const submitted = await this.#submitNew(row, target.value.endpoint, definition.allow_category_change);
      if (!submitted.ok) {
        // A create-and-submit the provider refused leaves nothing behind.
        await this.deps.cache.discardDraft(row.id);
        return submitted;
      }
    }
    return this.#detail(workspaceId, row.id);
  }

  /**
   * Submits a template for review: a DRAFT is created at the provider; a REJECTED one is sent
   * again as it stands (edit it first to change it). Refused with lint errors unless `force`.
   */
  async submit(workspaceId: string, id: string, options: { force?: boolean | undefined }): Promise<TemplateOutcome<TemplateDetail>> {
    const row = await this.#row(workspaceId, id);
    if (!row) return notFound(id);
    if (row.status !== DRAFT && row.status !== 'REJECTED') {
      return fail('CONVERSA_ERR_TEMPLATE_STATE', `Template ${id} is ${row.status}; only a DRAFT or a REJECTED template can be submitted.`, stateFix(row.status), { status: row.status });
    }
    const lint = lintTemplate(definitionOf(row));
    if (!lint.ok && !options.force) return lintRefusal(lint);
    const endpoint = await this.#endpointFor(workspaceId, row.waba_id);
    if (!endpoint.ok) return endpoint;
    if (row.status === DRAFT) {
      const submitted = await this.#submitNew(row, endpoint.value, undefined);
      if (!submitted.ok) return submitted;
    } else {
      const before = await this.#beginSubmission(row);
      const edited = providerOutcome(await this.deps.client.editTemplate(endpoint.value, row.provider_template_id as string, { components: JSON.parse(row.components) }));
      if (!edited.ok) return this.#abandonSubmission(row.id, edited);
      await this.#resubmitted(row.id, before, await this.#now(row));
    }
    return this.#detail(workspaceId, id);
  }

  /**
   * A new version of the definition. A DRAFT stays a draft; a template the provider has
   * (APPROVED, REJECTED or PAUSED, as Meta allows) is edited there and goes back to review.
   * Refused with lint errors unless `force` when it goes to the provider.
   */
  async edit(workspaceId: string, id: string, patch: TemplatePatch, options: { force?: boolean | undefined }, actor: string): Promise<TemplateOutcome<TemplateDetail>> {
    const row = await this.#row(workspaceId, id);
    if (!row) return notFound(id);
    const toProvider = row.status !== DRAFT;
    if (toProvider && !EDITABLE.has(row.status)) {
      return fail('CONVERSA_ERR_TEMPLATE_STATE', `Template ${id} is ${row.status}; Meta allows edits only of APPROVED, REJECTED or PAUSED templates.`, stateFix(row.status), { status: row.status });
    }
    const current = definitionOf(row);
    const next: CreateTemplateRequest = {
      ...current,
      ...(patch.category !== undefined ? { category: patch.category } : {}),
      ...(patch.parameter_format !== undefined ? { parameter_format: patch.parameter_format } : {}),
      ...(patch.components !== undefined ? { components: patch.components } : {}),
    };
    const lint = lintTemplate(next);
    if (toProvider && !lint.ok && !options.force) return lintRefusal(lint);
    let before = 0;
    if (toProvider) {
      const endpoint = await this.#endpointFor(workspaceId, row.waba_id);
      if (!endpoint.ok) return endpoint;
      before = await this.#beginSubmission(row);
      const edited = providerOutcome(
        await this.deps.client.editTemplate(endpoint.value, row.provider_template_id as string, {
          components: next.components,
          ...(next.category !== current.category ? { category: next.category } : {}),
          ...(next.parameter_format !== current.parameter_format && next.parameter_format ? { parameter_format: next.parameter_format } : {}),
        }),
      );
      if (!edited.ok) return this.#abandonSubmission(row.id, edited);
    }
    const at = await this.#now(row);
    const components = JSON.stringify(next.components);
    await this.deps.db.transaction().execute(async (trx) => {
      // Locked first: a review's webhook applied meanwhile either committed before (then `raced`) or waits for this.
      const fresh = await this.deps.cache.locked(trx, row.id);
      if (!fresh) throw new Error(`template ${row.id} vanished during its edit`);
      const version = fresh.version + 1;
      const raced = toProvider && (await this.#answeredSince(trx, row.id, before));
      await this.deps.cache.storeVersion(trx, fresh, {
        version,
        category: next.category,
        parameterFormat: next.parameter_format ?? null,
        components,
        actor,
        at,
        submitted: toProvider,
        status: !toProvider ? DRAFT : raced ? fresh.status : 'PENDING',
      });
      if (toProvider && !raced) await this.deps.cache.setStatus(trx, { ...fresh, version, category: next.category }, 'PENDING', { reason: undefined, details: undefined, source: 'api', at });
      // The review of this version answered before it was stored: its history entries belong to it.
      if (raced) await this.deps.cache.moveEventsToVersion(trx, row.id, before, version);
    });
    return this.#detail(workspaceId, id);
  }

  /** Deletes the template at the provider (that language only), then marks it DELETED here, keeping its history. */
  async remove(workspaceId: string, id: string): Promise<TemplateOutcome<TemplateView>> {
    const row = await this.#row(workspaceId, id);
    if (!row) return notFound(id);
    if (row.provider_template_id !== null) {
      const endpoint = await this.#endpointFor(workspaceId, row.waba_id);
      if (!endpoint.ok) return endpoint;
      const deleted = providerOutcome(await this.deps.client.deleteTemplate(endpoint.value, row.waba_id, row.name, row.provider_template_id));
      if (!deleted.ok) return deleted;
    }
    const deletedAt = await this.#now(row);
    await this.deps.db.transaction().execute(async (trx) => {
      await this.deps.cache.markDeleted(trx, row, 'api', deletedAt);
    });
    const after = await this.#row(workspaceId, id, true);
    return { ok: true, value: toTemplateView(after as Row) };
  }

  async get(workspaceId: string, id: string): Promise<TemplateOutcome<TemplateDetail>> {
    return this.#detail(workspaceId, id);
  }

  /** Newest first, with an opaque cursor; deleted templates only when `status` asks for DELETED. */
  async list(workspaceId: string, options: TemplateListOptions): Promise<{ data: TemplateView[]; next_cursor: string | null }> {
    let query = this.deps.db.selectFrom('templates').selectAll().where('workspace_id', '=', workspaceId).orderBy('id', 'desc').limit(options.limit + 1);
    const statuses = options.status?.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean) ?? [];
    if (statuses.length > 0) query = query.where('status', 'in', statuses);
    if (!statuses.includes(DELETED)) query = query.where('deleted_at', 'is', null);
    if (options.category) query = query.where('category', '=', options.category.toUpperCase());
    if (options.language) query = query.where('language', '=', options.language);
    if (options.wabaId) query = query.where('waba_id', '=', options.wabaId);
    if (options.name) query = query.where(sql<boolean>`${sql.ref('name')} like ${`%${escapeLike(options.name)}%`} escape '\\'`);
    if (options.cursor) query = query.where('id', '<', options.cursor);
    const rows = await query.execute();
    const page = rows.slice(0, options.limit);
    return { data: page.map(toTemplateView), next_cursor: rows.length > options.limit ? (page.at(-1)?.id ?? null) : null };
  }

  /**
   * The template as the customer reads it: with `params` (or a send's `components`, as
   * `POST /api/v1/messages` would take them) filled in, or with its own sample values when
   * neither is given. `text` joins header, body and footer as the chat bubble shows them.
   */
  async preview(workspaceId: string, id: string, input: { params?: PreviewParams | undefined; components?: TemplateSendObject['components'] | undefined; version?: number | undefined }): Promise<TemplateOutcome<TemplatePreview & { text: string; version: number }>> {
    const row = await this.#row(workspaceId, id, true);
    if (!row) return notFound(id);
    let definition = definitionOf(row);
    let version = row.version;
    if (input.version !== undefined && input.version !== row.version) {
      const stored = await this.deps.db.selectFrom('template_versions').selectAll().where('template_id', '=', id).where('version', '=', input.version).executeTakeFirst();
      if (!stored) return fail('CONVERSA_ERR_NOT_FOUND', `Template ${id} has no version ${input.version}.`, `Versions go from 1 to ${row.version}.`, { field: 'version', rule: `must be between 1 and ${row.version}` });
      definition = definitionOf({ ...row, category: stored.category, parameter_format: stored.parameter_format, components: stored.components });
      version = stored.version;
    }
    const preview = input.components
      ? previewFromSend(definition, { name: row.name, language: { code: row.language }, components: input.components })
      : previewTemplate(definition, input.params);
    return { ok: true, value: { ...preview, text: previewText(preview), version } };
  }

  /** Syncs one WABA (the number's, default the workspace's first number) with the provider now. */
  async sync(workspaceId: string, phoneNumber: string | undefined): Promise<TemplateOutcome<SyncSummary & { waba_id: string }>> {
    const target = await this.#target(workspaceId, phoneNumber);
    if (!target.ok) return target;
    const synced = providerOutcome(await this.deps.cache.syncFromProvider(workspaceId, target.value.wabaId, () => this.deps.client.listTemplates(target.value.endpoint, target.value.wabaId)));
    if (!synced.ok) return synced;
    return { ok: true, value: { waba_id: target.value.wabaId, ...synced.value } };
  }

  /**
   * Syncs every WABA of every workspace (one connected number each); the periodic worker's
   * pass. A WABA whose provider does not answer is reported and skipped until the next pass.
   */
  async syncAll(onError: (wabaId: string, error: TemplateError) => void): Promise<number> {
    let synced = 0;
    for (const waba of await this.deps.phoneNumbers.onePerWaba()) {
      const sender = await this.deps.phoneNumbers.sender(waba.numberId);
      if (!sender) continue;
      const outcome = providerOutcome(await this.deps.cache.syncFromProvider(waba.workspaceId, waba.wabaId, () => this.deps.client.listTemplates(sender.endpoint, waba.wabaId)));
      if (!outcome.ok) {
        onError(waba.wabaId, outcome.error);
        continue;
      }
      synced += 1;
    }
    return synced;
  }

  /** After the provider accepted a create: link the provider id, unless its status webhook linked it already. */
  async #submitNew(row: Row, endpoint: GraphEndpoint, allowCategoryChange: boolean | undefined): Promise<TemplateOutcome<true>> {
    const definition = definitionOf(row);
    await this.#beginSubmission(row);
    const created = providerOutcome(await this.deps.client.createTemplate(endpoint, row.waba_id, { ...definition, ...(allowCategoryChange !== undefined ? { allow_category_change: allowCategoryChange } : {}) }));
    if (!created.ok) return this.#abandonSubmission(row.id, created);
    const at = await this.#now(row);
    await this.deps.db.transaction().execute(async (trx) => {
      const fresh = await trx.selectFrom('templates').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
      await this.deps.cache.markSubmitted(trx, fresh, at, created.value.id);
      if (fresh.status === DRAFT) {
        await this.deps.cache.setStatus(trx, { ...fresh, provider_template_id: created.value.id }, created.value.status || 'PENDING', { reason: undefined, details: undefined, source: 'api', at });
      }
    });
    return { ok: true, value: true };
  }

  /** After the provider accepted a resubmission: back to PENDING, unless the review answered already. */
  async #resubmitted(id: string, before: number, at: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const fresh = await trx.selectFrom('templates').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      await this.deps.cache.markSubmitted(trx, fresh, at);
      if (!(await this.#answeredSince(trx, id, before))) await this.deps.cache.setStatus(trx, fresh, 'PENDING', { reason: undefined, details: undefined, source: 'api', at });
    });
  }

  /**
   * Marks the template as on its way to the provider (so its review webhook is recorded even if it
   * repeats the current status) and answers the last history id, to tell afterwards whether the
   * review answered before the provider's answer was stored.
   */
  async #beginSubmission(template: Row): Promise<number> {
    const templateId = template.id;
    await this.deps.cache.setSubmitting(templateId, await this.#now(template));
    const row = await this.deps.db.selectFrom('template_events').select((eb) => eb.fn.max('id').as('max')).where('template_id', '=', templateId).executeTakeFirst();
    return Number(row?.max ?? 0);
  }

  async #abandonSubmission<T>(templateId: string, outcome: { ok: false; error: TemplateError }): Promise<TemplateOutcome<T>> {
    await this.deps.cache.setSubmitting(templateId, null);
    return outcome;
  }

  /** Whether a status webhook for the template was applied after event `before` (the review was faster than our bookkeeping). */
  async #answeredSince(trx: Kysely<Schema>, templateId: string, before: number): Promise<boolean> {
    const row = await trx.selectFrom('template_events').select('id').where('template_id', '=', templateId).where('id', '>', before).where('kind', '=', 'status').where('source', '=', 'webhook').executeTakeFirst();
    return row !== undefined;
  }

  async #detail(workspaceId: string, id: string): Promise<TemplateOutcome<TemplateDetail>> {
    const row = await this.#row(workspaceId, id, true);
    if (!row) return notFound(id);
    const versions = await this.deps.db.selectFrom('template_versions').selectAll().where('template_id', '=', id).orderBy('version').execute();
    const history = await this.deps.db.selectFrom('template_events').selectAll().where('template_id', '=', id).orderBy('id').execute();
    return {
      ok: true,
      value: { ...toTemplateView(row), lint: lintTemplate(definitionOf(row)), versions: versions.map(toVersionView), history: history.map(toEventView) },
    };
  }

  async #row(workspaceId: string, id: string, includeDeleted = false): Promise<Row | undefined> {
    let query = this.deps.db.selectFrom('templates').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id);
    if (!includeDeleted) query = query.where('deleted_at', 'is', null);
    return query.executeTakeFirst();
  }

  async #live(workspaceId: string, wabaId: string, name: string, language: string): Promise<Row | undefined> {
    return this.deps.db
      .selectFrom('templates')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('waba_id', '=', wabaId)
      .where('name', '=', name)
      .where('language', '=', language)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
  }

  /** The WABA and endpoint of a number (our id or Meta's phone_number_id), default the workspace's first. */
  async #target(workspaceId: string, phoneNumber: string | undefined): Promise<TemplateOutcome<Target>> {
    const number = phoneNumber ? await this.deps.phoneNumbers.resolve(workspaceId, phoneNumber) : (await this.deps.phoneNumbers.list(workspaceId))[0];
    if (!number) {
      return phoneNumber
        ? fail('CONVERSA_ERR_NOT_FOUND', `No phone number ${phoneNumber} in this workspace.`, 'Give our phone number id or Meta\'s phone_number_id (GET /api/v1/phone-numbers).', { field: 'phone_number', rule: 'must be a phone number of this workspace' })
        : fail('CONVERSA_ERR_NO_PHONE_NUMBER', 'This workspace has no phone number.', 'Connect a phone number first (see /api/v1/phone-numbers).');
    }
    const sender = await this.deps.phoneNumbers.sender(number.id);
    if (!sender) return fail('CONVERSA_ERR_NO_PHONE_NUMBER', `Phone number ${number.id} cannot be reached.`, 'Reconnect the phone number.');
    return { ok: true, value: { wabaId: number.waba_id, endpoint: sender.endpoint } };
  }

  /** How to reach the provider for a WABA: through any of the workspace's numbers on it. */
  async #endpointFor(workspaceId: string, wabaId: string): Promise<TemplateOutcome<GraphEndpoint>> {
    const number = (await this.deps.phoneNumbers.list(workspaceId)).find((n) => n.waba_id === wabaId);
    const sender = number ? await this.deps.phoneNumbers.sender(number.id) : undefined;
    if (!sender) return fail('CONVERSA_ERR_NO_PHONE_NUMBER', `No phone number of this workspace is on WhatsApp Business Account ${wabaId}.`, 'Connect a number of that WABA again to manage its templates.');
    return { ok: true, value: sender.endpoint };
  }

  async #now(template: Pick<Row, 'workspace_id' | 'waba_id'>): Promise<string> {
    return (await this.deps.clock.atWaba(template.workspace_id, template.waba_id)).toISOString();
  }
}

function fail(code: TemplateErrorCode, message: string, fix: string, details?: Record<string, unknown>): { ok: false; error: TemplateError } {
  return { ok: false, error: { code, message, fix, ...(details ? { details } : {}) } };
}

function notFound(id: string): { ok: false; error: TemplateError } {
  return fail('CONVERSA_ERR_NOT_FOUND', `No template ${id}.`, 'Check the id (GET /api/v1/templates lists them).');
}

function lintRefusal(lint: LintReport): { ok: false; error: TemplateError } {
  const errors = lint.problems.filter((p) => p.severity === 'error');
  return fail(
    'CONVERSA_ERR_TEMPLATE_LINT',
    `The template breaks ${errors.length} of Meta's review rule${errors.length === 1 ? '' : 's'}: ${errors.map((p) => `${p.path}: ${p.message}`).join(' ')}`,
    'Fix each problem in details.problems (each names its path and fix), or send "force": true to submit anyway.',
    { problems: lint.problems },
  );
}

function stateFix(status: string): string {
  if (status === 'PENDING') return 'Wait for the review to finish (the status webhook or POST /api/v1/templates/sync updates it).';
  if (status === 'DISABLED') return 'A disabled template cannot be changed: create a new one.';
  return 'Check the template status with GET /api/v1/templates/{id}.';
}

function providerOutcome<T>(result: GraphResult<T>): TemplateOutcome<T> {
  if (result.ok) return { ok: true, value: result.value };
  if (result.kind === 'error') {
    return fail('CONVERSA_ERR_PROVIDER_REJECTED', `The provider refused: (#${result.code}) ${result.title}${result.details ? `: ${result.details}` : ''}`, providerFix(result.code), {
      meta_code: result.code,
      meta_message: result.title,
      meta_details: result.details,
    });
  }
  return fail('CONVERSA_ERR_PROVIDER_UNREACHABLE', `The provider did not answer (${result.reason}).`, 'Try again later; POST /api/v1/templates/sync shows what the provider has if the request may have reached it.', { reason: result.reason });
}

function providerFix(code: number): string {
  if (code === 100) return "Correct what details.meta_details names; Meta's template rules are in docs/templates.md.";
  if (code === 190 || code === 0) return "The number's access token is invalid or expired: reconnect the number.";
  if (code === 10 || (code >= 200 && code < 300)) return 'The token lacks whatsapp_business_management: grant it to the system user.';
  return 'See details.meta_code in Meta\'s error codes.';
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Header, body and footer as the chat bubble shows them, blank-line separated. */
function previewText(preview: TemplatePreview): string {
  return [preview.header?.text, preview.body, preview.footer].filter((part): part is string => part !== undefined && part !== '').join('\n\n');
}
