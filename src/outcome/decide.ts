// Pure: turn what the VM and the guest reported into exactly one outcome
// (docs/architecture.md, "Outcomes").

import type { Cell } from '../core/cell.js';
import type { Status } from '../results/model.js';
import { classifyFailure } from './patterns.js';

export interface Observed {
  spawnError?: string;
  bootTimedOut: boolean;
  timedOut: boolean;
  qemuCode: number | null;
  loaderStarted: boolean;
  /** The exit frame's code; undefined when the guest never reported one. */
  exitCode?: number;
  loaderTimedOut: boolean;
  stdout: string;
  stderr: string;
  dmesg: string;
  consoleTail: string;
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
  const lines = tail.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /Kernel panic|not syncing|Unable to mount root|Bad kernel|invalid magic|Could not|Oops/i.test(l)) ?? lines.at(-1);
}

export function decideOutcome(cell: Cell, o: Observed): Outcome {
  const raw = rawOutcome(o);
  if (!cell.expect || raw.status === 'infra' || raw.status === 'skip') return raw;
  // An expected failure that failed is fine; one that passed must be looked at.
  if (raw.status === 'fail') return { ...raw, status: 'xfail' };
  return { ...raw, status: 'xpass', reason: `expected to fail (${cell.expect.reason}) but passed` };
}

function rawOutcome(o: Observed): Outcome {
  if (o.spawnError) return { status: 'infra', reason: o.spawnError, bootFailed: true };
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
    const line = bootFailureLine(o.consoleTail);
    const why = o.timedOut ? 'guest stopped responding while the loader ran' : 'guest died while the loader ran';
    return { status: 'fail', reason: line ? `${why}: ${line}` : why, bootFailed: false };
  }
  if (o.loaderTimedOut) return { status: 'fail', reason: `loader timed out after ${o.loaderTimeoutSec}s`, bootFailed: false };
  if (o.exitCode === 0) return { status: 'pass', bootFailed: false };
  const reason = classifyFailure(o, o.lockdown) ?? `loader exited with code ${o.exitCode}`;
  return { status: 'fail', reason, bootFailed: false };
}
