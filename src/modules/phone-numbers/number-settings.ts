import type {
  BusinessProfileRecord,
  BusinessProfileUpdate,
  ConversationalAutomation,
  GraphEndpoint,
  GraphResult,
  MessageQrCode,
  ResumableUploadFileType,
  WhatsAppClient,
} from '../../whatsapp/index.js';
import type { PhoneNumbers } from './phone-numbers.js';

/** The Graph calls the number's settings make (the WhatsApp client's, typed by the part used). */
export type SettingsGraph = Pick<
  WhatsAppClient,
  | 'getBusinessProfile'
  | 'updateBusinessProfile'
  | 'register'
  | 'deregister'
  | 'requestCode'
  | 'verifyCode'
  | 'setTwoStepPin'
  | 'getAutomation'
  | 'setAutomation'
  | 'changeBlockedUsers'
  | 'listBlockedUsers'
  | 'saveQrCode'
  | 'listQrCodes'
  | 'deleteQrCode'
  | 'getApp'
  | 'createUploadSession'
  | 'uploadToSession'
  | 'getUploadSession'
>;

/** A settings call's outcome: the provider's answer, or why there is none (with Meta's error and its fix). */
export type SettingsOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; error: 'not_found' }
  | { ok: false; error: 'provider_rejected'; status: number; code: number; title: string; details: string; fix: string }
  | { ok: false; error: 'provider_unreachable'; reason: string; maybeDone: boolean };

/**
 * The number's settings kept at the provider (Meta, or the sandbox): business profile,
 * registration and the two-step PIN, conversational automation and QR codes with a prefilled
 * message. Nothing here is stored by the platform; the PIN is passed through and never kept or
 * logged. Numbers are our row ids (`PhoneNumberView.id`).
 */
export class NumberSettings {
  readonly #numbers: PhoneNumbers;
  readonly #graph: SettingsGraph;

  constructor(deps: { phoneNumbers: PhoneNumbers; graph: SettingsGraph }) {
    this.#numbers = deps.phoneNumbers;
    this.#graph = deps.graph;
  }

  profile(id: string): Promise<SettingsOutcome<BusinessProfileRecord>> {
    return this.#at(id, (endpoint, metaId) => this.#graph.getBusinessProfile(endpoint, metaId));
  }

  /** Changes the fields given, then answers the profile as the provider now has it. */
  async updateProfile(id: string, profile: Omit<BusinessProfileUpdate, 'messaging_product'>): Promise<SettingsOutcome<BusinessProfileRecord>> {
    const updated = await this.#at(id, (endpoint, metaId) => this.#graph.updateBusinessProfile(endpoint, metaId, profile));
    return updated.ok ? this.profile(id) : updated;
  }

  /**
   * Sets the profile's picture: the file goes up through Meta's Resumable Upload API (the
   * token's app, a session, the bytes), then its handle to the profile. Answers the profile as
   * the provider now has it. The picture is checked by the caller (checkProfilePicture).
   */
  async setProfilePicture(id: string, picture: { data: Buffer; type: 'image/jpeg' | 'image/png' }): Promise<SettingsOutcome<BusinessProfileRecord>> {
    const handle = await this.upload(id, { data: picture.data, type: picture.type, name: picture.type === 'image/png' ? 'profile.png' : 'profile.jpg' });
    return handle.ok ? this.updateProfile(id, { profile_picture_handle: handle.value }) : handle;
  }

