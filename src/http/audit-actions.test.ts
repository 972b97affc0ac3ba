import { describe, expect, it } from 'vitest';
import { classifyRequest, fallbackAction, targetOf } from './audit-actions.js';
import { outcomeOf } from './audit.js';

describe('what the audit log records of a route', () => {
  it('names the data-protection routes by pattern, also those another change adds (erase, delete, a person’s export)', () => {
    expect(classifyRequest('GET', '/api/v1/contacts/:id/export')).toEqual({ action: 'contacts.export_person', kind: 'export' });
    expect(classifyRequest('POST', '/api/v1/contacts/:id/erase')).toEqual({ action: 'contacts.erase', kind: 'change' });
    expect(classifyRequest('DELETE', '/api/v1/contacts/:id')).toEqual({ action: 'contacts.delete', kind: 'change' });
    expect(classifyRequest('PATCH', '/api/v1/contacts/:id')).toEqual({ action: 'contacts.update', kind: 'change' });
    expect(classifyRequest('POST', '/api/v1/contacts', 201)).toEqual({ action: 'contacts.create', kind: 'change' });
    expect(classifyRequest('POST', '/api/v1/contacts', 200)).toEqual({ action: 'contacts.update', kind: 'change' });
    expect(classifyRequest('POST', '/app/api/session', 401)).toEqual({ action: 'users.sign_in', kind: 'sign_in' });
  });

  it('records bulk reads and exports always, single reads only as reads, and never what changes nothing or lies outside the APIs', () => {
    for (const route of ['/api/v1/contacts', '/api/v1/messages', '/api/v1/conversations', '/api/v1/leads', '/api/v1/forms/submissions', '/api/v1/audit', '/app/api/conversations']) expect(classifyRequest('GET', route)?.kind, route).toBe('bulk_read');
    expect(classifyRequest('GET', '/api/v1/invoices/export')).toEqual({ action: 'invoices.export', kind: 'export' });
    expect(classifyRequest('GET', '/api/v1/contacts/:id')).toEqual({ action: 'contacts.read', kind: 'read' });
    expect(classifyRequest('POST', '/api/v1/conversations/:id/typing')?.kind).toBe('none');
    expect(classifyRequest('POST', '/webhooks/whatsapp')).toBeUndefined();
    expect(classifyRequest('GET', '/healthz')).toBeUndefined();
    expect(classifyRequest('GET', '/optin/:token')).toBeUndefined();
  });

  it('derives a name for a route the table does not know', () => {
    expect(fallbackAction('POST', '/campaigns/:id/launch')).toBe('campaigns.launch');
    expect(fallbackAction('POST', '/teams')).toBe('teams.create');
    expect(fallbackAction('PATCH', '/users/:id')).toBe('users.update');
    expect(fallbackAction('DELETE', '/phone-numbers/:id/qr-codes/:code')).toBe('phone_numbers.qr_codes.delete');
    expect(fallbackAction('GET', '/flows/:id/versions')).toBe('flows.versions.list');
    expect(fallbackAction('GET', '/flows/:id')).toBe('flows.read');
  });

  it('takes the target from the first path parameter, and maps statuses to outcomes', () => {
    expect(targetOf('/api/v1/contacts/:id/erase', { id: 'ct_1' })).toEqual({ type: 'contacts', id: 'ct_1' });
    expect(targetOf('/api/v1/phone-numbers/:id/blocked-users', { id: 'pn_1' })).toEqual({ type: 'phone_numbers', id: 'pn_1' });
    expect(targetOf('/api/v1/contacts', {})).toBeUndefined();
    expect(targetOf('/app/api/phone/phones/:wa_id/messages', { wa_id: '5511999990000' })).toBeUndefined();
    expect([200, 204, 302, 400, 401, 403, 404, 409, 422, 429, 500, 502].map(outcomeOf)).toEqual(['success', 'success', 'success', 'failed', 'denied', 'denied', 'failed', 'failed', 'failed', 'denied', 'error', 'error']);
  });
});
