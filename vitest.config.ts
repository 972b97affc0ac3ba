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
    // A fresh process per file (Vitest's default). Sharing one per worker (`isolate: false`) saved
    // about 200 s of module loading a run, but in one CI run of six the browser inbox test then
    // waited in vain for a read receipt; until that is understood, files stay isolated.
    // The longest files first (test/support/slow-first-sequencer.ts).
    sequence: { sequencer: SlowFirstSequencer },
    // One migrated database of each dialect per run, copied by the files that start the platform.
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
