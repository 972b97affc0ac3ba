/**
 * A small closed-loop HTTP load generator on undici: `concurrency` loops each keep one request
 * in flight over a `Pool` of `connections` keep-alive sockets, until `total` requests are done
 * or `maxDurationMs` has passed (requests in flight then finish, each bounded by
 * `requestTimeoutMs`), so a run always stops by itself (an optional warm-up has the same
 * caps). It only ever targets 127.0.0.1.
 */
import { Pool } from 'undici';

export interface LoadRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  /** `http://127.0.0.1:<port>`; anything else is refused. */
  origin: string;
  /** Builds request number `i` (0-based, in the order requests are issued). */
  request: (i: number) => LoadRequest;
  total: number;
  maxDurationMs: number;
  /** Requests in flight at once (closed loop: a new one starts when one finishes). */
  concurrency: number;
  /** Sockets in the pool (default: `concurrency`, so no request waits for a socket). */
  connections?: number;
  requestTimeoutMs?: number;
  /**
   * Requests sent first over the same connections and left out of the figures (indices from
   * `total` on), to warm up the JIT and the sockets; `afterWarmup` then runs before measuring.
   */
  warmup?: number;
  afterWarmup?: () => Promise<void>;
  /** Labels a response for `outcomes` (default: its HTTP status). */
  classify?: (statusCode: number, body: string) => string;
}

export interface LoadResult {
  completed: number;
  durationMs: number;
  /** Completed requests (any outcome) per second. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Count per HTTP status (`"network"` when no response came). */
  statuses: Record<string, number>;
  /** Count per `classify` label. */
  outcomes: Record<string, number>;
  stoppedBy: 'count' | 'time';
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const origin = new URL(options.origin);
  if (origin.protocol !== 'http:' || origin.hostname !== '127.0.0.1') {
    throw new Error(`load: refusing to target ${options.origin}; only http://127.0.0.1 is allowed`);
  }
  const timeout = options.requestTimeoutMs ?? 10_000;
  const pool = new Pool(origin.origin, {
    connections: options.connections ?? options.concurrency,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const latencies = new Float64Array(options.total);
  const statuses: Record<string, number> = {};
  const outcomes: Record<string, number> = {};

  /** Runs `count` requests (indices from `offset`) or until `maxMs`; records them when `measured`. */
  async function phase(count: number, offset: number, measured: boolean): Promise<number> {
    let issued = 0;
    let completed = 0;
    const deadline = performance.now() + options.maxDurationMs;
    async function loop(): Promise<void> {
      while (issued < count && performance.now() < deadline) {
        const spec = options.request(offset + issued);
        issued += 1;
        const sentAt = performance.now();
        let status: string;
        let label: string;
        try {
          const response = await pool.request(spec);
          const text = await response.body.text();
          status = String(response.statusCode);
          label = options.classify ? options.classify(response.statusCode, text) : status;
        } catch (error) {
          status = 'network';
          label = `network: ${(error as { code?: string }).code ?? String(error)}`;
        }
        if (measured) {
          latencies[completed] = performance.now() - sentAt;
          statuses[status] = (statuses[status] ?? 0) + 1;
          outcomes[label] = (outcomes[label] ?? 0) + 1;
        }
        completed += 1;
      }
    }
    await Promise.all(Array.from({ length: options.concurrency }, loop));
    return completed;
  }

  let completed = 0;
  let durationMs = 0;
  try {
    if (options.warmup) {
      await phase(options.warmup, options.total, false);
      await options.afterWarmup?.();
    }
    const start = performance.now();
    completed = await phase(options.total, 0, true);
    durationMs = performance.now() - start;
  } finally {
    await pool.close();
  }
  const sorted = latencies.subarray(0, completed).sort();
  const at = (q: number): number => (completed === 0 ? Number.NaN : (sorted[Math.min(completed - 1, Math.ceil(q * completed) - 1)] ?? Number.NaN));
  return {
    completed,
    durationMs,
    rps: completed / (durationMs / 1000),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: at(1),
    statuses,
    outcomes,
    stoppedBy: completed >= options.total ? 'count' : 'time',
  };
}
