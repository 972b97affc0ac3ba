import { randomBytes } from 'node:crypto';
import type { GraphErrorResponse, WebhookError } from '../whatsapp/wire.js';

/**
 * Meta's error codes as the sandbox answers them: code, title, the HTTP status Meta uses for
 * the synchronous form, and whether Meta marks it transient. Source: cloud-api-facts.md §3.2.
 */
export const META_ERRORS = {
  104: { title: 'An access token is required to request this resource.', http: 401, type: 'OAuthException' },
  190: { title: 'Invalid OAuth access token - Cannot parse access token', http: 401, type: 'OAuthException' },
  100: { title: 'Invalid parameter', http: 400, type: 'OAuthException' },
  131000: { title: 'Something went wrong', http: 500, type: 'OAuthException', transient: true },
  131008: { title: 'Required parameter is missing', http: 400, type: 'OAuthException' },
  131009: { title: 'Parameter value is not valid', http: 400, type: 'OAuthException' },
  131021: { title: 'Recipient cannot be sender', http: 400, type: 'OAuthException' },
  131026: { title: 'Message undeliverable', http: 400, type: 'OAuthException' },
  131047: { title: 'Re-engagement message', http: 400, type: 'OAuthException' },
  131050: { title: 'User has stopped receiving marketing messages', http: 400, type: 'OAuthException' },
  131051: { title: 'Message type unknown', http: 400, type: 'OAuthException' },
  131052: { title: 'Media download error', http: 400, type: 'OAuthException' },
  131053: { title: 'Media upload error', http: 400, type: 'OAuthException' },
  131056: { title: '(Business, Consumer) pair rate limit hit', http: 400, type: 'OAuthException', transient: true },
  130429: { title: 'Rate limit hit', http: 429, type: 'OAuthException', transient: true },
  132000: { title: 'Number of parameters does not match the expected number of params', http: 400, type: 'OAuthException' },
  132001: { title: 'Template name does not exist in the translation', http: 404, type: 'OAuthException' },
  132005: { title: 'Translated text too long', http: 400, type: 'OAuthException' },
  132007: { title: 'Template Format Character Policy Violated', http: 400, type: 'OAuthException' },
  132012: { title: 'Parameter format does not match format in the created template', http: 400, type: 'OAuthException' },
  132015: { title: 'Template is Paused', http: 400, type: 'OAuthException' },
  132016: { title: 'Template is Disabled', http: 400, type: 'OAuthException' },
  132018: { title: 'There was an issue with the parameters in your template.', http: 400, type: 'OAuthException' },
  133010: { title: 'Phone number Not Registered', http: 400, type: 'OAuthException' },
  133005: { title: 'Two step verification PIN Mismatch', http: 400, type: 'OAuthException' },
  133016: { title: 'Account register deregister rate limit exceeded', http: 400, type: 'OAuthException' },
  139100: { title: 'Failed to block/unblock users', http: 400, type: 'OAuthException' },
  139101: { title: 'Blocklist limit reached', http: 400, type: 'OAuthException' },
  139102: { title: 'Blocklist concurrent update', http: 400, type: 'OAuthException', transient: true },
  139103: { title: 'Internal error', http: 500, type: 'OAuthException', transient: true },
  131020: { title: 'Cannot send to a group with only one member', http: 400, type: 'OAuthException' },
  131041: { title: 'Group not found', http: 400, type: 'OAuthException' },
  131059: { title: 'Invalid pagination cursor', http: 400, type: 'OAuthException' },
  131201: { title: 'Partial success', http: 206, type: 'OAuthException' },
  131202: { title: 'Participant already in the group', http: 400, type: 'OAuthException' },
  131204: { title: 'Group participant limit reached', http: 400, type: 'OAuthException' },
  131207: { title: 'Group is suspended', http: 403, type: 'OAuthException' },
  131208: { title: 'Group rate limit hit', http: 429, type: 'OAuthException', transient: true },
  131209: { title: 'Group picture must be square', http: 400, type: 'OAuthException' },
  131210: { title: 'Group picture is too small', http: 400, type: 'OAuthException' },
  131211: { title: 'Group creation limit reached', http: 400, type: 'OAuthException' },
  131212: { title: 'User is not a participant of the group', http: 400, type: 'OAuthException' },
  803: { title: 'Some of the aliases you requested do not exist', http: 404, type: 'GraphMethodException' },
  2: { title: 'Service temporarily unavailable', http: 503, type: 'OAuthException', transient: true },
} as const satisfies Record<number, { title: string; http: number; type: string; transient?: boolean }>;

export type MetaErrorCode = keyof typeof META_ERRORS;

/** An expected Graph failure: carried as a value through the sandbox, rendered by the route. */
export interface MetaFailure {
  code: MetaErrorCode;
  details: string;
  subcode?: number;
}

/** Builds a failure value; `details` is what Meta puts in `error_data.details`. */
export function metaFailure(code: MetaErrorCode, details: string, subcode?: number): MetaFailure {
  return subcode === undefined ? { code, details } : { code, details, subcode };
}

/** The HTTP status Meta answers a synchronous error with. */
export function httpStatusOf(failure: MetaFailure): number {
  return META_ERRORS[failure.code].http;
}

/** Renders a failure as Meta's synchronous Graph error body. */
export function graphErrorBody(failure: MetaFailure): GraphErrorResponse {
  const entry: { title: string; type: string; transient?: boolean } = META_ERRORS[failure.code];
  return {
    error: {
      message: `(#${failure.code}) ${entry.title}`,
      type: entry.type,
      code: failure.code,
      ...(failure.subcode === undefined ? {} : { error_subcode: failure.subcode }),
      error_data: { messaging_product: 'whatsapp', details: failure.details },
      ...(entry.transient ? { is_transient: true } : {}),
      fbtrace_id: randomBytes(9).toString('base64url'),
    },
  };
}

/** Renders a failure as the error object Meta puts inside webhooks (`statuses[].errors[]`). */
export function webhookErrorOf(failure: MetaFailure): WebhookError {
  const title = META_ERRORS[failure.code].title;
  return {
    code: failure.code,
    title,
    message: title,
    error_data: { details: failure.details },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  };
}
