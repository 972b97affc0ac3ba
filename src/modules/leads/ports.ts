import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';

/** The events outbox as this module uses it: an event joins the caller's transaction. */
export interface LeadEvents {
  record(trx: Kysely<Schema>, workspaceId: string, type: 'lead.created' | 'lead.updated', data: Record<string, unknown>): Promise<void>;
}

/** The contacts module as this module uses it: a contact of the workspace, read in the caller's transaction. */
export interface LeadContacts {
  get(workspaceId: string, id: string, trx?: Kysely<Schema>): Promise<{ id: string; wa_id: string; name: string | null } | undefined>;
}
