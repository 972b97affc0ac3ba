import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';
import { newId } from '../../db/ids.js';
import { appError, type AppErrorValue } from '../../errors/index.js';
import type { SecretBox } from '../../security/index.js';
import { parseFlowDocument } from './document/index.js';
import type { FlowDocument, FlowProblem } from './document/types.js';
import { compileFlow } from './engine/compile.js';
import { trainIntents } from './engine/nlu.js';
import type { EngineContext } from './engine/types.js';

export interface FlowView {
  id: string;
  name: string;
  description: string | null;
  format: 'yaml' | 'json';
  /** The draft as written. */
  source: string;
  /** What is live where: one entry per phone number. */
  deployments: Array<{ phone_number_id: string; version: number; deployed_at: string }>;
  /** The newest published version (null: never published). */
  latest_version: number | null;
  created_at: string;
  updated_at: string;
}

export interface FlowVersionView {
  id: string;
  flow_id: string;
  version: number;
  created_at: string;
  /** Whether an intent model was trained for it. */
  trained: boolean;
  /** Numbers this version is live on. */
  live_on: string[];
}

/** A published version ready to run: its document and its in-memory classifier and search. */
export interface CompiledVersion {
  versionId: string;
  flowId: string;
  name: string;
  version: number;
  document: FlowDocument;
  classify?: EngineContext['classify'];
  search?: EngineContext['search'];
}

export type FlowOutcome<T> = { ok: true; value: T } | { ok: false; error: AppErrorValue };

/** Compiled versions kept in memory (immutable, so never stale); the oldest used is dropped first. */
const COMPILED_CACHE = 200;
export const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * A workspace's flows: drafts (checked on every write: problems answer 422 with their paths),
 * immutable published versions with their trained intent model, which version is live on which
 * number (publish, rollback, unpublish), and the secrets HTTP steps reference. Reads that the
 * chatbot makes inside the inbound transaction take it as `trx`.
 */
