import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type RunningApp } from './support/app.js';
import { DIALECTS, type TestDatabase } from './support/databases.js';
import { platformApi, sandboxApi } from './support/http.js';
import { pdfFile, pngFile } from './support/media-files.js';
import { until, type Json } from './support/wait.js';

/**
 * The data folder holds personal data (the SQLite database with every conversation, media files,
 * the sandbox state with its app secret, the secret key): readable by its owner only. Every file
 * is stat'ed after a start with sends and media, and a folder left 0755/0644 by an older version
 * is tightened on start.
 */
type Entry = { path: string; kind: 'dir' | 'file'; mode: number };

function listTree(root: string): Entry[] {
  const entries: Entry[] = [{ path: '.', kind: 'dir', mode: lstatSync(root).mode & 0o777 }];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        entries.push({ path: relative(root, path), kind: 'dir', mode: lstatSync(path).mode & 0o777 });
        walk(path);
      } else if (entry.isFile()) {
        entries.push({ path: relative(root, path), kind: 'file', mode: lstatSync(path).mode & 0o777 });
      }
    }
  };
  walk(root);
  return entries;
}

/** Every entry readable by others, as `path 0644`: the list must be empty. */
const exposed = (entries: Entry[]) => entries.filter((entry) => (entry.mode & 0o077) !== 0).map((entry) => `${entry.path} 0${entry.mode.toString(8)}`);

describe.skipIf(process.platform === 'win32').each(DIALECTS)('data folder permissions on $name', (dialect) => {
  let database: TestDatabase;
  let parent: string;
  let dataDir: string;
  let running: RunningApp | undefined;
  let umask: number;
  // SQLite in the data folder, as `npm start` does; PostgreSQL keeps no file there.
  const databaseUrl = () => (dialect.name === 'sqlite' ? undefined : database.url);

  // A database per test: each test has its own data folder, so its own secret key.
  beforeEach(async () => {
    database = await dialect.create({ migrated: true });
    // The usual umask: without explicit modes, files come out 0644 and folders 0755.
    umask = process.umask(0o022);
    parent = mkdtempSync(join(tmpdir(), 'conversa-perm-'));
    dataDir = join(parent, 'data');
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    process.umask(umask);
    rmSync(parent, { recursive: true, force: true });
    await database.drop();
  });

  it('creates the data folder 0700 and every file in it 0600, after sends, uploads and inbound media', async () => {
    running = await startTestApp({ ...(databaseUrl() ? { databaseUrl: databaseUrl() } : {}), dataDir });
    const api = platformApi(() => running!);
    const sandbox = sandboxApi(() => running!);
    const pn = running.started.sandboxNumber!.phone_number_id;
    const waId = '5511977770001';
    // A customer writes and sends a document (downloaded into the media folder) ...
    await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: pn, type: 'text', text: { body: 'Oi' } });
    await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: pn, type: 'document', document: { data_base64: pdfFile().toString('base64'), mime_type: 'application/pdf', filename: 'rg.pdf' } });
    const contact = (await api('POST', '/contacts', { phone: `+${waId}` })).body;
    const inbound = await until(async () => {
      const conversation = (await api('GET', `/conversations?contact_id=${contact.id}&messages=10`)).body.data[0];
      return conversation?.last_messages.find((m: Json) => m.type === 'document')?.content.media_id as string | undefined;
    }, 'the inbound document');
    await until(async () => (await api('GET', `/media/${inbound}`)).body.status === 'ready', 'the inbound document downloaded');
    // ... and the business answers with text and an uploaded image.
    const form = new FormData();
    form.append('file', new Blob([pngFile({ width: 2, height: 2 })], { type: 'image/png' }), 'logo.png');
    const uploaded = await api('POST', '/media', form);
    expect(uploaded.status).toBe(201);
    const sends = [
      await api('POST', '/messages', { to: `+${waId}`, type: 'text', text: { body: 'Recebido!' } }),
      await api('POST', '/messages', { to: `+${waId}`, type: 'image', image: { id: uploaded.body.id } }),
    ];
    for (const send of sends) {
      expect(send.status).toBe(202);
      await until(async () => ['sent', 'delivered', 'read'].includes((await api('GET', `/messages/${send.body.id}`)).body.status), 'the send');
    }
    await until(async () => listTree(dataDir).some((entry) => entry.path === join('sandbox', 'state.json')), 'the sandbox state saved');

    const entries = listTree(dataDir);
    const names = entries.map((entry) => entry.path);
    expect(names).toEqual(expect.arrayContaining(['secret.key', join('sandbox', 'state.json'), 'media']));
    if (dialect.name === 'sqlite') expect(names).toEqual(expect.arrayContaining(['conversa.db', 'conversa.db-wal', 'conversa.db-shm']));
    expect(entries.filter((entry) => entry.kind === 'file' && entry.path.startsWith('media')).length).toBeGreaterThanOrEqual(2);
    expect(exposed(entries)).toEqual([]);
    expect(entries.filter((entry) => entry.kind === 'dir').every((entry) => entry.mode === 0o700)).toBe(true);
    expect(entries.filter((entry) => entry.kind === 'file').every((entry) => entry.mode === 0o600)).toBe(true);
  });

  it('tightens a data folder an older version left readable, on start, and logs what it changed', async () => {
    // A data folder as an older version left it: folders 0755, files 0644.
    running = await startTestApp({ ...(databaseUrl() ? { databaseUrl: databaseUrl() } : {}), dataDir });
    await until(async () => listTree(dataDir).some((entry) => entry.path === join('sandbox', 'state.json')), 'the sandbox state saved');
    await running.close();
    running = undefined;
    writeFileSync(join(dataDir, 'notes.txt'), 'left by someone');
    for (const entry of listTree(dataDir)) chmodSync(join(dataDir, entry.path), entry.kind === 'dir' ? 0o755 : 0o644);
    expect(exposed(listTree(dataDir)).length).toBeGreaterThanOrEqual(4);

    const lines: Json[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    running = await startTestApp({ ...(databaseUrl() ? { databaseUrl: databaseUrl() } : {}), dataDir, build: { logger } });
    const entries = listTree(dataDir);
    expect(exposed(entries)).toEqual([]);
    const report = lines.find((line) => /data folder permissions tightened/.test(line.msg));
    expect(report).toBeDefined();
    expect(report.changed).toEqual(expect.arrayContaining([{ path: '.', from: '0755', to: '0700' }, { path: 'secret.key', from: '0644', to: '0600' }, { path: 'notes.txt', from: '0644', to: '0600' }]));
    if (dialect.name === 'sqlite') expect(report.changed).toEqual(expect.arrayContaining([{ path: 'conversa.db', from: '0644', to: '0600' }]));
    // A start on a private folder changes nothing and says nothing.
    await running.close();
    lines.length = 0;
    running = await startTestApp({ ...(databaseUrl() ? { databaseUrl: databaseUrl() } : {}), dataDir, build: { logger } });
    expect(lines.filter((line) => /data folder permissions tightened/.test(line.msg))).toEqual([]);
  });

  it.runIf(dialect.name === 'sqlite')('keeps a SQLite database outside the data folder private too (DATABASE_URL)', async () => {
    const file = join(parent, 'elsewhere.db');
    running = await startTestApp({ databaseUrl: `sqlite:${file}`, dataDir });
    for (const suffix of ['', '-wal', '-shm']) expect(lstatSync(`${file}${suffix}`).mode & 0o777).toBe(0o600);
    await running.close();
    running = undefined;
    chmodSync(file, 0o644);
    running = await startTestApp({ databaseUrl: `sqlite:${file}`, dataDir });
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
  });
});
