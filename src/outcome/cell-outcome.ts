// A cell's outcome from its tests' (pure), decided here only: its status, its
// reason, and its expectation applied. Any failing test fails the cell, `infra`
// when it never got to run them; the cell-level `expect` turns a failing cell into
// xfail (and its failing tests with it) and a passing one into xpass, except a
// quarantined flake (`result: flaky`), which simply passes.

import { type Cell, LOADER_TEST } from '../core/cell.js';
import { passedAgainstExpectation } from '../results/expectation.js';
import type { Status, TestResult } from '../results/model.js';
import { isUnexpected } from '../results/tests.js';
import { withSysctlErrors } from './explain.js';

type Expect = Cell['expect'];

export function cellStatus(tests: readonly TestResult[], o: { bootFailed: boolean; expect?: Expect }): Status {
  if (o.bootFailed) return 'infra';
  if (tests.length > 0 && tests.every((t) => t.status === 'skip')) return 'skip';
  if (tests.some((t) => t.status === 'infra')) return 'infra';
  const failed = tests.some((t) => isUnexpected(t.status));
  if (!o.expect) return failed ? 'fail' : 'pass';
  if (failed) return 'xfail';
  return o.expect.result === 'flaky' ? 'pass' : 'xpass';
}

/**
 * `hang: timed out after 3s`, or `2 of 5 tests failed: hang (…), panic (…)`. A
 * `loader:` matrix's one test is the cell: its reason is the cell's as it stands.
 */
export function testsReason(tests: readonly TestResult[], infra?: string): string | undefined {
  const bad = tests.filter((t) => isUnexpected(t.status) || t.status === 'infra');
  if (bad.length === 0) return infra;
  const one = bad[0]!;
  if (bad.length === 1 && tests.length === 1 && one.name === LOADER_TEST) return one.reason ?? one.status;
  if (bad.length === 1) return `${one.name}: ${one.reason ?? one.status}`;
  const each = (t: TestResult) => `${t.name}${t.reason ? ` (${t.reason})` : ''}`;
  return `${bad.length} of ${tests.length} tests failed: ${bad.map(each).join(', ')}`;
}

export interface CellOutcome {
  status: Status;
  reason?: string;
  /** The tests, those that failed as the cell's `expect` said marked xfail with it. */
  tests: TestResult[];
}

export interface CellFacts {
  /** The first guest never ran a test. */
  bootFailed: boolean;
  /** Why the guest that ended the cell was an infrastructure failure, when it was. */
  infra?: string;
  /** Sysctls the guest kernel refused: a failing cell says so. */
  sysctlErrors?: readonly string[];
}

/** A failed test of a cell whose `expect` covers all its tests: failed as expected. */
export function underCellExpect(test: TestResult, expect: Expect): TestResult {
  return expect && test.status === 'fail' ? { ...test, status: 'xfail', expected: test.expected ?? expect } : test;
}

export function decideCell(cell: Pick<Cell, 'expect'>, tests: readonly TestResult[], f: CellFacts): CellOutcome {
  const status = cellStatus(tests, { bootFailed: f.bootFailed, expect: cell.expect });
  const expect = cell.expect;
  const why = status === 'xpass' && expect ? passedAgainstExpectation(expect.reason) : testsReason(tests, f.infra);
  const marked = tests.map((t) => underCellExpect(t, expect));
  return { status, reason: withSysctlErrors(why, [...(f.sysctlErrors ?? [])], status), tests: marked };
}
