import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startTestApp, SANDBOX_TOKEN, TEST_ADMIN_KEY, type RunningApp } from './support/app.js';
import { createSandbox, type Sandbox } from '../src/sandbox/index.js';
import { until } from './support/wait.js';

/**
 * The sandbox's control API (`/sandbox/v1`) moves the clock, fakes customers and reads every
 * message: whoever reaches it must hold its token unless it only listens on loopback. The
 * embedded sandbox stays on loopback whatever HOST says (SANDBOX_HOST opens it), and the
 * standalone `conversa sandbox` follows the same rules.
 */
const CONTROL = 'control-token-for-tests-0123456789';

async function call(url: string, headers: Record<string, string> = {}, init: RequestInit = {}): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- inspected freely
  const response = await fetch(url, { ...init, headers: { ...headers, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** An address of this machine other than loopback, if it has one (what another host would connect to). */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('the sandbox control API', () => {
  const sandboxes: Sandbox[] = [];
  afterEach(async () => {
    await Promise.all(sandboxes.splice(0).map((sandbox) => sandbox.close()));
  });
  const open = async (options: { controlToken?: string }, host: string) => {
    const sandbox = await createSandbox({ logger: pino({ level: 'silent' }), accessToken: SANDBOX_TOKEN, ...options });
    sandboxes.push(sandbox);
    const base = await sandbox.listen(0, host);
    return { sandbox, base: base.replace('0.0.0.0', '127.0.0.1') };
  };

  it('stays open on loopback without a token, so the README tour works as written', async () => {
    const { sandbox, base } = await open({}, '127.0.0.1');
    expect(sandbox.controlToken).toBeUndefined();
    expect((await call(`${base}/sandbox/v1/accounts`)).status).toBe(200);
  });

  it('requires SANDBOX_CONTROL_TOKEN when one is set, as a bearer token or X-Sandbox-Control-Token, on loopback too', async () => {
    const { base } = await open({ controlToken: CONTROL }, '127.0.0.1');
    const paths = ['/sandbox/v1/accounts', '/sandbox/v1/phones', '/sandbox/v1/clock', '/sandbox/v1/faults', '/sandbox/v1/webhook', '/sandbox/v1/openapi.json'];
    for (const path of paths) {
      const refused = await call(`${base}${path}`);
      expect(refused.status, path).toBe(401);
      expect(refused.body.error).toMatchObject({ code: 'SANDBOX_ERR_UNAUTHORIZED', details: { field: 'authorization', rule: 'the control token is required' } });
    }
    const wrong = await call(`${base}/sandbox/v1/accounts`, { authorization: `Bearer ${CONTROL.slice(0, -1)}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.details.rule).toBe('the control token does not match');
    // The Graph access token is not the control token.
    expect((await call(`${base}/sandbox/v1/accounts`, { authorization: `Bearer ${SANDBOX_TOKEN}` })).status).toBe(401);
    // Writes are refused without it: no clock move, no fake customer.
    const move = await call(`${base}/sandbox/v1/clock`, {}, { method: 'POST', body: JSON.stringify({ advance_seconds: 86_400 }) });
    expect(move.status).toBe(401);
    expect((await call(`${base}/sandbox/v1/clock`, { authorization: `Bearer ${CONTROL}` })).body.offset_seconds).toBe(0);

    expect((await call(`${base}/sandbox/v1/accounts`, { authorization: `Bearer ${CONTROL}` })).status).toBe(200);
    expect((await call(`${base}/sandbox/v1/accounts`, { 'x-sandbox-control-token': CONTROL })).status).toBe(200);
    // Graph routes keep their own bearer token (SANDBOX_ACCESS_TOKEN), and only it.
    const accounts = (await call(`${base}/sandbox/v1/accounts`, { authorization: `Bearer ${CONTROL}` })).body;
    const numberId = accounts.data[0].phone_numbers[0].id as string;
    expect((await call(`${base}/v23.0/${numberId}`, { authorization: `Bearer ${SANDBOX_TOKEN}` })).status).toBe(200);
    expect((await call(`${base}/v23.0/${numberId}`, { authorization: `Bearer ${CONTROL}` })).body.error.code).toBe(190);
  });

  it('generates a token when it listens beyond loopback without one', async () => {
    const { sandbox, base } = await open({}, '0.0.0.0');
    const token = sandbox.controlToken;
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await call(`${base}/sandbox/v1/accounts`)).status).toBe(401);
    expect((await call(`${base}/sandbox/v1/accounts`, { authorization: `Bearer ${token}` })).status).toBe(200);
  });
});

describe('the embedded sandbox', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('binds to loopback when HOST=0.0.0.0 opens the platform to the network', async () => {
    running = await startTestApp({ env: { HOST: '0.0.0.0' } });
    const sandboxUrl = running.started.sandboxUrl!;
    expect(sandboxUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.started.sandboxControlToken).toBeUndefined();
    const port = Number(new URL(sandboxUrl).port);
    const external = externalAddress();
    if (external) {
      // Another machine cannot even connect to the sandbox; the platform it can.
      expect(await reachable(external, port)).toBe(false);
      expect(await reachable(external, Number(new URL(running.started.platformUrl).port))).toBe(true);
    }
  });

  it('with SANDBOX_HOST beyond loopback, requires a generated control token that the platform itself uses', async () => {
    running = await startTestApp({ env: { SANDBOX_HOST: '0.0.0.0' } });
    const control = running.started.sandboxControlToken!;
    expect(control).toMatchObject({ generated: true, token: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) });
    const base = running.started.sandboxUrl!.replace('0.0.0.0', '127.0.0.1');
    expect((await call(`${base}/sandbox/v1/phones`)).status).toBe(401);
    expect((await call(`${base}/sandbox/v1/phones`, { authorization: `Bearer ${control.token}` })).status).toBe(200);
    // The first-start bootstrap subscribed the platform and connected the sandbox number through it...
    expect(running.started.sandboxNumber?.phone_number_id).toMatch(/^\d+$/);
    const subscription = await call(`${base}/sandbox/v1/webhook`, { authorization: `Bearer ${control.token}` });
    expect(subscription.body.url).toBe(`${running.started.platformUrl}/webhooks/whatsapp`);
    // ... and so does connecting another sandbox number over the REST API.
    const added = await call(`${running.started.platformUrl}/api/v1/phone-numbers`, { authorization: `Bearer ${TEST_ADMIN_KEY}` }, { method: 'POST', body: JSON.stringify({ provider: 'sandbox' }) });
    expect(added.status).toBe(201);
  });

  it('sends SANDBOX_CONTROL_TOKEN to a sandbox at SANDBOX_URL that requires it', async () => {
    const remote = await createSandbox({ logger: pino({ level: 'silent' }), accessToken: SANDBOX_TOKEN, controlToken: CONTROL });
    try {
      const base = await remote.listen(0, '127.0.0.1');
      running = await startTestApp({ env: { SANDBOX_URL: base, SANDBOX_CONTROL_TOKEN: CONTROL } });
      expect(running.app.sandbox).toBeUndefined();
      // The bootstrap adopted the remote sandbox's number and subscribed through its control API.
      const accounts = await call(`${base}/sandbox/v1/accounts`, { authorization: `Bearer ${CONTROL}` });
      expect(running.started.sandboxNumber?.phone_number_id).toBe(accounts.body.data[0].phone_numbers[0].id);
      expect((await call(`${base}/sandbox/v1/webhook`, { authorization: `Bearer ${CONTROL}` })).body.url).toBe(`${running.started.platformUrl}/webhooks/whatsapp`);
      await running.close();
      running = undefined;
    } finally {
      await remote.close();
    }
  });

  it('requires SANDBOX_CONTROL_TOKEN on loopback when it is set', async () => {
    running = await startTestApp({ env: { SANDBOX_CONTROL_TOKEN: CONTROL } });
    expect(running.started.sandboxControlToken).toEqual({ token: CONTROL, generated: false });
    const base = running.started.sandboxUrl!;
    expect((await call(`${base}/sandbox/v1/accounts`)).status).toBe(401);
    expect((await call(`${base}/sandbox/v1/accounts`, { 'x-sandbox-control-token': CONTROL })).status).toBe(200);
  });
});

/** The real `conversa` command in a child process, until it prints `ready`. */
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
});

function conversa(args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return until(async () => ready.test(output) || child.exitCode !== null, `conversa ${args[0]} to start`, 60_000).then(() => {
    if (child.exitCode !== null) throw new Error(`conversa ${args.join(' ')} exited: ${output}`);
    return { child, output: () => output };
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('the command line', () => {
  it('conversa sandbox --host 0.0.0.0 generates and prints a control token; --control-token is required on loopback', { timeout: 90_000 }, async () => {
    const wide = await conversa(['sandbox', '--port', '0', '--host', '0.0.0.0'], {}, /Control token .*\n/);
    try {
      const base = /on (http:\/\/\S+)/.exec(wide.output())![1]!.replace('0.0.0.0', '127.0.0.1');
      const token = /Control token {4}(\S+) {3}\(generated/.exec(wide.output())?.[1];
      expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect((await call(`${base}/sandbox/v1/accounts`)).status).toBe(401);
      expect((await call(`${base}/sandbox/v1/accounts`, { authorization: `Bearer ${token}` })).status).toBe(200);
    } finally {
      await stop(wide.child);
    }
    // HOST does not open the standalone sandbox either; a token given with --control-token is required on loopback.
    const local = await conversa(['sandbox', '--port', '0', '--control-token', CONTROL], { HOST: '0.0.0.0' }, /Control token .*\n/);
    try {
      const base = /on (http:\/\/\S+)/.exec(local.output())![1]!;
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:/);
      expect(local.output()).not.toContain(CONTROL);
      expect((await call(`${base}/sandbox/v1/accounts`)).status).toBe(401);
      expect((await call(`${base}/sandbox/v1/accounts`, { authorization: `Bearer ${CONTROL}` })).status).toBe(200);
    } finally {
      await stop(local.child);
    }
  });

  it('conversa serve prints the generated control token, and warns when real numbers run beside the embedded sandbox', { timeout: 90_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'conversa-serve-'));
    try {
      // An installation with a real (Meta) number, as after POST /api/v1/phone-numbers.
      const first = await startTestApp({ dataDir });
      await first.app.modules.phoneNumbers.connect({
        workspaceId: first.started.workspaceId,
        provider: 'cloud_api',
        wabaId: '100000000000001',
        phoneNumberId: '100000000000002',
        displayPhoneNumber: '5511955550000',
        verifiedName: 'Padaria',
        graphBaseUrl: 'https://graph.facebook.com',
        graphVersion: 'v23.0',
        accessToken: 'EAAG-real-token',
        appSecret: 'real-app-secret',
        verifyToken: 'verify',
        throughputMps: 80,
      });
      await first.close();
      const serve = await conversa(['serve'], { PORT: '0', SANDBOX_PORT: '0', SANDBOX_HOST: '0.0.0.0', CONVERSA_DATA_DIR: dataDir, CONVERSA_ADMIN_KEY: TEST_ADMIN_KEY }, /Data {7}/);
      try {
        const output = serve.output();
        const token = /control token \(generated, the sandbox listens beyond loopback\): (\S+)/.exec(output)?.[1];
        expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
        expect(output).toMatch(/WARNING: Real \(Meta\) numbers run beside the embedded sandbox/);
        const base = /Sandbox {4}(http:\/\/\S+)/.exec(output)![1]!.replace('0.0.0.0', '127.0.0.1');
        expect((await call(`${base}/sandbox/v1/accounts`)).status).toBe(401);
        expect((await call(`${base}/sandbox/v1/accounts`, { authorization: `Bearer ${token}` })).status).toBe(200);
      } finally {
        await stop(serve.child);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
