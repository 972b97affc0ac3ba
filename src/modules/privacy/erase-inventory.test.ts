import { describe, expect, it } from 'vitest';
import { subjectHasher } from '../../security/index.js';
import { mentionsPerson } from './erase-inventory.js';

describe('mentionsPerson (what erasure deletes from raw webhooks, events and deliveries)', () => {
  const mentions = mentionsPerson({ numbers: ['5511977770001'], userIds: ['BR.1234567890'], ids: ['ct_abc123', 'wamid.HBgMNTUxMTk3Nzc3MDAwMRUCABIYFjNFQjA='] });

  it('finds their number anywhere, but not inside a longer number', () => {
    expect(mentions('{"contacts":[{"wa_id":"5511977770001","profile":{"name":"X"}}]}')).toBe(true);
    expect(mentions('{"to":"+5511977770001"}')).toBe(true);
    expect(mentions('{"text":"ligue 5511977770001."}')).toBe(true);
    expect(mentions('{"wa_id":"155119777700012"}')).toBe(false);
    expect(mentions('{"wa_id":"5511977770002"}')).toBe(false);
  });

  it('finds their ids only as whole JSON strings, and their user id anywhere', () => {
    expect(mentions('{"contact_id":"ct_abc123"}')).toBe(true);
    expect(mentions('{"contact_id":"ct_abc1234"}')).toBe(false);
    expect(mentions('{"id":"wamid.HBgMNTUxMTk3Nzc3MDAwMRUCABIYFjNFQjA="}')).toBe(true);
    expect(mentions('{"user_id":"BR.1234567890"}')).toBe(true);
    expect(mentions('{"other":"nothing here"}')).toBe(false);
  });
});

describe('subjectHasher (consent tombstones)', () => {
  const key = 'a'.repeat(64);
  it('is stable for a key, and differs by workspace, number and key', () => {
    const hash = subjectHasher(key);
    expect(hash('ws_1', '5511977770001')).toBe(subjectHasher(key)('ws_1', '5511977770001'));
    expect(hash('ws_1', '5511977770001')).toMatch(/^[0-9a-f]{64}$/);
    expect(hash('ws_2', '5511977770001')).not.toBe(hash('ws_1', '5511977770001'));
    expect(hash('ws_1', '5511977770002')).not.toBe(hash('ws_1', '5511977770001'));
    expect(subjectHasher('b'.repeat(64))('ws_1', '5511977770001')).not.toBe(hash('ws_1', '5511977770001'));
  });
});
