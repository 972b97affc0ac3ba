/**
 * `conversa serve` in a child process with test build knobs the environment cannot give: the
 * configuration refuses a grace for unknown send outcomes below its safe floor (360 s), while a
 * crash test waits seconds, not minutes. Usage: `node --import tsx test/support/serve-process.ts <unknownGraceMs>`.
 */
import { ConfigError } from '../../src/config/index.js';
import { runServe } from '../../src/cli/serve-command.js';

const unknownGraceMs = Number(process.argv[2]);
if (!Number.isInteger(unknownGraceMs) || unknownGraceMs <= 0) throw new Error('usage: serve-process.ts <unknownGraceMs>');
try {
  process.exitCode = await runServe([], { dispatcher: { unknownGraceMs } });
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = error instanceof ConfigError ? 2 : 1;
}
