import { jpegSize } from '../../whatsapp/index.js';

/** Meta's rules for the business profile's picture: a JPEG or PNG of at most 5 MB; Meta recommends 640x640, and below 192 px it is refused here. */
export const PROFILE_PICTURE_MAX_BYTES = 5 * 1024 * 1024;
export const PROFILE_PICTURE_MIN_PX = 192;

export type PictureCheck = { ok: true; type: 'image/jpeg' | 'image/png'; width: number; height: number } | { ok: false; rule: string };

/**
 * Checks a profile picture before anything reaches Meta: the type is sniffed from the bytes
 * (the declared type and file name are not trusted), the size read from the JPEG's frame
 * header or the PNG's IHDR. Answers the rule broken, worded for `details.rule`.
 */
export async function checkProfilePicture(data: Buffer): Promise<PictureCheck> {
  if (data.length === 0) return { ok: false, rule: 'must not be empty' };
  if (data.length > PROFILE_PICTURE_MAX_BYTES) return { ok: false, rule: 'must be at most 5 MB' };
  // Loaded on first use, like the media upload's check: the sniffer's modules cost a cold start.
  const { fileTypeFromBuffer } = await import('file-type');
  const sniffed = await fileTypeFromBuffer(data);
  if (sniffed?.mime !== 'image/jpeg' && sniffed?.mime !== 'image/png') {
    return { ok: false, rule: `must be a JPEG or PNG image (it is ${sniffed?.mime ?? 'not a recognised type'})` };
  }
  const size = sniffed.mime === 'image/jpeg' ? jpegSize(data) : pngSize(data);
  if (!size) return { ok: false, rule: `must be a complete ${sniffed.mime === 'image/jpeg' ? 'JPEG' : 'PNG'} image (its size could not be read)` };
  if (size.width < PROFILE_PICTURE_MIN_PX || size.height < PROFILE_PICTURE_MIN_PX) {
    return { ok: false, rule: `must be at least ${PROFILE_PICTURE_MIN_PX}x${PROFILE_PICTURE_MIN_PX} pixels (it is ${size.width}x${size.height}; Meta recommends 640x640)` };
  }
  return { ok: true, type: sniffed.mime, ...size };
}

/** Width and height from a PNG's IHDR chunk (the first chunk, right after the 8-byte signature). */
function pngSize(data: Buffer): { width: number; height: number } | undefined {
  if (data.length < 24 || data.subarray(12, 16).toString('latin1') !== 'IHDR') return undefined;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}
