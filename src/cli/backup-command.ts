import { loadConfig } from '../config/index.js';
import { BackupError, createBackup, formatBytes, restoreBackup, sqlitePathOf } from './backup.js';
import type { CampaignCommandIo } from './campaign-command.js';
import { parseSubcommand } from './subcommand.js';

const BACKUP_HELP = `Usage: conversa backup --to FILE [--force] [--data-only]

Writes one ZIP archive with a consistent snapshot of the SQLite database (SQLite's online backup
API: the server may keep running and writing), every file of the data folder (secret.key, which
opens the provider secrets sealed in the database; media; the embedded sandbox's state) and a
manifest (versions, schema migration, each file's size and SHA-256). The archive is written to
FILE.partial and renamed to FILE when complete. It uses the environment \`conversa serve\` uses
(CONVERSA_DATA_DIR, DATABASE_URL).

The archive holds the secret key and personal data: keep it encrypted, with restricted access
(docs/data-protection.md, "Backups").

Options:
  --to FILE       the archive to write (required)
  --force         replace FILE when it exists
  --data-only     only the data folder, no database: for PostgreSQL installations, whose
                  database is saved with pg_dump (see docs/data-protection.md)`;

const RESTORE_HELP = `Usage: conversa restore --from FILE [--data-dir DIR] [--force]

Restores an archive of \`conversa backup\`: checks the manifest and every file's SHA-256 before
writing anything, writes the data folder's files and the SQLite database, and runs SQLite's
PRAGMA integrity_check. Stop the server of the target installation first.

Options:
  --from FILE     the archive (required)
  --data-dir DIR  the data folder to restore into (default CONVERSA_DATA_DIR, else ./data); the
                  database goes where \`conversa serve\` looks for it: DATABASE_URL when it is a
                  sqlite: URL, else DIR/conversa.db
  --force         write over a data folder that is not empty and an existing database`;

type Io = Omit<CampaignCommandIo, 'tty'>;

/** `conversa backup`. Answers the exit code: 0 written, 1 refused or failed, 2 bad usage. */
export async function runBackup(argv: string[], io: Io): Promise<number> {
  const parsed = parseSubcommand(argv, io, { noun: 'backup', actions: [], help: BACKUP_HELP, options: { to: { type: 'string' }, force: { type: 'boolean' }, 'data-only': { type: 'boolean' } } });
  if (typeof parsed === 'number') return parsed;
  const { values, rest } = parsed;
  if (rest.length > 0) {
    io.err(`Unexpected argument "${rest[0]}".\n\n${BACKUP_HELP}`);
    return 2;
  }
  if (!values.to) {
    io.err(`conversa backup needs --to FILE: where to write the archive.\n\n${BACKUP_HELP}`);
    return 2;
  }
  const config = loadConfig(io.env);
  try {
    // The CLI is outside src/modules: the archive's creation time is the host's.
    const result = await createBackup({
      to: values.to,
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      secretKeyFromEnvironment: config.secretKey !== undefined,
      dataOnly: values['data-only'] === true,
      force: values.force === true,
      now: new Date(),
    });
    const { manifest } = result;
    const lines = [
      `Backup written: ${result.file} (${formatBytes(result.bytes)})`,
      manifest.database ? `  database   SQLite snapshot of ${sqlitePathOf(config.databaseUrl)}, schema ${manifest.database.migration ?? '(empty)'} (${formatBytes(manifest.database.size)})` : '  database   not included (--data-only)',
      `  data       ${plural(manifest.files.filter((file) => file.path.startsWith('data/')).length, 'file')} from ${config.dataDir}`,
      `  manifest   ${plural(manifest.files.length, 'file')} with their SHA-256, made ${manifest.created_at} by Conversa ${manifest.conversa_version}`,
    ];
    if (manifest.secret_key === 'environment') lines.push('', 'The secret key comes from CONVERSA_SECRET_KEY and is NOT in the archive: keep it with the backup, or the provider secrets sealed in the database cannot be opened after a restore.');
    if (manifest.secret_key === 'missing') lines.push('', 'The data folder holds no secret.key (the server never started?): the archive has no key to open sealed provider secrets.');
    if (!manifest.database && sqlitePathOf(config.databaseUrl) === undefined) lines.push('', 'Back the PostgreSQL database up with pg_dump (docs/data-protection.md, "Backups").');
    lines.push('', 'The archive holds the secret key and personal data: store it encrypted, with restricted access.');
    io.out(lines.join('\n'));
    return 0;
  } catch (error) {
    if (error instanceof BackupError) {
      io.err(`conversa backup: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** `conversa restore`. Answers the exit code: 0 restored, 1 refused or failed, 2 bad usage. */
export async function runRestore(argv: string[], io: Io): Promise<number> {
  const parsed = parseSubcommand(argv, io, { noun: 'restore', actions: [], help: RESTORE_HELP, options: { from: { type: 'string' }, 'data-dir': { type: 'string' }, force: { type: 'boolean' } } });
  if (typeof parsed === 'number') return parsed;
  const { values, rest } = parsed;
  if (rest.length > 0) {
    io.err(`Unexpected argument "${rest[0]}".\n\n${RESTORE_HELP}`);
    return 2;
  }
  if (!values.from) {
    io.err(`conversa restore needs --from FILE: the archive of conversa backup.\n\n${RESTORE_HELP}`);
    return 2;
  }
  const env = values['data-dir'] ? { ...io.env, CONVERSA_DATA_DIR: values['data-dir'] } : io.env;
  const config = loadConfig(env);
  try {
    const result = await restoreBackup({ from: values.from, dataDir: config.dataDir, databaseUrl: config.databaseUrl, force: values.force === true });
    const { manifest } = result;
    const defaultDatabase = config.databaseUrl === loadConfig({ ...env, DATABASE_URL: '' }).databaseUrl;
    const lines = [
      `Restored ${plural(result.files, 'file')} (${formatBytes(result.bytes)}) from a backup made ${manifest.created_at} by Conversa ${manifest.conversa_version}; every SHA-256 matched.`,
      `  data       ${result.dataDir}`,
      result.databasePath ? `  database   ${result.databasePath} (schema ${manifest.database?.migration ?? '(empty)'}; PRAGMA integrity_check: ok)` : '  database   not in the archive (--data-only): restore the PostgreSQL database with pg_restore',
    ];
    if (manifest.secret_key === 'environment') lines.push('', 'The backed-up installation took its secret key from CONVERSA_SECRET_KEY: set the same key, or its sealed provider secrets cannot be opened.');
    lines.push('', 'Start it with:', `  CONVERSA_DATA_DIR=${shellQuote(result.dataDir)}${defaultDatabase ? '' : ` DATABASE_URL=${shellQuote(config.databaseUrl)}`} npm start`);
    io.out(lines.join('\n'));
    return 0;
  } catch (error) {
    if (error instanceof BackupError) {
      io.err(`conversa restore: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
