import { describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { appApi, createUser, signIn } from './support/users.js';

describe.each(DIALECTS)('people and access on $name', (dialect) => {
  const running = useApp(dialect);

  it('signs in, reads the session, signs out', async () => {
    const ana = await createUser(running, { role: 'agent', name: 'Ana', teams: [{ name: 'Suporte', queue: 'suporte' }] });
    const session = await signIn(running, ana.email, ana.password);
    expect(session.user).toMatchObject({ email: ana.email, role: 'agent', name: 'Ana', must_change_password: false });
    const api = appApi(running, session);
    expect((await api('GET', '/app/api/session')).body.csrf_token).toBe(session.csrf);
    expect((await api('DELETE', '/app/api/session')).status).toBe(204);
    expect((await api('GET', '/app/api/session')).status).toBe(401);
  });
});
