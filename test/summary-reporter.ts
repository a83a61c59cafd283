import type { Reporter, TestCase, TestModule } from 'vitest/node';

/** True when a suite or module around `test` has errors of its own (its beforeAll or afterAll threw). */
function enclosingFailed(test: TestCase): boolean {
  for (
    let p: TestCase['parent'] | undefined = test.parent;
    p;
    p = p.type === 'suite' ? p.parent : undefined
  ) {
    if (p.errors().length > 0) return true;
  }
  return false;
}

/**
 * Prints the closing line CI reads: `N passed, N failed, N skipped`, counted over every test case
 * (a test skipped because root, a namespace or a browser is missing counts as skipped, never passed; a
 * test that could not run because its suite's beforeAll threw counts as failed).
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const mod of testModules) {
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) failed++;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed' || enclosingFailed(test)) failed++;
        else skipped++;
      }
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
