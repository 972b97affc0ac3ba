/**
 * Every scope an API key may hold. `admin` may do everything inside its own workspace (manage
 * numbers and keys included); `workspaces:admin` creates new workspaces, which no workspace
 * admin may do unless its key holds that scope too (the first start's admin key does).
 */
export const SCOPES = [
  'admin',
  'workspaces:admin',
  'messages:write',
  'messages:read',
  'contacts:write',
  'contacts:read',
  'webhooks:write',
  'templates:read',
  'templates:write',
  'campaigns:read',
  'campaigns:write',
  'flows:read',
  'flows:write',
  'forms:read',
  'groups:read',
  'groups:write',
  'leads:read',
  'leads:write',
  'audit:read',
] as const;

export type Scope = (typeof SCOPES)[number];

/** The scopes that `admin` does not imply: they must be held by name. */
const NOT_IMPLIED_BY_ADMIN: ReadonlySet<Scope> = new Set(['workspaces:admin']);

/** Whether a key holding `held` may do what `scope` allows (`admin` implies every workspace scope). */
export function hasScope(held: readonly Scope[], scope: Scope): boolean {
  if (held.includes(scope)) return true;
  return held.includes('admin') && !NOT_IMPLIED_BY_ADMIN.has(scope);
}

export type ScopeCheck = { ok: true; scopes: Scope[] } | { ok: false; scope: string; rule: 'unknown' | 'not_held' };

/**
 * Checks the scopes asked for a new key against the known ones and against what the key that
 * asks holds: a key never hands out more than it has. Duplicates are dropped, order is kept.
 *
 * @example checkGrantableScopes(['admin'], ['contacts:read']) // { ok: true, scopes: ['contacts:read'] }
 */
export function checkGrantableScopes(held: readonly Scope[], asked: readonly string[]): ScopeCheck {
  const scopes: Scope[] = [];
  for (const scope of asked) {
    if (!(SCOPES as readonly string[]).includes(scope)) return { ok: false, scope, rule: 'unknown' };
    if (!hasScope(held, scope as Scope)) return { ok: false, scope, rule: 'not_held' };
    if (!scopes.includes(scope as Scope)) scopes.push(scope as Scope);
  }
  return { ok: true, scopes };
}
