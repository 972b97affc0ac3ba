/**
 * What the audit log records of a request, by route pattern and method (docs/data-protection.md,
 * "The audit log"): the one table of action names. A route not named here gets a name derived
 * from its pattern (`fallbackAction`), so a new route is audited without an edit here; name it
 * here when the derived name reads badly or the route must not be recorded.
 */

/**
 * - `change`: changes data or settings (every POST/PUT/PATCH/DELETE unless named otherwise);
 * - `bulk_read`: reads personal data in bulk (a list of contacts, messages, conversations, ...);
 * - `export`: a download of personal data (always recorded, as a bulk read);
 * - `read`: a routine read of one record, recorded only with CONVERSA_AUDIT_READS=on;
 * - `sign_in`: recorded without a session (the route names the person, if the e-mail is known);
 * - `none`: never recorded (changes nothing: previews, validation, the typing indicator).
 */
export type AuditKind = 'change' | 'bulk_read' | 'export' | 'read' | 'sign_in' | 'none';

export interface AuditClass {
  action: string;
  kind: AuditKind;
}

interface AuditRule {
  kind?: AuditKind;
  /** The action's name; `created` replaces it when the route answered 201 (an upsert that created). */
  action: string;
  created?: string;
}

const API = '/api/v1';
const APP = '/app/api';

/** `METHOD /route/pattern` → what it is. */
const RULES: Record<string, AuditRule> = {
  // Contacts and consent: the person's data.
  [`GET ${API}/contacts`]: { action: 'contacts.list', kind: 'bulk_read' },
  [`GET ${API}/contacts/export`]: { action: 'contacts.export', kind: 'export' },
  [`GET ${API}/contacts/:id/export`]: { action: 'contacts.export_person', kind: 'export' },
  [`POST ${API}/contacts`]: { action: 'contacts.update', created: 'contacts.create' },
  [`PATCH ${API}/contacts/:id`]: { action: 'contacts.update' },
  [`DELETE ${API}/contacts/:id`]: { action: 'contacts.delete' },
  [`POST ${API}/contacts/:id/erase`]: { action: 'contacts.erase' },
  [`POST ${API}/contacts/import`]: { action: 'contacts.import' },
  [`POST ${API}/contacts/:id/consents`]: { action: 'consents.record' },
  [`PATCH ${APP}/contacts/:id`]: { action: 'contacts.update' },
  [`POST ${API}/phone-numbers/:id/blocked-users`]: { action: 'blocked_users.add' },
  [`DELETE ${API}/phone-numbers/:id/blocked-users`]: { action: 'blocked_users.remove' },
  [`POST ${APP}/conversations/:id/notes`]: { action: 'notes.create' },
  // Messages and conversations.
  [`POST ${API}/messages`]: { action: 'messages.send' },
  [`GET ${API}/messages`]: { action: 'messages.list', kind: 'bulk_read' },
  [`POST ${API}/messages/:id/read`]: { action: 'messages.mark_read' },
  [`GET ${API}/conversations`]: { action: 'conversations.list', kind: 'bulk_read' },
  [`GET ${API}/conversations/:id/messages`]: { action: 'conversations.history', kind: 'bulk_read' },
  [`GET ${APP}/conversations`]: { action: 'conversations.list', kind: 'bulk_read' },
  [`GET ${APP}/conversations/:id/messages`]: { action: 'conversations.history', kind: 'bulk_read' },
  [`POST ${APP}/conversations/:id/messages`]: { action: 'messages.send' },
  [`POST ${API}/notifications`]: { action: 'notifications.send' },
  [`GET ${API}/notifications`]: { action: 'notifications.list', kind: 'bulk_read' },
  [`GET ${API}/webhook-events`]: { action: 'webhook_events.list', kind: 'bulk_read' },
  [`GET ${API}/campaigns/:id/recipients`]: { action: 'campaigns.recipients.list', kind: 'bulk_read' },
  // What flows, forms and leads collected.
  [`GET ${API}/forms/submissions`]: { action: 'forms.submissions.list', kind: 'bulk_read' },
  [`GET ${API}/forms/submissions/export`]: { action: 'forms.submissions.export', kind: 'export' },
  [`GET ${API}/surveys/responses`]: { action: 'surveys.responses.list', kind: 'bulk_read' },
  [`GET ${API}/leads`]: { action: 'leads.list', kind: 'bulk_read' },
  [`GET ${API}/leads/export`]: { action: 'leads.export', kind: 'export' },
  // The audit log itself: who looked at it.
  [`GET ${API}/audit`]: { action: 'audit.list', kind: 'bulk_read' },
  // Access: keys, workspaces, people, sessions.
  [`POST ${API}/api-keys`]: { action: 'api_keys.create' },
  [`DELETE ${API}/api-keys/:id`]: { action: 'api_keys.revoke' },
  [`POST ${API}/api-keys/:id/rotate`]: { action: 'api_keys.rotate' },
  [`POST ${API}/workspaces`]: { action: 'workspaces.create' },
  [`POST ${APP}/session`]: { action: 'users.sign_in', kind: 'sign_in' },
  [`DELETE ${APP}/session`]: { action: 'users.sign_out' },
  [`POST ${APP}/me/password`]: { action: 'users.change_password' },
  [`PATCH ${APP}/me`]: { action: 'users.update_self' },
  [`POST ${APP}/users/:id/password-reset`]: { action: 'users.reset_password' },
  // Changes nothing: checks, previews, renders, the typing indicator (several a minute per agent).
  [`POST ${API}/templates/lint`]: { action: 'templates.lint', kind: 'none' },
  [`POST ${API}/templates/:id/preview`]: { action: 'templates.preview', kind: 'none' },
  [`POST ${API}/flows/validate`]: { action: 'flows.validate', kind: 'none' },
  [`POST ${API}/campaigns/:id/estimate`]: { action: 'campaigns.estimate', kind: 'none' },
  [`POST ${API}/conversations/:id/typing`]: { action: 'conversations.typing', kind: 'none' },
  [`POST ${APP}/conversations/:id/typing`]: { action: 'conversations.typing', kind: 'none' },
  [`POST ${APP}/conversations/:id/templates/:templateId/preview`]: { action: 'templates.preview', kind: 'none' },
  [`POST ${APP}/canned-replies/:id/render`]: { action: 'canned_replies.render', kind: 'none' },
};

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * What a request to `route` (the pattern, with its prefix) is for the audit log, or undefined
 * when it is outside the audited APIs (`/api/v1`, `/app/api`: never Meta's webhook, health, the
 * web app). The status picks `created` of an upsert.
 *
 * @example classifyRequest('PATCH', '/api/v1/contacts/:id') // { action: 'contacts.update', kind: 'change' }
 */
