// Pure: turn what the VM and the guest reported into exactly one outcome
// (docs/architecture.md, "Outcomes").

import type { Cell } from '../core/cell.js';
import type { Status } from '../results/model.js';
import { consoleText, hostFault } from './host-fault.js';
import { NO_RULES, type SplatRules } from './splats.js';
import { guestDeath, testVerdict } from './verdict.js';

export interface Observed {
  spawnError?: string;
  bootTimedOut: boolean;
  timedOut: boolean;
  /** portmatrix interrupted the run (Ctrl-C): its signal to QEMU is not a fault. */
  aborted?: boolean;
  qemuCode: number | null;
  /** The signal that ended QEMU, if one did. */
  qemuSignal?: string | null;
  /** The guest reported everything (phase=done): a later end of QEMU changes nothing. */
  done?: boolean;
  loaderStarted: boolean;
  /** The exit frame's code; undefined when the guest never reported one. */
  exitCode?: number;
  loaderTimedOut: boolean;
  stdout: string;
  stderr: string;
  dmesg: string;
  /** The kernel-log lines logged after the loader started (outcome/kernel-log.ts). */
  kernelLog?: string;
  consoleTail: string;
  /** Console lines printed after the loader started: where a crash shows. */
  consoleAfterStart?: string;
  splats?: SplatRules;
  bootDeadlineSec: number;
  loaderTimeoutSec: number;
  /** Lockdown mode seen inside the guest (none, integrity, confidentiality). */
  lockdown?: string;
}

export interface Outcome {
  status: Status;
  reason?: string;
  bootFailed: boolean;
}

/** The most telling line of a console that never reached the loader. */
function bootFailureLine(tail: string): string | undefined {
  const lines = consoleText(tail);
  return lines.find((l) => /Kernel panic|not syncing|Unable to mount root|Bad kernel|invalid magic|Could not|Oops/i.test(l)) ?? lines.at(-1);
}

export function decideOutcome(cell: Cell, o: Observed): Outcome {
  const raw = rawOutcome(o);
  if (!cell.expect || raw.status === 'infra' || raw.status === 'skip') return raw;
  // An expected failure that failed is fine; one that passed must be looked at.
  if (raw.status === 'fail') return { ...raw, status: 'xfail' };
  // A quarantined flake that passed this time is simply a pass.
  if (cell.expect.result === 'flaky') return raw;
  return { ...raw, status: 'xpass', reason: `expected to fail (${cell.expect.reason}) but passed` };
}

function rawOutcome(o: Observed): Outcome {
  // The host's fault (QEMU killed from outside, QEMU failing) is never the test's.
  const host = o.done ? undefined : hostFault({ code: o.qemuCode, signal: o.qemuSignal ?? null, timedOut: o.timedOut, aborted: o.aborted ?? false, spawnError: o.spawnError, consoleTail: o.consoleTail });
  if (host) return { status: 'infra', reason: host, bootFailed: !o.loaderStarted };
  if (!o.loaderStarted) {
    const line = bootFailureLine(o.consoleTail);
    const why = o.bootTimedOut
      ? `guest did not start /init within ${o.bootDeadlineSec}s`
      : `QEMU exited (code ${o.qemuCode}) before the loader started`;
    const detail = line ?? 'the console stayed empty (a corrupt kernel image, or one for another arch?)';
    return { status: 'infra', reason: `${why}: ${detail}`, bootFailed: true };
  }
  if (o.exitCode === undefined) {
    // The loader ran but the guest never reported its end: it crashed or hung the kernel.
    return { status: 'fail', reason: guestDeath(o.consoleAfterStart ?? o.consoleTail, o.timedOut), bootFailed: false };
  }
  if (o.loaderTimedOut) return { status: 'fail', reason: `loader timed out after ${o.loaderTimeoutSec}s`, bootFailed: false };
  const verdict = testVerdict({ exitCode: o.exitCode, stdout: o.stdout, stderr: o.stderr, kernelLog: o.kernelLog ?? '', lockdown: o.lockdown }, o.splats ?? NO_RULES);
  return { ...verdict, bootFailed: false };
}
