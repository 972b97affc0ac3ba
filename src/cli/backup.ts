import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync, renameSync, type WriteStream } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import SQLite from 'better-sqlite3';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { DATA_DIR_MODE, DATA_FILE_MODE } from '../app/data-dir.js';

/**
 * `conversa backup` and `conversa restore`: one ZIP archive holding a consistent snapshot of the
 * SQLite database (SQLite's online backup API, taken while the server runs), the files of the
 * data folder (the secret key that seals provider secrets, media, the embedded sandbox's state)
 * and a manifest with every file's SHA-256. See docs/data-protection.md, "Backups".
 */

/** The archive format this version writes and reads. */
export const BACKUP_FORMAT = 'conversa-backup';
export const BACKUP_FORMAT_VERSION = 1;
const MANIFEST = 'manifest.json';
const DATABASE_ENTRY = 'database/conversa.db';
const DATA_PREFIX = 'data/';
/** A manifest larger than this is not one of ours (it lists paths and hashes). */
const MANIFEST_MAX_BYTES = 256 * 1024 * 1024;

export interface ManifestFile {
  /** The entry's name in the archive: `database/conversa.db` or `data/<path in the data folder>`. */
  path: string;
  size: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  format_version: number;
  conversa_version: string;
  created_at: string;
  /** The SQLite snapshot; null in a `--data-only` archive (PostgreSQL installations back the database up with pg_dump). */
  database: { dialect: 'sqlite'; path: string; migration: string | null; migrations: number; size: number } | null;
  /** Where the key that seals provider secrets came from: the data folder (`data/secret.key` is in the archive) or CONVERSA_SECRET_KEY (not in the archive). */
  secret_key: 'data-folder' | 'environment' | 'missing';
  files: ManifestFile[];
}

/** A refusal or failure the command reports as it is (exit code 1), without a stack trace. */
export class BackupError extends Error {
  override name = 'BackupError';
}

export interface BackupOptions {
  /** The archive to write. */
  to: string;
  dataDir: string;
  /** The database URL `serve` uses (`sqlite:<path>` or `postgres://…`). */
  databaseUrl: string;
  /** CONVERSA_SECRET_KEY is set: the key is not a file of the data folder. */
  secretKeyFromEnvironment: boolean;
  /** Archive only the data folder (for PostgreSQL installations, whose database pg_dump saves). */
  dataOnly?: boolean;
  /** Replace an existing archive. */
  force?: boolean;
  /** Creation time; the CLI passes the host's. */
  now: Date;
}

export interface BackupResult {
  file: string;
  manifest: BackupManifest;
  bytes: number;
}

/**
 * Writes the archive to `<to>.partial`, then renames it to `to`: a crash never leaves a half
 * archive under the name the operator asked for. The database snapshot is taken first and the
 * data folder read after it, so every media file the snapshot refers to is in the archive (media
 * bytes are stored before the row naming them is committed, and never rewritten in place).
 */