export class Flows {
  readonly #compiled = new Map<string, Promise<CompiledVersion>>();

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => Date,
    private readonly box: SecretBox,
  ) {}

  /** Reads and checks a document; problems (and warnings) with their paths and fixes. */
  check(source: string, format?: 'yaml' | 'json'): { ok: true; document: FlowDocument; warnings: FlowProblem[] } | { ok: false; problems: FlowProblem[] } {
    // The parser bounds size (512 KB), nesting and steps itself.
    return parseFlowDocument(source, format ? { format } : {});
  }

  async create(workspaceId: string, input: { source: string; format?: 'yaml' | 'json' }): Promise<FlowOutcome<FlowView>> {
    const checked = this.check(input.source, input.format);
    if (!checked.ok) return { ok: false, error: invalid(checked.problems) };
    const taken = await this.db.selectFrom('flows').select('id').where('workspace_id', '=', workspaceId).where('name', '=', checked.document.name).executeTakeFirst();
    if (taken) return { ok: false, error: appError('CONVERSA_ERR_CONFLICT', `A flow named "${checked.document.name}" exists (${taken.id}).`, { field: 'name', rule: 'must be unique in the workspace', flow_id: taken.id }, `Update it with PUT /api/v1/flows/${taken.id}, or give this one another name.`) };
    const at = this.now().toISOString();
    const row = {
      id: newId('flow'),
      workspace_id: workspaceId,
      name: checked.document.name,
      description: checked.document.description ?? null,
      format: formatOf(input.source, input.format),
      source: input.source,
      document: JSON.stringify(checked.document),
      created_at: at,
      updated_at: at,
    };
    try {
      await this.db.insertInto('flows').values(row).execute();
    } catch (error) {
      if (await this.db.selectFrom('flows').select('id').where('workspace_id', '=', workspaceId).where('name', '=', row.name).executeTakeFirst()) {
        return { ok: false, error: appError('CONVERSA_ERR_CONFLICT', `A flow named "${row.name}" exists.`, { field: 'name', rule: 'must be unique in the workspace' }) };
      }
      throw error;
    }
    return { ok: true, value: (await this.get(workspaceId, row.id))! };
  }

  /** Replaces the draft (the name may not change: it is how flows and runs refer to it). */
  async update(workspaceId: string, id: string, input: { source: string; format?: 'yaml' | 'json' }): Promise<FlowOutcome<FlowView>> {
    const current = await this.#row(workspaceId, id);
    if (!current) return { ok: false, error: notFound(id) };
    const checked = this.check(input.source, input.format);
    if (!checked.ok) return { ok: false, error: invalid(checked.problems) };
    if (checked.document.name !== current.name) {
      return { ok: false, error: appError('CONVERSA_ERR_VALIDATION', `name: the flow is "${current.name}"; a draft cannot rename it`, { field: 'name', rule: `must stay "${current.name}"` }, 'Create a new flow for a new name.') };
    }
    await this.db
      .updateTable('flows')
      .set({ source: input.source, format: formatOf(input.source, input.format), document: JSON.stringify(checked.document), description: checked.document.description ?? null, updated_at: this.now().toISOString() })
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .execute();
    return { ok: true, value: (await this.get(workspaceId, id))! };
  }

  async list(workspaceId: string): Promise<FlowView[]> {
    const rows = await this.db.selectFrom('flows').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').execute();
    return Promise.all(rows.map((row) => this.#view(row)));
  }

  async get(workspaceId: string, id: string): Promise<FlowView | undefined> {
    const row = await this.#row(workspaceId, id);
    return row ? this.#view(row) : undefined;
  }

  async byName(workspaceId: string, name: string): Promise<FlowView | undefined> {
    const row = await this.db.selectFrom('flows').selectAll().where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst();
    return row ? this.#view(row) : undefined;
  }

  /** The draft's normalised document. */
  async draft(workspaceId: string, id: string): Promise<FlowDocument | undefined> {
    const row = await this.#row(workspaceId, id);
    return row ? (JSON.parse(row.document) as FlowDocument) : undefined;
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('flows').where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * Publishes the draft on a number: a new immutable version (its intent model trained now),
   * live on that number from now on. Conversations already in the flow finish on their version.
   */
  async publish(workspaceId: string, id: string, phoneNumberRowId: string): Promise<FlowOutcome<FlowVersionView>> {
    const current = await this.#row(workspaceId, id);
    if (!current) return { ok: false, error: notFound(id) };
    // Checked again: a draft stored by an older version of the checker must still pass today's.
    const checked = this.check(current.source, current.format as 'yaml' | 'json');
    if (!checked.ok) return { ok: false, error: invalid(checked.problems) };
    const trained = await trainIntents(checked.document);
    const at = this.now().toISOString();
    const versionId = newId('fver');
    await this.db.transaction().execute(async (trx) => {
      const last = await trx.selectFrom('flow_versions').select((eb) => eb.fn.max('version').as('v')).where('flow_id', '=', id).executeTakeFirst();
      const version = Number(last?.v ?? 0) + 1;
      await trx
        .insertInto('flow_versions')
        .values({ id: versionId, workspace_id: workspaceId, flow_id: id, version, format: current.format, source: current.source, document: JSON.stringify(checked.document), model: trained?.model ?? null, created_at: at })
        .execute();
      await this.#deploy(trx, workspaceId, id, versionId, phoneNumberRowId, at);
    });
    return { ok: true, value: (await this.version(workspaceId, id, versionId))! };
  }

  /** Makes an earlier (or any) published version live on a number again. */
  async rollback(workspaceId: string, id: string, phoneNumberRowId: string, version: number): Promise<FlowOutcome<FlowVersionView>> {
    if (!(await this.#row(workspaceId, id))) return { ok: false, error: notFound(id) };
    const row = await this.db.selectFrom('flow_versions').select('id').where('flow_id', '=', id).where('workspace_id', '=', workspaceId).where('version', '=', version).executeTakeFirst();
    if (!row) return { ok: false, error: appError('CONVERSA_ERR_NOT_FOUND', `Flow ${id} has no version ${version}.`, { field: 'version', rule: 'must be a published version of this flow' }, `GET /api/v1/flows/${id}/versions lists them.`) };
    await this.db.transaction().execute((trx) => this.#deploy(trx, workspaceId, id, row.id, phoneNumberRowId, this.now().toISOString()));
    return { ok: true, value: (await this.version(workspaceId, id, row.id))! };
  }

  /** Takes the flow off a number (running sessions finish on their version). */
  async unpublish(workspaceId: string, id: string, phoneNumberRowId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('flow_deployments').where('workspace_id', '=', workspaceId).where('flow_id', '=', id).where('phone_number_id', '=', phoneNumberRowId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async versions(workspaceId: string, id: string): Promise<FlowVersionView[] | undefined> {
    if (!(await this.#row(workspaceId, id))) return undefined;
    const rows = await this.db.selectFrom('flow_versions').select(['id', 'flow_id', 'version', 'created_at', 'model']).where('flow_id', '=', id).where('workspace_id', '=', workspaceId).orderBy('version', 'desc').execute();
    const live = await this.db.selectFrom('flow_deployments').select(['version_id', 'phone_number_id']).where('flow_id', '=', id).execute();
    return rows.map((row) => ({ id: row.id, flow_id: row.flow_id, version: Number(row.version), created_at: row.created_at, trained: row.model !== null, live_on: live.filter((d) => d.version_id === row.id).map((d) => d.phone_number_id) }));
  }

  async version(workspaceId: string, flowId: string, versionId: string): Promise<FlowVersionView | undefined> {
    return (await this.versions(workspaceId, flowId))?.find((v) => v.id === versionId);
  }

  /** The versions live on a number, each compiled (cached), in flow-name order. */
  async live(phoneNumberRowId: string, trx: Kysely<Schema> = this.db): Promise<CompiledVersion[]> {
    const rows = await trx
      .selectFrom('flow_deployments as d')
      .innerJoin('flow_versions as v', 'v.id', 'd.version_id')
      .innerJoin('flows as f', 'f.id', 'd.flow_id')
      .select(['v.id', 'f.name'])
      .where('d.phone_number_id', '=', phoneNumberRowId)
      .orderBy('f.name')
      .execute();
    return Promise.all(rows.map((row) => this.compiled(row.id, trx)));
  }

  /** A version ready to run (compiled once per process: versions never change). */
  compiled(versionId: string, trx: Kysely<Schema> = this.db): Promise<CompiledVersion> {
    let entry = this.#compiled.get(versionId);
    if (entry) {
      this.#compiled.delete(versionId);
      this.#compiled.set(versionId, entry);
      return entry;
    }
    entry = (async () => {
      const row = await trx
        .selectFrom('flow_versions as v')
        .innerJoin('flows as f', 'f.id', 'v.flow_id')
        .select(['v.id', 'v.flow_id', 'v.version', 'v.document', 'v.model', 'f.name'])
        .where('v.id', '=', versionId)
        .executeTakeFirstOrThrow();
      const document = JSON.parse(row.document) as FlowDocument;
      const compiled = await compileFlow(document, row.model ?? undefined);
      return { versionId: row.id, flowId: row.flow_id, name: row.name, version: Number(row.version), document, ...compiled };
    })();
    entry.catch(() => this.#compiled.delete(versionId));
    this.#compiled.set(versionId, entry);
    if (this.#compiled.size > COMPILED_CACHE) this.#compiled.delete(this.#compiled.keys().next().value!);
    return entry;
  }

  // Secrets: values HTTP steps reference as {{secrets.NAME}}; sealed at rest, never answered.

  async setSecret(workspaceId: string, name: string, value: string): Promise<void> {
    const at = this.now().toISOString();
    const sealed = this.box.seal(value);
    await this.db
      .insertInto('flow_secrets')
      .values({ workspace_id: workspaceId, name, value: sealed, created_at: at, updated_at: at })
      .onConflict((oc) => oc.columns(['workspace_id', 'name']).doUpdateSet({ value: sealed, updated_at: at }))
      .execute();
  }

  async listSecrets(workspaceId: string): Promise<Array<{ name: string; created_at: string; updated_at: string }>> {
    return this.db.selectFrom('flow_secrets').select(['name', 'created_at', 'updated_at']).where('workspace_id', '=', workspaceId).orderBy('name').execute();
  }

  async deleteSecret(workspaceId: string, name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('flow_secrets').where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The values of these secrets in the workspace (unknown names are absent). */
  async secrets(workspaceId: string, names: readonly string[]): Promise<Map<string, string>> {
    if (names.length === 0) return new Map();
    const rows = await this.db.selectFrom('flow_secrets').select(['name', 'value']).where('workspace_id', '=', workspaceId).where('name', 'in', [...new Set(names)]).execute();
    return new Map(rows.map((row) => [row.name, this.box.open(row.value)]));
  }

  async #deploy(trx: Kysely<Schema>, workspaceId: string, flowId: string, versionId: string, phoneNumberRowId: string, at: string): Promise<void> {
    await trx
      .insertInto('flow_deployments')
      .values({ workspace_id: workspaceId, phone_number_id: phoneNumberRowId, flow_id: flowId, version_id: versionId, deployed_at: at })
      .onConflict((oc) => oc.columns(['phone_number_id', 'flow_id']).doUpdateSet({ version_id: versionId, deployed_at: at }))
      .execute();
  }

  #row(workspaceId: string, id: string) {
    return this.db.selectFrom('flows').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  }

  async #view(row: Schema['flows'] extends infer T ? { [K in keyof T]: T[K] } : never): Promise<FlowView> {
    const deployments = await this.db
      .selectFrom('flow_deployments as d')
      .innerJoin('flow_versions as v', 'v.id', 'd.version_id')
      .select(['d.phone_number_id', 'v.version', 'd.deployed_at'])
      .where('d.flow_id', '=', row.id)
      .orderBy('d.phone_number_id')
      .execute();
    const latest = await this.db.selectFrom('flow_versions').select((eb) => eb.fn.max('version').as('v')).where('flow_id', '=', row.id).executeTakeFirst();
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      format: row.format as 'yaml' | 'json',
      source: row.source,
      deployments: deployments.map((d) => ({ phone_number_id: d.phone_number_id, version: Number(d.version), deployed_at: d.deployed_at })),
      latest_version: latest?.v == null ? null : Number(latest.v),
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
  }
}

function formatOf(source: string, format: 'yaml' | 'json' | undefined): 'yaml' | 'json' {
  if (format) return format;
  return /^\s*[{[]/.test(source) ? 'json' : 'yaml';
}

function invalid(problems: FlowProblem[]): AppErrorValue {
  const errors = problems.filter((p) => p.severity === 'error');
  const first = errors[0] ?? problems[0];
  return appError(
    'CONVERSA_ERR_FLOW_INVALID',
    `The flow has ${errors.length} problem${errors.length === 1 ? '' : 's'}${first ? `; first: ${first.path || '(document)'}: ${first.message}` : ''}.`,
    { problems, field: first?.path ?? '', rule: first?.message ?? '' },
    first?.fix,
  );
}

function notFound(id: string): AppErrorValue {
  return appError('CONVERSA_ERR_NOT_FOUND', `No flow ${id} in this workspace.`, { field: 'id', rule: 'must be a flow of this workspace' });
}
