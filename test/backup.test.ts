import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup, runRestore } from '../src/cli/backup-command.js';
import { DEFAULT_SANDBOX_ACCESS_TOKEN } from '../src/config/index.js';
import { storageKeyOf } from '../src/modules/media/media-storage.js';
import { SecretBox } from '../src/security/secret-box.js';
import { conversa } from './support/cli.js';
import { DIALECTS } from './support/databases.js';
import { pdfFile, pngFile } from './support/media-files.js';
import { startTestApp, TEST_ADMIN_KEY } from './support/app.js';
import { platformApi } from './support/http.js';
import { json } from './support/processes.js';
import { useApp } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

/**
 * `conversa backup` / `conversa restore` (docs/data-protection.md, "Backups"). The online backup
 * runs against a real `conversa serve` in another process, the way an operator's cron job does,
 * while the API keeps accepting messages; the restore goes into a new folder and a server started
 * on it finds every message acknowledged before the backup, the media bytes, and opens the sealed
 * provider secrets with the restored key.
 */
/** The CLI with the server's settings only, nothing of the test runner's. */
const CLEAN = { CONVERSA_URL: '', CONVERSA_API_KEY: '', CONVERSA_ADMIN_KEY: '', DATABASE_URL: '', CONVERSA_SECRET_KEY: '', LOG_LEVEL: 'silent' };
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const folders: string[] = [];
const folder = (name: string) => {
  const path = mkdtempSync(join(tmpdir(), `conversa-backup-${name}-`));
  folders.push(path);
  return path;
};

afterAll(() => {
  for (const path of folders) rmSync(path, { recursive: true, force: true });
});

/** The commands in this process (fast: no tsx start), with the environment given and nothing of the test runner's. */
async function run(command: 'backup' | 'restore', args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { env: { ...CLEAN, ...env }, out: (text: string) => (stdout += `${text}\n`), err: (text: string) => (stderr += `${text}\n`) };
  const code = command === 'backup' ? await runBackup(args, io) : await runRestore(args, io);
  return { code, stdout, stderr };
}

