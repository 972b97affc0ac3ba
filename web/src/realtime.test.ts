import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Realtime } from './realtime';
import type { Message, Page } from './types';

/** Polls `probe` until it answers true, or fails naming `what` after 5 s. */
async function until(probe: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 5000; !probe(); await new Promise((resolve) => setTimeout(resolve, 10))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

/** A stand-in for the browser's WebSocket: the test plays the server's frames. */
class FakeSocket {
  static readonly OPEN = 1;
  static last: FakeSocket | undefined;
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(): void {}
  close(): void {}
  frame(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
});

/**
 * The inbox's live link (web/src/realtime.ts) against the race the browser test met once: a
 * conversation's messages being fetched again (after the agent's reply) while that reply's
 * `message.status` events arrive. The fetch read the reply as it was before its statuses; the
 * statuses, naming a message no cached page held yet, changed nothing, and the reply kept one
 * grey tick although the customer had read it.
 */
describe('the inbox live link', () => {
  it('fetches a conversation again when a status names a message its fetch in flight may have missed', async () => {
    vi.stubGlobal('location', { protocol: 'http:', host: 'inbox.test' });
    vi.stubGlobal('WebSocket', FakeSocket);
    const queries = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const reply = (status: string) => ({ id: 'msg_reply', direction: 'out', type: 'text', status, text: { body: 'Olá' }, created_at: '2026-12-06T20:00:00.000Z' }) as unknown as Message;
    // Each fetch reads the server when it starts. The first finds no reply yet; the second (after
    // the reply was sent) answers only when the test releases it.
    let release: (() => void) | undefined;
    let fetches = 0;
    const server: { replied: boolean; status: string } = { replied: false, status: 'queued' };
    const observer = new QueryObserver<Page<Message>>(queries, {
      queryKey: ['messages', 'cv_1'],
      queryFn: async () => {
        fetches += 1;
        const page = { data: server.replied ? [reply(server.status)] : [], next_cursor: null } as unknown as Page<Message>;
        if (fetches === 2) await new Promise<void>((resolve) => (release = resolve));
        return page;
      },
    });
    const unsubscribe = observer.subscribe(() => undefined);
    const realtime = new Realtime(queries);
    realtime.start();
    const socket = FakeSocket.last!;
    socket.frame({ type: 'hello', last_id: 0 });

    await until(() => queries.getQueryData(['messages', 'cv_1']) !== undefined, 'the conversation shown');

    // The agent replies (the composer then fetches the messages again): that fetch reads the
    // reply still queued, and is in flight when the customer reads it.
    server.replied = true;
    void queries.invalidateQueries({ queryKey: ['messages', 'cv_1'] });
    await until(() => release !== undefined, 'the fetch after the reply started');
    server.status = 'read';
    socket.frame({ type: 'event', id: 1, event_type: 'message.status', data: { message_id: 'msg_reply', status: 'sent' }, created_at: '' });
    socket.frame({ type: 'event', id: 2, event_type: 'message.status', data: { message_id: 'msg_reply', status: 'read' }, created_at: '' });
    release!();

    await until(() => queries.getQueryData<Page<Message>>(['messages', 'cv_1'])?.data[0]?.status === 'read', 'the reply shown as read');
    expect(fetches).toBeGreaterThanOrEqual(3);

    // A status for a message no conversation holds, with nothing being fetched, costs no fetch.
    const before = fetches;
    socket.frame({ type: 'event', id: 3, event_type: 'message.status', data: { message_id: 'msg_elsewhere', status: 'delivered' }, created_at: '' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fetches).toBe(before);
    realtime.stop();
    unsubscribe();
    queries.clear();
  });
});
