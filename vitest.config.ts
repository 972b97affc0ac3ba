import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './test/support/slow-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    // better-sqlite3 is a native addon: child processes isolate it better than worker threads.
    pool: 'forks',
    // Vitest's default is one fork less than the cores: a single fork on a 2-core machine, so the
    // files ran one after the other. They mostly wait (on PostgreSQL, the sandbox's webhooks, the
    // kill test's restarts), so two files at a time overlap those waits. `--maxWorkers=1` to
    // go back to one at a time.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // One process per worker, shared by the files it runs (not a fresh one per file): about 200 s
    // less of module loading a run. Files close what they start and change no global state
    // (test/README.md). The browser test's one lost read receipt with it was the inbox's own race
    // (a status arriving during a refetch: web/src/realtime.test.ts), fixed.
    isolate: false,
    // The longest files first (test/support/slow-first-sequencer.ts).
    sequence: { sequencer: SlowFirstSequencer },
    // One migrated database of each dialect per run, copied by the files that start the platform.
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
