// Per-test frames from the guest → test runs: output blocks per test, the kernel-log
// segment of each, and the test that was running when the kernel panicked.

import { describe, expect, it } from 'vitest';
import type { TestSpec } from '../../src/core/cell.js';
import { parseFrames } from '../../src/guest/frames.js';
import { decideTest } from '../../src/outcome/test-outcome.js';
import { testRuns } from '../../src/outcome/test-runs.js';
import { testSpec } from '../helpers/cells.js';

const TOKEN = '0123456789abcdef';
const F = `@@portmatrix:${TOKEN}`;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const block = (name: string, text: string) => [
  `${F} begin=${name}`,
  ...(text ? [b64(text)] : []),
  `${F} end=${name} bytes=${Buffer.byteLength(text)} total=${Buffer.byteLength(text)}`,
];
const spec = (name: string): TestSpec => testSpec({ name, path: `/t/${name}`, timeoutSec: 2 });
const specs = ['ok', 'exits-1', 'hangs', 'panics', 'ok-again'].map(spec);

describe('testRuns', () => {
  it('cuts output and kernel log per test, and blames the running test for the panic', () => {
    const console = [
      `${F} phase=init t=1.0`,
      `${F} test-start=0 t=1.10`,
      ...block('stdout.0', 'hello\n'),
      `${F} test-end=0 exit=0 timedout=0 t=1.30`,
      'kernel noise on the console',
      `${F} test-start=1 t=1.40`,
      ...block('stderr.1', 'boom\n'),
      `${F} test-end=1 exit=1 timedout=0 t=1.50`,
      `${F} test-start=2 t=1.60`,
      ...block('stdout.2', 'still here\n'),
      `${F} test-end=2 exit=143 timedout=1 t=3.70`,
      `${F} test-start=3 t=3.80`,
      '[    3.900000] sysrq: Trigger a crash',
      '[    3.910000] Kernel panic - not syncing: sysrq triggered crash',
    ].join('\r\n');
    const report = parseFrames(console, TOKEN);
    report.dmesg = '[    0.000000] Linux version 6.12\n[    1.450000] test 1 was here\n[    3.900000] sysrq: Trigger a crash\n';
    const runs = testRuns(specs, report, {
      died: 'guest stopped responding',
      consoleTail: console.split('\r\n').slice(-2).join('\n'),
    });
    expect(runs.map((r) => r && [r.exitCode, r.timedOut, r.ms])).toEqual([
      [0, false, 200],
      [1, false, 100],
      [143, true, 2100],
      [undefined, false, undefined],
      undefined,
    ]);
    expect([runs[0]!.stdout, runs[1]!.stderr, runs[2]!.stdout]).toEqual(['hello\n', 'boom\n', 'still here\n']);
    expect(runs[1]!.kernelLog).toBe('[    1.450000] test 1 was here');
    expect(runs[0]!.kernelLog).toBe('');
    expect(runs[3]!.guestDied?.why).toBe('kernel panic');
    const decided = runs.slice(0, 4).map((r, i) => decideTest(specs[i]!, r!));
    expect(decided.map((t) => [t.status, t.reason])).toEqual([
      ['pass', undefined],
      ['fail', 'exited with code 1'],
      ['fail', 'timed out after 2s'],
      ['fail', 'kernel panic while the test ran: sysrq triggered crash'],
    ]);
  });

  it("takes a test's own kernel-log read (dmesg.<i>) whole; without one, cuts the cell's log by uptime", () => {
    // After a snapshot restore the kernel's stamps run tens of ms apart from /proc/uptime:
    // a line stamped 4.745 belongs to a test that ended at uptime 4.69.
    const console = [
      `${F} test-start=0 t=4.38`,
      `${F} test-end=0 exit=0 timedout=0 t=4.69`,
      ...block('dmesg.0', '[    4.745481] marker from test 0\n'),
      `${F} test-start=1 t=4.91`,
      `${F} test-end=1 exit=0 timedout=0 t=4.98`,
      ...block('dmesg', '[    0.000000] Linux version 6.12\n[    4.985000] from test 1, last hundredth\n[    5.200000] later\n'),
    ].join('\n');
    const runs = testRuns([spec('a'), spec('b')], parseFrames(console, TOKEN), { consoleTail: '' });
    expect(runs.map((r) => r!.kernelLog)).toEqual(['[    4.745481] marker from test 0', '[    4.985000] from test 1, last hundredth']);
  });
});
