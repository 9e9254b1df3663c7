// One attempt of a cell that runs a list of tests (boot.ts runsAsSuite): boot,
// run the tests one after another in that guest, read each test's frames. A test
// that takes the guest down (kernel panic, no response) fails with that reason
// and the console tail; the cell then boots again (a snapshot restore, usually)
// and goes on with the next test, so no other test's result is lost. A guest that
// could not start, or a QEMU the host ended, is infrastructure: the tests it did
// not get to are `infra` and the scheduler retries the cell.

import type { Cell } from '../core/cell.js';
import type { GuestReport } from '../guest/frames.js';
import { vmObserved } from '../outcome/classify.js';
import { decideOutcome } from '../outcome/decide.js';
import { explainPermission } from '../outcome/explain.js';
import type { SplatRules } from '../outcome/splats.js';
import { decideTest } from '../outcome/test-outcome.js';
import { deathReason, testRuns } from '../outcome/test-runs.js';
import type { TestResult } from '../results/model.js';
import { undecidedTest } from '../results/tests.js';
import type { BootInputs, BootPlan } from './boot.js';
import { prepareBoot } from './boot.js';
import type { GuestRun } from './guest-run.js';

/** What one guest of the cell ended with, and the tests it decided. */
export interface SuiteBoot {
  run: GuestRun;
  plan: BootPlan;
}

export interface SuiteOutcome {
  tests: TestResult[];
  boots: SuiteBoot[];
  /** The first guest never ran a test: the cell could not boot. */
  bootFailed: boolean;
  /** Why the guests that were infrastructure failures ended, when one was. */
  infra?: string;
}

export interface SuiteDeps {
  boot: Omit<BootInputs, 'only'>;
  /** Runs one prepared guest; `n` counts the cell's guests from 1; `reported` as each test's report is complete. */
  runGuest: (plan: BootPlan, n: number, reported?: (index: number, report: GuestReport) => void) => Promise<GuestRun>;
  splats?: SplatRules;
  signal: AbortSignal;
  /** Each test as soon as its guest ended (the `test` event: a per-test line in progress). */
  onTest?: (test: TestResult) => void;
  /** Tests not to run, by index, with why (their program cannot use the cell's libc): `skip`. */
  skipped?: ReadonlyMap<number, string>;
}

/** Infrastructure, or nothing: the same rules as a one-program cell (decide.ts), without expectations. */
function infraReason(cell: Cell, run: GuestRun, plan: BootPlan): string | undefined {
  const { exit, report } = run;
  const observed = {
    ...vmObserved(exit, report),
    spawnError: exit.spawnError ?? run.error,
    // A report without an exit: only the infrastructure verdicts below matter.
    loaderTimedOut: false,
    stdout: '',
    stderr: '',
    dmesg: '',
    bootDeadlineSec: plan.bootSec,
    loaderTimeoutSec: 0,
  };
  const o = decideOutcome({ ...cell, expect: undefined }, observed);
  return o.status === 'infra' ? o.reason : undefined;
}

/** The tests one guest decided, by index; those it never started stay undefined. `run` absent: the guest still runs. */
function decided(cell: Cell, report: GuestReport, run: GuestRun | undefined, splats?: SplatRules): (TestResult | undefined)[] {
  const fallback = run && (run.exit.timedOut || run.wedged !== undefined) ? 'the guest stopped responding' : 'the guest stopped';
  const tail = run?.exit.consoleTail ?? '';
  const end = { died: deathReason(tail, fallback), consoleTail: tail };
  return testRuns(cell.tests, report, end).map((r, i) => {
    if (!r) return undefined;
    const t = decideTest(cell.tests[i]!, { ...r, lockdown: report.facts.lockdown }, splats);
    // Who the tests ran as, when the kernel refused one (as for a loader).
    const reason = explainPermission(t.reason, report.facts);
    return reason === undefined ? t : { ...t, reason };
  });
}

export async function runSuite(cell: Cell, d: SuiteDeps): Promise<SuiteOutcome> {
  const tests: (TestResult | undefined)[] = cell.tests.map((spec, i) => {
    const why = d.skipped?.get(i);
    return why === undefined ? undefined : undecidedTest(spec, 'skip', why);
  });
  const boots: SuiteBoot[] = [];
  let remaining = cell.tests.map((_t, i) => i).filter((i) => tests[i] === undefined);
  let infra: string | undefined;
  while (remaining.length > 0 && !d.signal.aborted) {
    const plan = await prepareBoot({ ...d.boot, only: remaining });
    // Each test's line as soon as the guest sent all of it, not when the guest ends.
    const told = new Set<number>();
    const reported = (i: number, report: GuestReport) => {
      const t = decided(cell, report, undefined, d.splats)[i];
      if (!t || !report.tests[i]?.ended || told.has(i)) return;
      told.add(i);
      d.onTest?.(t);
    };
    const run = await d.runGuest(plan, boots.length + 1, reported);
    boots.push({ run, plan });
    infra = infraReason(cell, run, plan);
    const now = decided(cell, run.report, run, d.splats);
    for (const i of remaining) {
      const t = now[i];
      // A test the host's fault cut short is not the test's failure.
      if (t) tests[i] = infra && !run.report.tests[i]?.ended ? undecidedTest(cell.tests[i]!, 'infra', infra) : t;
      if (t && !told.has(i)) d.onTest?.(tests[i]!);
    }
    const before = remaining.length;
    remaining = remaining.filter((i) => tests[i] === undefined);
    // No progress, infrastructure, or a guest that reported done without them: stop here.
    if (infra || remaining.length === before || run.report.done) break;
  }
  const why = infra ?? (d.signal.aborted ? 'interrupted' : 'the guest ended before the test started');
  const bootFailed = boots.length > 0 && boots[0]!.run.report.loaderStarted === false;
  return { tests: tests.map((t, i) => t ?? undecidedTest(cell.tests[i]!, 'infra', why)), boots, bootFailed, infra };
}