describe('conversa backup while the server runs and takes messages (SQLite), then conversa restore into a new folder', () => {
  it('the restored installation holds every message acknowledged before the backup, the media bytes, and opens its sealed secrets', { timeout: 120_000 }, async () => {
    // The server runs in this process on its data folder's SQLite file; `conversa backup` and
    // `conversa restore` are real commands in child processes: the backup reads a WAL database
    // another process keeps writing, as an operator's cron job does next to `npm start`.
    const dataDir = folder('live');
    const server = await startTestApp({ dataDir });
    const api = platformApi(() => server);
    const customer = '5511977770001';
    // The customer writes first (the free-form window opens) and sends a PDF: inbound media
    // the platform downloads into the data folder.
    const pdf = pdfFile('Pedido 9090 — backup');
    const sandboxUrl = server.started.sandboxUrl as string;
    const numberId = server.started.sandboxNumber?.phone_number_id as string;
    await json(`${sandboxUrl}/sandbox/v1/phones/${customer}/messages`, 'POST', { to: numberId, type: 'text', text: { body: 'Oi' } });
    await json(`${sandboxUrl}/sandbox/v1/phones/${customer}/messages`, 'POST', { to: numberId, type: 'document', document: { data_base64: pdf.toString('base64'), mime_type: 'application/pdf', filename: 'pedido.pdf' } });
    const contact = (await api('POST', '/contacts', { phone: `+${customer}` })).body;
    const mediaId = await until(async () => {
      const conversation = (await api('GET', `/conversations?contact_id=${contact.id}&messages=50`)).body.data[0];
      const document = conversation?.last_messages?.find((m: Json) => m.type === 'document');
      const media = document && (await api('GET', `/media/${document.content.media_id}`)).body;
      return media?.status === 'ready' && (media.id as string);
    }, 'the inbound PDF to be stored');

    // The shop's system keeps sending; every 202 is an acknowledged message.
    const acknowledged: string[] = [];
    let sending = true;
    let n = 0;
    const sender = (async () => {
      while (sending) {
        const sent = await api('POST', '/messages', { to: `+${customer}`, type: 'text', text: { body: `pedido ${n++}` } });
        expect(sent.status).toBe(202);
        acknowledged.push(sent.body.id as string);
      }
    })();
    await until(async () => acknowledged.length >= 25, '25 acknowledged sends');
    const beforeBackup = [...acknowledged];
    const archive = join(folder('archive'), 'conversa.zip');
    const backup = await conversa(['backup', '--to', archive], { ...CLEAN, CONVERSA_DATA_DIR: dataDir });
    const duringBackup = acknowledged.length - beforeBackup.length;
    sending = false;
    await sender;
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain(`Backup written: ${archive}`);
    expect(duringBackup, 'the server kept acknowledging sends while the backup ran').toBeGreaterThan(0);
    expect(existsSync(`${archive}.partial`)).toBe(false);
    expect(statSync(archive).mode & 0o777).toBe(0o600);
    const originalKey = readFileSync(join(dataDir, 'secret.key'), 'utf8');
    await server.close();

    // What the archive holds: the manifest, the database snapshot, the data folder without the live database.
    const names = await entryNames(archive);
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'database/conversa.db', 'data/secret.key', `data/media/${storageKeyOf(sha256(pdf))}`, 'data/sandbox/state.json']));
    expect(names.filter((name) => /conversa\.db(-wal|-shm)?$/.test(name))).toEqual(['database/conversa.db']);

    const restoredDir = join(folder('restored'), 'data');
    const restore = await conversa(['restore', '--from', archive, '--data-dir', restoredDir], CLEAN);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain('every SHA-256 matched');
    expect(restore.stdout).toContain('PRAGMA integrity_check: ok');
    expect(restore.stdout).toContain(`CONVERSA_DATA_DIR=${restoredDir} npm start`);

    // The restored files, read as they are on disk.
    expect(readFileSync(join(restoredDir, 'secret.key'), 'utf8')).toBe(originalKey);
    expect(readFileSync(join(restoredDir, 'media', ...storageKeyOf(sha256(pdf)).split('/'))).equals(pdf)).toBe(true);
    const db = new SQLite(join(restoredDir, 'conversa.db'), { readonly: true });
    try {
      const stored = new Set((db.prepare('SELECT id FROM messages').all() as Array<{ id: string }>).map((row) => row.id));
      expect(beforeBackup.filter((id) => !stored.has(id))).toEqual([]);
      const sealed = db.prepare('SELECT access_token_enc FROM phone_numbers').get() as { access_token_enc: string };
      expect(new SecretBox(originalKey.trim()).open(sealed.access_token_enc)).toBe(DEFAULT_SANDBOX_ACCESS_TOKEN);
    } finally {
      db.close();
    }

    // The platform started on the restored folder reads it all and sends with the restored key.
    const restored = await startTestApp({ dataDir: restoredDir });
    try {
      const restoredApi = platformApi(() => restored);
      for (const id of beforeBackup) expect((await restoredApi('GET', `/messages/${id}`)).status, id).toBe(200);
      const content = await fetch(`${restored.started.platformUrl}/api/v1/media/${mediaId}/content`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
      expect(Buffer.from(await content.arrayBuffer()).equals(pdf)).toBe(true);
      // Another customer writes (the restored sandbox state knows the business number), and a
      // reply leaves. Not the first customer: the sends above may have spent that pair's rate
      // limit (Meta's 131056, about 45 in a burst), and the restored queue retries them first.
      const other = '5511977770002';
      await json(`${restored.started.sandboxUrl}/sandbox/v1/phones/${other}/messages`, 'POST', { to: numberId, type: 'text', text: { body: 'Ainda aí?' } });
      // The reply is refused (422, window closed) until the platform has taken the customer's
      // message in from its webhook: send it once it is accepted.
      const reply = await until(async () => {
        const answer = await restoredApi('POST', '/messages', { to: `+${other}`, type: 'text', text: { body: 'Sim, depois da restauração' } });
        if (answer.status !== 202 && answer.body?.error?.code !== 'CONVERSA_ERR_WINDOW_CLOSED') throw new Error(`the reply answered ${answer.status}: ${answer.text}`);
        return answer.status === 202 && answer;
      }, "the customer's message to open the window", 30_000);
      await until(async () => ['sent', 'delivered', 'read'].includes((await restoredApi('GET', `/messages/${reply.body.id}`)).body.status), 'the reply to be sent with the restored access token', 30_000);
    } finally {
      await restored.close();
    }
  });
});

