import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { buildPixCode } from './pix.js';
import { pixQrPng, pixQrSvg } from './pix-qr.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pixCode(): string {
  const result = buildPixCode({ key: '123e4567-e12b-12d1-a456-426655440000', merchantName: 'Fulano de Tal', merchantCity: 'BRASILIA', amount: 25.9, txid: 'PEDIDO42' });
  if (!result.ok) throw new Error(result.rule);
  return result.code;
}

describe('pixQrPng', () => {
  it('renders a PNG of the requested width', async () => {
    const png = await pixQrPng(pixCode(), { width: 400 });
    expect(png.length).toBeGreaterThan(100);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png.readUInt32BE(16)).toBe(400); // IHDR width
    expect((await pixQrPng(pixCode())).readUInt32BE(16)).toBe(512);
  });

  it('refuses to draw a code whose checksum is wrong', async () => {
    const broken = pixCode().replace(/.{4}$/, '0000');
    await expect(pixQrPng(broken)).rejects.toThrow(/checksum/);
  });
});

describe('pixQrSvg', () => {
  it('renders the code at error correction M with a four-module quiet zone', async () => {
    const code = pixCode();
    const svg = await pixQrSvg(code);
    expect(svg).toMatch(/^<svg[^>]*viewBox/);
    expect(svg).toBe(await QRCode.toString(code, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }));
    expect(svg).not.toBe(await QRCode.toString(code, { type: 'svg', errorCorrectionLevel: 'L', margin: 4 }));
  });
});
