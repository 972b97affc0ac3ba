import QRCode from 'qrcode';
import { parsePixCode } from './parse-pix-code.js';

export interface PixQrOptions {
  /** Side of the PNG in pixels; default 512, enough for a phone camera off a chat bubble. */
  width?: number;
  /** Quiet zone in modules; default 4, what the QR specification asks for. */
  margin?: number;
}

/**
 * Renders a Pix code as a PNG QR image (error correction M, which the Pix manual's examples
 * use and which keeps the symbol small enough to scan off a screen). The code must parse:
 * drawing a code whose checksum is wrong would hand the customer a QR no bank accepts, so
 * that is a bug in the caller and throws.
 *
 * @example const png = await pixQrPng(result.code) // Buffer starting with \x89PNG
 */
export async function pixQrPng(code: string, options: PixQrOptions = {}): Promise<Buffer> {
  return QRCode.toBuffer(checked(code), { type: 'png', errorCorrectionLevel: 'M', margin: options.margin ?? 4, width: options.width ?? 512 });
}

/** The same QR as an SVG document, for web pages and e-mail; see pixQrPng. */
export async function pixQrSvg(code: string, options: Pick<PixQrOptions, 'margin'> = {}): Promise<string> {
  return QRCode.toString(checked(code), { type: 'svg', errorCorrectionLevel: 'M', margin: options.margin ?? 4 });
}

function checked(code: string): string {
  const parsed = parsePixCode(code);
  if (!parsed.ok) throw new Error(`Refusing to draw a QR for an invalid Pix code: code ${parsed.rule}`);
  return code.trim();
}
