// One attempt of a cell, which runs a list of tests (one, for `loader:`): boot,
// run the tests one after another in that guest, read each test's frames. A test
// that takes the guest down (kernel panic, no response) fails with that reason
// and the console tail; the cell then boots again (a snapshot restore, usually)
// and goes on with the next test, so no other test's result is lost. A guest that
// could not start, or a QEMU the host ended, is infrastructure: the tests it did
// not get to are `infra` and the scheduler retries the cell.

import type { GuestRun } from '../boot/guest-run.js';
import type { BootInputs, BootPlan } from '../boot/plan.js';
import { prepareBoot } from '../boot/plan.js';
import type { Cell } from '../core/cell.js';
import type { GuestReport } from '../guest/frames.js';
import { guestInfra } from '../outcome/guest-infra.js';
import { decideGuestTests, type GuestEnded, type GuestTestsContext } from '../outcome/guest-tests.js';
import type { TestResult } from '../results/model.js';
import { undecidedTest } from '../results/tests.js';

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
  /** The matrix's splat rules and each test's libc facts. */
  decide?: GuestTestsContext;
  signal: AbortSignal;
  /** Each test as soon as its guest ended (the `test` event: a per-test line in progress). */
  onTest?: (test: TestResult) => void;
  /** Tests not to run, by index, with why (their program cannot use the cell's libc): `skip`. */
  skipped?: ReadonlyMap<number, string>;
}

/** How a finished guest ended, as the tests' decision needs it. */
const endOf = (run: GuestRun, plan: BootPlan): GuestEnded => ({
  consoleTail: run.exit.consoleTail,
  afterStart: run.consoleAfterStart,
  stopped: run.exit.timedOut || run.wedged !== undefined,
  infra: guestInfra(run.exit, run.report, { error: run.error, bootDeadlineSec: plan.bootSec }),
});

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
      const t = decideGuestTests(cell, report, undefined, d.decide)[i];
      if (!t || !report.tests[i]?.ended || told.has(i)) return;
      told.add(i);
      d.onTest?.(t);
    };
    const run = await d.runGuest(plan, boots.length + 1, reported);
    boots.push({ run, plan });
    const end = endOf(run, plan);
    infra = end.infra;
    const now = decideGuestTests(cell, run.report, end, d.decide);
    for (const i of remaining) {
      tests[i] = now[i];
      if (now[i] && !told.has(i)) d.onTest?.(now[i]!);
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
