import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest, longest first, in seconds on this 2-core machine (CI logs,
 * "Slowest files"). Vitest starts files by their last run's duration when it has one, and
 * otherwise by file size; a clean checkout has none, so the crash tests (small files that call a
 * scenario in test/support/) started last and ran alone at the end for minutes. Started first,
 * they overlap the hundreds of short files on the other worker.
 */
const SLOWEST: ReadonlyArray<readonly [file: string, seconds: number]> = [
  ['test/kill-recovery-postgres.test.ts', 157],
  ['test/campaigns.test.ts', 91],
  ['test/kill-recovery.test.ts', 77],
  ['test/chatbot-crash.test.ts', 31],
  ['test/chatbot-crash-postgres.test.ts', 30],
  ['test/user-cli.test.ts', 28],
  ['test/api-bad-input.test.ts', 26],
  ['test/browser/inbox.test.ts', 26],
  ['test/chatbot-triggers.test.ts', 25],
  ['test/browser/desk.test.ts', 24],
  ['test/sandbox-control.test.ts', 21],
  ['test/flow-cli.test.ts', 19],
  ['test/dispatch-nodes.test.ts', 11],
];

/** Listed files first (by their seconds, longest first), then Vitest's own order for the rest. */
export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const seconds = new Map(SLOWEST);
    const known = (file: TestSpecification) => seconds.get(relative(file.project.config.root, file.moduleId));
    const listed = files.filter((file) => known(file) !== undefined).sort((a, b) => (known(b) ?? 0) - (known(a) ?? 0));
    const rest = await super.sort(files.filter((file) => known(file) === undefined));
    return [...listed, ...rest];
  }
}
