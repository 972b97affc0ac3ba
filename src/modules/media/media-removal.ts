import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../clock/index.js';
import type { Schema } from '../../db/index.js';
import type { GraphEndpoint, GraphResult } from '../../whatsapp/index.js';
import type { MediaStorage } from './media-storage.js';

/** The Graph call removal needs (the WhatsApp client, or a fake). */
export interface MediaDeleter {
  deleteMedia(endpoint: GraphEndpoint, mediaId: string, phoneNumberId?: string): Promise<GraphResult<{ success: boolean }>>;
}

/** Where a phone number (our row id) is reached. */
export interface MediaRemovalDirectory {
  sender(phoneNumberRowId: string): Promise<{ endpoint: GraphEndpoint; metaPhoneNumberId: string } | undefined>;
}

export type MediaRemovalRefusal =
  | { reason: 'not_found' }
  | { reason: 'in_use'; messages: string[]; invoices: string[] }
  | { reason: 'provider'; result: Exclude<GraphResult<unknown>, { ok: true }> };

/** How long Meta keeps media received in a webhook (cloud-api-facts.md: 7 days). */
const RECEIVED_MEDIA_TTL_MS = 7 * 24 * 3600 * 1000;

/** Meta's "object does not exist" (code 100, HTTP 400/404): already gone at the provider. */
const gone = (result: Exclude<GraphResult<unknown>, { ok: true }>) => result.kind === 'error' && (result.status === 404 || result.code === 100);

/**
 * Deleting media: at the provider first (every id it was uploaded under that has not expired,
 * Graph `DELETE /{media-id}`), then here (the record and, unless another record shares the
 * content-addressed file, the bytes). Media a queued message or an invoice still names is kept.
 */
export class MediaRemoval {
  constructor(
    private readonly deps: { db: Kysely<Schema>; storage: MediaStorage; graph: MediaDeleter; directory: MediaRemovalDirectory; logger: Logger; clock: Clock },
  ) {}

  /** Deletes a workspace's media everywhere, or says why not. */
  async remove(workspaceId: string, mediaId: string): Promise<{ ok: true } | ({ ok: false } & MediaRemovalRefusal)> {
    const { db } = this.deps;
    const media = await db.selectFrom('media').select(['id', 'storage_key']).where('workspace_id', '=', workspaceId).where('id', '=', mediaId).executeTakeFirst();
    if (!media) return { ok: false, reason: 'not_found' };
    const inUse = await this.#references(workspaceId, mediaId);
    if (inUse.messages.length > 0 || inUse.invoices.length > 0) return { ok: false, reason: 'in_use', ...inUse };
    const uploads = await db.selectFrom('media_provider_ids').select(['phone_number_id', 'provider_media_id', 'expires_at']).where('media_id', '=', mediaId).execute();
    for (const upload of uploads) {
      // An upload's expiry is on its number's clock (sandbox time for the embedded sandbox's numbers).
      if (upload.expires_at <= (await this.deps.clock.at(upload.phone_number_id)).toISOString()) continue;
      const sender = await this.deps.directory.sender(upload.phone_number_id);
      if (!sender) continue;
      const result = await this.deps.graph.deleteMedia(sender.endpoint, upload.provider_media_id, sender.metaPhoneNumberId);
      if (!result.ok && !gone(result)) return { ok: false, reason: 'provider', result };
      this.deps.logger.info({ mediaId, providerMediaId: upload.provider_media_id }, 'media deleted at the provider');
    }
    await this.#forget(workspaceId, [media]);
    return { ok: true };
  }

