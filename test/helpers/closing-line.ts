// The test run's one closing line, counted from vitest's own model rather than from
// its summary text: tests passed / failed / skipped, and files that failed as a whole
// (an import error or a failing beforeAll: a missing tool). Vitest marks the tests of such
// a file "skipped"; they never ran, so they count as failed here.
// scripts/fresh-check and .ci/run read this line; a run without it did not finish.

import type { Reporter, TestModule } from 'vitest/node';

export function closingLine(modules: ReadonlyArray<TestModule>, unhandledErrors: number): string {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let failedFiles = 0;
  for (const mod of modules) {
    const fileFailed = mod.state() === 'failed';
    if (fileFailed) failedFiles++;
    for (const test of mod.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') passed++;
      else if (state === 'failed' || fileFailed) failed++;
      else skipped++;
    }
  }
  const errors = unhandledErrors ? `, ${unhandledErrors} unhandled errors` : '';
  return `portmatrix tests: ${passed} passed, ${failed} failed, ${skipped} skipped, ${failedFiles} failed files of ${modules.length}${errors}`;
}

export default class ClosingLineReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    process.stdout.write(`\n${closingLine(modules, unhandledErrors.length)}\n`);
  }
}