export async function createBackup(options: BackupOptions): Promise<BackupResult> {
  const target = resolve(options.to);
  const partial = `${target}.partial`;
  const dataDir = resolve(options.dataDir);
  const sqlitePath = sqlitePathOf(options.databaseUrl);
  if (sqlitePath === undefined && !options.dataOnly) {
    throw new BackupError(
      'DATABASE_URL is a PostgreSQL database: conversa backup snapshots SQLite only. Back the database up with pg_dump (docs/data-protection.md, "Backups"), and the data folder (secret key, media) with: conversa backup --data-only --to FILE',
    );
  }
  if (sqlitePath === ':memory:' && !options.dataOnly) throw new BackupError('DATABASE_URL is an in-memory SQLite database: there is nothing on disk to back up.');
  const dataStats = await stat(dataDir).catch(() => undefined);
  if (!dataStats?.isDirectory()) throw new BackupError(`The data folder ${dataDir} does not exist (CONVERSA_DATA_DIR): nothing to back up. Run the backup with the environment the server runs with.`);
  if (sqlitePath && !options.dataOnly && !(await stat(sqlitePath).catch(() => undefined))?.isFile()) {
    throw new BackupError(`The SQLite database ${sqlitePath} does not exist (DATABASE_URL / CONVERSA_DATA_DIR): nothing to back up. Run the backup with the environment the server runs with.`);
  }
  if (!options.force && (await lstat(target).catch(() => undefined))) throw new BackupError(`${target} already exists: choose another file, or pass --force to replace it.`);
  if (!(await stat(dirname(target)).catch(() => undefined))?.isDirectory()) throw new BackupError(`The folder ${dirname(target)} does not exist: create it first.`);

  // The snapshot is written beside the archive (same file system, no copy through a small /tmp),
  // in a private folder: it holds personal data.
  const work = await mkdtemp(join(dirname(target), '.conversa-backup-'));
  let written: WriteStream | undefined;
  try {
    let database: BackupManifest['database'] = null;
    const snapshot = join(work, 'conversa.db');
    if (sqlitePath && sqlitePath !== ':memory:' && !options.dataOnly) database = { ...(await snapshotSqlite(sqlitePath, snapshot)), path: DATABASE_ENTRY };

    // Files the archive must not hold: the live database (its snapshot is in), the archive itself
    // and the work folder when they are inside the data folder, and temporary files being written.
    const skip = new Set([target, partial, work]);
    if (sqlitePath && sqlitePath !== ':memory:') for (const suffix of ['', '-wal', '-shm', '-journal']) skip.add(resolve(`${sqlitePath}${suffix}`));
    const dataFiles = await listFiles(dataDir, skip);

    const zip = new yazl.ZipFile();
    // It holds the secret key and personal data: created owner only (a file left by a crash is replaced, not reused).
    await rm(partial, { force: true });
    written = createWriteStream(partial, { mode: DATA_FILE_MODE, flags: 'wx' });
    const output = pipeline(zip.outputStream, written);
    const files: ManifestFile[] = [];
    let failed: unknown;
    const failure = new Promise<never>((_, reject) => {
      zip.on('error', reject);
      output.catch(reject);
    });
    failure.catch((error: unknown) => (failed = error));
    const add = async (path: string, entry: string): Promise<boolean> => {
      let handle;
      try {
        handle = await open(path, 'r');
      } catch (error) {
        // Deleted since the listing (an erasure, a retention prune): it is no longer data to keep.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
      const info = await handle.stat();
      const hash = createHash('sha256');
      let size = 0;
      const hashing = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          size += chunk.length;
          callback(null, chunk);
        },
      });
      const source = handle.createReadStream();
      source.pipe(hashing);
      source.on('error', (error) => hashing.destroy(error));
      zip.addReadStream(hashing, entry, { mtime: info.mtime, mode: 0o100600 });
      // One file at a time: yazl reads the entries in order, so at most one file is open.
      await Promise.race([finished(hashing), failure]);
      files.push({ path: entry, size, sha256: hash.digest('hex') });
      return true;
    };
    if (database) {
      await add(snapshot, DATABASE_ENTRY);
      database.size = files[0]?.size ?? 0;
    }
    for (const file of dataFiles) await add(file, DATA_PREFIX + relative(dataDir, file).split(sep).join('/'));
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      format_version: BACKUP_FORMAT_VERSION,
      conversa_version: conversaVersion(),
      created_at: options.now.toISOString(),
      database,
      secret_key: options.secretKeyFromEnvironment ? 'environment' : files.some((file) => file.path === `${DATA_PREFIX}secret.key`) ? 'data-folder' : 'missing',
      files,
    };
    zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), MANIFEST, { mtime: options.now, mode: 0o100600 });
    zip.end();
    await Promise.race([output, failure]);
    if (failed) throw failed;
    const handle = await open(partial, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(partial, target);
    return { file: target, manifest, bytes: (await stat(target)).size };
  } catch (error) {
    written?.destroy();
    await rm(partial, { force: true });
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * A consistent copy of a live SQLite database, written by the server in another process: the
 * online backup API copying every page in one step, that is inside one read transaction (in WAL
 * mode a reader never blocks the server's writes). Copying a few pages per step would restart
 * from the first page each time the server commits, forever on a busy installation.
 */
async function snapshotSqlite(source: string, destination: string): Promise<{ dialect: 'sqlite'; migration: string | null; migrations: number; size: number }> {
  const live = new SQLite(source, { fileMustExist: true });
  try {
    live.pragma('busy_timeout = 5000');
    await live.backup(destination, { progress: () => 0x7fffffff });
  } finally {
    live.close();
  }
  const copy = new SQLite(destination, { fileMustExist: true });
  try {
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`The database snapshot failed SQLite's quick_check (${String(check)}): the database ${source} may be damaged.`);
    const hasMigrations = copy.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'").get() !== undefined;
    const latest = hasMigrations ? (copy.prepare('SELECT max(name) AS name, count(*) AS count FROM kysely_migration').get() as { name: string | null; count: number }) : { name: null, count: 0 };
    // One self-contained file in the archive: no -wal beside it.
    copy.pragma('journal_mode = DELETE');
    return { dialect: 'sqlite', migration: latest.name, migrations: latest.count, size: 0 };
  } finally {
    copy.close();
  }
}

/** Every regular file under `root` (symbolic links are not followed), sorted, minus `skip` and temporary files. */
async function listFiles(root: string, skip: Set<string>): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string) => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      // The archive being written and a backup's work folder, when they are inside the data folder.
      if (skip.has(path) || entry.name.startsWith('.conversa-backup-') || entry.name.endsWith('.partial')) continue;
      if (entry.isDirectory()) await walk(path);
      // Media being written (renamed into place when complete), a restore's files in progress.
      else if (entry.isFile() && !entry.name.endsWith('.tmp') && !entry.name.endsWith('.restore-tmp')) found.push(path);
    }
  };
  await walk(root);
  return found.sort();
}

