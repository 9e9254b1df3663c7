// One test's outcome from what the guest reported about it (pure): exit code,
// timeout, output, its kernel-log segment, and whether the guest died while it
// ran. A `kind: gotest` test is parsed case by case (suite/); its status is fail
// when any case failed or the stream was cut short. An `expect` naming the test
// turns fail into xfail and pass into xpass (a flaky expectation never xpasses).

import type { TestSpec } from '../core/cell.js';
import type { CaseResult, OutputCut, TestResult } from '../results/model.js';
import { parseGoTest } from '../suite/gotest-cases.js';
import { classifyFailure } from './patterns.js';
import { failingSplat, splatReason, type SplatRules } from './splats.js';

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
  guestDied?: { why: string; consoleTail: string; detail?: string };
  /** The guest's lockdown mode: names the cause of a refused helper, as for a loader. */
  lockdown?: string;
  /** Streams the guest cut short. */
  outputCut?: OutputCut[];
}

const NO_RULES: SplatRules = { allow: [], deny: [] };

function goCases(spec: TestSpec, run: TestRun): { cases: CaseResult[]; failed: boolean; reason?: string } {
  const go = parseGoTest(run.stdout, { exitCode: run.exitCode, timedOut: run.timedOut, stderr: run.stderr });
  const failed = go.cases.filter((c) => c.status === 'fail');
  const reason = failed.length ? `${failed.map((c) => c.name).slice(0, 5).join(', ')}${failed.length > 5 ? `, +${failed.length - 5} more` : ''} failed` : go.truncated ? 'the test binary ended before reporting its result' : undefined;
  return { cases: go.cases, failed: go.failed, reason: spec.kind === 'gotest' ? reason : undefined };
}

/** The raw verdict before expectations: fail with a reason, or pass. */
function verdict(spec: TestSpec, run: TestRun, rules: SplatRules): { failed: boolean; reason?: string; cases?: CaseResult[] } {
  const go = spec.kind === 'gotest' ? goCases(spec, run) : undefined;
  if (run.guestDied) return { failed: true, reason: `${run.guestDied.why} while the test ran${run.guestDied.detail ? `: ${run.guestDied.detail}` : ''}`, cases: go?.cases };
  if (run.timedOut) return { failed: true, reason: `timed out after ${spec.timeoutSec}s`, cases: go?.cases };
  const splat = failingSplat(run.kernelLog, rules);
  if (splat) return { failed: true, reason: splatReason(splat), cases: go?.cases };
  if (go) return { failed: go.failed, reason: go.failed ? (go.reason ?? `exited with code ${run.exitCode ?? '?'}`) : undefined, cases: go.cases };
  if (run.exitCode === 0) return { failed: false };
  const known = classifyFailure({ stdout: run.stdout, stderr: run.stderr, dmesg: run.kernelLog }, run.lockdown);
  return { failed: true, reason: known ?? `exited with code ${run.exitCode ?? '?'}` };
}

export function decideTest(spec: TestSpec, run: TestRun, rules: SplatRules = NO_RULES): TestResult {
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
  return t;
}
