/**
 * Runs wrk (Debian package `wrk`: a C load generator, far faster than any Node client on the
 * same 2 cores) against 127.0.0.1 and parses its figures. A Node generator tops out near 5,000
 * requests/s here while Fastify alone serves ~30,000/s, so it cannot measure the server.
 */
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx/3xx responses and socket errors as wrk counts them. */
  non2xx: number;
  socketErrors: number;
}

export function requireWrk(): void {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (error) {
    // wrk --version exits 1 after printing its version; only a missing binary throws ENOENT.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      console.error('This benchmark needs wrk: apt-get install -y wrk');
      process.exit(2);
    }
  }
}

const SCRIPT = fileURLToPath(new URL('./wrk-replay.lua', import.meta.url));

/** Replays the signed bodies in `bodiesFile` against `origin` for `seconds` (without one: `GET /`). */
export function runWrk(options: { origin: string; bodiesFile?: string; seconds: number; connections: number; threads?: number; path?: string }): Promise<WrkResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(options.origin)) throw new Error(`load only goes to 127.0.0.1, not ${options.origin}`);
  const threads = options.threads ?? 1;
  const args = ['-t', String(threads), '-c', String(options.connections), '-d', `${options.seconds}s`, '--latency', ...(options.bodiesFile ? ['-s', SCRIPT] : []), options.origin];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { env: { ...process.env, BODIES: options.bodiesFile ?? '', THREADS: String(threads), WRK_PATH: options.path ?? '/webhooks/whatsapp' }, maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error) return reject(error);
      resolve(parseWrk(stdout));
    });
  });
}

export function parseWrk(output: string): WrkResult {
  const number = (re: RegExp) => Number(re.exec(output)?.[1] ?? Number.NaN);
  const latency = (label: string) => {
    const match = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(output);
    if (!match) return Number.NaN;
    const value = Number(match[1]);
    return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
  };
  const summary = /(\d+) requests in ([\d.]+)(ms|s)/.exec(output);
  const seconds = summary ? Number(summary[2]) / (summary[3] === 'ms' ? 1000 : 1) : Number.NaN;
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requests: summary ? Number(summary[1]) : Number.NaN,
    seconds,
    rps: number(/Requests\/sec:\s+([\d.]+)/),
    p50Ms: latency('50'),
    p99Ms: latency('99'),
    non2xx: number(/Non-2xx or 3xx responses: (\d+)/) || 0,
    socketErrors: errors ? errors.slice(1).reduce((sum, value) => sum + Number(value), 0) : 0,
  };
}
