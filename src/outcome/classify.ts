// Result classification, the one entry: what the VM process and the guest's
// framed report said about one attempt → status, reason and bootFailed. The
// decision itself is pure (decide.ts, patterns.ts); explain.ts adds who the
// loader ran as, the libc pre-check and refused sysctls to a failure's reason.
// Only what belongs to the test counts: its output and its kernel-log segment
// (kernel-log.ts); splats.ts fails a test the kernel warned about.

import type { Cell } from '../core/cell.js';
import type { GuestReport } from '../guest/frames.js';
import type { Status } from '../results/model.js';
import type { VmExit } from '../vm/process.js';
import { decideOutcome } from './decide.js';
import { explainReason, withSysctlErrors, type LibcContext } from './explain.js';
import { logSegment } from './kernel-log.js';
import type { SplatRules } from './splats.js';

export interface Classified {
  status: Status;
  reason?: string;
  bootFailed: boolean;
  /** The kernel-log lines logged while the loader ran: kept per cell, shown in reports. */
  kernelLog: string;
}

/** What the run saw besides the VM's end and the guest's report. */
export interface AttemptContext {
  /** Console lines printed after the loader started (a crash shows there). */
  consoleAfterStart?: string;
  /** The matrix's `splats:` rules. */
  splats?: SplatRules;
}

/** The test's kernel-log segment: dmesg from the loader's start (guest uptime) on. */
function testSegment(report: GuestReport): string {
  const t = report.phases['loader-start'];
  return t === undefined || Number.isNaN(t) ? '' : logSegment(report.dmesg, t);
}

/** What the VM and the guest's framing say, the part of decide.ts's input every guest has. */
export function vmObserved(exit: VmExit, report: GuestReport) {
  return {
    spawnError: exit.spawnError,
    bootTimedOut: exit.bootTimedOut,
    timedOut: exit.timedOut,
    aborted: exit.aborted,
    qemuCode: exit.code,
    qemuSignal: exit.signal,
    done: report.done,
    loaderStarted: report.loaderStarted,
    consoleTail: exit.consoleTail,
  };
}

export async function classifyAttempt(cell: Cell, exit: VmExit, report: GuestReport, bootDeadlineSec: number, libc: LibcContext, seen: AttemptContext = {}): Promise<Classified> {
  const kernelLog = testSegment(report);
  const outcome = decideOutcome(cell, {
    ...vmObserved(exit, report),
    exitCode: report.exitCode,
    loaderTimedOut: report.timedOut,
    stdout: report.stdout,
    stderr: report.stderr,
    dmesg: report.dmesg,
    kernelLog,
    consoleAfterStart: seen.consoleAfterStart,
    splats: seen.splats,
    bootDeadlineSec,
    loaderTimeoutSec: cell.loader.timeoutSec,
    lockdown: report.facts.lockdown,
  });
  const explained = await explainReason(outcome.reason, report.facts, cell, libc);
  return { ...outcome, reason: withSysctlErrors(explained, report.sysctlErrors, outcome.status), kernelLog };
}
