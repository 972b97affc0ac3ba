/**
 * Cloud API wire types: the JSON shapes that cross the network between a WhatsApp Business
 * Platform client and Meta's Graph API (or the sandbox). Types only, no logic: the platform
 * and the sandbox both import this file, and nothing else from each other.
 *
 * Source: shared/whatsapp/cloud-api-facts.md §1–§3.
 */

/** The `error` object of a synchronous Graph API error response. */
export interface GraphError {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  error_data?: { messaging_product?: 'whatsapp'; details: string } | string;
  error_user_title?: string;
  error_user_msg?: string;
  is_transient?: boolean;
  fbtrace_id: string;
}

export interface GraphErrorResponse {
  error: GraphError;
}

/** The error object inside webhooks: `statuses[].errors`, `messages[].errors`, `value.errors`. */
export interface WebhookError {
  code: number;
  title: string;
  message?: string;
  error_data?: { details: string };
  href?: string;
}

export type MessageType =
  | 'text'
  | 'image'
  | 'audio'
  | 'video'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contacts'
  | 'interactive'
  | 'template'
  | 'reaction';

export interface MediaObject {
  id?: string;
  link?: string;
  caption?: string;
  filename?: string;
}

export interface LocationObject {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
}

export interface ContactCard {
  name: {
    formatted_name: string;
    first_name?: string;
    last_name?: string;
    middle_name?: string;
    prefix?: string;
    suffix?: string;
  };
  addresses?: Array<Record<string, string>>;
  birthday?: string;
  emails?: Array<{ email?: string; type?: string }>;
  org?: { company?: string; department?: string; title?: string };
  phones?: Array<{ phone?: string; type?: string; wa_id?: string }>;
  urls?: Array<{ url?: string; type?: string }>;
}

export interface TemplateParameter {
  type: 'text' | 'currency' | 'date_time' | 'image' | 'video' | 'document' | 'location' | 'payload' | 'coupon_code' | 'action';
  parameter_name?: string;
  text?: string;
  currency?: { fallback_value: string; code: string; amount_1000: number };
  date_time?: { fallback_value: string };
  image?: MediaObject;
  video?: MediaObject;
  document?: MediaObject;
  location?: LocationObject;
  payload?: string;
  coupon_code?: string;
  action?: Record<string, unknown>;
}

export interface TemplateSendComponent {
  type: 'header' | 'body' | 'button' | 'footer';
  sub_type?: string;
  index?: string | number;
  parameters?: TemplateParameter[];
}

export interface TemplateSendObject {
  name: string;
  language: { code: string; policy?: 'deterministic' };
  components?: TemplateSendComponent[];
}

/** Body of `POST /{phone-number-id}/messages` for a message send. */
export interface SendMessageRequest {
  messaging_product: 'whatsapp';
  recipient_type?: 'individual' | 'group';
  to: string;
  type?: MessageType;
  context?: { message_id: string };
  biz_opaque_callback_data?: string;
  text?: { body: string; preview_url?: boolean };
  image?: MediaObject;
  audio?: MediaObject;
  video?: MediaObject;
  document?: MediaObject;
  sticker?: MediaObject;
  location?: LocationObject;
  contacts?: ContactCard[];
  interactive?: Record<string, unknown>;
  template?: TemplateSendObject;
  reaction?: { message_id: string; emoji: string };
}

/** Body of `POST /{phone-number-id}/messages` that marks a message read. */
export interface MarkReadRequest {
  messaging_product: 'whatsapp';
  status: 'read';
  message_id: string;
  typing_indicator?: { type: 'text' };
}

export interface SendMessageResponse {
  messaging_product: 'whatsapp';
  contacts: Array<{ input: string; wa_id: string }>;
  messages: Array<{ id: string; message_status?: 'accepted' | 'held_for_quality_assessment' | 'paused' }>;
}

export interface MediaInfoResponse {
  messaging_product: 'whatsapp';
  url: string;
  mime_type: string;
  sha256: string;
  file_size: string;
  id: string;
}

export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';

export type TemplateStatus =
  | 'APPROVED'
  | 'PENDING'
  | 'REJECTED'
  | 'PAUSED'
  | 'DISABLED'
  | 'IN_APPEAL'
  | 'REINSTATED'
  | 'FLAGGED'
  | 'PENDING_DELETION'
  | 'DELETED'
  | 'LIMIT_EXCEEDED'
  | 'ARCHIVED';

/** A component of a template as created (`POST /{waba-id}/message_templates`). */
export interface TemplateComponentDefinition {
  type: 'HEADER' | 'BODY' | 'FOOTER' | 'BUTTONS';
  format?: 'TEXT' | 'IMAGE' | 'VIDEO' | 'GIF' | 'DOCUMENT' | 'LOCATION';
  text?: string;
  example?: {
    header_text?: string[];
    header_text_named_params?: Array<{ param_name: string; example: string }>;
    header_handle?: string[];
    body_text?: string[][];
    body_text_named_params?: Array<{ param_name: string; example: string }>;
  };
  add_security_recommendation?: boolean;
  code_expiration_minutes?: number;
  buttons?: Array<{
    type: string;
    text?: string;
    url?: string;
    phone_number?: string;
    example?: string[] | string;
    otp_type?: string;
    [key: string]: unknown;
  }>;
}