  /**
   * Uploads a file with Meta's Resumable Upload API and answers its handle: `GET /app`,
   * `POST /{app-id}/uploads`, then `POST /{upload-session-id}` with the bytes. When the upload
   * step gets no answer (or a transient error), it asks the session where it is and sends the
   * rest once more.
   */
  async upload(id: string, file: { data: Buffer; type: ResumableUploadFileType; name: string }): Promise<SettingsOutcome<string>> {
    const sender = await this.#numbers.sender(id);
    if (!sender) return { ok: false, error: 'not_found' };
    const { endpoint } = sender;
    const app = outcomeOf(await this.#graph.getApp(endpoint));
    if (!app.ok) return app;
    const session = outcomeOf(await this.#graph.createUploadSession(endpoint, app.value.id, { name: file.name, length: file.data.length, type: file.type }));
    if (!session.ok) return session;
    let sent = await this.#graph.uploadToSession(endpoint, session.value.id, file.data, 0);
    if (!sent.ok && (sent.kind !== 'error' || sent.transient)) {
      const status = await this.#graph.getUploadSession(endpoint, session.value.id);
      if (status.ok) sent = await this.#graph.uploadToSession(endpoint, session.value.id, file.data.subarray(status.value.file_offset), status.value.file_offset);
    }
    const done = outcomeOf(sent);
    if (!done.ok) return done;
    if ('h' in done.value && typeof done.value.h === 'string') return { ok: true, value: done.value.h };
    const offset = 'file_offset' in done.value ? done.value.file_offset : 0;
    return { ok: false, error: 'provider_rejected', status: 200, code: 0, title: 'Upload incomplete', details: `Meta has ${offset} of ${file.data.length} bytes and answered no handle`, fix: 'Try the upload again.' };
  }

  /** Registers the number on the Cloud API; `pin` (6 digits) becomes its two-step PIN. */
  register(id: string, pin: string): Promise<SettingsOutcome<{ success: boolean }>> {
    return this.#at(id, (endpoint, metaId) => this.#graph.register(endpoint, metaId, pin));
  }

  deregister(id: string): Promise<SettingsOutcome<{ success: boolean }>> {
    return this.#at(id, (endpoint, metaId) => this.#graph.deregister(endpoint, metaId));
  }

  requestCode(id: string, codeMethod: 'SMS' | 'VOICE', language: string): Promise<SettingsOutcome<{ success: boolean }>> {
    return this.#at(id, (endpoint, metaId) => this.#graph.requestCode(endpoint, metaId, codeMethod, language));
  }

  verifyCode(id: string, code: string): Promise<SettingsOutcome<{ success: boolean }>> {
    return this.#at(id, (endpoint, metaId) => this.#graph.verifyCode(endpoint, metaId, code));
  }

  setTwoStepPin(id: string, pin: string): Promise<SettingsOutcome<{ success: boolean }>> {
    return this.#at(id, (endpoint, metaId) => this.#graph.setTwoStepPin(endpoint, metaId, pin));
  }

  /** The welcome message, ice breakers and commands, with Meta's defaults filled in for what was never set. */
  async automation(id: string): Promise<SettingsOutcome<Required<ConversationalAutomation>>> {
    const read = await this.#at(id, (endpoint, metaId) => this.#graph.getAutomation(endpoint, metaId));
    return read.ok ? { ok: true, value: { enable_welcome_message: false, prompts: [], commands: [], ...read.value } } : read;
  }

  /** Changes the settings given (the others stay), then answers them all as the provider now has them. */
  async setAutomation(id: string, automation: ConversationalAutomation): Promise<SettingsOutcome<Required<ConversationalAutomation>>> {
    const saved = await this.#at(id, (endpoint, metaId) => this.#graph.setAutomation(endpoint, metaId, automation));
    return saved.ok ? this.automation(id) : saved;
  }

  qrCodes(id: string): Promise<SettingsOutcome<MessageQrCode[]>> {
    return this.#at(id, (endpoint, metaId) => this.#graph.listQrCodes(endpoint, metaId));
  }

  /** One QR code; `not_found` when the provider does not know it (Meta answers 100 for an unknown code). */
  async qrCode(id: string, code: string): Promise<SettingsOutcome<MessageQrCode>> {
    const read = await this.#at(id, (endpoint, metaId) => this.#graph.listQrCodes(endpoint, metaId, code));
    if (!read.ok) return read.error === 'provider_rejected' && read.code === 100 ? { ok: false, error: 'not_found' } : read;
    const found = read.value.find((qr) => qr.code === code);
    return found ? { ok: true, value: found } : { ok: false, error: 'not_found' };
  }

  saveQrCode(id: string, input: { prefilled_message: string; generate_qr_image?: 'PNG' | 'SVG'; code?: string }): Promise<SettingsOutcome<MessageQrCode>> {
    return this.#at(id, (endpoint, metaId) => this.#graph.saveQrCode(endpoint, metaId, input));
  }

  async deleteQrCode(id: string, code: string): Promise<SettingsOutcome<{ success: boolean }>> {
    const deleted = await this.#at(id, (endpoint, metaId) => this.#graph.deleteQrCode(endpoint, metaId, code));
    return !deleted.ok && deleted.error === 'provider_rejected' && deleted.code === 100 ? { ok: false, error: 'not_found' } : deleted;
  }

  /** Runs one Graph call for a number (our row id) and turns its result into an outcome. */
  async #at<T>(id: string, call: (endpoint: GraphEndpoint, metaPhoneNumberId: string) => Promise<GraphResult<T>>): Promise<SettingsOutcome<T>> {
    const sender = await this.#numbers.sender(id);
    if (!sender) return { ok: false, error: 'not_found' };
    return outcomeOf(await call(sender.endpoint, sender.metaPhoneNumberId));
  }
}

/** A Graph result as a settings outcome, with the fix for Meta's code. */
export function outcomeOf<T>(result: GraphResult<T>): SettingsOutcome<T> {
  if (result.ok) return result;
  if (result.kind === 'error') return { ok: false, error: 'provider_rejected', status: result.status, code: result.code, title: result.title, details: result.details, fix: explainMetaError(result.code) };
  return { ok: false, error: 'provider_unreachable', reason: result.reason, maybeDone: result.kind === 'unknown' };
}

/**
 * What to do about Meta's error codes for the number's settings (cloud-api-facts.md §3.2;
 * docs/number-settings.md has the table).
 */
export function explainMetaError(code: number): string {
  switch (code) {
    case 100:
    case 131008:
    case 131009:
      return "Meta refused a field: meta_details names it and the rule; fix the value and try again.";
    case 0:
    case 190:
      return "The number's access token is invalid or expired: connect the number again with a valid system-user token.";
    case 10:
    case 200:
    case 131005:
      return "The token lacks the whatsapp_business_management permission for this number's WABA.";
    case 133000:
      return 'A previous deregistration did not finish: deregister again, then register.';
    case 133004:
      return "Meta's registration server is briefly unavailable: try again in a few minutes.";
    case 133005:
      return 'The two-step PIN does not match: use the PIN set before, or change it first (two-step), or reset it in WhatsApp Manager.';
    case 133006:
      return 'The number must be verified again: request a code (request-code), then verify it (verify-code), then register.';
    case 133008:
    case 133009:
      return 'Too many PIN attempts, or too fast: wait before trying again (Meta locks the PIN for a while).';
    case 133010:
      return 'The number is not registered on the Cloud API: register it (POST .../register with its two-step PIN).';
    case 133015:
      return 'The number was deleted recently: wait a few minutes before registering it.';
    case 133016:
      return 'At most 10 register or deregister calls per number in a moving 72 hours: wait, then try again.';
    case 139100:
      return 'Some users could not be blocked or unblocked: a block needs a message from the user in the last 24 hours, and a business account cannot be blocked.';
    case 139101:
      return 'The blocklist is full (64,000 users): unblock some first.';
    case 139102:
    case 139103:
      return 'Meta could not update the blocklist right now: try again.';
    case 4:
    case 80007:
    case 130429:
      return 'Rate limited by Meta: try again in a minute.';
    default:
      return "Read meta_code and meta_details; Meta's error codes are listed in docs/number-settings.md and in Meta's error code reference.";
  }
}
