import { randomBytes } from 'node:crypto';
import type { App, StartResult } from '../../src/app/index.js';
import type { Role, UserView } from '../../src/modules/users/index.js';
import type { Json } from './wait.js';

/** Anything holding a started app: a `RunningApp` or a `useApp` fixture. */
export interface HasApp {
  readonly app: App;
  readonly started: StartResult;
}

export interface CreateUserOptions {
  role: Role;
  name?: string;
  /** Default: a unique `<role>-<random>@test.conversa.local`. */
  email?: string;
  /** Default: a random 24-character password (never a one-time one: no change required). */
  password?: string;
  /** Teams to join, created (by queue) when the workspace has none working that queue yet. */
  teams?: Array<{ name: string; queue: string }>;
  /** Existing teams to join. */
  teamIds?: string[];
  /** Default: the installation's default workspace. */
  workspaceId?: string;
  capacity?: number;
}

export interface CreatedUser {
  id: string;
  email: string;
  password: string;
  workspaceId: string;
  teamIds: string[];
}

/**
 * A person of the agent inbox, created through the Users service (no HTTP), with a password
 * they can sign in with at once.
 *
 * @example const ana = await createUser(fixture, { role: 'agent', teams: [{ name: 'Suporte', queue: 'suporte' }] });
 */
export async function createUser(running: HasApp, options: CreateUserOptions): Promise<CreatedUser> {
  const { users, teams } = running.app.modules;
  const workspaceId = options.workspaceId ?? running.started.workspaceId;
  const teamIds = [...(options.teamIds ?? [])];
  for (const wanted of options.teams ?? []) {
    const existing = await teams.byQueue(workspaceId, wanted.queue);
    if (existing) {
      teamIds.push(existing.id);
      continue;
    }
    const created = await teams.create(workspaceId, { name: wanted.name, queue: wanted.queue });
    if (!created.ok) throw new Error(`createUser: team ${wanted.queue}: ${created.error.message}`);
    teamIds.push(created.value.id);
  }
  const email = options.email ?? `${options.role}-${randomBytes(5).toString('hex')}@test.conversa.local`;
  const password = options.password ?? randomBytes(18).toString('base64url');
  const created = await users.create({
    workspaceId,
    email,
    role: options.role,
    password,
    teamIds,
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.capacity !== undefined ? { capacity: options.capacity } : {}),
  });
  if (!created.ok) throw new Error(`createUser: ${created.error.message}`);
  return { id: created.value.user.id, email: created.value.user.email, password, workspaceId, teamIds };
}

/** A signed-in browser: the `Cookie` header to send, the CSRF token, and who it is. */
export interface AppSession {
  /** `conversa_session=<token>`, ready for a Cookie header. */
  cookie: string;
  csrf: string;
  user: UserView & { workspace_id: string };
}

/** What an app API call answered. */
export interface AppResponse {
  status: number;
  /** Parsed JSON, text otherwise, undefined for no body. */
  body: Json;
  headers: Headers;
}

/** Base URL of the platform: a string, or a started app (its `platformUrl`). */
export type BaseUrl = string | HasApp;

/**
 * Signs in over real HTTP (`POST /app/api/session`), as the browser does; throws when refused.
 *
 * @example const session = await signIn(fixture, ana.email, ana.password);
 */
export async function signIn(baseUrl: BaseUrl, email: string, password: string): Promise<AppSession> {
  const response = await fetch(`${urlOf(baseUrl)}/app/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`signIn(${email}) answered ${response.status}: ${text.slice(0, 300)}`);
  const cookie = response.headers.getSetCookie().map((line) => line.split(';')[0] as string).find((pair) => pair.startsWith('conversa_session='));
  if (!cookie) throw new Error('signIn: no conversa_session cookie in the answer');
  const body = JSON.parse(text) as { user: AppSession['user']; csrf_token: string };
  return { cookie, csrf: body.csrf_token, user: body.user };
}

/** A client of `/app/api` for a signed-in browser: `(method, path, body?)`, path starting with `/app/api`. */
export type AppApi = (method: string, path: string, body?: unknown, options?: { headers?: Record<string, string> }) => Promise<AppResponse>;

/**
 * Calls the app's API as the signed-in browser does: the session cookie on every request and
 * the `x-csrf-token` header on every one (harmless on GET). `session` null: not signed in.
 *
 * @example const api = appApi(fixture, session); await api('GET', '/app/api/agents');
 */
export function appApi(baseUrl: BaseUrl, session: Pick<AppSession, 'cookie' | 'csrf'> | null): AppApi {
  return async (method, path, body, options = {}) => {
    const headers: Record<string, string> = {
      ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    };
    const response = await fetch(`${urlOf(baseUrl)}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    let parsed: Json = text === '' ? undefined : text;
    if (text !== '' && /json/i.test(response.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
    return { status: response.status, body: parsed, headers: response.headers };
  };
}

function urlOf(baseUrl: BaseUrl): string {
  return typeof baseUrl === 'string' ? baseUrl.replace(/\/+$/, '') : baseUrl.started.platformUrl;
}
