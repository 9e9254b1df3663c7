// Compares the results of a pull request (head) with those of its base branch,
// so the PR comment can lead with what this change broke or fixed. Pure.
//
// Buckets (each cell id lands in at most one of them):
//   regressed  base as expected (pass, xfail)  → head unexpected (fail, xpass)
//   fixed      base unexpected (fail, xpass)   → head as expected (pass, xfail)
//   infra      head is `infra` and base was not: the cell could not be judged on
//              head, so it is neither a regression nor a fix; reported apart so a
//              flaky boot never reads as a portability regression.
//   flaky      head is `flaky` (failed, then passed on a fresh boot) and base was not:
//              listed apart from regressions, since the cell does pass
//   added      id only in head;   removed   id only in base
//   changed    any other status change (pass → xfail, infra → fail, x → skip, …)
// Cells with the same status on both sides are in no bucket, unless one of their
// tests regressed or was fixed (a cell failing before and after can hide both):
// then the cell goes to regressed (any test regressed) or fixed. Each change lists
// its tests' own transitions, matched by test name.

import { byId } from '../core/cell.js';
import type { CellResult, RunResults, Status } from '../results/model.js';

export interface CellChange {
  id: string;
  base: Status;
  head: Status;
  /** The head cell (reason, kernel, timings are shown from it). */
  cell: CellResult;
  /** Tests whose status differs (absent on one side: undefined), in head order then removed ones. */
  tests: TestChange[];
}

export interface TestChange {
  name: string;
  base?: Status;
  head?: Status;
  bucket?: ReturnType<typeof classifyTransition>;
}

/** Per-test transitions between two runs of one cell. */
export function testChanges(before: CellResult, after: CellResult): TestChange[] {
  const baseBy = new Map(before.tests.map((t) => [t.name, t.status]));
  const headNames = new Set(after.tests.map((t) => t.name));
  const out: TestChange[] = [];
  for (const t of after.tests) {
    const base = baseBy.get(t.name);
    if (base !== t.status)
      out.push({
        name: t.name,
        base,
        head: t.status,
        bucket: base === undefined ? undefined : classifyTransition(base, t.status),
      });
  }
  for (const t of before.tests) if (!headNames.has(t.name)) out.push({ name: t.name, base: t.status });
  return out;
}

export interface ResultsDiff {
  regressed: CellChange[];
  fixed: CellChange[];
  infra: CellChange[];
  flaky: CellChange[];
  added: CellResult[];
  removed: CellResult[];
  changed: CellChange[];
}

const EXPECTED: ReadonlySet<Status> = new Set(['pass', 'xfail']);
const UNEXPECTED: ReadonlySet<Status> = new Set(['fail', 'xpass']);
// A flake that stopped flaking is fixed; one that now fails outright regressed.
const WAS_BAD: ReadonlySet<Status> = new Set(['fail', 'xpass', 'flaky']);

/** Which bucket a status transition belongs to; undefined when nothing changed. */
export function classifyTransition(base: Status, head: Status): 'regressed' | 'fixed' | 'infra' | 'flaky' | 'changed' | undefined {
  if (base === head) return undefined;
  if ((EXPECTED.has(base) || base === 'flaky') && UNEXPECTED.has(head)) return 'regressed';
  if (WAS_BAD.has(base) && EXPECTED.has(head)) return 'fixed';
  if (head === 'infra') return 'infra';
  if (head === 'flaky') return 'flaky';
  return 'changed';
}

export function diffResults(base: RunResults, head: RunResults): ResultsDiff {
  const diff: ResultsDiff = { regressed: [], fixed: [], infra: [], flaky: [], added: [], removed: [], changed: [] };
  const baseById = new Map(base.cells.map((c) => [c.id, c]));
  const headIds = new Set(head.cells.map((c) => c.id));
  for (const cell of head.cells) {
    const before = baseById.get(cell.id);
    if (!before) {
      diff.added.push(cell);
      continue;
    }
    const tests = testChanges(before, cell);
    const bucket =
      classifyTransition(before.status, cell.status) ??
      (tests.some((t) => t.bucket === 'regressed') ? 'regressed' : tests.some((t) => t.bucket === 'fixed') ? 'fixed' : undefined);
    if (bucket) diff[bucket].push({ id: cell.id, base: before.status, head: cell.status, cell, tests });
  }
  for (const cell of base.cells) if (!headIds.has(cell.id)) diff.removed.push(cell);
  // Sorted by id so the comment is stable between runs.
  for (const list of Object.values(diff)) (list as { id: string }[]).sort(byId);
  return diff;
}

/** True when the diff has anything worth showing above the summary. */
export function hasChanges(diff: ResultsDiff): boolean {
  return Object.values(diff).some((list) => list.length > 0);
}
