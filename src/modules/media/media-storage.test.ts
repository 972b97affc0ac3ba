import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalDiskMediaStorage, storageKeyOf } from './media-storage.js';

describe('LocalDiskMediaStorage', () => {
  const root = mkdtempSync(join(tmpdir(), 'conversa-disk-'));
  const storage = new LocalDiskMediaStorage(join(root, 'media'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('puts, gets and deletes bytes by key, leaving no temporary files behind', async () => {
    const key = storageKeyOf('ab'.repeat(32));
    expect(key).toBe(`sha256/ab/ab/${'ab'.repeat(32)}`);
    expect(await storage.get(key)).toBeUndefined();
    await storage.put(key, Buffer.from('hello'));
    await storage.put(key, Buffer.from('hello')); // the same content again: harmless
    expect((await storage.get(key))?.toString()).toBe('hello');
    expect(readdirSync(join(root, 'media', 'sha256', 'ab', 'ab'))).toEqual(['ab'.repeat(32)]);
    await storage.delete(key);
    expect(await storage.get(key)).toBeUndefined();
    await storage.delete(key);
  });

  it('refuses keys that could leave its folder', async () => {
    for (const key of ['../escape', 'a/../../b', '/etc/passwd', 'A/B', '', 'a//b']) {
      await expect(storage.put(key, Buffer.from('x'))).rejects.toThrow(/Invalid media storage key/);
    }
  });
});
