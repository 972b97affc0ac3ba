import type { DomainEvent } from '../events/index.js';

/** Frames the server sends over `/app/ws` (docs/inbox.md, "Real time"). */
export type ServerFrame =
  | { type: 'hello'; last_id: number }
  | { type: 'event'; id: number; event_type: string; data: Record<string, unknown>; created_at: string }
  | { type: 'ephemeral'; kind: EphemeralKind; data: Record<string, unknown> }
  | { type: 'reset' }
  | { type: 'pong' };

/** Frames a browser sends. */
export type ClientFrame = { type: 'typing'; conversation_id: string } | { type: 'ping' };

/** What is pushed but never stored. */
export type EphemeralKind = 'typing' | 'presence';

/** An outbox event as a frame, serialised once for every connection that receives it. */
export function eventFrame(event: DomainEvent): string {
  return JSON.stringify({ type: 'event', id: event.id, event_type: event.type, data: event.data, created_at: event.created_at } satisfies ServerFrame);
}

/**
 * Reads a browser's frame; anything else (not JSON, an unknown type, a bad conversation id) is
 * undefined and ignored by the caller.
 */
export function parseClientFrame(text: string): ClientFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const frame = value as Record<string, unknown>;
  if (frame.type === 'ping') return { type: 'ping' };
  if (frame.type === 'typing' && typeof frame.conversation_id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(frame.conversation_id)) return { type: 'typing', conversation_id: frame.conversation_id };
  return undefined;
}
