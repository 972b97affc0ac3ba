import { describe, expect, it } from 'vitest';
import type { Viewer } from '../users/index.js';
import { mayReceive } from './visibility.js';

const agent: Viewer = { workspaceId: 'ws_1', userId: 'usr_a', name: 'Ana', email: 'a@x', role: 'agent', teamIds: ['team_s'], queues: ['sales'] };
const supervisor: Viewer = { ...agent, userId: 'usr_s', role: 'supervisor', teamIds: [], queues: [] };
const inQueue = (queue: string) => ({ conversation: true as const, scope: { workspace_id: 'ws_1', owner_type: 'queue', owner_id: queue, queue } });

describe('mayReceive', () => {
  it('follows canSeeConversation for events about a conversation, never across workspaces', () => {
    const event = { workspace_id: 'ws_1', type: 'note.created' as const, data: {} };
    expect(mayReceive(agent, event, inQueue('sales'))).toBe(true);
    expect(mayReceive(agent, event, inQueue('support'))).toBe(false);
    expect(mayReceive(supervisor, event, inQueue('support'))).toBe(true);
    expect(mayReceive({ ...supervisor, workspaceId: 'ws_2' }, event, inQueue('support'))).toBe(false);
    // An event of one workspace naming another workspace's conversation reaches no one.
    expect(mayReceive(supervisor, event, { conversation: true, scope: { ...inQueue('sales').scope, workspace_id: 'ws_2' } })).toBe(false);
  });

  it('sends events about no conversation to admins and supervisors, template status to everyone', () => {
    expect(mayReceive(agent, { workspace_id: 'ws_1', type: 'contact.created', data: {} }, { conversation: false })).toBe(false);
    expect(mayReceive(supervisor, { workspace_id: 'ws_1', type: 'contact.created', data: {} }, { conversation: false })).toBe(true);
    expect(mayReceive(agent, { workspace_id: 'ws_1', type: 'template.status', data: {} }, { conversation: false })).toBe(true);
    expect(mayReceive(agent, { workspace_id: 'ws_1', type: 'message.status', data: {} }, { conversation: true, scope: undefined })).toBe(false);
  });

  it('tells the agent a conversation was taken from, and the team of the queue it left', () => {
    const moved = (from: { type: string; id: string }) => ({ workspace_id: 'ws_1', type: 'conversation.updated' as const, data: { transition: { from, to: { type: 'queue', id: 'support' } } } });
    expect(mayReceive(agent, moved({ type: 'agent', id: 'usr_a' }), inQueue('support'))).toBe(true);
    expect(mayReceive(agent, moved({ type: 'queue', id: 'sales' }), inQueue('support'))).toBe(true);
    expect(mayReceive(agent, moved({ type: 'agent', id: 'usr_b' }), inQueue('support'))).toBe(false);
  });
});
