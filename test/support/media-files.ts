import { deflateSync } from 'node:zlib';

/**
 * Tiny but real media files for tests, built byte by byte: each starts with the signature a
 * type sniffer (and Meta) recognises.
 */

/** A valid PNG of `width`×`height` RGBA pixels of one colour; `padTo` appends an ancillary chunk to reach a size. */
export function pngFile(options: { width?: number; height?: number; rgba?: [number, number, number, number]; padTo?: number } = {}): Buffer {
  const width = options.width ?? 1;
  const height = options.height ?? 1;
  const [r, g, b, a] = options.rgba ?? [0x25, 0xd3, 0x66, 0xff];
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [r, g, b, a]).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  const chunks = [chunk('IHDR', header), chunk('IDAT', pixels)];
  let png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks, chunk('IEND', Buffer.alloc(0))]);
  if (options.padTo && options.padTo > png.length + 12) {
    const filler = chunk('tEXt', Buffer.alloc(options.padTo - png.length - 12, 0x61));
    png = Buffer.concat([png.subarray(0, png.length - 12), filler, png.subarray(png.length - 12)]);
  }
  return png;
}

/** A minimal JFIF JPEG header and end marker. */
export function jpegFile(): Buffer {
  return Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]);
}

/** A JPEG's headers (APP0 + SOF0) of `width`x`height`: enough for a type sniffer and a size reader (Meta's and ours); `padTo` grows it with a comment segment. */
export function jpegOfSize(width: number, height: number, padTo = 0): Buffer {
  const head = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 8, height >> 8, height & 255, width >> 8, width & 255, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  const end = Buffer.from([0xff, 0xd9]);
  const parts = [head, sof];
  let missing = padTo - head.length - sof.length - end.length;
  while (missing > 4) {
    const length = Math.min(missing - 2, 0xffff);
    const comment = Buffer.alloc(length + 2, 0x61);
    comment[0] = 0xff;
    comment[1] = 0xfe;
    comment.writeUInt16BE(length, 2);
    parts.push(comment);
    missing -= comment.length;
  }
  return Buffer.concat([...parts, end]);
}

/** A one-page-less PDF that still starts and ends like one. */
export function pdfFile(text = 'Pedido 1234'): Buffer {
  return Buffer.from(`%PDF-1.4\n1 0 obj << /Title (${text}) >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`, 'latin1');
}

/** The first page of an Ogg stream with an Opus (or, with `codec: 'vorbis'`, Vorbis) identification header. */
export function oggFile(codec: 'opus' | 'vorbis' = 'opus'): Buffer {
  const page = Buffer.alloc(64);
  page.write('OggS', 0, 'latin1');
  page[5] = 2; // beginning of stream
  page[26] = 1; // one segment
  page[27] = 19;
  page.write(codec === 'opus' ? 'OpusHead' : '\x01vorbis', 28, 'latin1');
  return page;
}

/** A WebP: static (`VP8 `) or animated (`VP8X` with the animation flag), padded to `size` bytes. */
export function webpFile(options: { animated?: boolean; size?: number } = {}): Buffer {
  const file = Buffer.alloc(Math.max(options.size ?? 64, 32));
  file.write('RIFF', 0, 'latin1');
  file.writeUInt32LE(file.length - 8, 4);
  file.write(options.animated ? 'WEBPVP8X' : 'WEBPVP8 ', 8, 'latin1');
  if (options.animated) {
    file.writeUInt32LE(10, 16);
    file[20] = 0x02;
  }
  return file;
}

/** An MP4 `ftyp` box (brand isom). */
export function mp4File(): Buffer {
  const file = Buffer.alloc(40);
  file.writeUInt32BE(24, 0);
  file.write('ftypisom', 4, 'latin1');
  file.write('isommp41', 16, 'latin1');
  return file;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
