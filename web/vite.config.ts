import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The agent inbox: built into dist/web, served by the platform at `/` (src/http/web-app.ts).
// `npx vite --config web/vite.config.ts` serves it with hot reload, the API proxied to :3000.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Modern browsers only (current Chromium and Firefox): no legacy transforms to spend time on.
    target: 'es2022',
    // The CSP has no 'unsafe-inline': never inline assets as data: scripts.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: {
      '/app/api': 'http://127.0.0.1:3000',
      '/app/ws': { target: 'ws://127.0.0.1:3000', ws: true },
    },
  },
});
