import { chmodSync, lstatSync, mkdirSync, readdirSync, type Stats } from 'node:fs';
import { join, relative } from 'node:path';
import type { Logger } from 'pino';

/** Folders of the data folder: owner only. */
export const DATA_DIR_MODE = 0o700;
/** Files of the data folder (database, secret key, sandbox state, media): owner read/write only. */
export const DATA_FILE_MODE = 0o600;

export interface TightenedPath {
  path: string;
  from: string;
  to: string;
}

/**
 * Makes the data folder private to the user Conversa runs as: creates it 0700 when missing, and
 * takes group and other permissions off every folder (→ 0700) and file (→ 0600) in it, so a
 * folder made by an older version (0755 folders, 0644 database and sandbox state) is tightened
 * on start (a subfolder that is already private is not walked again). `extraFiles` are files that may live elsewhere (a SQLite database outside the data
 * folder, with its -wal and -shm); only those that exist are touched. Symbolic links are left
 * alone (their target is not ours to change). Answers what changed; also logged once as a warning.
 */
export function secureDataDir(dataDir: string, options: { extraFiles?: string[]; logger?: Logger } = {}): TightenedPath[] {
  mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  // Windows has no POSIX modes (chmod only toggles read-only): its ACLs are the operator's.
  if (process.platform === 'win32') return [];
  const changed: TightenedPath[] = [];
  /** Answers whether `path` was readable by others (and is no longer). */
  const tighten = (path: string, stats: Stats): boolean => {
    const mode = stats.mode & 0o777;
    if ((mode & 0o077) === 0) return false;
    const next = mode & 0o700;
    chmodSync(path, next);
    changed.push({ path, from: octal(mode), to: octal(next) });
    return true;
  };
  // The data folder's own entries are checked on every start (a handful). A subfolder is walked
  // only when it was itself readable by others: this version creates folders 0700 and files 0600,
  // so a private subfolder holds nothing an older version left open, and a start does not visit
  // every media file (hundreds of thousands on a busy installation) again and again.
  const walk = (folder: string, stats: Stats, always: boolean) => {
    if (!tighten(folder, stats) && !always) return;
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path, lstatSync(path), false);
      else if (entry.isFile()) tighten(path, lstatSync(path));
    }
  };
  walk(dataDir, lstatSync(dataDir), true);
  for (const file of options.extraFiles ?? []) {
    const stats = lstatSync(file, { throwIfNoEntry: false });
    if (stats?.isFile() && !changed.some((item) => item.path === file)) tighten(file, stats);
  }
  if (changed.length > 0) {
    options.logger?.warn(
      { dataDir, count: changed.length, changed: changed.slice(0, 50).map((item) => ({ ...item, path: relative(dataDir, item.path) || '.' })) },
      'data folder permissions tightened: group and others can no longer read it (folders 0700, files 0600)',
    );
  }
  return changed;
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
