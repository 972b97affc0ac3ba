export { ApiKeys, LAST_USED_RESOLUTION_MS, type ApiKeyPrincipal, type ApiKeyView, type CreatedApiKey } from './api-keys.js';
export { checkGrantableScopes, hasScope, SCOPES, type Scope, type ScopeCheck } from './scopes.js';
