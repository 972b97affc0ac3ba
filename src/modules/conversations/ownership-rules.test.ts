import { describe, expect, it } from 'vitest';
import { decideTransition, type OwnershipRequest, type OwnershipState } from './ownership-rules.js';

const bot: OwnershipState = { owner: { type: 'bot', id: null }, queue: null };
const queued: OwnershipState = { owner: { type: 'queue', id: 'support' }, queue: 'support' };
const ana: OwnershipState = { owner: { type: 'agent', id: 'ana' }, queue: 'support' };
const direct: OwnershipState = { owner: { type: 'agent', id: 'ana' }, queue: null };

/** The transition table of docs/conversations.md, row by row. */
describe('decideTransition', () => {
  const cases: Array<[string, OwnershipState, OwnershipRequest, ReturnType<typeof decideTransition>['kind'], Partial<OwnershipState> & { action?: string }]> = [
    ['bot: handoff → queue', bot, { action: 'handoff', queue: 'support' }, 'move', { action: 'handoff', owner: { type: 'queue', id: 'support' }, queue: 'support' }],
    ['bot: assign → agent without queue', bot, { action: 'assign', agentId: 'ana' }, 'move', { action: 'assign', owner: { type: 'agent', id: 'ana' }, queue: null }],
    ['bot: assign with a queue', bot, { action: 'assign', agentId: 'ana', queue: 'sales' }, 'move', { action: 'assign', owner: { type: 'agent', id: 'ana' }, queue: 'sales' }],
    ['bot: unassign refused', bot, { action: 'unassign' }, 'refused', {}],
    ['bot: resolve refused', bot, { action: 'resolve' }, 'refused', {}],
    ['queue: handoff to another queue', queued, { action: 'handoff', queue: 'sales' }, 'move', { action: 'handoff', owner: { type: 'queue', id: 'sales' }, queue: 'sales' }],
    ['queue: handoff to its own queue changes nothing', queued, { action: 'handoff', queue: 'support' }, 'same', {}],
    ['queue: assign keeps the queue', queued, { action: 'assign', agentId: 'ana' }, 'move', { action: 'assign', owner: { type: 'agent', id: 'ana' }, queue: 'support' }],
    ['queue: unassign refused', queued, { action: 'unassign' }, 'refused', {}],
    ['queue: resolve → bot', queued, { action: 'resolve' }, 'move', { action: 'resolve', owner: { type: 'bot', id: null }, queue: null }],
    ['agent: handoff refused', ana, { action: 'handoff', queue: 'sales' }, 'refused', {}],
    ['agent: assign to another agent without transfer refused', ana, { action: 'assign', agentId: 'bruno' }, 'refused', {}],
    ['agent: transfer keeps the queue', ana, { action: 'assign', agentId: 'bruno', transfer: true }, 'move', { action: 'transfer', owner: { type: 'agent', id: 'bruno' }, queue: 'support' }],
    ['agent: assign to the same agent changes nothing', ana, { action: 'assign', agentId: 'ana' }, 'same', {}],
    ['agent: unassign → its queue', ana, { action: 'unassign' }, 'move', { action: 'unassign', owner: { type: 'queue', id: 'support' }, queue: 'support' }],
    ['agent: unassign to another queue', ana, { action: 'unassign', queue: 'sales' }, 'move', { action: 'unassign', owner: { type: 'queue', id: 'sales' }, queue: 'sales' }],
    ['agent without queue: unassign refused', direct, { action: 'unassign' }, 'refused', {}],
    ['agent without queue: unassign to a named queue', direct, { action: 'unassign', queue: 'support' }, 'move', { action: 'unassign', owner: { type: 'queue', id: 'support' }, queue: 'support' }],
    ['agent: resolve → bot', ana, { action: 'resolve' }, 'move', { action: 'resolve', owner: { type: 'bot', id: null }, queue: null }],
  ];

  it.each(cases)('%s', (_name, from, request, kind, expected) => {
    const decision = decideTransition(from, request);
    expect(decision.kind).toBe(kind);
    if (decision.kind === 'move') expect({ action: decision.action, ...decision.next }).toEqual(expected);
    if (decision.kind === 'refused') {
      expect(decision.rule.length).toBeGreaterThan(10);
      expect(decision.fix.length).toBeGreaterThan(5);
    }
  });

  it('names where a refused transition would have gone', () => {
    expect(decideTransition(bot, { action: 'resolve' })).toMatchObject({ kind: 'refused', to: { type: 'bot', id: null } });
    expect(decideTransition(ana, { action: 'handoff', queue: 'sales' })).toMatchObject({ kind: 'refused', to: { type: 'queue', id: 'sales' } });
    expect(decideTransition(ana, { action: 'assign', agentId: 'bruno' })).toMatchObject({ kind: 'refused', to: { type: 'agent', id: 'bruno' } });
  });
});
