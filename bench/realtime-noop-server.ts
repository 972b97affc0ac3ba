/**
 * The no-op baseline of bench/realtime.ts: a bare `ws` server (no platform, no database, no
 * hub) that pushes the same frames to the same sockets at the same rate: each frame goes to
 * the supervisors and to the agents of the frame's queue, as the hub would address it. Same
 * JSON-lines protocol as bench/realtime-server.ts (`ready`, then `publish` and `quit` on stdin);
 * the "commit" time of a frame is when it is handed to the sockets.
 */
import { createInterface } from 'node:readline';
import { WebSocketServer, type WebSocket } from 'ws';

const now = () => performance.timeOrigin + performance.now();
const print = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);
const sockets: Array<{ socket: WebSocket; role: string; queue: string | null }> = [];

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
server.on('connection', (socket, request) => {
  const url = new URL(request.url ?? '/', 'http://x');
  sockets.push({ socket, role: url.searchParams.get('role') ?? 'agent', queue: url.searchParams.get('queue') });
  socket.send(JSON.stringify({ type: 'hello', last_id: 0 }));
});
await new Promise((resolve) => server.once('listening', resolve));
const { port } = server.address() as { port: number };
print({ event: 'ready', url: `http://127.0.0.1:${port}` });

async function publish(rate: number, seconds: number, queues: string[], conversations: string[]): Promise<void> {
  const total = rate * seconds;
  const commits: number[] = new Array<number>(total);
  const begin = now();
  let seq = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((now() - begin) / 1000) * rate));
      for (; seq < due; seq++) {
        const queue = queues[seq % queues.length];
        const frame = JSON.stringify({ type: 'event', id: seq + 1, event_type: 'note.created', data: { conversation_id: conversations[seq % conversations.length], seq }, created_at: new Date().toISOString() });
        commits[seq] = now();
        for (const target of sockets) if (target.role !== 'agent' || target.queue === queue) target.socket.send(frame);
      }
      if (seq >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  print({ event: 'published', total, seconds: (now() - begin) / 1000, behind: 0, commits, queues });
}

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { cmd: string; rate?: number; seconds?: number; queues?: string[]; conversations?: string[] };
  if (command.cmd === 'publish') await publish(command.rate ?? 1000, command.seconds ?? 10, command.queues ?? [], command.conversations ?? []);
  else if (command.cmd === 'quit') {
    for (const { socket } of sockets) socket.terminate();
    server.close();
    process.exit(0);
  }
}
