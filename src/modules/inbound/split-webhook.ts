import { createHash } from 'node:crypto';

/** One event cut from a Meta webhook POST, ready to store. */
export interface InboundEvent {
  /** `m:<wamid>` for messages, `s:<wamid>:<status>` for statuses, a content hash otherwise. */
  dedupeKey: string;
  field: string;
  kind: 'message' | 'status' | 'error' | 'other';
  /** JSON of the event with what it needs to be processed alone (metadata, contact). */
  payload: string;
  /** For a status: the `biz_opaque_callback_data` it echoes (our message id). */
  ref?: string;
}

interface Change {
  field?: unknown;
  value?: {
    metadata?: unknown;
    contacts?: Array<{ wa_id?: unknown }>;
    messages?: Array<{ id?: unknown; from?: unknown }>;
    statuses?: Array<{ id?: unknown; status?: unknown; biz_opaque_callback_data?: unknown }>;
    errors?: unknown[];
  } & Record<string, unknown>;
}

/**
 * Cuts a webhook body into events, one per message and per status, each deduplicated by Meta's
 * ids; any other change (template updates, user preferences, fields we do not know yet) is kept
 * whole, never dropped. Pure: the same body always gives the same events.
 */
export function splitWebhook(body: unknown): InboundEvent[] {
  const events: InboundEvent[] = [];
  const entries = (body as { entry?: unknown }).entry;
  if (!Array.isArray(entries)) return events;
  for (const entry of entries as Array<{ id?: unknown; time?: unknown; changes?: unknown }>) {
    if (!Array.isArray(entry?.changes)) continue;
    for (const change of entry.changes as Change[]) {
      const field = typeof change?.field === 'string' ? change.field : 'unknown';
      const value = change?.value ?? {};
      let split = false;
      if (field === 'messages') {
        for (const message of Array.isArray(value.messages) ? value.messages : []) {
          if (typeof message?.id !== 'string') continue;
          const contacts = Array.isArray(value.contacts) ? value.contacts : [];
          const contact = contacts.find((c) => c?.wa_id === message.from) ?? contacts[0];
          events.push({
            dedupeKey: `m:${message.id}`,
            field,
            kind: 'message',
            payload: JSON.stringify({ waba_id: entry.id, metadata: value.metadata, contact, message }),
          });
          split = true;
        }
        for (const status of Array.isArray(value.statuses) ? value.statuses : []) {
          if (typeof status?.id !== 'string' || typeof status.status !== 'string') continue;
          events.push({
            dedupeKey: `s:${status.id}:${status.status}`,
            field,
            kind: 'status',
            payload: JSON.stringify({ waba_id: entry.id, metadata: value.metadata, status }),
            ...(typeof status.biz_opaque_callback_data === 'string' ? { ref: status.biz_opaque_callback_data } : {}),
          });
          split = true;
        }
        if (Array.isArray(value.errors) && value.errors.length > 0) {
          const payload = JSON.stringify({ waba_id: entry.id, metadata: value.metadata, errors: value.errors });
          events.push({ dedupeKey: `e:${hash(payload)}`, field, kind: 'error', payload });
          split = true;
        }
      }
      if (!split) {
        const payload = JSON.stringify({ waba_id: entry.id, time: entry.time, field, value });
        events.push({ dedupeKey: `o:${hash(payload)}`, field, kind: 'other', payload });
      }
    }
  }
  return events;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
