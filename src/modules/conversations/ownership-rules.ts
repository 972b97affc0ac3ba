/**
 * The ownership state machine of a conversation, as a pure function: who owns it now, what is
 * asked, and either the next owner or why not. No I/O: `Ownership` (./ownership.ts) reads the
 * row, asks {@link decideTransition}, and writes the answer with a compare-and-set.
 *
 * ```
 *   bot ──handoff(q)──▶ queue q ──assign(a)──▶ agent a (queue q kept) ──assign(b, transfer)──▶ agent b
 *    ▲                   │  ▲ └─handoff(q2)─▶ queue q2    │
 *    │                   │  └──────────── unassign ───────┤
 *    └──── resolve ──────┴─────────────── resolve ────────┘
 *   bot ──assign(a)──▶ agent a (no queue unless one is named)
 * ```
 */

/** The owners a conversation can have. */
export const OWNER_TYPES = ['bot', 'queue', 'agent'] as const;
export type OwnerType = (typeof OWNER_TYPES)[number];

/** What a transition did; `transfer` is an assign from one agent to another. */
export const TRANSITION_ACTIONS = ['handoff', 'assign', 'transfer', 'unassign', 'resolve'] as const;
export type TransitionAction = (typeof TRANSITION_ACTIONS)[number];

/** Who made a transition: the bot (id: the flow), an API key (its id), a person (later: a user id), the platform. */
export const ACTOR_TYPES = ['bot', 'api_key', 'user', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** A queue's name: lowercase, digits, `_` and `-`, at most 64 (a team's handle in the inbox). */
export const QUEUE_PATTERN = '^[a-z0-9][a-z0-9_-]{0,63}$';
/** An agent's id: free text until the inbox brings users (an e-mail, a CRM id), at most 128. */
export const AGENT_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$';
/** A transition's reason: at most this many characters. */
export const MAX_REASON_LENGTH = 500;
/** A handoff summary: a JSON object of at most this many bytes. */
export const MAX_SUMMARY_BYTES = 16_384;

export interface Owner {
  type: OwnerType;
  /** The queue's name or the agent's id; null for the bot. */
  id: string | null;
}

/** What ownership is made of: the owner, and the queue it waits in or its agent took it from. */
export interface OwnershipState {
  owner: Owner;
  queue: string | null;
}

export type OwnershipRequest =
  | { action: 'handoff'; queue: string }
  /** `queue`: file it under this queue (default: the one it waits in). `transfer`: it may leave another agent. */
  | { action: 'assign'; agentId: string; queue?: string | undefined; transfer?: boolean | undefined }
  /** `queue`: back to this queue instead of the one it came from. */
  | { action: 'unassign'; queue?: string | undefined }
  | { action: 'resolve' };

export type Decision =
  | { kind: 'move'; action: TransitionAction; next: OwnershipState }
  /** Already where it was asked to go: nothing changes, nothing is recorded. */
  | { kind: 'same' }
  | { kind: 'refused'; to: Owner; rule: string; fix: string };

/**
 * The next ownership for a request, by the transition table of docs/conversations.md:
 *
 * | from \ action | handoff(q) | assign(a) | unassign | resolve |
 * |---|---|---|---|---|
 * | bot | queue q | agent a | refused | refused |
 * | queue p | queue q (same q: nothing) | agent a, queue p kept | refused | bot |
 * | agent b | refused | refused; with `transfer`: agent a (a = b: nothing) | its queue (or the one named) | bot |
 *
 * @example decideTransition({ owner: { type: 'bot', id: null }, queue: null }, { action: 'handoff', queue: 'support' })
 *   // { kind: 'move', action: 'handoff', next: { owner: { type: 'queue', id: 'support' }, queue: 'support' } }
 */
export function decideTransition(current: OwnershipState, request: OwnershipRequest): Decision {
  const { owner } = current;
  switch (request.action) {
    case 'handoff': {
      const to: Owner = { type: 'queue', id: request.queue };
      if (owner.type === 'agent') {
        return refused(to, 'an agent owns it: a handoff moves a conversation from the bot (or another queue) to a queue', 'POST .../unassign with {"queue": "..."} gives it back to a queue; POST .../resolve returns it to the bot');
      }
      if (owner.type === 'queue' && owner.id === request.queue) return { kind: 'same' };
      return move('handoff', to, request.queue);
    }
    case 'assign': {
      const to: Owner = { type: 'agent', id: request.agentId };
      if (owner.type === 'agent') {
        if (owner.id === request.agentId) {
          return request.queue === undefined || request.queue === current.queue ? { kind: 'same' } : move('transfer', to, request.queue);
        }
        if (!request.transfer) {
          return refused(to, `agent ${owner.id ?? ''} owns it already: taking it from another agent is a transfer`, 'send "transfer": true to move it from its agent to this one');
        }
        return move('transfer', to, request.queue ?? current.queue);
      }
      return move('assign', to, request.queue ?? (owner.type === 'queue' ? owner.id : null));
    }
    case 'unassign': {
      const target = request.queue ?? current.queue;
      const to: Owner = { type: 'queue', id: target };
      if (owner.type !== 'agent') {
        return refused(to, owner.type === 'bot' ? 'the bot owns it: only an agent\'s conversation is unassigned' : 'it waits in a queue already: only an agent\'s conversation is unassigned', 'assign it to an agent first (POST .../assign)');
      }
      if (target === null) return refused(to, 'it was assigned without a queue, so there is no queue to return to', 'name the queue: {"queue": "support"}');
      return move('unassign', to, target);
    }
    case 'resolve': {
      const to: Owner = { type: 'bot', id: null };
      if (owner.type === 'bot') return refused(to, 'the bot owns it: only a conversation a queue or an agent owns is resolved', 'nothing to do: it is with the bot already (hand it off or assign it first)');
      return move('resolve', to, null);
    }
  }
}

function move(action: TransitionAction, owner: Owner, queue: string | null): Decision {
  return { kind: 'move', action, next: { owner, queue } };
}

function refused(to: Owner, rule: string, fix: string): Decision {
  return { kind: 'refused', to, rule, fix };
}
