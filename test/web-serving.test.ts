import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { installWebApp } from '../src/http/web-app.js';
import { useApp } from './support/use-app.js';

/**
 * The agent inbox is served by the platform at `/` (issue 11): hashed assets cached for a year,
 * index.html never, index.html for the app's routes only (a reload of /inbox/cnv_… works), and
 * the API's paths keep their JSON 404. Every page carries the app's security headers.
 */
const webDir = mkdtempSync(join(tmpdir(), 'conversa-web-'));
mkdirSync(join(webDir, 'assets'));
writeFileSync(join(webDir, 'index.html'), '<!doctype html><html><head><script type="module" src="/assets/index-Ab12Cd34.js"></script></head><body><div id="root"></div></body></html>');
writeFileSync(join(webDir, 'assets', 'index-Ab12Cd34.js'), 'console.log("app")');
writeFileSync(join(webDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
afterAll(() => rmSync(webDir, { recursive: true, force: true }));

describe('the web app served at /', () => {
  const running = useApp(undefined, { build: { webDir } });
  const get = (url: string, method: 'GET' | 'HEAD' | 'POST' = 'GET') => running.app.http.inject({ method, url });

  it('answers index.html, never cached, with the security headers, for every app route', async () => {
    for (const url of ['/', '/login', '/inbox', '/inbox/cnv_123', '/supervisor', '/admin', '/admin/users', '/phone', '/inbox?view=queue']) {
      const page = await get(url);
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(page.body, url).toContain('<div id="root">');
      expect(page.headers['cache-control'], url).toBe('no-cache');
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("img-src 'self' data: blob:");
      expect(csp).toContain("connect-src 'self' ws: wss:");
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      expect(page.headers['referrer-policy']).toBe('same-origin');
    }
  });

  it('serves hashed assets for a year, immutable, and a missing asset is a 404', async () => {
    const asset = await get('/assets/index-Ab12Cd34.js');
    expect(asset.statusCode, asset.body).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
    expect(asset.body).toBe('console.log("app")');
    expect((await get('/assets/index-missing.js')).statusCode).toBe(404);
    expect((await get('/assets/../../etc/passwd')).statusCode).toBe(404);
    expect((await get('/favicon.svg')).headers['content-type']).toBe('image/svg+xml');
  });

  it('never falls back to the app for API, WebSocket, sandbox, Graph, docs or health paths: their 404 stays JSON', async () => {
    for (const url of ['/api/v1/nothing-here', '/app/api/nothing-here', '/app/ws/x', '/sandbox/v1/x', '/v23.0/123/messages', '/docs/nothing', '/healthz/x', '/inboxes', '/random', '/index.html.bak']) {
      const answer = await get(url);
      expect(answer.statusCode, url).toBe(404);
      expect(answer.headers['content-type'], url).toMatch(/application\/json/);
      expect(answer.json().error.code, url).toBe('CONVERSA_ERR_NOT_FOUND');
    }
    // Only GET (and HEAD) of an app route answers the page.
    const posted = await get('/inbox', 'POST');
    expect(posted.statusCode).toBe(404);
    expect(posted.json().error.code).toBe('CONVERSA_ERR_NOT_FOUND');
    expect((await get('/inbox', 'HEAD')).statusCode).toBe(200);
    // The API itself is untouched.
    expect((await get('/healthz')).json()).toEqual({ status: 'ok' });
  });
});

describe('without a build (dist/web missing)', () => {
  it('answers the app routes with a page saying to run npm run build, and API paths as before', async () => {
    const app = Fastify();
    app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: { code: 'CONVERSA_ERR_NOT_FOUND' } }));
    await installWebApp(app, join(webDir, 'not-built'));
    const page = await app.inject({ method: 'GET', url: '/inbox' });
    expect(page.statusCode).toBe(503);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('npm run build');
    expect((await app.inject({ method: 'GET', url: '/assets/index-Ab12Cd34.js' })).statusCode).toBe(404);
    await app.close();
  });
});
