// Result classification, the one entry: what the VM process and the guest's
// framed report said about one attempt → status, reason and bootFailed. The
// decision itself is pure (decide.ts, patterns.ts); explain.ts adds who the
// loader ran as, the libc pre-check and refused sysctls to a failure's reason.

import type { Cell } from '../core/cell.js';
import type { GuestReport } from '../guest/frames.js';
import type { Status } from '../results/model.js';
import type { VmExit } from '../vm/process.js';
import { decideOutcome } from './decide.js';
import { explainReason, withSysctlErrors, type LibcContext } from './explain.js';

export interface Classified {
  status: Status;
  reason?: string;
  bootFailed: boolean;
}

export async function classifyAttempt(cell: Cell, exit: VmExit, report: GuestReport, bootDeadlineSec: number, libc: LibcContext): Promise<Classified> {
  const outcome = decideOutcome(cell, {
    spawnError: exit.spawnError,
    bootTimedOut: exit.bootTimedOut,
    timedOut: exit.timedOut,
    qemuCode: exit.code,
    loaderStarted: report.loaderStarted,
    exitCode: report.exitCode,
    loaderTimedOut: report.timedOut,
    stdout: report.stdout,
    stderr: report.stderr,
    dmesg: report.dmesg,
    consoleTail: exit.consoleTail,
    bootDeadlineSec,
    loaderTimeoutSec: cell.loader.timeoutSec,
    lockdown: report.facts.lockdown,
  });
  const explained = await explainReason(outcome.reason, report.facts, cell, libc);
  return { ...outcome, reason: withSysctlErrors(explained, report.sysctlErrors, outcome.status) };
}
