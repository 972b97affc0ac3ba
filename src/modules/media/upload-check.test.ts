import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jpegFile, mp4File, oggFile, pdfFile, pngFile, webpFile } from '../../../test/support/media-files.js';
import { findMediaReferences } from './media-references.js';
import { checkUpload } from './upload-check.js';

describe('checkUpload', () => {
  it.each([
    ['PNG', pngFile(), 'image/png', 'image', 'image/png'],
    ['JPEG', jpegFile(), 'image/jpeg', 'image', 'image/jpeg'],
    ['PDF', pdfFile(), 'application/pdf', 'document', 'application/pdf'],
    ['Ogg Opus', oggFile('opus'), 'audio/ogg', 'audio', 'audio/ogg'],
    ['MP4', mp4File(), 'video/mp4', 'video', 'video/mp4'],
    ['MP4 declared as audio', mp4File(), 'audio/mp4', 'audio', 'audio/mp4'],
    ['static WebP', webpFile(), 'image/webp', 'sticker', 'image/webp'],
  ])('accepts a %s as Meta does and hashes it', async (_name, data, declared, kind, mimeType) => {
    const checked = await checkUpload({ data, declaredType: declared });
    expect(checked).toEqual({ ok: true, value: { kind, mimeType, size: data.length, sha256: createHash('sha256').update(data).digest('hex') } });
  });

  it('trusts the bytes, not the declared type or name: a PNG sent as application/pdf is a PNG image', async () => {
    const checked = await checkUpload({ data: pngFile(), declaredType: 'application/pdf' });
    expect(checked.ok && checked.value).toMatchObject({ kind: 'image', mimeType: 'image/png' });
  });

  it('falls back to the declared type only for text/plain, and only for real text', async () => {
    const text = await checkUpload({ data: Buffer.from('Olá! Seu pedido 1234 saiu para entrega.\n'), declaredType: 'text/plain; charset=utf-8' });
    expect(text.ok && text.value).toMatchObject({ kind: 'document', mimeType: 'text/plain' });
    const binary = await checkUpload({ data: Buffer.from([0x00, 0x01, 0x02, 0xfe, 0xff, 0x10]), declaredType: 'text/plain' });
    expect(binary).toMatchObject({ ok: false, error: { code: 'CONVERSA_ERR_MEDIA_UNSUPPORTED_TYPE', field: 'file', rule: expect.stringMatching(/text\/plain/) } });
    const unknown = await checkUpload({ data: Buffer.from('just words'), declaredType: 'application/pdf' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'CONVERSA_ERR_MEDIA_UNSUPPORTED_TYPE', field: 'file', rule: expect.stringMatching(/could not be recognised/) } });
  });

  it('refuses types WhatsApp does not take, naming the type', async () => {
    const gif = await checkUpload({ data: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), declaredType: 'image/png' });
    expect(gif).toMatchObject({ ok: false, error: { code: 'CONVERSA_ERR_MEDIA_UNSUPPORTED_TYPE', field: 'file', rule: expect.stringMatching(/image\/gif/) } });
    const vorbis = await checkUpload({ data: oggFile('vorbis'), declaredType: 'audio/ogg' });
    expect(vorbis).toMatchObject({ ok: false, error: { code: 'CONVERSA_ERR_MEDIA_UNSUPPORTED_TYPE', rule: expect.stringMatching(/OPUS/) } });
  });

  it("applies the kind's size limit: 5 MB for images, 100 KB static and 500 KB animated stickers", async () => {
    const fits = await checkUpload({ data: pngFile({ padTo: 5 * 1024 * 1024 }), declaredType: 'image/png' });
    expect(fits.ok).toBe(true);
    const over = await checkUpload({ data: pngFile({ padTo: 5 * 1024 * 1024 + 1 }), declaredType: 'image/png' });
    expect(over).toMatchObject({ ok: false, error: { code: 'CONVERSA_ERR_MEDIA_TOO_LARGE', field: 'file', rule: expect.stringMatching(/at most 5 MB for image files/) } });
    const staticSticker = await checkUpload({ data: webpFile({ size: 100 * 1024 + 1 }), declaredType: 'image/webp' });
    expect(staticSticker).toMatchObject({ ok: false, error: { code: 'CONVERSA_ERR_MEDIA_TOO_LARGE', rule: expect.stringMatching(/100 KB for static sticker/) } });
    const animated = await checkUpload({ data: webpFile({ animated: true, size: 300 * 1024 }), declaredType: 'image/webp' });
    expect(animated.ok && animated.value.kind).toBe('sticker');
  });

  it('refuses an empty file', async () => {
    expect(await checkUpload({ data: Buffer.alloc(0), declaredType: 'image/png' })).toMatchObject({ ok: false, error: { code: 'CONVERSA_ERR_VALIDATION', field: 'file', rule: 'must not be empty' } });
  });

  it('accepts legacy Office files by their container and declared type', async () => {
    const cfb = Buffer.alloc(600);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(cfb);
    const doc = await checkUpload({ data: cfb, declaredType: 'application/msword' });
    expect(doc.ok && doc.value).toMatchObject({ kind: 'document', mimeType: 'application/msword' });
    expect((await checkUpload({ data: cfb, declaredType: 'application/octet-stream' })).ok).toBe(false);
  });
});

describe('findMediaReferences', () => {
  it('finds our ids in media messages, template header parameters and interactive headers, and nothing else', () => {
    expect(findMediaReferences({ type: 'image', image: { id: 'med_abc', caption: 'Oi' } })).toEqual([{ slot: 'image', object: { id: 'med_abc', caption: 'Oi' } }]);
    expect(findMediaReferences({ type: 'image', image: { id: '1234567890' } })).toEqual([]);
    expect(findMediaReferences({ type: 'image', image: { link: 'https://example.com/a.png' } })).toEqual([]);
    const template = { type: 'template', template: { name: 'x', components: [{ type: 'header', parameters: [{ type: 'document', document: { id: 'med_doc' } }] }, { type: 'body', parameters: [{ type: 'text', text: 'med_no' }] }] } };
    expect(findMediaReferences(template).map((r) => [r.slot, r.object.id])).toEqual([['document', 'med_doc']]);
    const interactive = { type: 'interactive', interactive: { type: 'button', header: { type: 'video', video: { id: 'med_vid' } } } };
    expect(findMediaReferences(interactive).map((r) => [r.slot, r.object.id])).toEqual([['video', 'med_vid']]);
  });
});
