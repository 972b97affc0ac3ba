import { describe, expect, it } from 'vitest';
import { checkGrantableScopes, hasScope } from './scopes.js';

describe('scopes', () => {
  it('admin implies every scope of its workspace, but not workspaces:admin', () => {
    expect(hasScope(['admin'], 'contacts:write')).toBe(true);
    expect(hasScope(['admin'], 'workspaces:admin')).toBe(false);
    expect(hasScope(['admin', 'workspaces:admin'], 'workspaces:admin')).toBe(true);
    expect(hasScope(['workspaces:admin'], 'contacts:read')).toBe(false);
    expect(hasScope(['contacts:read'], 'contacts:write')).toBe(false);
  });

  it('grants known scopes the asking key holds, once each, and names the first that fails', () => {
    expect(checkGrantableScopes(['admin'], ['contacts:read', 'messages:write', 'contacts:read'])).toEqual({ ok: true, scopes: ['contacts:read', 'messages:write'] });
    expect(checkGrantableScopes(['admin'], ['admin'])).toEqual({ ok: true, scopes: ['admin'] });
    expect(checkGrantableScopes(['admin'], ['contacts:read', 'contact:read'])).toEqual({ ok: false, scope: 'contact:read', rule: 'unknown' });
    expect(checkGrantableScopes(['admin'], ['workspaces:admin'])).toEqual({ ok: false, scope: 'workspaces:admin', rule: 'not_held' });
    expect(checkGrantableScopes(['contacts:read'], ['contacts:write'])).toEqual({ ok: false, scope: 'contacts:write', rule: 'not_held' });
    expect(checkGrantableScopes(['contacts:read'], ['admin'])).toEqual({ ok: false, scope: 'admin', rule: 'not_held' });
    expect(checkGrantableScopes(['admin', 'workspaces:admin'], ['workspaces:admin'])).toEqual({ ok: true, scopes: ['workspaces:admin'] });
  });
});
