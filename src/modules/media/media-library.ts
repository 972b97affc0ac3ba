import type { Kysely, Selectable } from 'kysely';
import { newId, type MediaTable, type Schema } from '../../db/index.js';
import { findMediaReferences } from './media-references.js';
import { MEDIA_KINDS, kindFitsMessage, mediaKindOf, type MediaKind } from './media-rules.js';
import { storageKeyOf, type MediaStorage } from './media-storage.js';
import { checkUpload, type UploadError } from './upload-check.js';
import { realClock } from '../../clock/index.js';

/** Media as the API shows it. */
export interface MediaView {
  id: string;
  kind: string;
  mime_type: string;
  size: number | null;
  sha256: string | null;
  filename: string | null;
  direction: 'in' | 'out';
  /** `expired`: received media whose bytes the workspace's retention deleted (the record stays). */
  status: 'ready' | 'downloading' | 'failed' | 'expired';
  source_message_id: string | null;
  created_at: string;
  /** Inbound media not yet stored: how the download goes. */
  download?: { attempts: number; next_attempt_at: string | null; give_up_at: string; last_error: string | null };
}

export type MediaSendRefusalCode = 'CONVERSA_ERR_MEDIA_NOT_FOUND' | 'CONVERSA_ERR_MEDIA_NOT_READY' | 'CONVERSA_ERR_MEDIA_TYPE_MISMATCH';

/** Why a message naming our media cannot be sent. */
export interface MediaSendRefusal {
  code: MediaSendRefusalCode;
  message: string;
  fix: string;
  details: { field: string; media_id: string; [key: string]: unknown };
}

/** An inbound media message to fetch: what the webhook said about its media. */
export interface InboundMediaInput {
  mediaId: string;
  workspaceId: string;
  phoneNumberRowId: string;
  messageId: string;
  /** The message type: image, audio, video, document or sticker. */
  type: string;
  media: { id: string; mime_type?: string | undefined; sha256?: string | undefined; filename?: string | undefined };
}

/** How long Meta keeps an inbound media id (cloud-api-facts.md §1.2): retry downloads until then. */
export const INBOUND_MEDIA_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * The workspace's media: uploads checked against the Cloud API's rules and stored once by their
 * sha256, inbound media recorded for download, and the checks a send makes on media it names.
 */
