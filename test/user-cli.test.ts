import { describe, expect, it } from 'vitest';
import { conversa } from './support/cli.js';
import { useApp } from './support/use-app.js';
import { signIn } from './support/users.js';

/** The server's own settings for the CLI: the same data folder, and so the same SQLite database. */
const CLEAN = { CONVERSA_URL: '', CONVERSA_API_KEY: '', CONVERSA_ADMIN_KEY: '', DATABASE_URL: '', LOG_LEVEL: 'silent' };

// The command opens the database the server uses; SQLite's file is shared with the running
// server here (the usual laptop case). The storage itself is covered on both dialects by
// test/users-auth.test.ts.
describe('conversa user create', () => {
  const running = useApp();

  it('creates a person in the database the server uses and prints a one-time password that signs in (and must be changed)', async () => {
    const created = await conversa(['user', 'create', '--email', 'Rosa@Example.com', '--role', 'supervisor', '--name', 'Rosa'], { ...CLEAN, CONVERSA_DATA_DIR: running.dataDir });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const answer = JSON.parse(created.stdout) as Record<string, string>;
    expect(answer).toMatchObject({ email: 'rosa@example.com', role: 'supervisor', workspace_id: running.started.workspaceId });
    expect(answer.user_id).toMatch(/^usr_/);
    const session = await signIn(running, 'rosa@example.com', answer.one_time_password as string);
    expect(session.user).toMatchObject({ id: answer.user_id, name: 'Rosa', role: 'supervisor', must_change_password: true });

    const again = await conversa(['user', 'create', '--email', 'rosa@example.com', '--role', 'agent'], { ...CLEAN, CONVERSA_DATA_DIR: running.dataDir });
    expect(again).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('CONVERSA_ERR_CONFLICT') });
    // Written straight to the database: the command records itself in the audit log (actor cli).
    await running.app.http.auditSettled();
    const audit = await running.app.database.db.selectFrom('audit_log').selectAll().where('actor_type', '=', 'cli').orderBy('id').execute();
    expect(audit).toMatchObject([
      { workspace_id: running.started.workspaceId, action: 'users.create', method: 'CLI', route: 'conversa user create', target_type: 'users', target_id: answer.user_id, outcome: 'success' },
      { action: 'users.create', target_id: null, outcome: 'failed', details: JSON.stringify({ error: 'CONVERSA_ERR_CONFLICT' }) },
    ]);
    expect(audit[0]?.actor_id).toEqual(expect.any(String));
    expect(JSON.stringify(audit)).not.toContain(answer.one_time_password);
  }, 120_000);

  it('refuses a bad role, a bad e-mail and an unknown workspace, naming what is wrong', async () => {
    const env = { ...CLEAN, CONVERSA_DATA_DIR: running.dataDir };
    expect(await conversa(['user', 'create', '--email', 'x@example.com', '--role', 'owner'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('one of admin, supervisor, agent') });
    expect(await conversa(['user', 'create', '--email', 'nope', '--role', 'agent'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('--email') });
    expect(await conversa(['user', 'create', '--email', 'y@example.com', '--role', 'agent', '--workspace', 'ws_nope'], env)).toMatchObject({ code: 1, stderr: expect.stringContaining('No workspace ws_nope') });
  }, 120_000);
});
