/** Meta's media kinds; a media message's `type` is one of them. */
export const MEDIA_KINDS = ['image', 'audio', 'video', 'document', 'sticker'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

/**
 * What the Cloud API accepts per kind (cloud-api-facts.md §5.3): MIME types and size limits.
 * Stickers have two limits: 100 KB static, 500 KB animated.
 */
export const MEDIA_RULES: Record<MediaKind, { types: readonly string[]; maxBytes: number }> = {
  image: { types: ['image/jpeg', 'image/png'], maxBytes: 5 * 1024 * 1024 },
  audio: { types: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 16 * 1024 * 1024 },
  video: { types: ['video/mp4', 'video/3gpp'], maxBytes: 16 * 1024 * 1024 },
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
  sticker: { types: ['image/webp'], maxBytes: 500 * 1024 },
};

/** A static sticker's limit; `MEDIA_RULES.sticker.maxBytes` is the animated one. */
export const STATIC_STICKER_MAX_BYTES = 100 * 1024;

/** The largest file any kind accepts (documents: 100 MB); the upload route's hard limit. */
export const MAX_MEDIA_BYTES = Math.max(...Object.values(MEDIA_RULES).map((rule) => rule.maxBytes));

/** The kind a MIME type belongs to, or undefined when the Cloud API does not take it. */
export function mediaKindOf(mimeType: string): MediaKind | undefined {
  const base = baseMimeType(mimeType);
  return MEDIA_KINDS.find((kind) => MEDIA_RULES[kind].types.includes(base));
}

/** `image/png; charset=x` → `image/png`. */
export function baseMimeType(mimeType: string): string {
  return (mimeType.split(';')[0] ?? '').trim().toLowerCase();
}

/** Whether a media message of `type` may carry a file of `kind`: the same kind; documents take any file. */
export function kindFitsMessage(kind: MediaKind, type: MediaKind): boolean {
  return type === 'document' || kind === type;
}

/** A readable size for error messages: `5 MB`, `100 KB`, `1234 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}