/** A small SQLite installation made by hand (a database file, the secret key, one media file): enough for the refusals, without a server. */
function smallInstallation(): { dataDir: string; png: Buffer } {
  const dataDir = folder('small');
  const db = new SQLite(join(dataDir, 'conversa.db'));
  db.pragma('journal_mode = WAL');
  db.exec("CREATE TABLE messages (id TEXT PRIMARY KEY); INSERT INTO messages VALUES ('msg_1'), ('msg_2');");
  db.close();
  writeFileSync(join(dataDir, 'secret.key'), `${'ab'.repeat(32)}\n`, { mode: 0o600 });
  const png = pngFile({ width: 2, height: 2 });
  const path = join(dataDir, 'media', ...storageKeyOf(sha256(png)).split('/'));
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, png);
  return { dataDir, png };
}

describe('conversa backup and restore refuse what they must', () => {
  let dataDir: string;
  let archive: string;
  beforeAll(async () => {
    ({ dataDir } = smallInstallation());
    archive = join(folder('refusals'), 'good.zip');
    const made = await run('backup', ['--to', archive], { ...CLEAN, CONVERSA_DATA_DIR: dataDir });
    expect(made).toMatchObject({ code: 0, stderr: '' });
  }, 60_000);

  it('backup: needs --to, will not replace an existing file without --force, and needs the data folder', async () => {
    const env = { ...CLEAN, CONVERSA_DATA_DIR: dataDir };
    expect(await conversa(['backup'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('needs --to FILE') });
    const before = readFileSync(archive);
    expect(await run('backup', ['--to', archive], env)).toMatchObject({ code: 1, stderr: expect.stringContaining(`${archive} already exists`) });
    expect(readFileSync(archive).equals(before)).toBe(true);
    expect(await run('backup', ['--to', archive, '--force'], env)).toMatchObject({ code: 0 });
    const missing = join(dataDir, 'nope');
    expect(await run('backup', ['--to', join(folder('x'), 'a.zip')], { ...CLEAN, CONVERSA_DATA_DIR: missing })).toMatchObject({ code: 1, stderr: expect.stringContaining(`The data folder ${missing} does not exist`) });
  }, 60_000);

  it('backup: refuses a PostgreSQL database, pointing to pg_dump and --data-only, and writes nothing', async () => {
    const target = join(folder('pg'), 'pg.zip');
    const refused = await run('backup', ['--to', target], { ...CLEAN, CONVERSA_DATA_DIR: dataDir, DATABASE_URL: 'postgres://127.0.0.1:5432/nowhere' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('PostgreSQL');
    expect(refused.stderr).toContain('pg_dump');
    expect(refused.stderr).toContain('--data-only');
    expect(existsSync(target)).toBe(false);
    expect(existsSync(`${target}.partial`)).toBe(false);
  }, 60_000);

  it('restore: refuses a data folder that is not empty (unless --force), and restores over it with --force', async () => {
    const target = folder('busy');
    writeFileSync(join(target, 'notes.txt'), 'mine');
    expect(await run('restore', ['--from', archive, '--data-dir', target], CLEAN)).toMatchObject({ code: 1, stderr: expect.stringContaining(`The data folder ${target} is not empty`) });
    expect(readdirSync(target)).toEqual(['notes.txt']);
    // The database where DATABASE_URL puts it, outside the data folder: an existing one is refused too.
    const elsewhere = join(folder('db-elsewhere'), 'live.db');
    writeFileSync(elsewhere, 'not ours to replace');
    const empty = join(folder('empty'), 'data');
    expect(await run('restore', ['--from', archive, '--data-dir', empty], { DATABASE_URL: `sqlite:${elsewhere}` })).toMatchObject({ code: 1, stderr: expect.stringContaining(`The database ${elsewhere} already exists`) });
    expect(readFileSync(elsewhere, 'utf8')).toBe('not ours to replace');
    expect(existsSync(empty)).toBe(false);
    // A stale -wal of the database being replaced would be replayed into the restored one.
    writeFileSync(join(target, 'conversa.db-wal'), 'stale');
    expect(await run('restore', ['--from', archive, '--data-dir', target, '--force'], CLEAN)).toMatchObject({ code: 0 });
    expect(existsSync(join(target, 'conversa.db-wal'))).toBe(false);
    const db = new SQLite(join(target, 'conversa.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM messages').get()).toEqual({ n: 2 });
    db.close();
  }, 60_000);

  it('restore: a file altered in the archive fails its SHA-256 check and nothing is written', async () => {
    // The same archive with another secret.key under the same manifest.
    const tampered = join(folder('tampered'), 'tampered.zip');
    await rewrite(archive, tampered, (name, bytes) => (name === 'data/secret.key' ? Buffer.from(`${'cd'.repeat(32)}\n`) : bytes));
    const target = join(folder('t1'), 'data');
    const refused = await run('restore', ['--from', tampered, '--data-dir', target], CLEAN);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('"data/secret.key" does not match the manifest');
    expect(refused.stderr).toContain('Nothing was written');
    expect(existsSync(target)).toBe(false);

    // A byte flipped in a stored (uncompressed) entry: ZIP readers do not check CRC-32, the manifest does.
    const flipped = join(folder('flipped'), 'flipped.zip');
    await rewrite(archive, flipped, (_name, bytes) => bytes, { compress: false });
    const raw = readFileSync(flipped);
    const at = raw.indexOf(Buffer.from('ab'.repeat(32)));
    expect(at).toBeGreaterThan(0);
    raw[at] = 'x'.charCodeAt(0);
    writeFileSync(flipped, raw);
    const damaged = await run('restore', ['--from', flipped, '--data-dir', target], CLEAN);
    expect(damaged).toMatchObject({ code: 1, stderr: expect.stringContaining('"data/secret.key" does not match the manifest') });
    expect(existsSync(target)).toBe(false);

    expect(await run('restore', ['--from', join(folder('t2'), 'none.zip'), '--data-dir', target], CLEAN)).toMatchObject({ code: 1, stderr: expect.stringContaining('does not exist') });
    const notZip = join(folder('t3'), 'not.zip');
    writeFileSync(notZip, 'hello');
    expect(await run('restore', ['--from', notZip, '--data-dir', target], CLEAN)).toMatchObject({ code: 1, stderr: expect.stringContaining('not a Conversa backup') });
    expect(existsSync(target)).toBe(false);
  }, 60_000);

  it('restore: a database that is not sound fails PRAGMA integrity_check, even with matching hashes', async () => {
    const crafted = join(folder('junk-db'), 'junk.zip');
    const junk = Buffer.alloc(8192, 0x5a);
    const zip = new yazl.ZipFile();
    const manifest = { format: 'conversa-backup', format_version: 1, conversa_version: 'x', created_at: '2026-12-06T00:00:00.000Z', database: { dialect: 'sqlite', path: 'database/conversa.db', migration: null, migrations: 0, size: junk.length }, secret_key: 'missing', files: [{ path: 'database/conversa.db', size: junk.length, sha256: sha256(junk) }] };
    zip.addBuffer(junk, 'database/conversa.db');
    zip.addBuffer(Buffer.from(JSON.stringify(manifest)), 'manifest.json');
    zip.end();
    writeFileSync(crafted, await collect(zip.outputStream));
    const target = join(folder('junk-target'), 'data');
    const refused = await run('restore', ['--from', crafted, '--data-dir', target], CLEAN);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('failed PRAGMA integrity_check');
    expect(refused.stdout).toBe('');
    // No server can start on it by mistake.
    expect(existsSync(join(target, 'conversa.db'))).toBe(false);
    expect(existsSync(join(target, 'conversa.db.damaged'))).toBe(true);
  });

  it('restore: refuses entry names that climb out of the data folder (../, absolute paths) and writes nothing', async () => {
    const base = folder('traversal');
    const target = join(base, 'restore-here', 'data');
    // The names are valid when the archive is made (a ZIP writer refuses "../"), then patched
    // byte for byte, in the local header, the central directory and the stored manifest alike.
    for (const [placeholder, evil] of [
      ['data/XX/escaped.txt', 'data/../escaped.txt'],
      ['Xtmp/escaped-abs.txt', '/tmp/escaped-abs.txt'],
      ['data/XX/XX/XX/esc.txt', 'data/../../../esc.txt'],
    ] as const) {
      const crafted = join(base, 'crafted.zip');
      const content = Buffer.from('pwned');
      const zip = new yazl.ZipFile();
      const manifest = { format: 'conversa-backup', format_version: 1, conversa_version: 'x', created_at: '2026-12-06T00:00:00.000Z', database: null, secret_key: 'missing', files: [{ path: placeholder, size: content.length, sha256: sha256(content) }] };
      zip.addBuffer(content, placeholder, { compress: false });
      zip.addBuffer(Buffer.from(JSON.stringify(manifest)), 'manifest.json', { compress: false });
      zip.end();
      const bytes = await collect(zip.outputStream);
      writeFileSync(crafted, patchAll(bytes, Buffer.from(placeholder), Buffer.from(evil)));
      const refused = await run('restore', ['--from', crafted, '--data-dir', target], CLEAN);
      expect(refused.code, evil).toBe(1);
      expect(refused.stderr).toMatch(/unsafe (entry|or unreadable entry)/);
      expect(refused.stderr).toContain('Nothing was written');
      expect(existsSync(join(base, 'restore-here'))).toBe(false);
      expect(existsSync(join(base, 'escaped.txt'))).toBe(false);
      expect(existsSync('/tmp/escaped-abs.txt')).toBe(false);
    }
  }, 60_000);
});

/** The data folder alone (`--data-only`) on both dialects: how a PostgreSQL installation keeps its secret key and media, next to pg_dump. */
describe.each(DIALECTS)('conversa backup --data-only on $name', (dialect) => {
  const running = useApp(dialect);

  it('archives the secret key and the media without the database, and restores them next to the database', { timeout: 60_000 }, async () => {
    const png = pngFile({ width: 3, height: 3, rgba: [1, 2, 3, 255] });
    const form = new FormData();
    form.append('file', new Blob([png], { type: 'image/png' }), 'logo.png');
    const uploaded = await fetch(`${running.started.platformUrl}/api/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` }, body: form });
    expect(uploaded.status).toBe(201);
    const databaseUrl = running.testDatabase?.url as string;
    const archive = join(folder('data-only'), 'data.zip');
    const env = { ...CLEAN, CONVERSA_DATA_DIR: running.dataDir, DATABASE_URL: databaseUrl };
    if (dialect.name === 'postgres') expect(await run('backup', ['--to', archive], env)).toMatchObject({ code: 1, stderr: expect.stringContaining('pg_dump') });
    const made = await run('backup', ['--data-only', '--to', archive], env);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    expect(made.stdout).toContain('not included (--data-only)');
    const names = await entryNames(archive);
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'data/secret.key', `data/media/${storageKeyOf(sha256(png))}`]));
    expect(names.some((name) => name.startsWith('database/') || name.includes('.db'))).toBe(false);

    const target = join(folder('data-only-restore'), 'data');
    const restored = await run('restore', ['--from', archive, '--data-dir', target], { ...CLEAN, DATABASE_URL: dialect.name === 'postgres' ? databaseUrl : '' });
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('not in the archive (--data-only)');
    expect(readFileSync(join(target, 'secret.key'), 'utf8')).toBe(readFileSync(join(running.dataDir, 'secret.key'), 'utf8'));
    expect(readFileSync(join(target, 'media', ...storageKeyOf(sha256(png)).split('/'))).equals(png)).toBe(true);
  });
});

async function entryNames(file: string): Promise<string[]> {
  const zip = await yauzl.openPromise(file);
  const names: string[] = [];
  for await (const entry of zip.eachEntry()) names.push(entry.fileName);
  return names;
}

/** Copies an archive entry by entry, passing each entry's bytes through `change`. */
async function rewrite(from: string, to: string, change: (name: string, bytes: Buffer) => Buffer, options: { compress?: boolean } = {}): Promise<void> {
  const source = await yauzl.openPromise(from, { autoClose: false });
  const out = new yazl.ZipFile();
  for await (const entry of source.eachEntry()) out.addBuffer(change(entry.fileName, await collect(await source.openReadStreamPromise(entry))), entry.fileName, { compress: options.compress ?? true });
  source.close();
  out.end();
  writeFileSync(to, await collect(out.outputStream));
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function patchAll(bytes: Buffer, from: Buffer, to: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let at = out.indexOf(from); at !== -1; at = out.indexOf(from, at + 1)) to.copy(out, at);
  return out;
}
