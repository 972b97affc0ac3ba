import { createHash, createHmac, randomBytes } from 'node:crypto';
import { newGraphId } from './ids.js';

/** Meta's media kinds with their MIME types and size limits (cloud-api-facts.md §5.3). */
export const MEDIA_RULES = {
  audio: { types: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 16 * 1024 * 1024 },
  document: {
    types: [
      'text/plain',
      'application/pdf',
      'application/msword',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.ms-excel',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    maxBytes: 100 * 1024 * 1024,
  },
  image: { types: ['image/jpeg', 'image/png'], maxBytes: 5 * 1024 * 1024 },
  sticker: { types: ['image/webp'], maxBytes: 500 * 1024 },
  video: { types: ['video/mp4', 'video/3gpp'], maxBytes: 16 * 1024 * 1024 },
} as const;

/** The kind a MIME type belongs to, or undefined when Meta does not accept it. */
export function mediaKindOf(mimeType: string): keyof typeof MEDIA_RULES | undefined {
  const base = mimeType.split(';')[0]?.trim().toLowerCase() ?? '';
  for (const [kind, rule] of Object.entries(MEDIA_RULES)) {
    if ((rule.types as readonly string[]).includes(base)) return kind as keyof typeof MEDIA_RULES;
  }
  return undefined;
}

/** A light check that the bytes are what the MIME type claims (Meta rejects mismatches). */
export function contentMatches(mimeType: string, data: Buffer): boolean {
  const starts = (...bytes: number[]) => bytes.every((b, i) => data[i] === b);
  switch (mimeType) {
    case 'image/jpeg':
      return starts(0xff, 0xd8, 0xff);
    case 'image/png':
      return starts(0x89, 0x50, 0x4e, 0x47);
    case 'image/webp':
      return data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP';
    case 'application/pdf':
      return data.subarray(0, 5).toString('latin1') === '%PDF-';
    case 'audio/ogg':
      return data.subarray(0, 4).toString('latin1') === 'OggS';
    case 'video/mp4':
    case 'audio/mp4':
    case 'video/3gpp':
      return data.subarray(4, 8).toString('latin1') === 'ftyp';
    default:
      return true;
  }
}

export interface MediaItem {
  id: string;
  phoneNumberId: string;
  mimeType: string;
  sha256: string;
  size: number;
  filename: string | undefined;
  data: Buffer;
  /** Sandbox-clock ms after which the id is no longer valid (30 days for uploads, 7 for inbound). */
  expiresAt: number;
}

/** How long a retrieved media URL stays valid (Meta: 5 minutes). */
export const MEDIA_URL_TTL_MS = 5 * 60 * 1000;

/**
 * Media kept in memory, addressed by numeric ids, served through short-lived signed URLs on the
 * sandbox's own origin (`/whatsapp_business/attachments/?mid=...&exp=...&hash=...`).
 */
export class MediaStore {
  readonly #items = new Map<string, MediaItem>();
  readonly #urlKey = randomBytes(32);

  put(input: { phoneNumberId: string; mimeType: string; data: Buffer; filename?: string; expiresAt: number }): MediaItem {
    const item: MediaItem = {
      id: newGraphId(),
      phoneNumberId: input.phoneNumberId,
      mimeType: input.mimeType,
      sha256: createHash('sha256').update(input.data).digest('hex'),
      size: input.data.length,
      filename: input.filename,
      data: input.data,
      expiresAt: input.expiresAt,
    };
    this.#items.set(item.id, item);
    return item;
  }

  get(id: string, now: number): MediaItem | undefined {
    const item = this.#items.get(id);
    if (item && item.expiresAt <= now) {
      this.#items.delete(id);
      return undefined;
    }
    return item;
  }

  delete(id: string): boolean {
    return this.#items.delete(id);
  }

  /** A download URL valid for five minutes of sandbox time. */
  signedUrl(origin: string, item: MediaItem, now: number): string {
    const exp = Math.floor((now + MEDIA_URL_TTL_MS) / 1000);
    const ext = item.mimeType.split('/')[1]?.split(/[;+]/)[0] ?? 'bin';
    return `${origin}/whatsapp_business/attachments/?mid=${item.id}&ext=${ext}&exp=${exp}&hash=${this.#hash(item.id, exp)}`;
  }

  /** Checks a download URL's query: the item when valid, else why not. */
  resolveUrl(query: { mid?: string; exp?: string; hash?: string }, now: number): MediaItem | 'expired' | 'invalid' {
    const exp = Number(query.exp);
    if (!query.mid || !query.hash || !Number.isInteger(exp)) return 'invalid';
    if (this.#hash(query.mid, exp) !== query.hash) return 'invalid';
    if (exp * 1000 <= now) return 'expired';
    return this.get(query.mid, now) ?? 'invalid';
  }

  #hash(id: string, exp: number): string {
    return createHmac('sha256', this.#urlKey).update(`${id}:${exp}`).digest('base64url').slice(0, 22);
  }
}
