// The JUnit-facing shape of a test's results: one testcase per test and one per Go
// case, as plain data. The XML writer (report/junit.ts) renders these; keeping the
// mapping here means every report agrees on names, times and outcomes.

import type { GoCase } from './gotest-cases.js';

export type JunitOutcome = { kind: 'passed' } | { kind: 'failure'; message: string; body: string } | { kind: 'skipped'; message: string };

export interface JunitCase {
  /** The cell id: the row a CI test viewer groups by. */
  classname: string;
  /** `<test>` for the test itself, `<test>/<Go case>` for each case. */
  name: string;
  seconds: number;
  outcome: JunitOutcome;
  systemOut: string;
}

/** One testcase per Go case of a `kind: gotest` test. */
export function goCaseJunit(cellId: string, testName: string, cases: readonly GoCase[]): JunitCase[] {
  return cases.map((c) => ({
    classname: cellId,
    name: `${testName}/${c.name}`,
    seconds: (c.elapsedMs ?? 0) / 1000,
    outcome:
      c.status === 'pass'
        ? { kind: 'passed' }
        : c.status === 'skip'
          ? { kind: 'skipped', message: c.skipMessage ?? 'skipped' }
          : { kind: 'failure', message: c.unfinished ?? firstLine(c.output) ?? 'failed', body: c.output },
    systemOut: c.output,
  }));
}

/** The first log message of a failed case makes a useful one-line failure message. */
function firstLine(output: string): string | undefined {
  const line = output.split('\n').find((l) => l.trim());
  return line?.trim().replace(/^[^\s:]+\.go:\d+: /, '');
}
