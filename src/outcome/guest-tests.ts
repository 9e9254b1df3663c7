// The tests one guest of a cell got to, each decided from its own frames (pure):
// test-runs.ts reads the frames, test-outcome.ts decides, explain.ts adds who the
// program ran as and what the pre-boot libc check predicted to a failure's reason.
// A test the host's fault cut short is `infra`, never the test's failure.

import type { Cell } from '../core/cell.js';
import type { GuestReport } from '../guest/frames.js';
import type { CellCheck } from '../results/check.js';
import type { TestResult } from '../results/model.js';
import { undecidedTest } from '../results/tests.js';
import { explainReason, type LibcContext } from './explain.js';
import type { SplatRules } from './splats.js';
import { decideTest } from './test-outcome.js';
import { deathReason, testRuns } from './test-runs.js';

/** How the guest ended, when it has: what the console and the host saw. */
export interface GuestEnded {
  consoleTail: string;
  /** Console lines after the tests started. */
  afterStart?: string;
  /** The host stopped the guest (its deadline, or a test's end frame overdue). */
  stopped: boolean;
  /** Why the guest was an infrastructure failure (guest-infra.ts): a test it cut short is not the test's failure. */
  infra?: string;
}

export interface GuestTestsContext {
  splats?: SplatRules;
  /** Each test's libc facts, by index in the cell's tests. */
  libc?: readonly (LibcContext | undefined)[];
  /** The cell's check (facts/), when the run has one: explains a failing test in kernel terms. */
  check?: CellCheck;
}

/** The tests one guest decided, by index; those it never started stay undefined. `ended` absent: the guest still runs. */
export function decideGuestTests(cell: Cell, report: GuestReport, ended: GuestEnded | undefined, ctx: GuestTestsContext = {}): (TestResult | undefined)[] {
  const tail = ended?.consoleTail ?? '';
  const fallback = ended?.stopped ? 'the guest stopped responding' : 'the guest stopped';
  const end = {
    died: deathReason(tail, fallback),
    consoleTail: tail,
    afterStart: ended?.afterStart,
    stopped: ended?.stopped,
  };
  return testRuns(cell.tests, report, end).map((r, i) => {
    if (!r) return undefined;
    if (ended?.infra && !report.tests[i]?.ended) return undecidedTest(cell.tests[i]!, 'infra', ended.infra);
    const t = decideTest(cell.tests[i]!, { ...r, lockdown: report.facts.lockdown }, ctx.splats, ctx.check);
    const reason = explainReason(t.reason, report.facts, ctx.libc?.[i]);
    return reason === t.reason ? t : { ...t, reason };
  });
}
