import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_KEY } from './support/app.js';
import { conversa as runConversa } from './support/cli.js';
import { useApp } from './support/use-app.js';

/** The real `conversa` command, without the test runner's own settings. */
const CLEAN = { CONVERSA_URL: '', CONVERSA_API_KEY: '', CONVERSA_ADMIN_KEY: '', PORT: '', HOST: '' };
const conversa = (args: string[], env: Record<string, string>) => runConversa(args, { ...CLEAN, ...env });

/** A port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// The CLI talks HTTP to a running platform only, so one dialect is enough here; storage is
// covered on both by test/accounts.test.ts.
describe('the CLI finds the server the way the server was started', () => {
  const running = useApp();
  let port: string;
  let closed: string;
  const api = running.api;

  beforeAll(async () => {
    port = new URL(running.started.platformUrl).port;
    closed = String(await closedPort());
  });

  it('conversa workspace create: with the settings of `conversa serve` (PORT, HOST, CONVERSA_ADMIN_KEY) it prints the workspace id and its admin key', async () => {
    const created = await conversa(['workspace', 'create', '--name', 'Loja do CLI'], { PORT: port, HOST: '0.0.0.0', CONVERSA_ADMIN_KEY: TEST_ADMIN_KEY });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const answer = JSON.parse(created.stdout) as Record<string, string>;
    expect(Object.keys(answer)).toEqual(['workspace_id', 'api_key']);
    expect(answer.workspace_id).toMatch(/^ws_/);
    const current = await api('GET', '/workspaces/current', undefined, { token: answer.api_key as string });
    expect(current.body).toMatchObject({ id: answer.workspace_id, name: 'Loja do CLI' });

    // CONVERSA_URL wins over PORT; a key of the new workspace may not create workspaces.
    const refused = await conversa(['workspace', 'create', '--name', 'Outra'], { CONVERSA_URL: running.started.platformUrl, PORT: closed, CONVERSA_API_KEY: answer.api_key as string });
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('CONVERSA_ERR_FORBIDDEN') });
    expect(refused.stderr).toContain('workspaces:admin');
  }, 60_000);

  it('conversa campaign uses http://127.0.0.1:$PORT without CONVERSA_URL', async () => {
    const status = await conversa(['campaign', 'status', 'cmp_nope'], { PORT: port, CONVERSA_API_KEY: TEST_ADMIN_KEY });
    expect(status).toMatchObject({ code: 1, stderr: expect.stringContaining('CONVERSA_ERR_NOT_FOUND') });
  }, 60_000);

  it('names the URL it tried and the setting that chose it when nothing answers there', async () => {
    const viaPort = await conversa(['workspace', 'create', '--name', 'X'], { PORT: closed, CONVERSA_ADMIN_KEY: TEST_ADMIN_KEY });
    expect(viaPort.code).toBe(1);
    expect(viaPort.stderr).toContain(`Could not reach Conversa at http://127.0.0.1:${closed} (ECONNREFUSED)`);
    expect(viaPort.stderr).toContain('set CONVERSA_URL');
    expect(viaPort.stderr).toContain('PORT');

    const viaHost = await conversa(['campaign', 'status', 'cmp_x'], { PORT: closed, HOST: '127.0.0.2', CONVERSA_API_KEY: TEST_ADMIN_KEY });
    expect(viaHost.code).toBe(1);
    expect(viaHost.stderr).toContain(`http://127.0.0.2:${closed}`);

    const viaUrl = await conversa(['campaign', 'status', 'cmp_x'], { CONVERSA_URL: `http://127.0.0.1:${closed}/`, PORT: port, CONVERSA_API_KEY: TEST_ADMIN_KEY });
    expect(viaUrl.code).toBe(1);
    expect(viaUrl.stderr).toContain(`Could not reach Conversa at http://127.0.0.1:${closed} (ECONNREFUSED). CONVERSA_URL chose this URL`);
  }, 60_000);

  it('answers usage errors with exit code 2 and names what is missing or wrong', async () => {
    expect(await conversa(['workspace', 'create'], { PORT: port, CONVERSA_ADMIN_KEY: TEST_ADMIN_KEY })).toMatchObject({ code: 2, stderr: expect.stringContaining('--name') });
    expect(await conversa(['workspace', 'create', '--name', 'X'], { PORT: port })).toMatchObject({ code: 2, stderr: expect.stringContaining('CONVERSA_API_KEY') });
    const badUrl = await conversa(['workspace', 'create', '--name', 'X'], { CONVERSA_URL: 'ftp://example.com', CONVERSA_ADMIN_KEY: TEST_ADMIN_KEY });
    expect(badUrl).toMatchObject({ code: 2, stderr: expect.stringContaining('CONVERSA_URL must be an http or https URL') });
    const help = await conversa(['workspace', '--help'], {});
    expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining('conversa workspace create --name NAME') });
  }, 60_000);
});
