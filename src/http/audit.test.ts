import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../modules/audit/index.js';
import { installAudit } from './audit.js';

describe('the audit hook', () => {
  it('stores batches in the order their answers went out, even when an earlier insert is slower', async () => {
    const stored: string[][] = [];
    let calls = 0;
    const log = {
      recordMany: async (entries: readonly AuditEntry[]) => {
        // The first insert takes longer than the second (a busy pool connection on PostgreSQL).
        const delay = calls++ === 0 ? 60 : 0;
        await new Promise((resolve) => setTimeout(resolve, delay));
        stored.push(entries.map((entry) => entry.action));
      },
    };
    const app = Fastify();
    installAudit(app, { log, reads: false });
    app.addHook('onRequest', async (request) => {
      request.auditActor = { type: 'api_key', id: 'key_1', label: 'erp', workspaceId: 'ws_1' };
    });
    app.post('/api/v1/contacts', async (_request, reply) => reply.code(201).send({ id: 'ct_1' }));
    app.post('/api/v1/teams', async (_request, reply) => reply.code(201).send({ id: 'tm_1' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    try {
      expect((await fetch(`${base}/api/v1/contacts`, { method: 'POST' })).status).toBe(201);
      // Lets the first batch's insert start before the second answer.
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect((await fetch(`${base}/api/v1/teams`, { method: 'POST' })).status).toBe(201);
      await app.auditSettled();
      expect(stored).toEqual([['contacts.create'], ['teams.create']]);
    } finally {
      await app.close();
    }
  });
});
