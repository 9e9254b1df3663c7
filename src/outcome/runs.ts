// Several runs of one cell on fresh boots (`--reruns`, `--repeat`) folded into one
// result. A cell that failed and then passed is `flaky`, not broken: reviewers can
// tell a flake from a portability failure, and the pass rate says how often it fails.
// Infrastructure retries are not runs (the scheduler retries those before counting).

import type { CellResult, Status } from '../results/model.js';

const PASSED: ReadonlySet<Status> = new Set(['pass', 'xpass']);
const FAILED: ReadonlySet<Status> = new Set(['fail', 'xfail']);

/** Whether another run is wanted after these (reruns stop at the first pass). */
export function wantsAnotherRun(runs: readonly CellResult[], o: { reruns: number; repeat: number }): boolean {
  const last = runs.at(-1)!;
  if (last.status === 'infra' || last.status === 'skip') return false;
  if (runs.length < o.repeat) return true;
  return o.repeat <= 1 && FAILED.has(last.status) && !runs.some((r) => PASSED.has(r.status)) && runs.length <= o.reruns;
}

/** One result for all runs: the failing run's details when any failed, with the pass rate. */
export function combineRuns(runs: readonly CellResult[]): CellResult {
  if (runs.length === 1) return runs[0]!;
  const counted = runs.filter((r) => PASSED.has(r.status) || FAILED.has(r.status));
  const passed = counted.filter((r) => PASSED.has(r.status)).length;
  const firstFailure = counted.find((r) => FAILED.has(r.status));
  const statuses = runs.map((r) => r.status);
  const attempts = runs.reduce((n, r) => n + r.attempts, 0);
  const base = { runs: { passed, total: counted.length, statuses } };
  if (!firstFailure) return { ...runs.at(-1)!, ...base, attempts };
  if (passed === 0) return { ...firstFailure, ...base, attempts };
  const why = firstFailure.reason ?? 'failed';
  const reason = `passed ${passed} of ${counted.length} runs; failed with: ${why}`;
  // The failing run's tests: the ones that failed there are the flaky ones (they passed on another boot).
  const tests = firstFailure.tests.map((t) => (t.status === 'fail' || t.status === 'xpass' ? { ...t, status: 'flaky' as const, reason: t.reason ?? why } : t));
  return { ...firstFailure, ...base, attempts, status: 'flaky', reason, tests };
}
