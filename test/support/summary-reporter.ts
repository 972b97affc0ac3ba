import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line, `Tests: N passed, N failed, N skipped`, that any CI log
 * reader understands, after Vitest's own summary; before it, the ten slowest files (tests and
 * hooks), so a suite growing past its time budget shows where.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed += 1;
    }
    const slowest = [...modules].sort((a, b) => b.diagnostic().duration - a.diagnostic().duration).slice(0, 10);
    if (slowest.length > 1) {
      console.log('\nSlowest files (tests and hooks):');
      for (const module of slowest) console.log(`  ${(module.diagnostic().duration / 1000).toFixed(1).padStart(6)} s  ${module.moduleId.replace(`${process.cwd()}/`, '')}`);
    }
    console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
}