export interface CreateTemplateRequest {
  name: string;
  language: string;
  category: TemplateCategory;
  parameter_format?: 'POSITIONAL' | 'NAMED';
  allow_category_change?: boolean;
  components: TemplateComponentDefinition[];
}

export interface TemplateRecord {
  id: string;
  name: string;
  language: string;
  status: TemplateStatus;
  category: TemplateCategory;
  parameter_format?: 'POSITIONAL' | 'NAMED';
  components: TemplateComponentDefinition[];
  quality_score?: { score: 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN'; date?: number };
  rejected_reason?: string;
  previous_category?: TemplateCategory;
}

export interface Paging {
  cursors: { before: string; after: string };
  next?: string;
  previous?: string;
}

// ---------------------------------------------------------------------------------------------
// Webhooks

export interface WebhookEnvelope {
  object: 'whatsapp_business_account';
  entry: WebhookEntry[];
}

export interface WebhookEntry {
  id: string;
  time?: number;
  changes: WebhookChange[];
}

export interface WebhookChange {
  field: string;
  value: Record<string, unknown>;
}

export interface WebhookMetadata {
  display_phone_number: string;
  phone_number_id: string;
}

export interface WebhookContact {
  profile?: { name?: string; username?: string };
  /** Omitted when the user has a username and hides the number (BSUID, cloud-api-facts.md §1). */
  wa_id?: string;
  /** The business-scoped user id (BSUID). */
  user_id?: string;
}

/** Click-to-WhatsApp ad or post the customer came from (`messages[].referral`). */
export interface ReferralObject {
  source_url?: string;
  source_id?: string;
  source_type?: 'ad' | 'post' | string;
  headline?: string;
  body?: string;
  media_type?: 'image' | 'video' | string;
  image_url?: string;
  video_url?: string;
  thumbnail_url?: string;
  ctwa_clid?: string;
  welcome_message?: { text?: string };
}

/** `messages[].system`: the user changed number (`wa_id` is the new one) or identity. */
export interface SystemObject {
  body?: string;
  wa_id?: string;
  type?: 'user_changed_number' | 'customer_identity_changed' | string;
}

/** An inbound message as it appears in `value.messages[]`. Type-specific fields stay open. */
export interface InboundMessage {
  /** The sender's wa_id; omitted for a user known only by username (then `from_user_id`). */
  from?: string;
  /** The sender's business-scoped user id (BSUID). */
  from_user_id?: string;
  id: string;
  timestamp: string;
  type: string;
  context?: {
    from?: string;
    id?: string;
    forwarded?: boolean;
    frequently_forwarded?: boolean;
    referred_product?: { catalog_id: string; product_retailer_id: string };
  };
  referral?: ReferralObject;
  system?: SystemObject;
  reaction?: { message_id: string; emoji?: string };
  errors?: WebhookError[];
  /** Set when the message was written in a group (Groups API): the group's id; `from` is its author. */
  group_id?: string;
  [content: string]: unknown;
}

export type StatusValue = 'sent' | 'delivered' | 'read' | 'failed' | 'played';

export interface PricingObject {
  billable?: boolean;
  pricing_model: 'CBP' | 'PMP';
  category: string;
  type?: 'regular' | 'free_customer_service' | 'free_entry_point';
}

export interface StatusEvent {
  id: string;
  status: StatusValue;
  timestamp: string;
  recipient_id?: string;
  recipient_user_id?: string;
  biz_opaque_callback_data?: string;
  conversation?: { id: string; expiration_timestamp?: string; origin: { type: string } };
  pricing?: PricingObject;
  errors?: WebhookError[];
  /** A message sent to a group (`recipient_type: "group"`): the group it went to. */
  group_id?: string;
  recipient_type?: 'individual' | 'group';
}

export interface MessagesChangeValue {
  messaging_product: 'whatsapp';
  metadata: WebhookMetadata;
  contacts?: WebhookContact[];
  messages?: InboundMessage[];
  statuses?: StatusEvent[];
  errors?: WebhookError[];
}

// ---- The number's settings (cloud-api-facts.md §1.4–§1.6; Meta's conversational automation and message QR codes) ----

/** `GET /{phone-number-id}/whatsapp_business_profile` answers `{ data: [BusinessProfileRecord] }`. */
export interface BusinessProfileRecord {
  messaging_product: 'whatsapp';
  about?: string;
  address?: string;
  description?: string;
  email?: string;
  profile_picture_url?: string;
  websites?: string[];
  vertical?: string;
}

/** `POST /{phone-number-id}/whatsapp_business_profile`: any of these fields, with `messaging_product`. */
export interface BusinessProfileUpdate {
  messaging_product: 'whatsapp';
  about?: string;
  address?: string;
  description?: string;
  email?: string;
  websites?: string[];
  vertical?: string;
  /** A Resumable Upload handle of the new picture. */
  profile_picture_handle?: string;
}

// ---- Meta's Resumable Upload API (Graph API "Resumable Upload API": profile pictures, template media examples) ----

/** `GET /app`: the app the access token belongs to. */
export interface GraphApp {
  id: string;
  name?: string;
  link?: string;
}

/** The MIME types `POST /{app-id}/uploads` takes as `file_type`. */
export type ResumableUploadFileType = 'application/pdf' | 'image/jpeg' | 'image/jpg' | 'image/png' | 'video/mp4';

/** `GET /{upload-session-id}` (and a partial upload step): where the upload is. `id` is `upload:<…>?sig=<…>`. */
export interface ResumableUploadStatus {
  id: string;
  file_offset: number;
}

/** The upload step that completes the file answers its handle. */
export interface ResumableUploadHandle {
  h: string;
}

/** One command of the chat's `/` menu. */
export interface AutomationCommand {
  command_name: string;
  command_description: string;
}

/** `conversational_automation` of a phone number: welcome message, ice breakers (`prompts`) and commands. */
export interface ConversationalAutomation {
  enable_welcome_message?: boolean;
  prompts?: string[];
  commands?: AutomationCommand[];
}

/** One user of a block or unblock answer. */
export interface BlockUsersEntry {
  input: string;
  wa_id?: string;
  errors?: Array<{ message: string; code: number; error_data?: { details: string } }>;
}

/** `POST` / `DELETE /{phone-number-id}/block_users` answers. */
export interface BlockUsersResponse {
  messaging_product: 'whatsapp';
  block_users: { added_users?: BlockUsersEntry[]; removed_users?: BlockUsersEntry[]; failed_users?: BlockUsersEntry[] };
}

/** A QR code with a prefilled message (`/{phone-number-id}/message_qrdls`). */
export interface MessageQrCode {
  code: string;
  prefilled_message: string;
  deep_link_url: string;
  /** Only in the answer of a create or update that asked for `generate_qr_image`. */
  qr_image_url?: string;
}

// ---- Groups (cloud-api-facts.md §1.7; Meta's spec: GroupInfo, Groups, GroupValue) ----

export type GroupJoinApprovalMode = 'auto_approve' | 'approval_required';

/** `POST /{phone-number-id}/groups`. */
export interface CreateGroupRequest {
  messaging_product: 'whatsapp';
  /** At most 128 characters (trimmed). */
  subject: string;
  /** At most 2048 characters. */
  description?: string;
  /** Default `auto_approve`. */
  join_approval_mode?: GroupJoinApprovalMode;
}

/** The answer to a create: the group's id arrives later, in a `group_lifecycle_update` webhook with this `request_id`. */
export interface CreateGroupResponse {
  messaging_product: 'whatsapp';
  request_id: string;
}

/** `GET /{group-id}?fields=...` (Meta's `GroupInfo`). */
export interface GroupInfo {
  id: string;
  messaging_product?: 'whatsapp';
  subject?: string;
  description?: string;
  join_approval_mode?: GroupJoinApprovalMode;
  suspended?: boolean;
  /** Unix seconds. */
  creation_timestamp?: number;
  participants?: Array<{ wa_id: string }>;
  /** Participants, the business excluded. */
  total_participant_count?: number;
}

/** `GET /{phone-number-id}/groups`: the number's active groups, one page. */
export interface GroupListResponse {
  data: { groups: Array<{ id: string; subject: string; created_at: string }> };
  paging?: { cursors?: { before?: string; after?: string }; next?: string; previous?: string };
}

/** One open join request (`GET /{group-id}/join_requests`). */
export interface GroupJoinRequest {
  join_request_id: string;
  wa_id: string;
  /** Unix seconds. */
  creation_timestamp: number;
}

/** `POST` (approve) / `DELETE` (reject) `/{group-id}/join_requests`. */
export interface GroupJoinRequestsResponse {
  messaging_product: 'whatsapp';
  approved_join_requests?: string[];
  rejected_join_requests?: string[];
  failed_join_requests?: Array<{ join_request_id: string; errors: WebhookError[] }>;
}

export type GroupEventType = 'group_create' | 'group_delete' | 'group_settings_update' | 'group_add_participants' | 'group_remove_participants' | 'group_suspend' | 'group_unsuspend';

/** One item of `value.groups[]` in the `group_*` webhook fields (Meta's `Groups` schema). */
export interface GroupWebhookEvent {
  timestamp: number;
  group_id: string;
  type: GroupEventType | string;
  request_id: string;
  subject?: string;
  description?: string;
  invite_link?: string;
  join_approval_mode?: GroupJoinApprovalMode;
  added_participants?: Array<{ input?: string; wa_id: string }>;
  removed_participants?: Array<{ input?: string; wa_id: string }>;
  profile_picture?: { mime_type: string; sha256: string };
  errors?: WebhookError[];
}

/** The value of a `group_lifecycle_update`, `group_participants_update`, `group_settings_update` or `group_status_update` change. */
export interface GroupChangeValue {
  messaging_product: 'whatsapp';
  metadata: WebhookMetadata;
  groups: GroupWebhookEvent[];
}
