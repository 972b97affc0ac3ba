import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { sendError } from './errors.js';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * Where `npm run build` puts the web app (vite, web/vite.config.ts): `dist/web` of the package.
 * The same relative path holds from src/http (tests, tsx) and dist/http (npm start).
 */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** The browser app's own paths: each answers index.html, and the app's router shows the screen. */
export const APP_ROUTES = ['/', '/login', '/inbox', '/inbox/*', '/supervisor', '/admin', '/admin/*', '/phone'] as const;

/**
 * The app's Content Security Policy: only its own scripts (no inline script, no eval), media and
 * images from itself (uploads previewed as blob:), its own API and WebSocket, never framed.
 */
export const APP_CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self' ws: wss:",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': APP_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the built web app (dist/web) at `/`: hashed files under /assets/ cached for a year,
 * index.html never cached, and index.html for the app's own routes (APP_ROUTES) so a reload of
 * /inbox/cnv_… works. Every other path (/api, /app/api, /app/ws, /sandbox, /docs, …) keeps its
 * JSON 404: there is no catch-all fallback. Without a build, the app's routes answer a page
 * that says to run `npm run build`.
 */
export async function installWebApp(app: FastifyInstance, webDir: string = DEFAULT_WEB_DIR): Promise<void> {
  const indexFile = join(webDir, 'index.html');
  const assetsDir = join(webDir, 'assets');
  if (existsSync(assetsDir)) {
    await app.register(fastifyStatic, {
      root: assetsDir,
      prefix: '/assets/',
      decorateReply: false,
      index: false,
      // File names carry their content's hash (vite): a new build is a new name.
      cacheControl: false,
      setHeaders: (response) => {
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
        response.setHeader('cache-control', IMMUTABLE);
      },
    });
  }

  const sendIndex = async (reply: FastifyReply) => {
    reply.headers(SECURITY_HEADERS).header('cache-control', 'no-cache');
    let page: string;
    try {
      page = await readFile(indexFile, 'utf8');
    } catch {
      // A page for a person at `/`, not an API answer: the catalogue's JSON errors do not apply.
      return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    }
    return reply.type('text/html; charset=utf-8').send(page);
  };
  for (const url of APP_ROUTES) app.get(url, { schema: { hide: true } }, async (_request, reply) => sendIndex(reply));

  // Files at the root of the build (web/public): the icon.
  app.get('/favicon.svg', { schema: { hide: true } }, async (_request, reply) => {
    try {
      const icon = await readFile(join(webDir, 'favicon.svg'));
      return reply.headers(SECURITY_HEADERS).header('cache-control', 'public, max-age=86400').type('image/svg+xml').send(icon);
    } catch {
      return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', 'No route for GET /favicon.svg.');
    }
  });
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Conversa: the web app is not built</title></head>
<body><h1>The web app is not built</h1>
<p>This server has no <code>dist/web</code>. Run <code>npm run build</code> (or <code>npm start</code>, which builds first), then reload.</p>
<p>The REST API works meanwhile: <a href="/docs">/docs</a>.</p></body></html>`;
