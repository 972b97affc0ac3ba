import { describe, expect, it } from 'vitest';
import { canSeeConversation, type Viewer } from './viewer.js';

const agent: Viewer = { workspaceId: 'ws_a', userId: 'usr_ana', name: 'Ana', email: 'ana@x.test', role: 'agent', teamIds: ['team_s'], queues: ['suporte'] };

describe('canSeeConversation', () => {
  it('shows an agent their own conversations and their teams\' queues, nothing else', () => {
    expect(canSeeConversation(agent, { workspace_id: 'ws_a', owner_type: 'agent', owner_id: 'usr_ana', queue: null })).toBe(true);
    expect(canSeeConversation(agent, { workspace_id: 'ws_a', owner_type: 'queue', owner_id: 'suporte', queue: 'suporte' })).toBe(true);
    expect(canSeeConversation(agent, { workspace_id: 'ws_a', owner_type: 'agent', owner_id: 'usr_bia', queue: 'suporte' })).toBe(true);
    expect(canSeeConversation(agent, { workspace_id: 'ws_a', owner_type: 'queue', owner_id: 'vendas', queue: 'vendas' })).toBe(false);
    expect(canSeeConversation(agent, { workspace_id: 'ws_a', owner_type: 'bot', owner_id: null, queue: null })).toBe(false);
  });

  it('never crosses workspaces, whatever the role', () => {
    for (const role of ['admin', 'supervisor', 'agent'] as const) {
      expect(canSeeConversation({ ...agent, role }, { workspace_id: 'ws_b', owner_type: 'agent', owner_id: 'usr_ana', queue: 'suporte' })).toBe(false);
    }
    expect(canSeeConversation({ ...agent, role: 'supervisor' }, { workspace_id: 'ws_a', owner_type: 'bot', owner_id: null, queue: null })).toBe(true);
  });
});
