import { hostname, userInfo } from 'node:os';
import { loadConfig } from '../config/index.js';
import { ROLES, type Role } from '../modules/users/index.js';
import type { CampaignCommandIo } from './campaign-command.js';
import { parseSubcommand } from './subcommand.js';

const HELP = `Usage: conversa user create --email EMAIL --role admin|supervisor|agent [--name NAME] [--workspace WORKSPACE_ID]

Creates a person of the agent inbox directly in the database the server uses (DATABASE_URL, or
the SQLite file in CONVERSA_DATA_DIR: the same environment as \`conversa serve\`; the server may
be running or not) and prints {"user_id", "email", "role", "workspace_id", "one_time_password"}.
The one-time password is shown this once; the person chooses their own at the first sign-in.
Also the way back in when every admin has lost their password.

Options:
  --email EMAIL        their e-mail (unique across the installation)
  --role ROLE          admin, supervisor or agent
  --name NAME          default: the part of the e-mail before the @
  --workspace ID       default: the installation's first (default) workspace`;

/** `conversa user create`. Answers the exit code: 0 created, 1 refused (e-mail taken, unknown workspace), 2 bad usage. */
export async function runUser(argv: string[], io: Omit<CampaignCommandIo, 'tty'>): Promise<number> {
  const parsed = parseSubcommand(argv, io, { noun: 'user', actions: ['create'], help: HELP, options: { email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, workspace: { type: 'string' } } });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const email = values.email?.trim().toLowerCase() ?? '';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 320) {
    io.err('conversa user create needs --email with an e-mail address such as ana@example.com.');
    return 2;
  }
  if (!ROLES.includes(values.role as Role)) {
    io.err(`conversa user create needs --role: one of ${ROLES.join(', ')}.`);
    return 2;
  }
  const name = values.name?.trim();
  if (values.name !== undefined && (!name || name.length > 200)) {
    io.err('--name must be 1 to 200 characters.');
    return 2;
  }
  const config = loadConfig(io.env);
  // Loaded only now: bad usage answers at once, without the whole platform.
  const { buildApp, createLogger } = await import('../app/index.js');
  // The composition root, not started: nothing listens and no worker runs; only the database is used.
  const app = await buildApp({ ...config, sandbox: { ...config.sandbox, enabled: false } }, { logger: createLogger('silent') });
  try {
    const workspace = values.workspace ? await app.modules.workspaces.get(values.workspace) : await app.modules.workspaces.findFirst();
    if (!workspace) {
      io.err(values.workspace ? `No workspace ${values.workspace} in this installation.` : 'This installation has no workspace yet: start the server once (conversa serve), then create people.');
      return 1;
    }
    const created = await app.modules.users.create({ workspaceId: workspace.id, email, role: values.role as Role, ...(name ? { name } : {}) });
    // Written straight to the database, past the API's audit hook: the command records itself.
    await app.modules.auditLog.record({
      workspaceId: workspace.id,
      actor: cliActor(),
      action: 'users.create',
      method: 'CLI',
      route: 'conversa user create',
      target: created.ok ? { type: 'users', id: created.value.user.id } : null,
      outcome: created.ok ? 'success' : 'failed',
      statusCode: created.ok ? 0 : 1,
      details: created.ok ? { role: created.value.user.role } : { error: created.error.code },
    });
    if (!created.ok) {
      io.err(`${created.error.code}: ${created.error.message}`);
      return 1;
    }
    io.out(JSON.stringify({ user_id: created.value.user.id, email: created.value.user.email, role: created.value.user.role, workspace_id: workspace.id, one_time_password: created.value.oneTimePassword }));
    return 0;
  } finally {
    await app.close();
  }
}

/** Who ran a command, for the audit log: the operating system's user on this machine. */
function cliActor(): { type: 'cli'; id: string | null; label: string | null } {
  let user: string | null = null;
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the host is still named.
  }
  return { type: 'cli', id: user, label: `${user ?? '?'}@${hostname()}` };
}
