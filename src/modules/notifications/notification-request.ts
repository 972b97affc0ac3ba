import type { ErrorCode } from '../../errors/index.js';
import type { TemplateSendObject } from '../../whatsapp/index.js';
import { canonicalHash, checkTemplateSend } from '../messaging/index.js';
import type { CachedTemplate } from '../templates/index.js';
import { toView, type NotificationRow, type NotificationView } from './notification-store.js';
import { placeParameters, type FriendlyParameters } from './template-components.js';

/** `POST /api/v1/notifications`: one approved template to one recipient, now or at `sendAt`. */
export interface NotificationRequest extends FriendlyParameters {
  to: string;
  template: string;
  language: string;
  /** ISO 8601 with an offset; absent or past: now. */
  sendAt?: string | undefined;
  /** Our phone number id or Meta's phone_number_id; default the workspace's first number (a group's: its own number). */
  from?: string | undefined;
  /** `group`: `to` is a group (our grp_ id or Meta's group id) and the template goes to the group. */
  recipientType?: 'group' | undefined;
}

export interface NotificationError {
  code: ErrorCode;
  message: string;
  fix?: string | undefined;
  details?: Record<string, unknown> | undefined;
  variant?: string;
}

export type NotificationOutcome =
  | { ok: true; notification: NotificationView; replayed: boolean }
  | { ok: false; error: NotificationError; replayed?: boolean };

/** A refusal of the request itself (nothing stored). */
export function fail(error: NotificationError): Extract<NotificationOutcome, { ok: false }> {
  return { ok: false, error };
}

export function friendlyOf(request: FriendlyParameters): FriendlyParameters {
  return {
    ...(request.parameters !== undefined ? { parameters: request.parameters } : {}),
    ...(request.header !== undefined ? { header: request.header } : {}),
    ...(request.buttons !== undefined ? { buttons: request.buttons } : {}),
  };
}

/** Places the friendly parameters into the template definition of that language. */
export function buildSend(name: string, language: string, templates: CachedTemplate[], friendly: FriendlyParameters): { ok: true; send: TemplateSendObject } | Extract<NotificationOutcome, { ok: false }> {
  const bare: TemplateSendObject = { name, language: { code: language } };
  const definition = templates.find((t) => t.language === language);
  if (!definition) {
    const found = checkTemplateSend(bare, templates);
    return found.ok ? { ok: true, send: bare } : fail(withField(found.error));
  }
  const placed = placeParameters(definition, friendly);
  if (!placed.ok) return fail({ code: 'CONVERSA_ERR_VALIDATION', message: `body.${placed.field}: ${placed.message}`, details: { field: `body.${placed.field}`, rule: placed.message } });
  return { ok: true, send: { ...bare, ...(placed.components.length > 0 ? { components: placed.components } : {}) } };
}

/** Names the request field a policy refusal is about (`template`, `language`, `parameters`, `header`, `buttons[i]`). */
export function withField(error: NotificationError): NotificationError {
  const component = typeof error.details?.component === 'string' ? error.details.component : undefined;
  const field =
    error.code === 'CONVERSA_ERR_TEMPLATE_LANGUAGE'
      ? 'language'
      : error.code === 'CONVERSA_ERR_TEMPLATE_PARAMETERS'
        ? component === 'body' || component === undefined
          ? 'parameters'
          : component.replace(/^button\[/, 'buttons[')
        : 'template';
  return { ...error, details: { field: `body.${field}`, ...error.details } };
}

export function outcomeOf(row: NotificationRow, replayed: boolean): NotificationOutcome {
  const view = toView(row);
  if (row.status === 'refused' && view.error) {
    const { fix, ...details } = view.error.details as { fix?: string } & Record<string, unknown>;
    return { ok: false, replayed, error: { code: view.error.code as ErrorCode, message: view.error.message, fix, details: { ...details, notification_id: row.id }, variant: 'refused' } };
  }
  return { ok: true, notification: view, replayed };
}

/** SHA-256 of the request with sorted keys: the same body hashes the same however it was written. */
export function hashRequest(request: NotificationRequest): string {
  return canonicalHash(request);
}