export class MediaLibrary {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly storage: MediaStorage,
    private readonly now: () => Date = () => realClock.now(),
    /** Called after inbound media is recorded (the downloader's wake-up). */
    private readonly recorded: () => void = () => undefined,
  ) {}

  /**
   * Checks a file (sniffed type, Meta's limits), stores its bytes content-addressed and records
   * it. Answers the media, or the rule the file broke.
   */
  async upload(workspaceId: string, input: { data: Buffer; declaredType?: string | undefined; filename?: string | undefined }): Promise<{ ok: true; media: MediaView } | { ok: false; error: UploadError }> {
    const checked = await checkUpload(input);
    if (!checked.ok) return checked;
    const { kind, mimeType, size, sha256 } = checked.value;
    const storageKey = storageKeyOf(sha256);
    await this.storage.put(storageKey, input.data);
    const at = this.now().toISOString();
    const row: MediaTable = {
      id: newId('med'),
      workspace_id: workspaceId,
      direction: 'out',
      kind,
      mime_type: mimeType,
      size,
      sha256,
      filename: cleanFilename(input.filename),
      storage_key: storageKey,
      source_message_id: null,
      status: 'ready',
      created_at: at,
      updated_at: at,
    };
    await this.db.insertInto('media').values(row).execute();
    return { ok: true, media: toView(row) };
  }

  /** A workspace's media by id, with its download's progress while inbound media is not stored. */
  async get(workspaceId: string, id: string): Promise<MediaView | undefined> {
    return (await this.#find(workspaceId, id))?.view;
  }

  /** The bytes of a workspace's media; `not_ready` while inbound media is downloading or after it failed, `expired` once retention deleted them. */
  async content(workspaceId: string, id: string): Promise<{ ok: true; media: MediaView; data: Buffer } | { ok: false; reason: 'not_found' | 'not_ready' | 'expired'; media?: MediaView }> {
    const found = await this.#find(workspaceId, id);
    if (!found) return { ok: false, reason: 'not_found' };
    const { view: media, storageKey } = found;
    if (media.status === 'expired') return { ok: false, reason: 'expired', media };
    if (media.status !== 'ready' || !storageKey) return { ok: false, reason: 'not_ready', media };
    const data = await this.storage.get(storageKey);
    if (!data) throw new Error(`media ${id}: storage has nothing under ${storageKey}`);
    return { ok: true, media, data };
  }

  /**
   * The send-time check on a message's content (`content` is what goes under `type`): every
   * `med_` id it names must be ready media of this workspace, of a kind its place takes.
   */
  async checkForSend(workspaceId: string, type: string, content: unknown): Promise<MediaSendRefusal | undefined> {
    for (const { slot, object } of findMediaReferences({ type, [type]: content })) {
      const row = await this.db.selectFrom('media').select(['status', 'kind']).where('workspace_id', '=', workspaceId).where('id', '=', object.id).executeTakeFirst();
      const field = `${slot}.id`;
      if (!row || row.status === 'failed' || row.status === 'expired') {
        return {
          code: 'CONVERSA_ERR_MEDIA_NOT_FOUND',
          message: `${field}: ${object.id} is not ${row ? (row.status === 'expired' ? "stored any more (the workspace's retention deleted its bytes)" : 'stored (its download failed)') : 'media of this workspace'}.`,
          fix: 'Upload the file with POST /api/v1/media and send the id it answers.',
          details: { field, media_id: object.id },
        };
      }
      if (row.status !== 'ready') {
        return {
          code: 'CONVERSA_ERR_MEDIA_NOT_READY',
          message: `${field}: ${object.id} is still being downloaded from the provider.`,
          fix: 'Wait until GET /api/v1/media/{id} answers status "ready", then send again.',
          details: { field, media_id: object.id },
        };
      }
      if (!kindFitsMessage(row.kind as MediaKind, slot)) {
        return {
          code: 'CONVERSA_ERR_MEDIA_TYPE_MISMATCH',
          message: `${field}: ${object.id} is ${row.kind === 'image' ? 'an' : 'a'} ${row.kind} file; ${slot} messages take ${slot} files.`,
          fix: `Send it as type "${row.kind}" (or "document"), or upload a ${slot} file.`,
          details: { field, media_id: object.id, kind: row.kind },
        };
      }
    }
    return undefined;
  }

  async #find(workspaceId: string, id: string): Promise<{ view: MediaView; storageKey: string | null } | undefined> {
    const row = await this.db.selectFrom('media').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const view = toView(row);
    if (row.status !== 'ready') {
      const job = await this.db.selectFrom('media_downloads').selectAll().where('media_id', '=', id).executeTakeFirst();
      if (job) view.download = { attempts: job.attempts, next_attempt_at: job.next_attempt_at, give_up_at: job.give_up_at, last_error: job.last_error };
    }
    return { view, storageKey: row.storage_key };
  }

  /** Our id for the media of an inbound message about to be stored (the message names it). */
  newInboundId(): string {
    return newId('med');
  }

  /**
   * Records an inbound message's media (status `downloading`) and its download job, in the
   * caller's transaction: the job commits with the message or not at all.
   */
  async recordInbound(input: InboundMediaInput, trx: Kysely<Schema>): Promise<void> {
    const at = this.now();
    const iso = at.toISOString();
    const mimeType = input.media.mime_type ?? 'application/octet-stream';
    const kind = (MEDIA_KINDS as readonly string[]).includes(input.type) ? input.type : (mediaKindOf(mimeType) ?? 'document');
    await trx
      .insertInto('media')
      .values({
        id: input.mediaId,
        workspace_id: input.workspaceId,
        direction: 'in',
        kind,
        mime_type: mimeType,
        size: null,
        sha256: null,
        filename: cleanFilename(input.media.filename),
        storage_key: null,
        source_message_id: input.messageId,
        status: 'downloading',
        created_at: iso,
        updated_at: iso,
      })
      .execute();
    await trx
      .insertInto('media_downloads')
      .values({
        media_id: input.mediaId,
        workspace_id: input.workspaceId,
        phone_number_id: input.phoneNumberRowId,
        provider_media_id: input.media.id,
        expected_sha256: input.media.sha256 ?? null,
        attempts: 0,
        next_attempt_at: iso,
        give_up_at: new Date(at.getTime() + INBOUND_MEDIA_TTL_MS).toISOString(),
        last_error: null,
        created_at: iso,
        completed_at: null,
      })
      .execute();
    setImmediate(() => this.recorded());
  }
}

/** The last path segment, without control characters, at most 240 characters (Meta's limit). */
function cleanFilename(filename: string | undefined): string | null {
  const name = filename?.split(/[\\/]/).pop()?.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 240);
  return name ? name : null;
}

function toView(row: Selectable<MediaTable>): MediaView {
  return {
    id: row.id,
    kind: row.kind,
    mime_type: row.mime_type,
    size: row.size === null ? null : Number(row.size),
    sha256: row.sha256,
    filename: row.filename,
    direction: row.direction,
    status: row.status as MediaView['status'],
    source_message_id: row.source_message_id,
    created_at: row.created_at,
  };
}
