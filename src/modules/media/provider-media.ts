import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { realClock, type Clock } from '../../clock/index.js';
import type { Schema } from '../../db/index.js';
import type { GraphEndpoint, GraphResult, WhatsAppClient } from '../../whatsapp/index.js';
import { findMediaReferences } from './media-references.js';
import type { MediaStorage } from './media-storage.js';

/** A Graph call that did not succeed. */
export type GraphFailure = Exclude<GraphResult<unknown>, { ok: true }>;

/** How long Meta keeps an uploaded media id (cloud-api-facts.md §1.2). */
export const UPLOADED_MEDIA_TTL_MS = 30 * 24 * 3600 * 1000;
/** Upload again when an id has less than this left, so no send races its expiry. */
export const REUPLOAD_MARGIN_MS = 24 * 3600 * 1000;

/** The Graph call uploads need (the WhatsApp client, or a fake). */
export type MediaUploader = Pick<WhatsAppClient, 'uploadMedia'>;

/**
 * Turns our media ids into the provider's just before a send: uploads a file on its first use
 * from a phone number and reuses that id while it is valid (30 days at Meta; uploaded again a
 * day before it expires). Concurrent sends of one file from one number share one upload.
 */
export class ProviderMedia {
  readonly #uploads = new Map<string, Promise<{ ok: true; id: string } | GraphFailure>>();

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly storage: MediaStorage,
    private readonly uploader: MediaUploader,
    private readonly logger: Logger,
    /** An uploaded id expires on its number's clock (the sandbox's, for a sandbox number). */
    private readonly clock: Clock = realClock,
  ) {}

  /**
   * Replaces every `med_` id in an outbound message with the provider's id for the sending
   * number (our row id), uploading where needed. A failure is a Graph failure value: transient
   * ones (network, 5xx, throttling; also an upload whose answer was lost, since uploading again
   * is harmless) retry the message, permanent ones fail it with the code.
   */
  async resolveMedia<T extends object>(content: T, phoneNumberRowId: string, sender: { endpoint: GraphEndpoint; metaPhoneNumberId: string }): Promise<{ ok: true; content: T } | GraphFailure> {
    if (findMediaReferences(content as Record<string, unknown>).length === 0) return { ok: true, content };
    const resolved = structuredClone(content);
    for (const reference of findMediaReferences(resolved as Record<string, unknown>)) {
      const media = await this.db
        .selectFrom('media')
        .innerJoin('phone_numbers', 'phone_numbers.workspace_id', 'media.workspace_id')
        .select(['media.id', 'media.mime_type', 'media.filename', 'media.storage_key', 'media.status'])
        .where('media.id', '=', reference.object.id)
        .where('phone_numbers.id', '=', phoneNumberRowId)
        .executeTakeFirst();
      if (!media || media.status !== 'ready' || !media.storage_key) {
        return mediaFailure(`${reference.slot}.id: ${reference.object.id} is not ready media of this workspace`);
      }
      const providerId = await this.#providerId({ id: media.id, mimeType: media.mime_type, filename: media.filename, storageKey: media.storage_key }, phoneNumberRowId, sender);
      if (!providerId.ok) return providerId;
      reference.object.id = providerId.id;
      if (reference.slot === 'document' && reference.object.filename === undefined && media.filename) reference.object.filename = media.filename;
    }
    return { ok: true, content: resolved };
  }

  /** The provider's id of `media` for a number: a valid stored one, else a fresh upload. */
  async #providerId(
    media: { id: string; mimeType: string; filename: string | null; storageKey: string },
    phoneNumberRowId: string,
    sender: { endpoint: GraphEndpoint; metaPhoneNumberId: string },
  ): Promise<{ ok: true; id: string } | GraphFailure> {
    const validUntil = new Date((await this.clock.at(phoneNumberRowId)).getTime() + REUPLOAD_MARGIN_MS).toISOString();
    const stored = await this.db
      .selectFrom('media_provider_ids')
      .select('provider_media_id')
      .where('media_id', '=', media.id)
      .where('phone_number_id', '=', phoneNumberRowId)
      .where('expires_at', '>', validUntil)
      .executeTakeFirst();
    if (stored) return { ok: true, id: stored.provider_media_id };
    const key = `${media.id}:${phoneNumberRowId}`;
    let upload = this.#uploads.get(key);
    if (!upload) {
      upload = this.#upload(media, phoneNumberRowId, sender).finally(() => this.#uploads.delete(key));
      this.#uploads.set(key, upload);
    }
    return upload;
  }

  async #upload(
    media: { id: string; mimeType: string; filename: string | null; storageKey: string },
    phoneNumberRowId: string,
    sender: { endpoint: GraphEndpoint; metaPhoneNumberId: string },
  ): Promise<{ ok: true; id: string } | GraphFailure> {
    const data = await this.storage.get(media.storageKey);
    if (!data) return mediaFailure(`${media.id}: the stored file is missing from media storage`);
    const result = await this.uploader.uploadMedia(sender.endpoint, sender.metaPhoneNumberId, { data, mimeType: media.mimeType, filename: media.filename ?? undefined });
    if (!result.ok) {
      this.logger.warn({ mediaId: media.id, phoneNumberRowId, result }, 'media upload to the provider failed');
      // An upload whose answer was lost may be repeated: at worst the provider holds a spare copy.
      return result.kind === 'unknown' ? { ok: false, kind: 'unreachable', reason: result.reason } : result;
    }
    const uploadedAt = await this.clock.at(phoneNumberRowId);
    const row = {
      media_id: media.id,
      phone_number_id: phoneNumberRowId,
      provider_media_id: result.value.id,
      uploaded_at: uploadedAt.toISOString(),
      expires_at: new Date(uploadedAt.getTime() + UPLOADED_MEDIA_TTL_MS).toISOString(),
    };
    await this.db
      .insertInto('media_provider_ids')
      .values(row)
      .onConflict((oc) => oc.columns(['media_id', 'phone_number_id']).doUpdateSet({ provider_media_id: row.provider_media_id, uploaded_at: row.uploaded_at, expires_at: row.expires_at }))
      .execute();
    this.logger.info({ mediaId: media.id, phoneNumberRowId, providerMediaId: row.provider_media_id }, 'media uploaded to the provider');
    return { ok: true, id: result.value.id };
  }
}

/**
 * Our own refusal in the provider's terms: code 131053 ("Media upload error") is what Meta
 * answers for media it cannot use, and it is permanent for this send.
 */
function mediaFailure(details: string): GraphFailure {
  return { ok: false, kind: 'error', status: 422, code: 131053, title: 'Media upload error', details: `Conversa: ${details}`, transient: false };
}