export interface RestoreOptions {
  from: string;
  /** The data folder to restore into. */
  dataDir: string;
  /** The database URL `serve` will use with that data folder. */
  databaseUrl: string;
  force?: boolean;
}

export interface RestoreResult {
  manifest: BackupManifest;
  dataDir: string;
  /** Where the database was written; undefined for a `--data-only` archive. */
  databasePath: string | undefined;
  files: number;
  bytes: number;
}

/**
 * Restores an archive of `createBackup`. Nothing is written until the manifest and every entry
 * (name, size and SHA-256) are verified; then each file is written beside its place and renamed
 * into it, the database last, and checked with `PRAGMA integrity_check`.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const from = resolve(options.from);
  const dataDir = resolve(options.dataDir);
  if (!(await stat(from).catch(() => undefined))?.isFile()) throw new BackupError(`${from} does not exist or is not a file.`);
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(from, { autoClose: false, strictFileNames: true, validateEntrySizes: true });
  } catch (error) {
    throw new BackupError(`${from} is not a Conversa backup (not a readable ZIP archive: ${(error as Error).message}). Nothing was written.`);
  }
  try {
    // 1. Every entry, its name checked before anything else.
    const entries = new Map<string, yauzl.Entry>();
    try {
      for await (const entry of zip.eachEntry()) {
        if (entry.fileName.endsWith('/')) continue;
        checkEntryName(entry.fileName);
        if (entries.has(entry.fileName)) throw new BackupError(`The archive holds "${entry.fileName}" twice: it was not made by conversa backup. Nothing was written.`);
        entries.set(entry.fileName, entry);
      }
    } catch (error) {
      if (error instanceof BackupError) throw error;
      throw new BackupError(`The archive holds an unsafe or unreadable entry (${(error as Error).message}): refused. Nothing was written.`);
    }
    // 2. The manifest.
    const manifestEntry = entries.get(MANIFEST);
    if (!manifestEntry) throw new BackupError(`The archive has no ${MANIFEST}: it is not a Conversa backup. Nothing was written.`);
    if (manifestEntry.uncompressedSize > MANIFEST_MAX_BYTES) throw new BackupError(`The archive's ${MANIFEST} is too large to be a Conversa manifest. Nothing was written.`);
    const manifest = parseManifest(await readAll(await zip.openReadStreamPromise(manifestEntry)));
    const listed = new Map(manifest.files.map((file) => [file.path, file]));
    for (const name of entries.keys()) if (name !== MANIFEST && !listed.has(name)) throw new BackupError(`The archive holds "${name}", which its manifest does not list: refused. Nothing was written.`);
    for (const file of manifest.files) if (!entries.has(file.path)) throw new BackupError(`The manifest lists "${file.path}", which the archive does not hold: the archive is incomplete. Nothing was written.`);
    // 3. Every file's bytes.
    for (const file of manifest.files) {
      const { sha256, size } = await digest(await openEntry(zip, entries.get(file.path) as yauzl.Entry));
      if (size !== file.size || sha256 !== file.sha256) throw new BackupError(`"${file.path}" does not match the manifest (${size !== file.size ? `size ${size}, expected ${file.size}` : 'SHA-256 differs'}): the archive is damaged or was altered. Nothing was written.`);
    }

    // 4. The target.
    const sqlitePath = sqlitePathOf(options.databaseUrl);
    const databasePath = manifest.database ? sqlitePath : undefined;
    if (manifest.database && sqlitePath === undefined) {
      throw new BackupError('This archive holds a SQLite database, and DATABASE_URL is a PostgreSQL database: restore it with DATABASE_URL unset (the database goes into the data folder) or set to sqlite:<file>. Nothing was written.');
    }
    if (databasePath === ':memory:') throw new BackupError('DATABASE_URL is an in-memory SQLite database: set it to sqlite:<file>, or unset it. Nothing was written.');
    const targetStats = await stat(dataDir).catch(() => undefined);
    if (targetStats && !targetStats.isDirectory()) throw new BackupError(`${dataDir} exists and is not a folder. Nothing was written.`);
    if (!options.force) {
      const existing = await readdir(dataDir).catch(() => [] as string[]);
      if (existing.length > 0) throw new BackupError(`The data folder ${dataDir} is not empty: restore into a new folder (--data-dir), or pass --force to write over it (stop the server that uses it first). Nothing was written.`);
      if (databasePath && (await lstat(databasePath).catch(() => undefined))) throw new BackupError(`The database ${databasePath} already exists: pass --force to replace it (stop the server that uses it first). Nothing was written.`);
    }

    // 5. Write: data files, then the database.
    let bytes = 0;
    let count = 0;
    const total = manifest.files.filter((file) => file.path.startsWith(DATA_PREFIX) || (databasePath && file.path === DATABASE_ENTRY)).length;
    try {
      await mkdir(dataDir, { recursive: true, mode: DATA_DIR_MODE });
      for (const file of manifest.files) {
        if (!file.path.startsWith(DATA_PREFIX)) continue;
        const destination = inside(dataDir, file.path.slice(DATA_PREFIX.length));
        await writeEntry(zip, entries.get(file.path) as yauzl.Entry, file, destination, dataDir);
        bytes += file.size;
        count += 1;
      }
      if (manifest.database && databasePath) {
        const file = listed.get(manifest.database.path) as ManifestFile;
        await mkdir(dirname(databasePath), { recursive: true, mode: DATA_DIR_MODE });
        // A -wal left by the database being replaced would be replayed into the restored one.
        for (const suffix of ['-wal', '-shm', '-journal']) await rm(`${databasePath}${suffix}`, { force: true });
        await writeEntry(zip, entries.get(file.path) as yauzl.Entry, file, databasePath, dirname(databasePath));
        bytes += file.size;
        count += 1;
        checkIntegrity(databasePath);
      }
    } catch (error) {
      if (error instanceof BackupError && count === total) throw error;
      // Verified, but the disk refused (full, permissions): say how far it got.
      throw new BackupError(`The restore stopped after writing ${count} of ${total} files into ${dataDir}: ${(error as Error).message}. Free the cause, then run it again with --force.`, { cause: error });
    }
    return { manifest, dataDir, databasePath, files: count, bytes };
  } finally {
    zip.close();
  }
}

/** `PRAGMA integrity_check` on the restored database; a file SQLite cannot even open fails it too. */
function checkIntegrity(path: string): void {
  let problems: string[];
  try {
    const restored = new SQLite(path, { fileMustExist: true });
    try {
      const rows = restored.pragma('integrity_check') as Array<{ integrity_check: string }>;
      problems = rows.map((row) => row.integrity_check).filter((line) => line !== 'ok');
    } finally {
      restored.close();
    }
  } catch (error) {
    problems = [(error as Error).message];
  }
  if (problems.length === 0) return;
  // Out of the way, so that no server starts on it; kept for whoever investigates.
  renameSync(path, `${path}.damaged`);
  throw new BackupError(`The restored database failed PRAGMA integrity_check (${problems.slice(0, 5).join('; ')}): the backup's database was damaged before it was archived. It was moved to ${path}.damaged; restore another backup.`);
}