  /**
   * Erasure of a person (issue 13): deletes media of theirs at the provider and here, after
   * their messages and invoices were deleted. Media a remaining message or invoice still names
   * (an image an agent forwarded to someone else, a catalogue picture sent to many) is kept:
   * it is someone else's too. At the provider: every upload id that has not expired, and the
   * id an inbound medium came with (Meta keeps received media 7 days); an id already gone
   * there counts as deleted, another failure is counted and logged, never blocking the erasure.
   */
  async eraseUnreferenced(workspaceId: string, mediaIds: readonly string[]): Promise<{ deleted: number; files_deleted: number; deleted_at_provider: number; provider_failures: number; kept_in_use: number }> {
    const { db } = this.deps;
    const report = { deleted: 0, files_deleted: 0, deleted_at_provider: 0, provider_failures: 0, kept_in_use: 0 };
    for (const mediaId of new Set(mediaIds)) {
      const media = await db.selectFrom('media').select(['id', 'storage_key']).where('workspace_id', '=', workspaceId).where('id', '=', mediaId).executeTakeFirst();
      if (!media) continue;
      const named = await db.selectFrom('messages').select('id').where('workspace_id', '=', workspaceId).where('content', 'like', `%"${mediaId}"%`).limit(1).executeTakeFirst();
      const invoice = await db.selectFrom('invoices').select('id').where('workspace_id', '=', workspaceId).where((eb) => eb.or([eb('media_id', '=', mediaId), eb('pix_qr_media_id', '=', mediaId)])).limit(1).executeTakeFirst();
      if (named || invoice) {
        report.kept_in_use += 1;
        continue;
      }
      const uploads = await db.selectFrom('media_provider_ids').select(['phone_number_id', 'provider_media_id', 'expires_at']).where('media_id', '=', mediaId).execute();
      const received = await db.selectFrom('media_downloads').select(['phone_number_id', 'provider_media_id', 'created_at']).where('media_id', '=', mediaId).execute();
      const atProvider = [
        ...uploads.map((upload) => ({ numberId: upload.phone_number_id, providerId: upload.provider_media_id, expiresAt: upload.expires_at })),
        ...received.map((download) => ({ numberId: download.phone_number_id, providerId: download.provider_media_id, expiresAt: new Date(Date.parse(download.created_at) + RECEIVED_MEDIA_TTL_MS).toISOString() })),
      ];
      for (const item of atProvider) {
        if (item.expiresAt <= (await this.deps.clock.at(item.numberId)).toISOString()) continue;
        const sender = await this.deps.directory.sender(item.numberId);
        if (!sender) continue;
        const result = await this.deps.graph.deleteMedia(sender.endpoint, item.providerId, sender.metaPhoneNumberId).catch((error: unknown): GraphResult<{ success: boolean }> => ({ ok: false, kind: 'unreachable', reason: String(error) }));
        if (result.ok || gone(result)) report.deleted_at_provider += 1;
        else {
          report.provider_failures += 1;
          this.deps.logger.warn({ mediaId, providerMediaId: item.providerId }, 'erasure: deleting media at the provider failed; it expires there by itself');
        }
      }
      report.files_deleted += await this.#forget(workspaceId, [media]);
      report.deleted += 1;
    }
    return report;
  }

  /** Erases the media an inbound message brought (its record and bytes); used when the message is deleted. */
  async eraseMessageMedia(workspaceId: string, messageId: string): Promise<void> {
    const rows = await this.deps.db.selectFrom('media').select(['id', 'storage_key']).where('workspace_id', '=', workspaceId).where('source_message_id', '=', messageId).execute();
    await this.#forget(workspaceId, rows);
  }

  async #forget(workspaceId: string, rows: Array<{ id: string; storage_key: string | null }>): Promise<number> {
    if (rows.length === 0) return 0;
    let files = 0;
    const { db } = this.deps;
    await db.deleteFrom('media').where('workspace_id', '=', workspaceId).where('id', 'in', rows.map((row) => row.id)).execute();
    for (const row of rows) {
      if (!row.storage_key) continue;
      // Identical files share one content-addressed file: keep it while another record names it.
      const shared = await db.selectFrom('media').select('id').where('storage_key', '=', row.storage_key).limit(1).executeTakeFirst();
      if (!shared) {
        await this.deps.storage.delete(row.storage_key);
        files += 1;
      }
    }
    return files;
  }

  /** Messages not yet sent (queued, being sent, or waiting on an unknown outcome) and invoices that name the media. */
  async #references(workspaceId: string, mediaId: string): Promise<{ messages: string[]; invoices: string[] }> {
    const { db } = this.deps;
    const messages = await db
      .selectFrom('messages')
      .select('id')
      .where('status', 'in', ['queued', 'sending', 'unknown'])
      .where('workspace_id', '=', workspaceId)
      .where('deleted_at', 'is', null)
      .where('content', 'like', `%"${mediaId}"%`)
      .limit(20)
      .execute();
    const invoices = await db
      .selectFrom('invoices')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where((eb) => eb.or([eb('media_id', '=', mediaId), eb('pix_qr_media_id', '=', mediaId)]))
      .limit(20)
      .execute();
    return { messages: messages.map((row) => row.id), invoices: invoices.map((row) => row.id) };
  }
}
