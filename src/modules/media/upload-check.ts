import { createHash } from 'node:crypto';
import { MEDIA_RULES, STATIC_STICKER_MAX_BYTES, baseMimeType, formatBytes, mediaKindOf, type MediaKind } from './media-rules.js';

export type UploadErrorCode = 'CONVERSA_ERR_VALIDATION' | 'CONVERSA_ERR_MEDIA_TOO_LARGE' | 'CONVERSA_ERR_MEDIA_UNSUPPORTED_TYPE';

/** Why a file is refused: the field (`file`) and the rule it broke. */
export interface UploadError {
  code: UploadErrorCode;
  field: 'file';
  rule: string;
  message: string;
}

export interface CheckedUpload {
  kind: MediaKind;
  /** The sniffed type (the declared one only for text/plain and legacy Office files). */
  mimeType: string;
  size: number;
  /** Hex. */
  sha256: string;
}

export type UploadCheck = { ok: true; value: CheckedUpload } | { ok: false; error: UploadError };

/** Legacy Office formats share one container (MS-CFB); the declared type tells them apart. */
const CFB_TYPES = new Set(['application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint']);

/** Sniffed types that are one of Meta's under another name. */
const ALIASES: Record<string, string> = {
  'audio/ogg; codecs=opus': 'audio/ogg',
  'audio/x-m4a': 'audio/mp4',
  'image/apng': 'image/png',
};

/**
 * Checks a file against the Cloud API's media rules before it is stored: the real type is
 * sniffed from the bytes (the declared type and file name are not trusted, so a PNG named
 * `.pdf` is a PNG), then the kind's size limit applies. Only `text/plain`, which has no
 * signature, and the legacy Office formats, which share one, fall back to the declared type.
 *
 * @example await checkUpload({ data, declaredType: 'application/pdf' }) // { ok: true, value: { kind: 'image', mimeType: 'image/png', ... } }
 */
export async function checkUpload(input: { data: Buffer; declaredType?: string | undefined }): Promise<UploadCheck> {
  const { data } = input;
  if (data.length === 0) return refuse('CONVERSA_ERR_VALIDATION', 'must not be empty');
  const declared = baseMimeType(input.declaredType ?? '');
  // Loaded on first use: the sniffer's modules cost a noticeable part of a cold start.
  const { fileTypeFromBuffer } = await import('file-type');
  const sniffed = await fileTypeFromBuffer(data);
  let mimeType: string | undefined;
  if (sniffed) {
    const found = ALIASES[sniffed.mime] ?? sniffed.mime;
    if (found === 'application/x-cfb' && CFB_TYPES.has(declared)) mimeType = declared;
    else if (found === 'video/mp4' && declared === 'audio/mp4') mimeType = declared; // an audio-only MP4 container
    else if (sniffed.mime === 'audio/ogg') return refuse('CONVERSA_ERR_MEDIA_UNSUPPORTED_TYPE', 'audio/ogg is accepted only with the OPUS codec');
    else mimeType = found;
  } else if (declared === 'text/plain') {
    if (!looksLikeText(data)) return refuse('CONVERSA_ERR_MEDIA_UNSUPPORTED_TYPE', 'is declared text/plain but is not UTF-8 text');
    mimeType = 'text/plain';
  }
  if (!mimeType) {
    return refuse('CONVERSA_ERR_MEDIA_UNSUPPORTED_TYPE', `has a type that could not be recognised from its content (declared ${declared || 'none'}); ${supportedList()}`);
  }
  const kind = mediaKindOf(mimeType);
  if (!kind) return refuse('CONVERSA_ERR_MEDIA_UNSUPPORTED_TYPE', `is ${mimeType}, which WhatsApp does not accept; ${supportedList()}`);
  const maxBytes = kind === 'sticker' && !isAnimatedWebp(data) ? STATIC_STICKER_MAX_BYTES : MEDIA_RULES[kind].maxBytes;
  if (data.length > maxBytes) {
    const what = kind === 'sticker' ? `${isAnimatedWebp(data) ? 'animated' : 'static'} sticker` : kind;
    return refuse('CONVERSA_ERR_MEDIA_TOO_LARGE', `must be at most ${formatBytes(maxBytes)} for ${what} files (${mimeType}); this one has ${data.length} bytes`);
  }
  return { ok: true, value: { kind, mimeType, size: data.length, sha256: sha256Hex(data) } };
}

/** SHA-256 of the bytes, hex. */
export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function refuse(code: UploadErrorCode, rule: string): UploadCheck {
  return { ok: false, error: { code, field: 'file', rule, message: `file: ${rule}` } };
}

function supportedList(): string {
  return `accepted: ${Object.entries(MEDIA_RULES)
    .map(([kind, rule]) => `${kind} (${rule.types.join(', ')})`)
    .join('; ')}`;
}

/** An animated WebP has a VP8X chunk with the animation flag (bit 1 of the flags byte). */
function isAnimatedWebp(data: Buffer): boolean {
  return data.subarray(12, 16).toString('latin1') === 'VP8X' && ((data[20] ?? 0) & 0x02) !== 0;
}

/** Valid UTF-8 without NUL or other control bytes than tab, newline, carriage return, form feed. */
function looksLikeText(data: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return false;
  }
  for (const byte of data) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) return false;
  }
  return true;
}