/** Entry names this format writes: `manifest.json`, `database/conversa.db`, `data/<relative path>`; nothing that climbs out of the target. */
function checkEntryName(name: string): void {
  const segments = name.split('/');
  const safe =
    name.length > 0 &&
    name.length <= 4096 &&
    !name.includes('\\') &&
    !name.includes('\0') &&
    !isAbsolute(name) &&
    !/^[a-zA-Z]:/.test(name) &&
    segments.every((segment) => segment !== '' && segment !== '.' && segment !== '..') &&
    (name === MANIFEST || name === DATABASE_ENTRY || (name.startsWith(DATA_PREFIX) && segments.length >= 2));
  if (!safe) throw new BackupError(`The archive holds an unsafe entry name ${JSON.stringify(name)} (only manifest.json, ${DATABASE_ENTRY} and data/<relative path> are allowed): refused. Nothing was written.`);
}

/** `relativePath` under `root`, refusing anything that resolves outside it. */
function inside(root: string, relativePath: string): string {
  const path = resolve(root, ...relativePath.split('/'));
  if (path === root || !path.startsWith(`${root}${sep}`)) throw new BackupError(`The archive entry "${relativePath}" points outside ${root}: refused.`);
  return path;
}

function parseManifest(bytes: Buffer): BackupManifest {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BackupError(`The archive's ${MANIFEST} is not JSON: the archive is damaged or not a Conversa backup. Nothing was written.`);
  }
  const manifest = value as BackupManifest;
  if (typeof value !== 'object' || value === null || manifest.format !== BACKUP_FORMAT) throw new BackupError(`The archive's ${MANIFEST} is not a Conversa backup manifest (format must be "${BACKUP_FORMAT}"). Nothing was written.`);
  if (manifest.format_version !== BACKUP_FORMAT_VERSION) throw new BackupError(`The archive is format version ${String(manifest.format_version)}; this version of Conversa reads version ${BACKUP_FORMAT_VERSION}. Nothing was written.`);
  const files = manifest.files as unknown;
  if (!Array.isArray(files) || !files.every((file: ManifestFile) => typeof file?.path === 'string' && Number.isSafeInteger(file.size) && file.size >= 0 && typeof file.sha256 === 'string' && /^[0-9a-f]{64}$/.test(file.sha256))) {
    throw new BackupError(`The archive's ${MANIFEST} has a malformed file list (each needs path, size and sha256). Nothing was written.`);
  }
  const seen = new Set<string>();
  for (const file of manifest.files) {
    checkEntryName(file.path);
    if (file.path === MANIFEST || seen.has(file.path)) throw new BackupError(`The archive's ${MANIFEST} lists "${file.path}" twice or lists itself. Nothing was written.`);
    seen.add(file.path);
  }
  if (manifest.database !== null && (typeof manifest.database !== 'object' || manifest.database.path !== DATABASE_ENTRY || !seen.has(DATABASE_ENTRY))) {
    throw new BackupError(`The archive's ${MANIFEST} names a database that is not in its file list. Nothing was written.`);
  }
  return manifest;
}

