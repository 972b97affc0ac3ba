import { describe, expect, it } from 'vitest';
import { checkComment, checkFields, checkName, checkScore } from './submission-input.js';

describe('what a flow may store', () => {
  it('takes up to 100 fields and 16 KB of JSON, and says which rule a bigger one breaks', () => {
    const hundred = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`campo_${i}`, i]));
    expect(checkFields(hundred)).toMatchObject({ ok: true, names: Object.keys(hundred) });
    expect(checkFields({ ...hundred, mais_um: 1 })).toEqual({ ok: false, field: 'fields', rule: 'must have at most 100 fields (has 101)' });
    // 16 KB counts UTF-8 bytes: 6,000 "ç" are 12,000 bytes, 9,000 are over.
    expect(checkFields({ texto: 'ç'.repeat(6000) }).ok).toBe(true);
    expect(checkFields({ texto: 'ç'.repeat(9000) })).toMatchObject({ ok: false, field: 'fields', rule: expect.stringMatching(/^must be at most 16384 bytes as JSON \(is 180\d\d\)$/) });
  });

  it('stores the fields as their JSON reads back, keys in order', () => {
    const checked = checkFields({ b: 1, a: undefined, c: Number.NaN, d: { e: [1, 'x'] } });
    expect(checked).toEqual({ ok: true, fields: { b: 1, c: null, d: { e: [1, 'x'] } }, json: '{"b":1,"c":null,"d":{"e":[1,"x"]}}', names: ['b', 'c', 'd'] });
  });

  it('refuses what is not an object, unserialisable values and odd field names', () => {
    expect(checkFields(['a'])).toMatchObject({ ok: false, field: 'fields' });
    expect(checkFields(null)).toMatchObject({ ok: false, field: 'fields' });
    expect(checkFields({ n: 10n })).toMatchObject({ ok: false, field: 'fields', rule: expect.stringContaining('JSON-serialisable') });
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(checkFields(loop)).toMatchObject({ ok: false, field: 'fields' });
    expect(checkFields({ '': 1 })).toMatchObject({ ok: false, field: 'fields.' });
    expect(checkFields({ 'a\nb': 1 })).toMatchObject({ ok: false, field: 'fields.a\nb' });
    expect(checkName('form', 'x'.repeat(101))).toMatchObject({ field: 'form', rule: 'must be at most 100 characters' });
    expect(checkName('form', 'Orçamento')).toBeUndefined();
  });

  it('keeps scores in the range of their kind: CSAT 1–5, NPS 0–10, integers', () => {
    for (const score of [1, 5]) expect(checkScore('csat', score)).toBeUndefined();
    for (const score of [0, 10]) expect(checkScore('nps', score)).toBeUndefined();
    expect(checkScore('csat', 0)).toEqual({ ok: false, field: 'score', rule: 'must be an integer from 1 to 5 for CSAT' });
    expect(checkScore('csat', 6)).toMatchObject({ field: 'score' });
    expect(checkScore('nps', 11)).toEqual({ ok: false, field: 'score', rule: 'must be an integer from 0 to 10 for NPS' });
    expect(checkScore('nps', 7.5)).toMatchObject({ field: 'score' });
    expect(checkScore('ces', 3)).toMatchObject({ field: 'kind' });
  });

  it('keeps a comment up to 4,096 characters, without NUL; blank is none', () => {
    expect(checkComment('Ótimo atendimento\u0000!')).toEqual({ ok: true, comment: 'Ótimo atendimento!' });
    expect(checkComment('   ')).toEqual({ ok: true, comment: null });
    expect(checkComment(undefined)).toEqual({ ok: true, comment: null });
    expect(checkComment('x'.repeat(4097))).toMatchObject({ ok: false, field: 'comment' });
  });
});
