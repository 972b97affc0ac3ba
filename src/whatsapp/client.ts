import { Agent, FormData, errors as undiciErrors, request } from 'undici';
import type {
  BlockUsersResponse,
  BusinessProfileRecord,
  BusinessProfileUpdate,
  ConversationalAutomation,
  CreateGroupRequest,
  CreateGroupResponse,
  CreateTemplateRequest,
  GroupInfo,
  GroupJoinRequest,
  GroupJoinRequestsResponse,
  GraphApp,
  GraphErrorResponse,
  MediaInfoResponse,
  MessageQrCode,
  ResumableUploadFileType,
  ResumableUploadHandle,
  ResumableUploadStatus,
  SendMessageRequest,
  SendMessageResponse,
  TemplateRecord,
} from './wire.js';

/** Where and how to reach the Graph API for one phone number. */
export interface GraphEndpoint {
  baseUrl: string;
  version: string;
  accessToken: string;
}

/**
 * The outcome of a Graph call as a value. `unknown` means the request may have reached Meta
 * but no answer came back (timeout, connection reset after sending): the caller must not assume
 * it failed, since a resend could deliver the message twice.
 */
export type GraphResult<T> =
  | { ok: true; value: T }
  | { ok: false; kind: 'error'; status: number; code: number; title: string; details: string; transient: boolean }
  | { ok: false; kind: 'unreachable'; reason: string }
  | { ok: false; kind: 'unknown'; reason: string };

/** `GET /{phone-number-id}` (cloud-api-facts.md §1.5); Meta omits fields it has no value for. */
export interface PhoneNumberInfo {
  id: string;
  display_phone_number?: string;
  verified_name?: string;
  quality_rating?: string;
  /** `level` is STANDARD, HIGH or NOT_APPLICABLE; the sandbox adds `messages_per_second`. */
  throughput?: { level?: string; messages_per_second?: number };
  account_mode?: string;
  status?: string;
  /** TIER_50, TIER_250, TIER_1K, TIER_2K, TIER_10K, TIER_100K, TIER_UNLIMITED (deprecated by Meta, §5.2). */
  messaging_limit_tier?: string;
  /** Its replacement, same values; read when present (not requested: Meta's v23 spec lacks it). */
  whatsapp_business_manager_messaging_limit?: string;
}

const PROFILE_FIELDS = 'about,address,description,email,profile_picture_url,websites,vertical';
const PHONE_NUMBER_FIELDS = 'id,display_phone_number,verified_name,quality_rating,throughput,account_mode,status,messaging_limit_tier';

/** Meta codes that succeed on a later try (cloud-api-facts.md §3.2, §5.1). */
const TRANSIENT_CODES = new Set([1, 2, 4, 80007, 130429, 131000, 131016, 131056, 131057, 133004]);

/**
 * A typed client for the Graph calls the platform makes, over undici with keep-alive. The
 * endpoint (Meta or the sandbox) comes per call from the phone number's connection.
 */
export class WhatsAppClient {
  readonly #agent: Agent;

  constructor(options: { timeoutMs?: number; connections?: number } = {}) {
    const timeout = options.timeoutMs ?? 20_000;
    this.#agent = new Agent({ connections: options.connections ?? 256, keepAliveTimeout: 30_000, headersTimeout: timeout, bodyTimeout: timeout, connectTimeout: 10_000 });
  }

  /** `POST /{phone-number-id}/messages`. */
  sendMessage(endpoint: GraphEndpoint, phoneNumberId: string, message: SendMessageRequest): Promise<GraphResult<SendMessageResponse>> {
    return this.#call(endpoint, 'POST', `/${phoneNumberId}/messages`, message);
  }

