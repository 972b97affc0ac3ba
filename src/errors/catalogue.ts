/**
 * The one catalogue of the platform's error codes: for each `CONVERSA_ERR_*` code, the HTTP
 * status the API answers it with, a title (also the default message), and, for the send
 * policy's refusals, how to fix it. Modules name codes (through `appError` / `AppError`,
 * ./app-error.ts) and never an HTTP status; only the HTTP edge (src/http/errors.ts) reads
 * `status`. docs/errors.md documents every code (test/error-catalogue.test.ts checks it against
 * this list), and the OpenAPI `Error` schema is built from it (src/http/responses.ts).
 */
export const ERROR_CATALOGUE = {
  CONVERSA_ERR_VALIDATION: { status: 400, title: 'The request is not valid.' },
  CONVERSA_ERR_UNAUTHENTICATED: { status: 401, title: 'Send an API key as "Authorization: Bearer <key>".' },
  CONVERSA_ERR_FORBIDDEN: { status: 403, title: 'This API key lacks the scope for this operation.' },
  CONVERSA_ERR_NOT_FOUND: { status: 404, title: 'Not found.' },
  CONVERSA_ERR_CONFLICT: { status: 409, title: 'It already exists.' },
  CONVERSA_ERR_PROVIDER_REJECTED: { status: 422, title: "The WhatsApp provider (Meta's Graph API or the sandbox) refused the request." },
  CONVERSA_ERR_UNSAFE_URL: { status: 422, title: 'The URL targets an address the server does not call (loopback, private, link-local, metadata, ...) or carries a user name or password.' },
  CONVERSA_ERR_GROUP_PENDING: { status: 409, title: 'Meta has not confirmed the group yet (its id arrives in a group_lifecycle_update webhook); try again in a moment.' },
  CONVERSA_ERR_PROVIDER_UNREACHABLE: { status: 502, title: "The WhatsApp provider (Meta's Graph API or the sandbox) could not be reached." },
  CONVERSA_ERR_WEBHOOK_SIGNATURE: { status: 401, title: 'The X-Hub-Signature-256 header is missing or does not match the body.' },
  CONVERSA_ERR_WEBHOOK_VERIFY_TOKEN: { status: 403, title: 'hub.verify_token does not match any connected phone number.' },
  CONVERSA_ERR_PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large.' },
  CONVERSA_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported Content-Type.' },
  CONVERSA_ERR_MEDIA_TOO_LARGE: { status: 413, title: 'The file is over the size WhatsApp accepts for its kind.' },
  CONVERSA_ERR_MEDIA_UNSUPPORTED_TYPE: { status: 415, title: 'WhatsApp does not accept files of this type.' },
  CONVERSA_ERR_MEDIA_NOT_READY: { status: 409, title: 'The media is not stored yet (inbound media still downloading, or its download failed).' },
  CONVERSA_ERR_MEDIA_NOT_FOUND: { status: 422, title: 'A media id of the message is not media of this workspace (or its download failed).' },
  CONVERSA_ERR_MEDIA_TYPE_MISMATCH: { status: 422, title: "The media's kind does not fit the message (a PNG as audio)." },
  CONVERSA_ERR_INVALID_RECIPIENT: { status: 422, title: 'The recipient is not a valid phone number in international format.' },
  CONVERSA_ERR_INVALID_INVOICE: { status: 422, title: 'The invoice breaks a rule (a document, a date, an amount, or a total that does not add up).' },
  CONVERSA_ERR_INVALID_PIX: { status: 422, title: 'The Pix request breaks a rule of the BR Code (key, name, city, amount or txid).' },
  CONVERSA_ERR_TEMPLATE_LINT: { status: 422, title: "The template breaks Meta's review rules (details.problems lists each with its place and fix)." },
  CONVERSA_ERR_TEMPLATE_STATE: { status: 409, title: "The template's status does not allow this operation." },
  CONVERSA_ERR_NO_PHONE_NUMBER: { status: 422, title: 'This workspace has no phone number.', variants: { unknown_sender: 404 } },
  CONVERSA_ERR_NOT_CANCELLABLE: { status: 409, title: 'Only a scheduled notification can be cancelled; this one already went or was refused.' },
  CONVERSA_ERR_IDEMPOTENCY_MISMATCH: { status: 409, title: 'This Idempotency-Key was used for a different request.' },
  CONVERSA_ERR_CAMPAIGN_STATE: { status: 409, title: 'The campaign is not in a state that allows this operation.' },
  CONVERSA_ERR_NOT_INBOUND: { status: 422, title: 'Only a message the contact sent (direction "in") can be marked read.' },
  CONVERSA_ERR_NO_INBOUND_MESSAGE: { status: 422, title: 'The conversation has no message from the contact to mark read or to show typing on.' },
  CONVERSA_ERR_MEDIA_EXPIRED: { status: 410, title: "The media's bytes were deleted by the workspace's retention setting (media_days)." },
  CONVERSA_ERR_MEDIA_IN_USE: { status: 409, title: 'A message not yet sent (or an invoice) still names this media.' },
  CONVERSA_ERR_CONVERSATION_TRANSITION: { status: 409, title: "The conversation's owner does not allow this transition (details.from and details.to name them)." },
  CONVERSA_ERR_SANDBOX_REFUSED: { status: 422, title: "The sandbox refused the simulated customer's action (a phone without WhatsApp, a media id or a quoted message it does not know)." },
  CONVERSA_ERR_MESSAGE_SENDING: { status: 409, title: 'The message is being sent right now; its outcome is known in a moment.' },
  CONVERSA_ERR_FLOW_INVALID: { status: 422, title: 'The flow document has problems (details.problems lists each with its path and fix).' },
  CONVERSA_ERR_FLOW_NOT_PUBLISHED: { status: 409, title: 'The flow is not live on that phone number.' },
  CONVERSA_ERR_CANNED_VARIABLE: { status: 422, title: 'The canned reply names a variable Conversa does not know (details.variable names it, details.known lists the variables).' },
  CONVERSA_ERR_CONVERSATION_BUSY: { status: 409, title: 'A person owns the conversation, or it is in a flow already.' },
  CONVERSA_ERR_MESSAGE_NOT_FOUND: { status: 422, title: 'A message the request refers to (a quoted reply, a reaction) is not a message of this workspace.' },
  CONVERSA_ERR_MESSAGE_NOT_SENT: { status: 422, title: 'A message the request refers to has not reached WhatsApp yet, so WhatsApp cannot point at it.' },
  CONVERSA_ERR_LOGIN_FAILED: { status: 401, title: 'The e-mail or the password is wrong.' },
  CONVERSA_ERR_CSRF: { status: 403, title: 'The x-csrf-token header is missing or does not match the session (send the csrf_token that GET /app/api/session answers).' },
  CONVERSA_ERR_PASSWORD_CHANGE_REQUIRED: { status: 403, title: 'Choose your own password first (POST /app/api/me/password): you signed in with a one-time password.' },
  CONVERSA_ERR_LAST_ADMIN: { status: 409, title: 'The workspace must keep at least one active admin: make another person admin first.' },
  CONVERSA_ERR_RATE_LIMITED: { status: 429, title: 'Too many requests from this address; wait for the Retry-After seconds.' },
  CONVERSA_ERR_TOO_MANY_CONNECTIONS: { status: 429, title: 'This person has too many inbox WebSocket connections open on this node.' },
  CONVERSA_ERR_INTERNAL: { status: 500, title: 'Something went wrong on our side; the error is logged.' },
  CONVERSA_ERR_UNAVAILABLE: { status: 503, title: 'A dependency (the database) is not reachable.' },
  // The send policy's refusals (src/modules/messaging/policy.ts): permanent, retrying never helps.
  CONVERSA_ERR_WINDOW_CLOSED: {
    status: 422,
    title: 'Customer service window closed',
    fix: "Send an approved template instead; free-form messages are allowed only within 24 h of the contact's last message.",
    policy: true,
  },
  CONVERSA_ERR_GROUP_MESSAGE_TYPE: {
    status: 422,
    title: 'This kind of message cannot be sent to a WhatsApp group',
    fix: 'Groups take text, media (image, video, audio, document, sticker) and text or media templates; not interactive messages or authentication templates (docs/groups.md).',
    policy: true,
  },
  CONVERSA_ERR_TEMPLATE_MISSING: {
    status: 422,
    title: 'Template object missing',
    fix: 'A message of type "template" needs template: { name, language: { code }, components }.',
    policy: true,
  },
  CONVERSA_ERR_TEMPLATE_NOT_FOUND: {
    status: 422,
    title: 'Template not found',
    fix: 'Check the template name, or create the template (and sync templates if it was created in WhatsApp Manager).',
    policy: true,
  },
  CONVERSA_ERR_TEMPLATE_LANGUAGE: {
    status: 422,
    title: 'Template not available in this language',
    fix: 'Send it in one of the languages listed in details.availableLanguages, or add a translation and wait for its approval.',
    policy: true,
  },
  CONVERSA_ERR_TEMPLATE_NOT_APPROVED: {
    status: 422,
    title: 'Template not approved',
    fix: 'Only APPROVED templates can be sent: wait for review, fix and resubmit a rejected one, or use another template.',
    policy: true,
  },
  CONVERSA_ERR_TEMPLATE_PARAMETERS: {
    status: 422,
    title: 'Template parameters do not match the template',
    fix: 'Give one parameter per variable of each component, of the kind the template needs (see details.component, expected, received).',
    policy: true,
  },
  CONVERSA_ERR_NO_MARKETING_OPT_IN: {
    status: 422,
    title: 'No marketing opt-in',
    fix: 'Record the contact\'s marketing opt-in (naming your business and WhatsApp) before sending marketing templates outside the customer service window.',
    policy: true,
  },
  CONVERSA_ERR_OPTED_OUT: {
    status: 422,
    title: 'Contact opted out',
    fix: 'Do not message this contact for this purpose unless they opt in again (for example by sending a resume keyword).',
    policy: true,
  },
  CONVERSA_ERR_RECIPIENT_BLOCKED: {
    status: 422,
    title: 'Recipient blocked by this number',
    fix: 'Unblock the user first (DELETE /api/v1/phone-numbers/{id}/blocked-users), or do not message them.',
    policy: true,
  },
  CONVERSA_ERR_MARKETING_US_BLOCKED: {
    status: 422,
    title: 'Marketing templates to US numbers are blocked',
    fix: 'Meta does not deliver marketing templates to US (+1) numbers since 2025-04-01: use a utility template for transactional content, or reach the contact while they write to you.',
    policy: true,
  },
} as const satisfies Record<`CONVERSA_ERR_${string}`, CatalogueEntry>;

