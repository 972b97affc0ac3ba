import { describe, expect, it } from 'vitest';
import { splitWebhook } from './split-webhook.js';
import { jsonDepthExceeds, scopeWebhookEvents } from './webhook-scope.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('jsonDepthExceeds', () => {
  it('counts arrays and objects, not brackets inside strings or after escapes', () => {
    expect(jsonDepthExceeds(bytes('{"a":[{"b":1}]}'), 3)).toBe(false);
    expect(jsonDepthExceeds(bytes('{"a":[{"b":[1]}]}'), 3)).toBe(true);
    expect(jsonDepthExceeds(bytes(JSON.stringify({ text: '[[[[[{{{{{' })), 1)).toBe(false);
    expect(jsonDepthExceeds(bytes(JSON.stringify({ text: 'quote \\" then [[[[' })), 1)).toBe(false);
    expect(jsonDepthExceeds(bytes(JSON.stringify({ text: 'ends in a backslash \\' , deeper: [[[]]] })), 3)).toBe(true);
    expect(jsonDepthExceeds(bytes('['.repeat(100_000)), 64)).toBe(true);
  });
});

describe('scopeWebhookEvents', () => {
  const directory = {
    numbers: new Map([
      ['pa', { workspaceId: 'A', wabaId: 'wa' }],
      ['pb', { workspaceId: 'B', wabaId: 'wb' }],
      ['pc', { workspaceId: 'C', wabaId: 'wa' }],
    ]),
    wabas: new Map([
      ['wa', new Set(['A', 'C'])],
      ['wb', new Set(['B'])],
    ]),
  };
  const status = (waba: string, number: string, id: string) => ({ id: waba, changes: [{ field: 'messages', value: { metadata: { phone_number_id: number }, statuses: [{ id, status: 'sent' }] } }] });
  const template = (waba: string) => ({ id: waba, changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 1 } }] });

  it('gives each event to the verified workspace of its number or WABA, and drops the rest', () => {
    const events = splitWebhook({ entry: [status('wa', 'pa', 'w1'), status('wb', 'pb', 'w2'), status('wa', 'pb', 'w3'), status('wa', 'px', 'w4'), template('wa'), template('wb')] });
    const { byWorkspace, dropped } = scopeWebhookEvents(events, new Set(['A', 'C']), directory);
    expect([...byWorkspace.keys()].sort()).toEqual(['A', 'C']);
    expect(byWorkspace.get('A')!.map((e) => [e.kind, e.dedupeKey.startsWith('s:') ? e.dedupeKey : e.field])).toEqual([
      ['status', 's:w1:sent'],
      ['other', 'message_template_status_update'],
    ]);
    expect(byWorkspace.get('C')!.map((e) => e.kind)).toEqual(['other']);
    expect(dropped.map((e) => [e.wabaId, e.phoneNumberId ?? null])).toEqual([
      ['wb', 'pb'],
      ['wa', 'pb'],
      ['wa', 'px'],
      ['wb', null],
    ]);
  });
});