export function classifyRequest(method: string, route: string, status = 200): AuditClass | undefined {
  const prefix = route.startsWith(`${API}/`) ? API : route.startsWith(`${APP}/`) ? APP : undefined;
  if (!prefix) return undefined;
  const rule = RULES[`${method} ${route}`];
  if (rule) return { action: status === 201 && rule.created ? rule.created : rule.action, kind: rule.kind ?? (CHANGES.has(method) ? 'change' : 'read') };
  if (method === 'HEAD' || method === 'OPTIONS') return undefined;
  const action = fallbackAction(method, route.slice(prefix.length));
  if (CHANGES.has(method)) return { action, kind: 'change' };
  return { action, kind: action.endsWith('.export') ? 'export' : 'read' };
}

/**
 * A name from the pattern: the resource (first segment), the literal segments after it, and a verb
 * from the method: `POST /campaigns/:id/launch` → `campaigns.launch`, `POST /teams` →
 * `teams.create`, `PATCH /users/:id` → `users.update`, `DELETE /webhooks/:id` → `webhooks.delete`,
 * `GET /flows/:id/versions` → `flows.versions.list`, `GET /flows/:id` → `flows.read`.
 */
export function fallbackAction(method: string, path: string): string {
  const segments = path.split('/').filter(Boolean);
  const words = segments.filter((segment) => !segment.startsWith(':')).map((segment) => segment.replace(/[^a-z0-9]+/gi, '_').toLowerCase());
  const endsWithParam = segments.at(-1)?.startsWith(':') ?? false;
  const [resource = 'unknown', ...rest] = words;
  const name = [resource, ...rest];
  switch (method) {
    case 'GET':
      return endsWithParam ? `${name.join('.')}.read` : rest.at(-1) === 'export' ? name.join('.') : `${name.join('.')}.list`;
    case 'POST':
      // A verb after an id (`/campaigns/:id/launch`) names itself; a collection gets `create`.
      return segments.some((segment) => segment.startsWith(':')) && !endsWithParam && rest.length > 0 ? name.join('.') : `${name.join('.')}.create`;
    case 'PUT':
    case 'PATCH':
      return `${name.join('.')}.update`;
    case 'DELETE':
      return `${name.join('.')}.delete`;
    default:
      return `${name.join('.')}.${method.toLowerCase()}`;
  }
}

/**
 * The record a route names: the first `:param` of the pattern and the literal segment before it
 * (`/api/v1/contacts/:id/erase` with id ct_1 → `{ type: 'contacts', id: 'ct_1' }`).
 */
export function targetOf(route: string, params: unknown): { type: string; id: string } | undefined {
  const segments = route.split('/').filter(Boolean);
  const index = segments.findIndex((segment) => segment.startsWith(':'));
  if (index <= 0 || params === null || typeof params !== 'object') return undefined;
  const name = (segments[index] as string).slice(1);
  // A phone number (the sandbox phone page's `:wa_id`) is personal data: never kept as a target.
  if (name === 'wa_id') return undefined;
  const value = (params as Record<string, unknown>)[name];
  if (typeof value !== 'string' || value === '') return undefined;
  return { type: (segments[index - 1] as string).replace(/-/g, '_'), id: value.slice(0, 200) };
}
