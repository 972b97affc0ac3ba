import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

/** What the browser tests share: Debian's chromium, the built web app, where screenshots go. */
export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SHOTS = join(ROOT, 'docs', 'screenshots');
export const hasChromium = existsSync(CHROMIUM);
export const ONE_PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** Warns once per file when chromium is missing (the file is skipped). */
export function warnWithoutChromium(file: string): void {
  if (!hasChromium) console.warn(`${file} skipped: ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`);
}

/** Builds the web app when it is stale, launches headless chromium, and makes the screenshots folder. */
export async function launchBrowser(): Promise<Browser> {
  await buildWebWhenStale();
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}

/** Builds the web app into dist/web when it is missing or older than a file of web/ (`npm install` builds it). */
async function buildWebWhenStale(): Promise<void> {
  const built = join(ROOT, 'dist', 'web', 'index.html');
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  if (builtAt > newest(join(ROOT, 'web'))) return;
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'web', 'vite.config.ts'), logLevel: 'warn' });
}

function newest(folder: string): number {
  let latest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}
