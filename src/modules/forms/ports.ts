import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';

/** The events outbox as this module uses it: an event joins the caller's transaction. */
export interface FormEvents {
  record(trx: Kysely<Schema>, workspaceId: string, type: 'form.submitted' | 'survey.answered', data: Record<string, unknown>): Promise<void>;
}

/** The contacts module as this module uses it: a contact of the workspace, read in the caller's transaction. */
export interface ContactDirectory {
  get(workspaceId: string, id: string, trx?: Kysely<Schema>): Promise<{ id: string; wa_id: string; name: string | null } | undefined>;
}

/** Filters shared by the lists and the export: times are ISO-8601 UTC; `since` inclusive, `until` exclusive. */
export interface PeriodFilter {
  since?: string | undefined;
  until?: string | undefined;
}
