import { createHash } from 'node:crypto';
import type { ChangeEventPayload, ErrorsEventPayload, InboundMessage, MessageEventPayload, StatusEvent, StatusEventPayload, StoredEventKind, WebhookContact, WebhookError } from '../../whatsapp/index.js';

/** One event cut from a Meta webhook POST, ready to store. */
export interface InboundEvent {
  /** `m:<wamid>` for messages, `s:<wamid>:<status>` for statuses, a content hash otherwise. */
  dedupeKey: string;
  field: string;
  kind: StoredEventKind;
  /** JSON of the event with what it needs to be processed alone (metadata, contact). */
  payload: string;
  /**
   * For a status: `<phone_number_id>:<biz_opaque_callback_data>`, the sending number (Meta's id)
   * and the data it echoes (our message id). Only set when the status names its number.
   */
  ref?: string;
  /** The WABA the entry names (`entry[].id`), when it is a string. */
  wabaId?: string;
  /** The number the change names (`value.metadata.phone_number_id`, Meta's id), when it is a string. */
  phoneNumberId?: string;
}

interface Change {
  field?: unknown;
  value?: {
    metadata?: unknown;
    contacts?: Array<{ wa_id?: unknown; user_id?: unknown }>;
    messages?: Array<{ id?: unknown; from?: unknown; from_user_id?: unknown }>;
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
      const scope = {
        ...(typeof entry.id === 'string' ? { wabaId: entry.id } : {}),
        ...(typeof (value.metadata as { phone_number_id?: unknown } | null | undefined)?.phone_number_id === 'string' ? { phoneNumberId: (value.metadata as { phone_number_id: string }).phone_number_id } : {}),
      };
      let split = false;
      if (field === 'messages') {
        for (const message of Array.isArray(value.messages) ? value.messages : []) {
          if (typeof message?.id !== 'string') continue;
          const contacts = Array.isArray(value.contacts) ? value.contacts : [];
          const contact = contacts.find((c) => (message.from !== undefined && c?.wa_id === message.from) || (message.from_user_id !== undefined && c?.user_id === message.from_user_id)) ?? contacts[0];
          const stored: MessageEventPayload = { waba_id: entry.id as string, metadata: value.metadata as MessageEventPayload['metadata'], contact: contact as WebhookContact, message: message as InboundMessage };
          events.push({
            dedupeKey: `m:${message.id}`,
            field,
            kind: 'message',
            payload: JSON.stringify(stored),
            ...scope,
          });
          split = true;
        }
        for (const status of Array.isArray(value.statuses) ? value.statuses : []) {
          if (typeof status?.id !== 'string' || typeof status.status !== 'string') continue;
          events.push({
            dedupeKey: `s:${status.id}:${status.status}`,
            field,
            kind: 'status',
            payload: JSON.stringify({ waba_id: entry.id as string, metadata: value.metadata as StatusEventPayload['metadata'], status: status as StatusEvent } satisfies StatusEventPayload),
            ...(typeof status.biz_opaque_callback_data === 'string' && scope.phoneNumberId !== undefined ? { ref: statusRef(scope.phoneNumberId, status.biz_opaque_callback_data) } : {}),
            ...scope,
          });
          split = true;
        }
        if (Array.isArray(value.errors) && value.errors.length > 0) {
          const payload = JSON.stringify({ waba_id: entry.id as string, metadata: value.metadata as ErrorsEventPayload['metadata'], errors: value.errors as WebhookError[] } satisfies ErrorsEventPayload);
          events.push({ dedupeKey: `e:${hash(payload)}`, field, kind: 'error', payload, ...scope });
          split = true;
        }
      }
      if (!split) {
        const payload = JSON.stringify({ waba_id: entry.id as string, time: entry.time as number, field, value } satisfies ChangeEventPayload);
        events.push({ dedupeKey: `o:${hash(payload)}`, field, kind: 'other', payload, ...scope });
      }
    }
  }
  return events;
}

/**
 * The `ref` of a status event: the sending number (Meta's phone_number_id) and the
 * `biz_opaque_callback_data` it echoes, so a lookup by our message id is confined to the number
 * that sent it (and, by the row's workspace, to the workspace that verified the webhook).
 */
export function statusRef(metaPhoneNumberId: string, callbackData: string): string {
  return `${metaPhoneNumberId}:${callbackData}`;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