async function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  try {
    return await zip.openReadStreamPromise(entry);
  } catch (error) {
    throw new BackupError(`"${entry.fileName}" cannot be read from the archive (${(error as Error).message}): the archive is damaged. Nothing was written.`);
  }
}

async function digest(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (error) {
    throw new BackupError(`The archive is damaged (${(error as Error).message}). Nothing was written.`);
  }
  return { sha256: hash.digest('hex'), size };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Writes one verified entry to `<destination>.restore-tmp` and renames it into place, hashing it
 * again on the way: the archive could change between the check and the write.
 */
async function writeEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, file: ManifestFile, destination: string, root: string): Promise<void> {
  await mkdirInside(root, dirname(destination));
  const temporary = `${destination}.restore-tmp`;
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(await openEntry(zip, entry), hashing, createWriteStream(temporary, { mode: DATA_FILE_MODE }));
    if (hash.digest('hex') !== file.sha256) throw new BackupError(`"${file.path}" changed while it was being restored: the archive was altered during the restore.`);
    await chmod(temporary, DATA_FILE_MODE);
    await rename(temporary, destination);
  } finally {
    await rm(temporary, { force: true });
  }
}

/** Creates the folders from `root` down to `folder` (0700), refusing to go through a symbolic link. */
async function mkdirInside(root: string, folder: string): Promise<void> {
  let current = root;
  for (const segment of relative(root, folder).split(sep).filter(Boolean)) {
    current = join(current, segment);
    const info = await lstat(current).catch(() => undefined);
    if (!info) await mkdir(current, { mode: DATA_DIR_MODE });
    else if (!info.isDirectory()) throw new BackupError(`${current} exists and is not a folder (a symbolic link or a file): refused.`);
  }
}

/** The SQLite file of a `sqlite:` URL, or undefined for PostgreSQL. */
export function sqlitePathOf(databaseUrl: string): string | undefined {
  if (!databaseUrl.startsWith('sqlite:')) return undefined;
  const path = databaseUrl.slice('sqlite:'.length);
  return path === '' || path === ':memory:' ? ':memory:' : resolve(path);
}

function conversaVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Human-readable size. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
