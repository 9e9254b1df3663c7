// One test's outcome from what the guest reported about it (pure): exit code,
// timeout, output, its kernel-log segment, and whether the guest died while it
// ran. A `kind: gotest` test is parsed case by case (suite/); its status is fail
// when any case failed or the stream was cut short. An `expect` naming the test
// turns fail into xfail and pass into xpass (a flaky expectation never xpasses).

import { LOADER_TEST, type TestSpec } from '../core/cell.js';
import { checkForTest, testFacts } from '../facts/explain-outcome.js';
import type { GuestProgram } from '../guest/prog-frame.js';
import type { CellCheck } from '../results/check.js';
import type { CaseResult, OutputCut, TestResult } from '../results/model.js';
import { parseGoTest } from '../suite/gotest-cases.js';
import { programResults } from './programs.js';
import { failingSplat, NO_RULES, type SplatRules, splatReason } from './splats.js';
import { guestDeath, testVerdict } from './verdict.js';

/** What the guest said about one test. */
export interface TestRun {
  /** The guest reported the test starting. */
  started: boolean;
  /** Absent when the test never ended (killed, or the guest died). */
  exitCode?: number;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** The kernel-log lines logged while it ran. */
  kernelLog: string;
  ms?: number;
  /** The guest died while the test ran: why (kernel panic, no response), and the console's last lines. */
  guestDied?: GuestDeath;
  /** The guest's lockdown mode: names the cause of a refused helper. */
  lockdown?: string;
  /** Streams the guest cut short. */
  outputCut?: OutputCut[];
  /** The BPF programs the guest saw it load. */
  programs?: GuestProgram[];
}

export interface GuestDeath {
  why: string;
  consoleTail: string;
  /** The panic's message, when the console has one. */
  detail?: string;
  /** Console lines printed after the tests started: the kernel's first splat is there. */
  afterStart?: string;
  /** The host stopped a guest that no longer answered (rather than the guest ending itself). */
  stopped?: boolean;
}

/**
 * How a reason names the program. A `loader:` matrix's one test speaks of its loader
 * (`loader exited with code 1`, `guest died while the loader ran: kernel panic: …`),
 * a test of a list of its own (`exited with code 1`, `kernel panic while the test ran: …`).
 */
function wording(spec: TestSpec) {
  const loader = spec.name === LOADER_TEST;
  return {
    subject: loader ? 'loader' : '',
    timedOut: `${loader ? 'loader ' : ''}timed out after ${spec.timeoutSec}s`,
    died: (d: GuestDeath) =>
      loader ? guestDeath(d.afterStart ?? d.consoleTail, d.stopped ?? false) : `${d.why} while the test ran${d.detail ? `: ${d.detail}` : ''}`,
  };
}

function goCases(run: TestRun): { cases: CaseResult[]; failed: boolean; reason?: string } {
  const go = parseGoTest(run.stdout, { exitCode: run.exitCode, timedOut: run.timedOut, stderr: run.stderr });
  const failed = go.cases.filter((c) => c.status === 'fail');
  const more = failed.length > 5 ? `, +${failed.length - 5} more` : '';
  const reason = failed.length
    ? `${failed
        .map((c) => c.name)
        .slice(0, 5)
        .join(', ')}${more} failed`
    : go.truncated
      ? 'the test binary ended before reporting its result'
      : undefined;
  return { cases: go.cases, failed: go.failed, reason };
}

/** The raw verdict before expectations: fail with a reason, or pass. */
function verdict(spec: TestSpec, run: TestRun, rules: SplatRules): { failed: boolean; reason?: string; cases?: CaseResult[] } {
  const words = wording(spec);
  const go = spec.kind === 'gotest' ? goCases(run) : undefined;
  const cases = go?.cases;
  if (run.guestDied) return { failed: true, reason: words.died(run.guestDied), cases };
  if (run.timedOut) return { failed: true, reason: words.timedOut, cases };
  if (go) {
    const splat = failingSplat(run.kernelLog, rules);
    if (splat) return { failed: true, reason: splatReason(splat), cases };
    return {
      failed: go.failed,
      reason: go.failed ? (go.reason ?? `exited with code ${run.exitCode ?? '?'}`) : undefined,
      cases,
    };
  }
  if (run.exitCode === undefined) return { failed: true, reason: `${words.subject ? `${words.subject} ` : ''}exited with code ?` };
  const v = testVerdict(
    {
      exitCode: run.exitCode,
      stdout: run.stdout,
      stderr: run.stderr,
      kernelLog: run.kernelLog,
      lockdown: run.lockdown,
    },
    rules,
    words.subject,
  );
  return { failed: v.status === 'fail', reason: v.reason };
}

/** `check`: the cell's prediction, when the run has one: a failure records the finding that explains it. */
export function decideTest(spec: TestSpec, run: TestRun, rules: SplatRules = NO_RULES, check?: CellCheck): TestResult {
  const v = verdict(spec, run, rules);
  const status = spec.expect ? (v.failed ? 'xfail' : spec.expect.result === 'flaky' ? 'pass' : 'xpass') : v.failed ? 'fail' : 'pass';
  const t: TestResult = {
    name: spec.name,
    kind: spec.kind,
    status,
    timedOut: run.timedOut,
    timings: run.ms === undefined ? {} : { ms: run.ms },
    stdout: run.stdout,
    stderr: run.stderr,
    kernelLog: run.kernelLog,
  };
  if (v.reason !== undefined) t.reason = v.reason;
  if (run.exitCode !== undefined) t.exitCode = run.exitCode;
  if (spec.expect) t.expected = spec.expect;
  if (run.guestDied) t.consoleTail = run.guestDied.consoleTail;
  if (v.cases) t.cases = v.cases;
  if (run.outputCut) t.outputCut = run.outputCut;
  const ownCheck = check && checkForTest(check, spec);
  const facts = testFacts(v.failed ? 'fail' : 'pass', `${run.stdout}\n${run.stderr}`, ownCheck);
  const programs = programResults(run.programs, facts.processedInsns);
  return { ...t, ...facts, ...(programs ? { programs } : {}) };
}
