import type { QueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import type { Message, Page } from './types';

/** A frame of GET /app/ws (the brief's contract). */
type Frame =
  | { type: 'hello'; last_id: number | string }
  | { type: 'event'; id: number | string; event_type: string; data: Record<string, unknown>; created_at: string }
  | { type: 'ephemeral'; kind: 'typing' | 'presence'; data: Record<string, unknown> }
  | { type: 'reset' }
  | { type: 'pong' };

export type LinkState = 'connecting' | 'open' | 'closed';

interface Typing {
  conversationId: string;
  who: string;
  until: number;
}

/**
 * The live link to the server: one WebSocket to /app/ws. Each event refreshes the queries it
 * touches (the conversation, its messages and notes, the lists and counts); a reconnect resumes
 * after the last event id seen, so nothing is missed; `reset` (too far behind) refetches all.
 * Reconnects with exponential backoff and jitter (0.5 s doubling to 15 s).
 */
export class Realtime {
  #socket: WebSocket | undefined;
  #lastId: string | undefined;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ping: ReturnType<typeof setInterval> | undefined;
  #stopped = false;
  #state: LinkState = 'connecting';
  #typing = new Map<string, Typing>();
  #listeners = new Set<() => void>();
  #lastTypingSent = new Map<string, number>();

  constructor(private readonly queries: QueryClient) {}

  start(): void {
    this.#stopped = false;
    this.#open();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearInterval(this.#ping);
    this.#socket?.close(1000, 'bye');
    this.#socket = undefined;
  }

  get state(): LinkState {
    return this.#state;
  }

  /** Who is typing in a conversation now (another agent, or the customer), if anyone. */
  typingIn(conversationId: string): string | undefined {
    const typing = this.#typing.get(conversationId);
    return typing && typing.until > Date.now() ? typing.who : undefined;
  }

  /** Tells the others this person types in a conversation: at most every 3 s per conversation. */
  sendTyping(conversationId: string): boolean {
    const now = Date.now();
    if (now - (this.#lastTypingSent.get(conversationId) ?? 0) < 3000) return false;
    this.#lastTypingSent.set(conversationId, now);
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify({ type: 'typing', conversation_id: conversationId }));
    return true;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }

  #setState(state: LinkState): void {
    this.#state = state;
    this.#notify();
  }

  #open(): void {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const after = this.#lastId !== undefined ? `?after=${encodeURIComponent(this.#lastId)}` : '';
    const socket = new WebSocket(`${scheme}://${location.host}/app/ws${after}`);
    this.#socket = socket;
    this.#setState('connecting');
    socket.onopen = () => {
      this.#attempt = 0;
      this.#setState('open');
      clearInterval(this.#ping);
      this.#ping = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send(JSON.stringify({ type: 'ping' })), 25_000);
    };
    socket.onmessage = (message) => {
      let frame: Frame;
      try {
        frame = JSON.parse(String(message.data)) as Frame;
      } catch {
        return;
      }
      this.#receive(frame);
    };
    socket.onclose = () => {
      clearInterval(this.#ping);
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#setState('closed');
      if (this.#stopped) return;
      const delay = Math.min(15_000, 500 * 2 ** this.#attempt) * (0.75 + Math.random() * 0.5);
      this.#attempt += 1;
      this.#timer = setTimeout(() => this.#open(), delay);
    };
  }

  #receive(frame: Frame): void {
    switch (frame.type) {
      case 'hello':
        // First connection: start from now (the screens fetched the present). A resume keeps its place.
        if (this.#lastId === undefined) this.#lastId = String(frame.last_id);
        else void this.queries.invalidateQueries({ queryKey: ['counts'] });
        return;
      case 'reset':
        this.#lastId = undefined;
        void this.queries.invalidateQueries();
        return;
      case 'event':
        this.#lastId = String(frame.id);
        this.#apply(frame.event_type, frame.data ?? {});
        return;
      case 'ephemeral':
        if (frame.kind === 'typing') {
          const conversationId = String(frame.data.conversation_id ?? '');
          const who = String(frame.data.name ?? frame.data.user_name ?? frame.data.from ?? '');
          if (conversationId) {
            this.#typing.set(conversationId, { conversationId, who, until: Date.now() + 6000 });
            this.#notify();
            setTimeout(() => this.#notify(), 6100);
          }
        } else {
          void this.queries.invalidateQueries({ queryKey: ['agents'] });
          void this.queries.invalidateQueries({ queryKey: ['supervisor'] });
        }
        return;
      default:
        return;
    }
  }

  #apply(type: string, data: Record<string, unknown>): void {
    const conversationId = typeof data.conversation_id === 'string' ? data.conversation_id : undefined;
    if (conversationId) {
      if (type.startsWith('note.')) {
        void this.queries.invalidateQueries({ queryKey: ['notes', conversationId] });
        void this.queries.invalidateQueries({ queryKey: ['mentions'] });
      } else {
        void this.queries.invalidateQueries({ queryKey: ['messages', conversationId] });
        void this.queries.invalidateQueries({ queryKey: ['conversation', conversationId] });
      }
      // A customer's message ends their typing indicator.
      if (type === 'message.received' && this.#typing.delete(conversationId)) this.#notify();
    }
    // `message.status` names the message only: patch it where a conversation's messages are cached.
    if (!conversationId && type === 'message.status' && typeof data.message_id === 'string') this.#patchStatus(data.message_id, data);
    if (type.startsWith('contact.') || type.startsWith('consent.')) void this.queries.invalidateQueries({ queryKey: ['panel'] });
    if (type !== 'message.status') {
      void this.queries.invalidateQueries({ queryKey: ['conversations'] });
      void this.queries.invalidateQueries({ queryKey: ['counts'] });
      void this.queries.invalidateQueries({ queryKey: ['supervisor'] });
    }
  }

  #patchStatus(messageId: string, data: Record<string, unknown>): void {
    let held = false;
    for (const [key, page] of this.queries.getQueriesData<Page<Message>>({ queryKey: ['messages'] })) {
      if (!page?.data.some((message) => message.id === messageId)) continue;
      held = true;
      const status = typeof data.status === 'string' ? data.status : undefined;
      // Statuses only move forward (sent < delivered < read); `played` stays `read` on screen.
      if (status && status !== 'played') {
        this.queries.setQueryData<Page<Message>>(key, { ...page, data: page.data.map((message) => (message.id === messageId && STATUS_ORDER.indexOf(status) > STATUS_ORDER.indexOf(message.status) ? { ...message, status } : message)) });
      }
      void this.queries.invalidateQueries({ queryKey: key });
    }
    if (held) return;
    // No cached page holds it yet, but a page being fetched now (after the agent's reply, say)
    // may have read the message before this status: fetch those again, or its ticks would stay
    // behind. Nothing in flight: nothing to do (a campaign's statuses cost no fetches).
    for (const query of this.queries.getQueryCache().findAll({ queryKey: ['messages'], fetchStatus: 'fetching' })) {
      void this.queries.invalidateQueries({ queryKey: query.queryKey, exact: true });
    }
  }
}

const STATUS_ORDER = ['queued', 'accepted', 'sending', 'sent', 'delivered', 'read', 'failed'];

/** The link's state, re-rendering on change. */
export function useLinkState(realtime: Realtime): LinkState {
  return useSyncExternalStore(realtime.subscribe, () => realtime.state);
}

/** Who types in a conversation, re-rendering on change. */
export function useTyping(realtime: Realtime, conversationId: string): string | undefined {
  return useSyncExternalStore(realtime.subscribe, () => realtime.typingIn(conversationId));
}
