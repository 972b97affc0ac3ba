/**
 * Typed inbound webhook events: the ONE definition of what a Meta webhook event carries once it
 * is cut from its POST (`splitWebhook` in modules/inbound) and stored, and of the kinds the
 * inbound router hands to the modules that own them. Pure: no I/O.
 *
 * Source: shared/whatsapp/cloud-api-facts.md §2.3–§2.5.
 */
import type { GroupWebhookEvent, InboundMessage, StatusEvent, WebhookContact, WebhookError, WebhookMetadata } from './wire.js';

/** How an event is stored (`inbound_events.kind`): one per message, per status, per value-level error list, the rest whole. */
export type StoredEventKind = 'message' | 'status' | 'error' | 'other';

/** The stored payload of a `message` event: one message with its sender's contact. */
export interface MessageEventPayload {
  waba_id?: string;
  metadata?: Partial<WebhookMetadata>;
  contact?: WebhookContact;
  message: InboundMessage;
}

/** The stored payload of a `status` event. */
export interface StatusEventPayload {
  waba_id?: string;
  metadata?: Partial<WebhookMetadata>;
  status: StatusEvent;
}

/** The stored payload of an `error` event: `entry.changes[].value.errors` (not tied to a message). */
export interface ErrorsEventPayload {
  waba_id?: string;
  metadata?: Partial<WebhookMetadata>;
  errors: WebhookError[];
}

/** The stored payload of any other change, kept whole. */
export interface ChangeEventPayload {
  waba_id?: string;
  time?: number;
  field: string;
  value: Record<string, unknown>;
}

/** A marketing preference change (`user_preferences` field). */
export interface UserPreference {
  wa_id: string;
  category: string;
  value: 'stop' | 'resume';
  timestamp?: number;
}

/** Fields of template changes (status, quality, category). */
export const TEMPLATE_CHANGE_FIELDS: readonly string[] = ['message_template_status_update', 'message_template_quality_update', 'template_category_update'];

/** Fields about the WABA or its numbers (`account_update`, `phone_number_quality_update`, `phone_number_name_update`, …). */
export const ACCOUNT_CHANGE_FIELDS: readonly string[] = ['account_update', 'phone_number_quality_update', 'phone_number_name_update', 'account_review_update', 'business_capability_update'];

/**
 * What the inbound router routes: one typed event per kind. `message` and `status` name the
 * number they happened on (`metadata`); the change kinds keep the whole change.
 */
export type InboundWebhookEvent =
  | { kind: 'message'; payload: MessageEventPayload }
  | { kind: 'status'; payload: StatusEventPayload }
  | { kind: 'errors'; payload: ErrorsEventPayload }
  | { kind: 'template'; payload: ChangeEventPayload }
  | { kind: 'user_preferences'; payload: ChangeEventPayload & { preferences: UserPreference[] } }
  | { kind: 'account_update'; payload: ChangeEventPayload }
  | { kind: 'group'; payload: ChangeEventPayload & { groups: GroupWebhookEvent[] } }
  | { kind: 'other'; payload: ChangeEventPayload };

export type InboundWebhookKind = InboundWebhookEvent['kind'];

/** Every kind, in the order the docs list them. */
export const INBOUND_WEBHOOK_KINDS: readonly InboundWebhookKind[] = ['message', 'status', 'template', 'user_preferences', 'account_update', 'group', 'errors', 'other'];

/**
 * Fields of group changes (Groups API, cloud-api-facts.md §1.7). Meta's v23 spec spells the
 * participants field `group_participant_update`; its guide `group_participants_update`: both are read.
 */
export const GROUP_CHANGE_FIELDS: readonly string[] = ['group_lifecycle_update', 'group_participants_update', 'group_participant_update', 'group_settings_update', 'group_status_update'];

/**
 * Reads a stored event (its `kind` and parsed JSON payload) as a typed event. Throws on a
 * payload that is not an object (a bug or a hand-edited row: the processor records the failure).
 *
 * @example readWebhookEvent('other', { field: 'user_preferences', value: {...} }).kind === 'user_preferences'
 */
export function readWebhookEvent(stored: StoredEventKind | string, payload: unknown): InboundWebhookEvent {
  if (payload === null || typeof payload !== 'object') throw new Error(`inbound ${stored} event: payload is not an object`);
  if (stored === 'message') return { kind: 'message', payload: payload as MessageEventPayload };
  if (stored === 'status') return { kind: 'status', payload: payload as StatusEventPayload };
  if (stored === 'error') return { kind: 'errors', payload: payload as ErrorsEventPayload };
  const change = payload as ChangeEventPayload;
  if (change.field === 'user_preferences') {
    const list = (change.value as { user_preferences?: unknown } | undefined)?.user_preferences;
    return { kind: 'user_preferences', payload: { ...change, preferences: Array.isArray(list) ? (list as UserPreference[]) : [] } };
  }
  if (TEMPLATE_CHANGE_FIELDS.includes(change.field)) return { kind: 'template', payload: change };
  if (ACCOUNT_CHANGE_FIELDS.includes(change.field)) return { kind: 'account_update', payload: change };
  if (GROUP_CHANGE_FIELDS.includes(change.field)) {
    const list = (change.value as { groups?: unknown } | undefined)?.groups;
    return { kind: 'group', payload: { ...change, groups: Array.isArray(list) ? (list as GroupWebhookEvent[]).filter((g) => g !== null && typeof g === 'object' && typeof g.group_id === 'string') : [] } };
  }
  return { kind: 'other', payload: change };
}

/** Meta's number id an event names (`metadata.phone_number_id`), when it names one. */
export function eventPhoneNumberId(event: InboundWebhookEvent): string | undefined {
  const metadata = 'metadata' in event.payload ? event.payload.metadata : (event.payload as ChangeEventPayload).value?.metadata;
  const id = (metadata as { phone_number_id?: unknown } | null | undefined)?.phone_number_id;
  return typeof id === 'string' ? id : undefined;
}

/** The sender of an inbound message: its wa_id when Meta gives it, and its BSUID when Meta gives one. */
export function messageSender(payload: MessageEventPayload): { waId?: string; userId?: string; name?: string } {
  const { message, contact } = payload;
  const waId = typeof message.from === 'string' && message.from !== '' ? message.from : typeof contact?.wa_id === 'string' && contact.wa_id !== '' ? contact.wa_id : undefined;
  const userId = typeof message.from_user_id === 'string' && message.from_user_id !== '' ? message.from_user_id : typeof contact?.user_id === 'string' && contact.user_id !== '' ? contact.user_id : undefined;
  const name = contact?.profile?.name;
  return { ...(waId ? { waId } : {}), ...(userId ? { userId } : {}), ...(name ? { name } : {}) };
}