/**
 * Variants that hold for every code: `refused`, a refusal stored earlier (a notification the
 * send-time policy refused) answered again on a replay, is 422 whatever refused it.
 */
export const COMMON_VARIANTS: Readonly<Record<string, number>> = { refused: 422 };

/** One code of the catalogue. */
export interface CatalogueEntry {
  /** The HTTP status the API answers with (read only by src/http/). */
  status: number;
  /** What it means; the message when the code is raised without one. */
  title: string;
  /** How to fix it, when the same for every occurrence (policy refusals carry it in `details.fix`). */
  fix?: string;
  /**
   * Other statuses of the same code, by variant (`appError(...).variant`), kept because clients
   * already see them: `CONVERSA_ERR_NO_PHONE_NUMBER` is 404 when the request named a sender that
   * is not one of the workspace's numbers (`unknown_sender`).
   */
  variants?: Record<string, number>;
  /** A refusal of the send policy (`checkSendPolicy`). */
  policy?: true;
}

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** The send policy's refusal codes (all answered 422). */
export type PolicyErrorCode = { [C in ErrorCode]: (typeof ERROR_CATALOGUE)[C] extends { policy: true } ? C : never }[ErrorCode];

export const POLICY_ERROR_CODES = (Object.keys(ERROR_CATALOGUE) as ErrorCode[]).filter((code): code is PolicyErrorCode => 'policy' in ERROR_CATALOGUE[code]);

/** Whether a string is a code of the catalogue. */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, code);
}
