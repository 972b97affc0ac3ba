import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/app/logger.js';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { appApi, createUser, signIn, type AppSession } from './support/users.js';

/** Raw sign-in: the answer as the browser gets it. */
const login = async (base: string, email: string, password: string) => {
  const response = await fetch(`${base}/app/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  return { status: response.status, body: (await response.json()) as Record<string, any>, headers: response.headers }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

/**
 * People and access of the agent inbox (issue 11): signing in and out over real HTTP, the
 * session cookie, CSRF, roles, workspaces kept apart, the last admin, one-time passwords, the
 * first admin of a new installation, and no password in the log. Both dialects.
 */
describe.each(DIALECTS)('people and access on $name', (dialect) => {
  const logged: string[] = [];
  const running = useApp(dialect, { build: { logger: createLogger('trace', { write: (line: string) => void logged.push(line) }) } });
  let base: string;
  let admin: AppSession;

  beforeAll(async () => {
    base = running.started.platformUrl;
    const boss = await createUser(running, { role: 'admin', name: 'Bia Admin' });
    admin = await signIn(base, boss.email, boss.password);
  });

  it('signs in with the right password: the person (never a password), a CSRF token, and an HttpOnly, SameSite=Lax cookie (not Secure over plain http)', async () => {
    const ana = await createUser(running, { role: 'agent', name: 'Ana', email: 'Ana.Souza@Example.com', teams: [{ name: 'Suporte', queue: 'suporte' }] });
    const answer = await login(base, 'ANA.SOUZA@example.com ', ana.password);
    expect(answer.status).toBe(200);
    expect(answer.body.user).toMatchObject({ id: ana.id, email: 'ana.souza@example.com', name: 'Ana', role: 'agent', team_ids: ana.teamIds, capacity: 5, presence: 'offline', must_change_password: false, active: true });
    expect(answer.body.csrf_token).toEqual(expect.any(String));
    expect(JSON.stringify(answer.body)).not.toMatch(/password_hash|argon2/);
    const cookie = answer.headers.getSetCookie().find((line) => line.startsWith('conversa_session=')) as string;
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\//i);
    expect(cookie).not.toMatch(/; Secure/i);
    // Only the token's SHA-256 is stored.
    const token = cookie.split(';')[0]?.split('=')[1] as string;
    const rows = await running.app.database.db.selectFrom('user_sessions').select('id').where('user_id', '=', ana.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.id).not.toContain(token);
    expect(rows[0]?.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers a wrong password and an unknown e-mail the same way, and a deactivated person too', async () => {
    const caio = await createUser(running, { role: 'agent' });
    const wrong = await login(base, caio.email, 'not-the-password');
    const unknown = await login(base, 'nobody@example.com', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe('CONVERSA_ERR_LOGIN_FAILED');
    const api = appApi(base, admin);
    expect((await api('PATCH', `/app/api/users/${caio.id}`, { active: false })).status).toBe(200);
    expect((await login(base, caio.email, caio.password)).body).toEqual(unknown.body);
  });

  it('refuses bad bodies naming the field and the rule', async () => {
    const noPassword = await login(base, 'x@example.com', '');
    expect(noPassword.status).toBe(400);
    expect(noPassword.body.error.details).toEqual({ field: 'body.password', rule: 'must not be empty' });
    const response = await fetch(`${base}/app/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'x@example.com' }) });
    expect(((await response.json()) as any).error.details).toEqual({ field: 'body.password', rule: 'is required' }); // eslint-disable-line @typescript-eslint/no-explicit-any
    const api = appApi(base, admin);
    const badEmail = await api('POST', '/app/api/users', { email: 'not-an-email', role: 'agent' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.error.details.field).toBe('body.email');
    const badRole = await api('POST', '/app/api/users', { email: 'role@example.com', role: 'owner' });
    expect(badRole.body.error.details).toEqual({ field: 'body.role', rule: 'must be one of admin, supervisor, agent' });
    const badCapacity = await api('PATCH', `/app/api/users/${admin.user.id}`, { capacity: -1 });
    expect(badCapacity.body.error.details).toEqual({ field: 'body.capacity', rule: 'must be between 0 and 100' });
    const extra = await api('PATCH', '/app/api/me', { password_hash: 'x' });
    expect(extra.status).toBe(400);
    expect(extra.body.error.details.field).toBe('body');
  });

  it('after 5 failures for one e-mail answers 429 with Retry-After, even with the right password', async () => {
    const dora = await createUser(running, { role: 'agent' });
    for (let attempt = 0; attempt < 5; attempt++) expect((await login(base, dora.email, `wrong-${attempt}-password`)).status).toBe(401);
    const blocked = await login(base, dora.email, dora.password);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('CONVERSA_ERR_RATE_LIMITED');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
    // Another person is not locked out by Dora's attacker.
    const other = await createUser(running, { role: 'agent' });
    expect((await login(base, other.email, other.password)).status).toBe(200);
  });

  it('signing out ends the session on the server: the old cookie no longer opens anything', async () => {
    const eva = await createUser(running, { role: 'agent' });
    const session = await signIn(base, eva.email, eva.password);
    const api = appApi(base, session);
    expect((await api('GET', '/app/api/session')).status).toBe(200);
    const out = await api('DELETE', '/app/api/session');
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().join()).toMatch(/conversa_session=;/);
    expect((await api('GET', '/app/api/session')).status).toBe(401);
    expect((await api('GET', '/app/api/agents')).body.error.code).toBe('CONVERSA_ERR_UNAUTHENTICATED');
    expect(await running.app.database.db.selectFrom('user_sessions').select('id').where('user_id', '=', eva.id).execute()).toEqual([]);
  });

  it('refuses unsafe requests without the session\'s CSRF token (403) and changes nothing', async () => {
    const fabio = await createUser(running, { role: 'agent', name: 'Fabio' });
    const session = await signIn(base, fabio.email, fabio.password);
    const noHeader = appApi(base, { cookie: session.cookie, csrf: '' });
    const missing = await noHeader('PATCH', '/app/api/me', { name: 'Hacked' });
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('CONVERSA_ERR_CSRF');
    const wrong = await appApi(base, { cookie: session.cookie, csrf: 'x'.repeat(43) })('PATCH', '/app/api/me', { name: 'Hacked' });
    expect(wrong.body.error.code).toBe('CONVERSA_ERR_CSRF');
    const gina = await createUser(running, { role: 'agent' });
    const ginaSession = await signIn(base, gina.email, gina.password);
    const crossed = await appApi(base, { cookie: session.cookie, csrf: ginaSession.csrf })('PATCH', '/app/api/me', { name: 'Hacked' });
    expect(crossed.body.error.code).toBe('CONVERSA_ERR_CSRF');
    const signOut = await noHeader('DELETE', '/app/api/session');
    expect(signOut.status).toBe(403);
    const api = appApi(base, session);
    expect((await api('GET', '/app/api/session')).body.user.name).toBe('Fabio');
    expect((await api('PATCH', '/app/api/me', { name: 'Fábio', presence: 'online' })).body.user).toMatchObject({ name: 'Fábio', presence: 'online' });
  });

  it('keeps the people routes for admins: an agent or a supervisor gets 403, no session 401, an API key opens nothing here', async () => {
    const fresh = await signInAdmin();
    const helena = await createUser(running, { role: 'agent' });
    const ivo = await createUser(running, { role: 'supervisor' });
    for (const who of [helena, ivo]) {
      const api = appApi(base, await signIn(base, who.email, who.password));
      const listed = await api('GET', '/app/api/users');
      expect(listed.status).toBe(403);
      expect(listed.body.error.code).toBe('CONVERSA_ERR_FORBIDDEN');
      expect((await api('POST', '/app/api/users', { email: `new-${who.id}@example.com`, role: 'admin' })).status).toBe(403);
      expect((await api('POST', `/app/api/users/${who.id}/password-reset`)).status).toBe(403);
      expect((await api('POST', '/app/api/teams', { name: 'X', queue: `x-${who.id}` })).status).toBe(403);
      expect((await api('GET', '/app/api/agents')).status).toBe(200);
    }
    expect((await appApi(base, null)('GET', '/app/api/users')).status).toBe(401);
    const withKey = await fetch(`${base}/app/api/users`, { headers: { authorization: 'Bearer test-admin-key-0123456789abcdef' } });
    expect(withKey.status).toBe(401);
    const cookieOnV1 = await fetch(`${base}/api/v1/contacts`, { headers: { cookie: fresh.cookie } });
    expect(cookieOnV1.status).toBe(401);
    const listed = await appApi(base, fresh)('GET', '/app/api/users');
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((user: { id: string }) => user.id)).toEqual(expect.arrayContaining([helena.id, ivo.id]));
    expect(JSON.stringify(listed.body)).not.toMatch(/password_hash|\$argon2/);
  });

  it('keeps workspaces apart: another workspace\'s people and teams are 404 and never listed', async () => {
    const created = await running.api('POST', '/workspaces', { name: 'Loja B' });
    const workspaceB = created.body.workspace_id as string;
    const bossB = await createUser(running, { role: 'admin', workspaceId: workspaceB });
    const apiB = appApi(base, await signIn(base, bossB.email, bossB.password));
    const agentA = await createUser(running, { role: 'agent', teams: [{ name: 'Vendas', queue: 'vendas' }] });
    for (const [method, path, body] of [
      ['GET', `/app/api/users/${agentA.id}`],
      ['PATCH', `/app/api/users/${agentA.id}`, { role: 'admin' }],
      ['DELETE', `/app/api/users/${agentA.id}`],
      ['POST', `/app/api/users/${agentA.id}/password-reset`],
      ['PATCH', `/app/api/teams/${agentA.teamIds[0]}`, { name: 'Mine' }],
      ['DELETE', `/app/api/teams/${agentA.teamIds[0]}`],
    ] as const) {
      const answer = await apiB(method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.error.code).toBe('CONVERSA_ERR_NOT_FOUND');
    }
    expect((await apiB('POST', '/app/api/users', { email: 'b-agent@example.com', role: 'agent', team_ids: agentA.teamIds })).body.error.details.field).toBe('body.team_ids');
    expect((await apiB('POST', '/app/api/teams', { name: 'Steal', queue: 'steal', member_ids: [agentA.id] })).body.error.details.field).toBe('body.member_ids');
    const ids = (await apiB('GET', '/app/api/users')).body.data.map((user: { id: string }) => user.id);
    expect(ids).toEqual([bossB.id]);
    expect((await apiB('GET', '/app/api/agents')).body.data.map((agent: { id: string }) => agent.id)).toEqual([bossB.id]);
    expect((await apiB('GET', '/app/api/teams')).body.data).toEqual([]);
    // Nothing changed in workspace A.
    expect(await running.app.modules.users.get(running.started.workspaceId, agentA.id)).toMatchObject({ role: 'agent', active: true });
    // The same queue name is free in another workspace; the e-mail is not (one login for the installation).
    expect((await apiB('POST', '/app/api/teams', { name: 'Vendas B', queue: 'vendas' })).status).toBe(201);
    const taken = await apiB('POST', '/app/api/users', { email: agentA.email.toUpperCase(), role: 'agent' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('CONVERSA_ERR_CONFLICT');
  });

  it('never lets a workspace lose its last active admin', async () => {
    const workspace = (await running.api('POST', '/workspaces', { name: 'Loja C' })).body.workspace_id as string;
    const only = await createUser(running, { role: 'admin', workspaceId: workspace });
    const api = appApi(base, await signIn(base, only.email, only.password));
    for (const [method, body] of [['PATCH', { role: 'supervisor' }], ['PATCH', { active: false }], ['DELETE', undefined]] as const) {
      const refused = await api(method, `/app/api/users/${only.id}`, body);
      expect(refused.status, `${method} ${JSON.stringify(body)}`).toBe(409);
      expect(refused.body.error.code).toBe('CONVERSA_ERR_LAST_ADMIN');
    }
    expect((await api('GET', `/app/api/users/${only.id}`)).body.user).toMatchObject({ role: 'admin', active: true });
    const second = await api('POST', '/app/api/users', { email: `second-${only.id}@example.com`.toLowerCase(), role: 'admin' });
    expect(second.status).toBe(201);
    expect((await api('PATCH', `/app/api/users/${second.body.user.id}`, { role: 'agent' })).status).toBe(200);
    expect((await api('PATCH', `/app/api/users/${only.id}`, { role: 'agent' })).body.error.code).toBe('CONVERSA_ERR_LAST_ADMIN');
    expect((await api('PATCH', `/app/api/users/${second.body.user.id}`, { role: 'admin' })).status).toBe(200);
    expect((await api('PATCH', `/app/api/users/${only.id}`, { role: 'agent' })).status).toBe(200);
  });

  it('a one-time password opens only the password change; the new password works, the old one and other sessions stop', async () => {
    const api = appApi(base, await signInAdmin());
    const created = await api('POST', '/app/api/users', { email: 'julia@example.com', role: 'agent', name: 'Júlia', capacity: 3 });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ email: 'julia@example.com', must_change_password: true, capacity: 3 });
    const oneTime = created.body.one_time_password as string;
    expect(oneTime.length).toBeGreaterThanOrEqual(10);
    const first = await signIn(base, 'julia@example.com', oneTime);
    expect(first.user.must_change_password).toBe(true);
    const julia = appApi(base, first);
    const blocked = await julia('GET', '/app/api/agents');
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('CONVERSA_ERR_PASSWORD_CHANGE_REQUIRED');
    expect((await julia('GET', '/app/api/session')).status).toBe(200);
    const short = await julia('POST', '/app/api/me/password', { current_password: oneTime, new_password: 'short' });
    expect(short.body.error.details).toEqual({ field: 'body.new_password', rule: 'must be at least 10 characters' });
    const wrong = await julia('POST', '/app/api/me/password', { current_password: 'not-it-at-all', new_password: 'uma senha boa 123' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.details.field).toBe('body.current_password');
    const second = await signIn(base, 'julia@example.com', oneTime);
    const changed = await julia('POST', '/app/api/me/password', { current_password: oneTime, new_password: 'uma senha boa 123' });
    expect(changed.status).toBe(200);
    expect(changed.body.user.must_change_password).toBe(false);
    expect((await julia('GET', '/app/api/agents')).status).toBe(200);
    expect((await appApi(base, second)('GET', '/app/api/session')).status).toBe(401);
    expect((await login(base, 'julia@example.com', oneTime)).status).toBe(401);
    expect((await login(base, 'julia@example.com', 'uma senha boa 123')).status).toBe(200);

    // An admin's reset: her sessions end, the new one-time password works once changed.
    const reset = await api('POST', `/app/api/users/${created.body.user.id}/password-reset`);
    expect(reset.body.one_time_password).toEqual(expect.any(String));
    expect((await julia('GET', '/app/api/session')).status).toBe(401);
    expect((await signIn(base, 'julia@example.com', reset.body.one_time_password)).user.must_change_password).toBe(true);
  });

  it('manages teams with their queue and members; agents lists presence, capacity and teams', async () => {
    const api = appApi(base, await signInAdmin());
    const kim = await createUser(running, { role: 'agent', name: 'Kim' });
    const team = await api('POST', '/app/api/teams', { name: 'Financeiro', queue: 'financeiro', member_ids: [kim.id] });
    expect(team.status).toBe(201);
    expect(team.body.team).toMatchObject({ name: 'Financeiro', queue: 'financeiro', member_ids: [kim.id] });
    expect((await api('POST', '/app/api/teams', { name: 'Outro', queue: 'financeiro' })).body.error).toMatchObject({ code: 'CONVERSA_ERR_CONFLICT', details: { field: 'body.queue' } });
    const kimApi = appApi(base, await signIn(base, kim.email, kim.password));
    await kimApi('PATCH', '/app/api/me', { presence: 'away' });
    const agents = (await kimApi('GET', '/app/api/agents')).body.data as Array<Record<string, unknown>>;
    expect(agents.find((agent) => agent.id === kim.id)).toMatchObject({ name: 'Kim', presence: 'away', capacity: 5, team_ids: [team.body.team.id] });
    expect(agents.every((agent) => !('email' in agent) && !('password_hash' in agent))).toBe(true);
    const viewer = await running.app.modules.users.viewer(kim.id);
    expect(viewer).toMatchObject({ teamIds: [team.body.team.id], queues: ['financeiro'] });
    expect((await api('PATCH', `/app/api/teams/${team.body.team.id}`, { queue: 'cobranca', member_ids: [] })).body.team).toMatchObject({ queue: 'cobranca', member_ids: [] });
    expect((await api('DELETE', `/app/api/teams/${team.body.team.id}`)).status).toBe(204);
    expect((await api('GET', '/app/api/teams')).body.data.some((t: { id: string }) => t.id === team.body.team.id)).toBe(false);
  });

  it('created the first admin at the first start, with a one-time password logged once; no other password or session token is ever logged', async () => {
    const line = logged.find((entry) => entry.includes('created the first admin'));
    expect(line).toBeDefined();
    const entry = JSON.parse(line as string) as { email: string; one_time_password_once: string };
    expect(entry.email).toBe('admin@conversa.local');
    expect(running.started.firstAdmin).toEqual({ email: 'admin@conversa.local', oneTimePassword: entry.one_time_password_once });
    const first = await signIn(base, 'admin@conversa.local', entry.one_time_password_once);
    expect(first.user).toMatchObject({ role: 'admin', workspace_id: running.started.workspaceId, must_change_password: true });

    // Everything this file sent: sign-ins, one-time passwords, new passwords, cookies, CSRF tokens.
    const secrets = ['uma senha boa 123', 'not-it-at-all', 'wrong-0-password', admin.csrf, admin.cookie.split('=')[1] as string, first.csrf, first.cookie.split('=')[1] as string];
    const text = logged.filter((entry) => !entry.includes('created the first admin')).join('\n');
    expect(text).toContain('signed in');
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/\$argon2id\$/);
  });

  /** A new admin of the default workspace, signed in. */
  async function signInAdmin(): Promise<AppSession> {
    const boss = await createUser(running, { role: 'admin' });
    return signIn(base, boss.email, boss.password);
  }
});

describe('the session cookie behind a proxy', () => {
  const trusted = useApp(undefined, { env: { CONVERSA_TRUST_PROXY: 'loopback' } });
  const untrusted = useApp(undefined);

  it('is Secure when a trusted proxy says the request came over https, and only then', async () => {
    for (const [running, secure] of [[trusted, true], [untrusted, false]] as const) {
      const who = await createUser(running, { role: 'agent' });
      const response = await fetch(`${running.started.platformUrl}/app/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' }, body: JSON.stringify({ email: who.email, password: who.password }) });
      expect(response.status).toBe(200);
      const cookie = response.headers.getSetCookie().find((line) => line.startsWith('conversa_session=')) as string;
      expect(/; Secure/i.test(cookie)).toBe(secure);
    }
  });
});
