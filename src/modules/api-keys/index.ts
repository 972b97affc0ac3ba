export { ApiKeys, type ApiKeyPrincipal, type CreatedApiKey, type Scope } from './api-keys.js';
