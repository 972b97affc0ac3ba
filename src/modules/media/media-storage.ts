import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Where media bytes live, by key. The narrow port the media module needs: a local folder now,
 * S3-compatible storage later. Keys are relative paths of `[a-z0-9_-]` segments.
 */
export interface MediaStorage {
  /** Stores the bytes under `key`; storing the same key again is harmless. */
  put(key: string, bytes: Buffer): Promise<void>;
  /** The bytes, or undefined when nothing is stored under `key`. */
  get(key: string): Promise<Buffer | undefined>;
  delete(key: string): Promise<void>;
}

/** A content-addressed key: identical files share one key, so they are stored once. */
export function storageKeyOf(sha256Hex: string): string {
  return `sha256/${sha256Hex.slice(0, 2)}/${sha256Hex.slice(2, 4)}/${sha256Hex}`;
}

const KEY = /^[a-z0-9_-]+(\/[a-z0-9_-]+)*$/;

/**
 * Media in a local folder (`<CONVERSA_DATA_DIR>/media/`). Writes go to a temporary file that is
 * renamed into place, so a reader never sees half a file and a crash leaves no torn one.
 */
export class LocalDiskMediaStorage implements MediaStorage {
  constructor(readonly root: string) {}

  async put(key: string, bytes: Buffer): Promise<void> {
    const path = this.#path(key);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isFile() && existing.size === bytes.length) return;
    // Owner only (0700 folders, 0600 files): media are customers' documents and pictures.
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, bytes, { mode: 0o600 });
      await rename(temporary, path);
    } finally {
      await rm(temporary, { force: true });
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.#path(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.#path(key), { force: true });
  }

  #path(key: string): string {
    if (!KEY.test(key)) throw new Error(`Invalid media storage key: ${JSON.stringify(key)}`);
    return join(this.root, ...key.split('/'));
  }
}
