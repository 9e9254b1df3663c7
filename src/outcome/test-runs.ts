// The guest's per-test frames → one TestRun per test it got to (pure). A test the
// guest started but never ended was running when the guest died (kernel panic, or
// no response before the deadline): it carries that reason and the console tail.
// Tests it never started are `undefined`: the cell boots again for them.

import type { TestSpec } from '../core/cell.js';
import type { GuestReport } from '../guest/frames.js';
import { outputCutOf } from '../results/tests.js';
import { isFrameLine, logSegment } from './kernel-log.js';
import type { TestRun } from './test-outcome.js';

export interface GuestEnd {
  /** Why the guest stopped before reporting `done`, when it did: 'kernel panic', 'guest stopped responding'. */
  died?: string;
  consoleTail: string;
  /** Console lines printed after the tests started. */
  afterStart?: string;
  /** The host stopped the guest: it no longer answered. */
  stopped?: boolean;
}

/** `kernel panic` when the console says so, else the generic reason given. */
export function deathReason(consoleTail: string, fallback: string): string {
  return /Kernel panic - not syncing/.test(consoleTail) ? 'kernel panic' : fallback;
}

/**
 * The test's own read of the kernel log (dmesg.<i>) when the guest sent one. Else the
 * cell's log cut by the test's start and end: /proc/uptime, which the frames carry,
 * and the kernel's stamps are different clocks (tens of ms apart after a snapshot
 * restore), so that cut is approximate; a hundredth is added for uptime's truncation.
 */
function kernelLogOf(g: GuestReport['tests'][number], dmesg: string): string {
  if (g.dmesg !== undefined)
    return g.dmesg
      .split('\n')
      .filter((l) => l.trim() !== '' && !isFrameLine(l))
      .join('\n');
  return g.startT === undefined ? '' : logSegment(dmesg, g.startT, g.endT === undefined ? undefined : g.endT + 0.01);
}

export function testRuns(specs: readonly TestSpec[], report: GuestReport, end: GuestEnd): (TestRun | undefined)[] {
  return specs.map((_spec, i) => {
    const g = report.tests[i];
    if (!g?.started) return undefined;
    const run: TestRun = {
      started: true,
      timedOut: g.timedOut,
      stdout: g.stdout,
      stderr: g.stderr,
      kernelLog: kernelLogOf(g, report.dmesg),
    };
    const cut = outputCutOf(report.outputCut, i);
    if (cut) run.outputCut = cut;
    if (g.programs) run.programs = g.programs;
    if (g.exitCode !== undefined) run.exitCode = g.exitCode;
    if (g.startT !== undefined && g.endT !== undefined) run.ms = Math.round((g.endT - g.startT) * 1000);
    if (!g.ended) {
      const why = deathReason(end.consoleTail, end.died ?? 'the guest stopped');
      run.guestDied = { why, consoleTail: end.consoleTail, afterStart: end.afterStart, stopped: end.stopped };
      const panic = /Kernel panic - not syncing: (.*)/.exec(end.consoleTail)?.[1]?.trim();
      if (panic) run.guestDied.detail = panic;
    }
    return run;
  });
}
