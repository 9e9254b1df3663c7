// The test × cell view of a matrix of several tests: which test did not pass where.
// Rows: the tests that did not pass on every cell they ran on; columns: the cells
// where one of them did not. What needs attention comes first (tests and cells with a
// failure, then expected ones), so a view bounded for a big matrix keeps it; a report
// says what it left out. Pure: from the kernels view's per-test outcomes (kernels-view.ts).

import type { RunResults, Status } from '../results/model.js';
import { type TestAcrossKernels, testsAcrossKernels } from './kernels-view.js';
import { sortByStatus } from './view.js';
import { STATUS_ORDER } from './wording.js';

export interface TestGridRow {
  name: string;
  /** Per column, the test's status there as the cell shows it; none where it did not run (or skipped). */
  statuses: (Status | undefined)[];
  /** Cells where it did not pass, among all it ran on (shown columns or not). */
  failed: number;
  ran: number;
}

export interface TestGrid {
  /** Cell ids, the cells needing attention first (view.ts `sortByStatus`). */
  columns: string[];
  rows: TestGridRow[];
  /** Every test name of the run. */
  total: number;
  /** Tests not listed (the limit) and cells with a failure not shown as a column. */
  hiddenTests: number;
  hiddenCells: number;
}

export interface TestGridLimits {
  tests: number;
  cells: number;
}

function row(t: TestAcrossKernels, columns: readonly string[]): TestGridRow {
  const failed = new Map(t.failsOn.map((f) => [f.id, f.status]));
  const passed = new Set(t.passesOn);
  const statuses = columns.map((id) => failed.get(id) ?? (passed.has(id) ? 'pass' : undefined));
  return { name: t.name, statuses, failed: t.failsOn.length, ran: t.failsOn.length + t.passesOn.length };
}

/** The view; none when the run had fewer than two tests or every test passed wherever it ran. */
export function testGrid(results: RunResults, limits: TestGridLimits): TestGrid | undefined {
  const tests = testsAcrossKernels(results);
  const worst = (t: TestAcrossKernels) => Math.min(...t.failsOn.map((f) => STATUS_ORDER.indexOf(f.status)));
  const listed = tests.filter((t) => t.failsOn.length > 0).sort((a, b) => worst(a) - worst(b));
  if (tests.length < 2 || !listed.length) return undefined;
  const failing = new Set(listed.flatMap((t) => t.failsOn.map((f) => f.id)));
  const cells = sortByStatus(results.cells.filter((c) => failing.has(c.id))).map((c) => c.id);
  const columns = cells.slice(0, Math.max(1, limits.cells));
  const rows = listed.slice(0, Math.max(1, limits.tests)).map((t) => row(t, columns));
  return {
    columns,
    rows,
    total: tests.length,
    hiddenTests: listed.length - rows.length,
    hiddenCells: cells.length - columns.length,
  };
}