  /**
   * `POST /{phone-number-id}/messages` marking an inbound message (and the earlier ones) as read.
   * With `typing`, the customer also sees "typing…" until the business's next message or 25 s.
   */
  markRead(endpoint: GraphEndpoint, phoneNumberId: string, wamid: string, options: { typing?: boolean } = {}): Promise<GraphResult<{ success: boolean }>> {
    return this.#call(endpoint, 'POST', `/${phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: wamid,
      ...(options.typing ? { typing_indicator: { type: 'text' } } : {}),
    });
  }

  /** `DELETE /{media-id}`: deletes uploaded media at the provider (with the number it was uploaded from). */
  deleteMedia(endpoint: GraphEndpoint, mediaId: string, phoneNumberId?: string): Promise<GraphResult<{ success: boolean }>> {
    const query = phoneNumberId ? `?phone_number_id=${encodeURIComponent(phoneNumberId)}` : '';
    return this.#call(endpoint, 'DELETE', `/${encodeURIComponent(mediaId)}${query}`);
  }

  /**
   * `GET /{phone-number-id}`: the number as Meta knows it. Answers only with valid
   * credentials for that number, so it doubles as the credentials check when connecting one.
   */
  getPhoneNumber(endpoint: GraphEndpoint, phoneNumberId: string): Promise<GraphResult<PhoneNumberInfo>> {
    return this.#call(endpoint, 'GET', `/${encodeURIComponent(phoneNumberId)}?fields=${PHONE_NUMBER_FIELDS}`);
  }

  /** `GET /{waba-id}/message_templates`, following the cursor to the end. */
  async listTemplates(endpoint: GraphEndpoint, wabaId: string): Promise<GraphResult<TemplateRecord[]>> {
    const all: TemplateRecord[] = [];
    let after: string | undefined;
    for (let page = 0; page < 100; page += 1) {
      const query = `?limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      const result = await this.#call<{ data: TemplateRecord[]; paging?: { cursors?: { after?: string }; next?: string } }>(endpoint, 'GET', `/${wabaId}/message_templates${query}`);
      if (!result.ok) return result;
      all.push(...result.value.data);
      if (!result.value.paging?.next) break;
      after = result.value.paging.cursors?.after;
    }
    return { ok: true, value: all };
  }

  /** `POST /{waba-id}/message_templates`: submits a template for review; answers its id and status (PENDING). */
  createTemplate(endpoint: GraphEndpoint, wabaId: string, template: CreateTemplateRequest): Promise<GraphResult<{ id: string; status: string; category: string }>> {
    return this.#call(endpoint, 'POST', `/${encodeURIComponent(wabaId)}/message_templates`, template);
  }

  /** `POST /{template-id}`: new components and/or category; the template goes back to review. */
  editTemplate(endpoint: GraphEndpoint, templateId: string, patch: Partial<Pick<CreateTemplateRequest, 'category' | 'components' | 'parameter_format'>>): Promise<GraphResult<{ success: boolean }>> {
    return this.#call(endpoint, 'POST', `/${encodeURIComponent(templateId)}`, patch);
  }

  /** `DELETE /{waba-id}/message_templates?name=&hsm_id=`: with `hsmId`, only that language; without, every language of the name. */
  deleteTemplate(endpoint: GraphEndpoint, wabaId: string, name: string, hsmId?: string): Promise<GraphResult<{ success: boolean }>> {
    const query = `?name=${encodeURIComponent(name)}${hsmId ? `&hsm_id=${encodeURIComponent(hsmId)}` : ''}`;
    return this.#call(endpoint, 'DELETE', `/${encodeURIComponent(wabaId)}/message_templates${query}`);
  }

  /**
   * `POST /{phone-number-id}/media` (multipart: `messaging_product`, `type`, `file`): answers the
   * provider's media id, which Meta keeps for 30 days.
   */
  uploadMedia(endpoint: GraphEndpoint, phoneNumberId: string, file: { data: Buffer; mimeType: string; filename?: string | undefined }): Promise<GraphResult<{ id: string }>> {
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', file.mimeType);
    form.append('file', new Blob([file.data], { type: file.mimeType }), file.filename ?? 'file');
    return this.#call(endpoint, 'POST', `/${phoneNumberId}/media`, form);
  }

  /** `GET /{media-id}`: the media's type, sha256, size and a download URL valid for five minutes. */
  getMedia(endpoint: GraphEndpoint, mediaId: string): Promise<GraphResult<MediaInfoResponse>> {
    return this.#call(endpoint, 'GET', `/${encodeURIComponent(mediaId)}`);
  }

  /**
   * Downloads media from the URL `getMedia` answered, with the endpoint's bearer token. The
   * token goes only to the endpoint's own origin or Meta's media hosts (https); a body over
   * `maxBytes` (default 110 MB) is refused.
   */
  async downloadMedia(endpoint: GraphEndpoint, url: string, options: { maxBytes?: number } = {}): Promise<GraphResult<Buffer>> {
    if (!mayCarryToken(endpoint, url)) {
      return { ok: false, kind: 'error', status: 0, code: 0, title: 'Refused media URL', details: `not sending the access token to ${safeOrigin(url)}`, transient: false };
    }
    const maxBytes = options.maxBytes ?? 110 * 1024 * 1024;
    try {
      const response = await request(url, { method: 'GET', dispatcher: this.#agent, headers: { authorization: `Bearer ${endpoint.accessToken}` } });
      if (response.statusCode < 200 || response.statusCode >= 300) return graphError(response.statusCode, await response.body.text());
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) {
          response.body.destroy();
          return { ok: false, kind: 'error', status: response.statusCode, code: 0, title: 'Media too large', details: `the download is over ${maxBytes} bytes`, transient: false };
        }
        chunks.push(chunk);
      }
      return { ok: true, value: Buffer.concat(chunks) };
    } catch (error) {
      // A download changes nothing at the provider: whatever went wrong, trying again is safe.
      return { ok: false, kind: 'unreachable', reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  }

  // ---- The number's settings (cloud-api-facts.md §1.4–§1.6) ----

  /** `GET /{phone-number-id}/whatsapp_business_profile` with every field. */
  async getBusinessProfile(endpoint: GraphEndpoint, phoneNumberId: string): Promise<GraphResult<BusinessProfileRecord>> {
    const result = await this.#call<{ data?: BusinessProfileRecord[] }>(endpoint, 'GET', `/${encodeURIComponent(phoneNumberId)}/whatsapp_business_profile?fields=${PROFILE_FIELDS}`);
    return result.ok ? { ok: true, value: result.value.data?.[0] ?? { messaging_product: 'whatsapp' } } : result;
  }

  /** `POST /{phone-number-id}/whatsapp_business_profile`: the fields given change, the others stay. */
  updateBusinessProfile(endpoint: GraphEndpoint, phoneNumberId: string, profile: Omit<BusinessProfileUpdate, 'messaging_product'>): Promise<GraphResult<{ success: boolean }>> {
    return this.#call(endpoint, 'POST', `/${encodeURIComponent(phoneNumberId)}/whatsapp_business_profile`, { messaging_product: 'whatsapp', ...profile });
  }

  // ---- Meta's Resumable Upload API: a file becomes a handle (profile pictures, template media examples) ----

  /** `GET /app`: the app the access token belongs to (its id names the upload sessions' owner). */
  getApp(endpoint: GraphEndpoint): Promise<GraphResult<GraphApp>> {
    return this.#call(endpoint, 'GET', '/app');
  }

  /** `POST /{app-id}/uploads?file_name=&file_length=&file_type=`: a session for one file; answers its id (`upload:…`). */
  createUploadSession(endpoint: GraphEndpoint, appId: string, file: { name: string; length: number; type: ResumableUploadFileType }): Promise<GraphResult<{ id: string }>> {
    const query = `?file_name=${encodeURIComponent(file.name)}&file_length=${file.length}&file_type=${encodeURIComponent(file.type)}`;
    return this.#call(endpoint, 'POST', `/${encodeURIComponent(appId)}/uploads${query}`);
  }

  /**
   * `POST /{upload-session-id}` with the raw bytes from `offset` (the `file_offset` header) and
   * the token as `Authorization: OAuth <token>`, as Meta's docs require. Answers the handle
   * (`{h}`) when the file is complete, else where the session is (`{id, file_offset}`).
   */
  uploadToSession(endpoint: GraphEndpoint, sessionId: string, data: Buffer, offset = 0): Promise<GraphResult<ResumableUploadHandle | ResumableUploadStatus>> {
    const path = uploadSessionPath(sessionId);
    if (!path) return Promise.resolve(notAnUploadSession(sessionId));
    return this.#call(endpoint, 'POST', path, data, undefined, { authScheme: 'OAuth', headers: { file_offset: String(offset) } });
  }

  /** `GET /{upload-session-id}`: how many bytes Meta has, where an interrupted upload resumes. */
  getUploadSession(endpoint: GraphEndpoint, sessionId: string): Promise<GraphResult<ResumableUploadStatus>> {
    const path = uploadSessionPath(sessionId);
    if (!path) return Promise.resolve(notAnUploadSession(sessionId));
    return this.#call(endpoint, 'GET', path);
  }

  /** `POST /{phone-number-id}/register` with the 6-digit two-step PIN (it becomes the PIN). */
  register(endpoint: GraphEndpoint, phoneNumberId: string, pin: string): Promise<GraphResult<{ success: boolean }>> {
    return this.#call(endpoint, 'POST', `/${encodeURIComponent(phoneNumberId)}/register`, { messaging_product: 'whatsapp', pin });
  }

  /** `POST /{phone-number-id}/deregister`. */
  deregister(endpoint: GraphEndpoint, phoneNumberId: string): Promise<GraphResult<{ success: boolean }>> {
    return this.#call(endpoint, 'POST', `/${encodeURIComponent(phoneNumberId)}/deregister`, {});
  }

  /** `POST /{phone-number-id}/request_code`: Meta sends a verification code by SMS or voice call. */
  requestCode(endpoint: GraphEndpoint, phoneNumberId: string, codeMethod: 'SMS' | 'VOICE', language: string): Promise<GraphResult<{ success: boolean }>> {
    return this.#call(endpoint, 'POST', `/${encodeURIComponent(phoneNumberId)}/request_code`, { code_method: codeMethod, language });
  }

  /** `POST /{phone-number-id}/verify_code`. */
  verifyCode(endpoint: GraphEndpoint, phoneNumberId: string, code: string): Promise<GraphResult<{ success: boolean }>> {
    return this.#call(endpoint, 'POST', `/${encodeURIComponent(phoneNumberId)}/verify_code`, { code });
  }

  /** `POST /{phone-number-id} {pin}`: sets or changes the two-step verification PIN. */
  setTwoStepPin(endpoint: GraphEndpoint, phoneNumberId: string, pin: string): Promise<GraphResult<{ success: boolean }>> {
    return this.#call(endpoint, 'POST', `/${encodeURIComponent(phoneNumberId)}`, { pin });
  }

  /** `GET /{phone-number-id}?fields=conversational_automation` (Meta omits what was never set). */
  async getAutomation(endpoint: GraphEndpoint, phoneNumberId: string): Promise<GraphResult<ConversationalAutomation>> {
    const result = await this.#call<{ conversational_automation?: ConversationalAutomation }>(endpoint, 'GET', `/${encodeURIComponent(phoneNumberId)}?fields=conversational_automation`);
    return result.ok ? { ok: true, value: result.value.conversational_automation ?? {} } : result;
  }

  /** `POST /{phone-number-id}/conversational_automation`: the settings given change, the others stay. */
  setAutomation(endpoint: GraphEndpoint, phoneNumberId: string, automation: ConversationalAutomation): Promise<GraphResult<{ success: boolean }>> {
    return this.#call(endpoint, 'POST', `/${encodeURIComponent(phoneNumberId)}/conversational_automation`, automation);
  }

  /**
   * `POST` (block) or `DELETE` (unblock) `/{phone-number-id}/block_users`. Meta answers per
   * user: when some fail it answers an error (139100) beside the per-user lists, and this
   * answers the lists (`failed_users` says who and why).
   */
  changeBlockedUsers(endpoint: GraphEndpoint, phoneNumberId: string, action: 'block' | 'unblock', users: string[]): Promise<GraphResult<BlockUsersResponse>> {
    const body = { messaging_product: 'whatsapp', block_users: users.map((user) => ({ user })) };
    return this.#call(endpoint, action === 'block' ? 'POST' : 'DELETE', `/${encodeURIComponent(phoneNumberId)}/block_users`, body, (answer) => typeof (answer as { block_users?: unknown } | undefined)?.block_users === 'object');
  }

  /** `GET /{phone-number-id}/block_users`: one page (`after`: the cursor of the previous page's end). */
  listBlockedUsers(endpoint: GraphEndpoint, phoneNumberId: string, options: { limit: number; after?: string | undefined }): Promise<GraphResult<{ data: Array<{ wa_id: string }>; paging?: { cursors?: { after?: string }; next?: string } }>> {
    const query = `?limit=${options.limit}${options.after ? `&after=${encodeURIComponent(options.after)}` : ''}`;
    return this.#call(endpoint, 'GET', `/${encodeURIComponent(phoneNumberId)}/block_users${query}`);
  }

  /** `POST /{phone-number-id}/message_qrdls`: a new QR code (or, with `code`, a new message for it). */
  saveQrCode(endpoint: GraphEndpoint, phoneNumberId: string, input: { prefilled_message: string; generate_qr_image?: 'PNG' | 'SVG'; code?: string }): Promise<GraphResult<MessageQrCode>> {
    return this.#call(endpoint, 'POST', `/${encodeURIComponent(phoneNumberId)}/message_qrdls`, input);
  }

  /** `GET /{phone-number-id}/message_qrdls`, or one code. */
  async listQrCodes(endpoint: GraphEndpoint, phoneNumberId: string, code?: string): Promise<GraphResult<MessageQrCode[]>> {
    const path = `/${encodeURIComponent(phoneNumberId)}/message_qrdls${code ? `/${encodeURIComponent(code)}` : ''}`;
    const result = await this.#call<{ data?: MessageQrCode[] }>(endpoint, 'GET', path);
    return result.ok ? { ok: true, value: result.value.data ?? [] } : result;
  }

  /** `DELETE /{phone-number-id}/message_qrdls/{code}`. */
  deleteQrCode(endpoint: GraphEndpoint, phoneNumberId: string, code: string): Promise<GraphResult<{ success: boolean }>> {
    return this.#call(endpoint, 'DELETE', `/${encodeURIComponent(phoneNumberId)}/message_qrdls/${encodeURIComponent(code)}`);
  }

  /** `POST /{phone-number-id}/groups`: answers a `request_id`; the group's id comes in a `group_lifecycle_update` webhook. */
  createGroup(endpoint: GraphEndpoint, phoneNumberId: string, input: Omit<CreateGroupRequest, 'messaging_product'>): Promise<GraphResult<CreateGroupResponse>> {
    return this.#call(endpoint, 'POST', `/${encodeURIComponent(phoneNumberId)}/groups`, { messaging_product: 'whatsapp', ...input });
  }

  /** `GET /{group-id}?fields=...`: subject, description, participants, approval mode, suspension, creation time. */
  getGroup(endpoint: GraphEndpoint, groupId: string): Promise<GraphResult<GroupInfo>> {
    return this.#call(endpoint, 'GET', `/${encodeURIComponent(groupId)}?fields=subject,description,participants,join_approval_mode,suspended,creation_timestamp,total_participant_count`);
  }

  /** `POST /{group-id}`: a new subject and/or description. */
  updateGroup(endpoint: GraphEndpoint, groupId: string, changes: { subject?: string; description?: string }): Promise<GraphResult<{ success?: boolean }>> {
    return this.#call(endpoint, 'POST', `/${encodeURIComponent(groupId)}`, { messaging_product: 'whatsapp', ...changes });
  }

  /** `POST /{group-id}` (multipart: `messaging_product`, `file`): the group's picture, a square JPEG of at least 192 px, at most 5 MB. */
  setGroupPicture(endpoint: GraphEndpoint, groupId: string, file: { data: Buffer; mimeType: string }): Promise<GraphResult<{ success?: boolean }>> {
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('file', new Blob([file.data], { type: file.mimeType }), 'picture.jpg');
    return this.#call(endpoint, 'POST', `/${encodeURIComponent(groupId)}`, form);
  }

  /** `DELETE /{group-id}`: every participant is removed, the business included. */
  deleteGroup(endpoint: GraphEndpoint, groupId: string): Promise<GraphResult<{ success?: boolean }>> {
    return this.#call(endpoint, 'DELETE', `/${encodeURIComponent(groupId)}`);
  }

  /** `POST /{group-id}/invite_link`: a new invite link (the previous one stops working). */
  createInviteLink(endpoint: GraphEndpoint, groupId: string): Promise<GraphResult<{ invite_link: string }>> {
    return this.#call(endpoint, 'POST', `/${encodeURIComponent(groupId)}/invite_link`, { messaging_product: 'whatsapp' });
  }

  /** `DELETE /{group-id}/invite_link`. */
  revokeInviteLink(endpoint: GraphEndpoint, groupId: string): Promise<GraphResult<{ success?: string | boolean }>> {
    return this.#call(endpoint, 'DELETE', `/${encodeURIComponent(groupId)}/invite_link`, { messaging_product: 'whatsapp' });
  }

  /** `GET /{group-id}/join_requests`: the open join requests. */
  async listJoinRequests(endpoint: GraphEndpoint, groupId: string): Promise<GraphResult<GroupJoinRequest[]>> {
    const result = await this.#call<{ data?: GroupJoinRequest[] }>(endpoint, 'GET', `/${encodeURIComponent(groupId)}/join_requests`);
    return result.ok ? { ok: true, value: result.value.data ?? [] } : result;
  }

  /** `POST` (approve) or `DELETE` (reject) `/{group-id}/join_requests`; each request succeeds or fails on its own. */
  answerJoinRequests(endpoint: GraphEndpoint, groupId: string, action: 'approve' | 'reject', ids: string[]): Promise<GraphResult<GroupJoinRequestsResponse>> {
    return this.#call(endpoint, action === 'approve' ? 'POST' : 'DELETE', `/${encodeURIComponent(groupId)}/join_requests`, { messaging_product: 'whatsapp', join_requests: ids });
  }

  /** `DELETE /{group-id}/participants` (1 to 8 users). */
  removeGroupParticipants(endpoint: GraphEndpoint, groupId: string, users: string[]): Promise<GraphResult<{ success?: boolean }>> {
    return this.#call(endpoint, 'DELETE', `/${encodeURIComponent(groupId)}/participants`, { messaging_product: 'whatsapp', participants: users.map((user) => ({ user })) });
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  /**
   * One Graph call. The body is JSON, FormData (multipart) or a Buffer (sent as raw
   * application/octet-stream bytes). `answersDespiteError`: a non-2xx answer whose body it
   * accepts is the value (Meta's partial failures). `extra`: the token's scheme (Bearer unless
   * told) and more headers.
   */
  async #call<T>(
    endpoint: GraphEndpoint,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
    answersDespiteError?: (body: unknown) => boolean,
    extra: { authScheme?: 'Bearer' | 'OAuth'; headers?: Record<string, string> } = {},
  ): Promise<GraphResult<T>> {
    const url = `${endpoint.baseUrl}/${endpoint.version}${path}`;
    const raw = Buffer.isBuffer(body);
    const json = body !== undefined && !raw && !(body instanceof FormData);
    const contentType = json ? 'application/json' : raw ? 'application/octet-stream' : undefined;
    let sent = false;
    try {
      const response = await request(url, {
        method,
        dispatcher: this.#agent,
        headers: { ...extra.headers, authorization: `${extra.authScheme ?? 'Bearer'} ${endpoint.accessToken}`, ...(contentType ? { 'content-type': contentType } : {}) },
        ...(body === undefined ? {} : { body: json ? JSON.stringify(body) : (body as FormData | Buffer) }),
      });
      sent = true;
      const text = await response.body.text();
      if (response.statusCode >= 200 && response.statusCode < 300) return { ok: true, value: parseJson(text) as T };
      if (answersDespiteError && response.statusCode < 500 && answersDespiteError(parseJson(text))) return { ok: true, value: parseJson(text) as T };
      return graphError(response.statusCode, text);
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (sent) return { ok: false, kind: 'unknown', reason };
      const code = (error as { code?: string }).code;
      // Refused or not connected: the request never left, so a retry cannot duplicate it.
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || error instanceof undiciErrors.ConnectTimeoutError) {
        return { ok: false, kind: 'unreachable', reason };
      }
      return { ok: false, kind: 'unknown', reason };
    }
  }
}

/** A non-2xx Graph answer as a value; Meta's error object when there is one. */
function graphError(status: number, text: string): GraphResult<never> {
  const error = (parseJson(text) as GraphErrorResponse | undefined)?.error;
  const code = typeof error?.code === 'number' ? error.code : 0;
  const details = typeof error?.error_data === 'object' ? error.error_data.details : typeof error?.error_data === 'string' ? error.error_data : (error?.message ?? text.slice(0, 300));
  return {
    ok: false,
    kind: 'error',
    status,
    code,
    title: error?.message?.replace(/^\(#\d+\)\s*/, '') ?? `HTTP ${status}`,
    details,
    transient: error?.is_transient === true || TRANSIENT_CODES.has(code) || status >= 500 || status === 429,
  };
}

/**
 * The path of an upload session: its id as Meta gives it (`upload:<key>?sig=<sig>`), not
 * encoded, since the signature is the query string Meta reads; undefined for anything else.
 */
function uploadSessionPath(sessionId: string): string | undefined {
  return /^upload:[A-Za-z0-9_\-=+.%]+(\?sig=[A-Za-z0-9_\-=+.%]+)?$/.test(sessionId) ? `/${sessionId}` : undefined;
}

function notAnUploadSession(sessionId: string): GraphResult<never> {
  return { ok: false, kind: 'error', status: 0, code: 0, title: 'Not an upload session', details: `${sessionId.slice(0, 40)} is not an upload session id (upload:…)`, transient: false };
}

/** Meta serves media from its CDN hosts; the sandbox from its own origin. */
const META_MEDIA_HOSTS = ['fbsbx.com', 'facebook.com', 'whatsapp.net', 'fbcdn.net'];

function mayCarryToken(endpoint: GraphEndpoint, url: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  if (target.origin === safeOrigin(endpoint.baseUrl)) return true;
  return target.protocol === 'https:' && META_MEDIA_HOSTS.some((host) => target.hostname === host || target.hostname.endsWith(`.${host}`));
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(not a URL)';
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
