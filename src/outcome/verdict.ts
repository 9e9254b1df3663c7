// Pass or fail for one test that ran, from what belongs to that test only: its own
// output first, then its kernel-log segment (lines logged after it started), never
// boot noise and never our framing lines. A kernel splat fails a test that exited 0.

import { consoleText } from './host-fault.js';
import { withoutFrames } from './kernel-log.js';
import { classifyFailure } from './patterns.js';
import { failingSplat, NO_RULES, type SplatRules, scanSplats, splatReason } from './splats.js';

export interface TestRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The test's kernel-log segment (kernel-log.ts logSegment). */
  kernelLog: string;
  lockdown?: string;
}

export interface Verdict {
  status: 'pass' | 'fail';
  reason?: string;
}

/** `subject` names the program in the reason of a bare exit code: `loader exited with code 1`; '' for none. */
export function testVerdict(t: TestRun, rules: SplatRules = NO_RULES, subject = 'loader'): Verdict {
  const splat = failingSplat(t.kernelLog, rules);
  if (t.exitCode === 0) return splat ? { status: 'fail', reason: splatReason(splat) } : { status: 'pass' };
  const out = { stdout: withoutFrames(t.stdout), stderr: withoutFrames(t.stderr) };
  const reason =
    classifyFailure({ ...out, dmesg: '' }, t.lockdown) ??
    (splat ? splatReason(splat) : undefined) ??
    classifyFailure({ stdout: '', stderr: '', dmesg: withoutFrames(t.kernelLog) }) ??
    `${subject ? `${subject} ` : ''}exited with code ${t.exitCode}`;
  return { status: 'fail', reason };
}

/**
 * Why a guest died while a test ran, from the console lines printed after the test
 * started: the kernel's first splat (BUG, Oops, panic…), else the last line that
 * is not ours. A crash in the guest is the test's failure, never infrastructure.
 */
export function guestDeath(consoleAfterStart: string, timedOut: boolean): string {
  const why = timedOut ? 'guest stopped responding while the loader ran' : 'guest died while the loader ran';
  const splats = scanSplats(consoleAfterStart);
  const panic = splats.find((s) => s.kind === 'panic');
  const first = splats[0];
  if (first) {
    const what = panic ? 'kernel panic' : 'kernel splat';
    const tail = panic && panic !== first ? ` (${panic.line})` : '';
    return `${why}: ${what}: ${first.line}${tail}`;
  }
  const last = consoleText(consoleAfterStart).at(-1);
  return last ? `${why}: ${last}` : why;
}
