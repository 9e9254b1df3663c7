// A cell of tests as a result: its status from its tests (a cell-level expect turns
import type { TestSpec } from '../../src/core/cell.js';
// fail into xfail; a flaky one leaves a pass a pass), its reason naming the failing
// tests, and how many guests it took.

import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/core/cell.js';
import { guestLog, suiteResult } from '../../src/engine/suite-result.js';
import type { SuiteOutcome } from '../../src/engine/suite-runner.js';
import { testsReason } from '../../src/outcome/cell-outcome.js';
import type { TestResult } from '../../src/results/model.js';

const test = (name: string, status: TestResult['status'], reason?: string): TestResult => ({
  name,
  kind: 'exec',
  status,
  reason,
  timedOut: false,
  timings: { ms: 100 },
  stdout: '',
  stderr: '',
  kernelLog: '',
});
const spec = (name: string): TestSpec => ({
  name,
  kind: 'exec',
  path: '/p',
  args: [],
  env: {},
  files: [],
  workdir: '',
  timeoutSec: 5,
});
const cell = (expect?: Cell['expect']): Cell => ({
  id: 'amd64/k/default',
  arch: 'amd64',
  kernel: { source: 'debian:trixie', name: 'k' },
  config: { name: 'default', cmdline: [], sysctl: {} },
  libc: 'static',
  tests: [spec('a'), spec('b')],
  expect,
});
const facts = {
  accel: 'tcg' as const,
  attempt: 1,
  started: Date.now(),
  backend: 'qemu' as const,
  consoleLog: 'console/x.log',
};
const outcome = (tests: TestResult[], boots = 1): SuiteOutcome => ({
  tests,
  bootFailed: false,
  boots: Array.from({ length: boots }, () => ({
    run: {
      exit: {
        code: 0,
        signal: null,
        timedOut: false,
        bootTimedOut: false,
        aborted: false,
        consoleTail: 'tail',
        durationMs: 1,
      },
      report: {
        phases: {},
        loaderStarted: true,
        done: true,
        timedOut: false,
        stdout: '',
        stderr: '',
        dmesg: '',
        facts: { uid: 0 },
        sysctlErrors: [],
        tests: [],
      },
      consoleAfterStart: '',
      boot: 'snapshot' as const,
    },
    plan: {} as never,
  })),
});

describe('suiteResult', () => {
  it('derives the cell from its tests', () => {
    const kernel = { kernelPath: '/k', sha256: 'x', release: '6.12' } as never;
    const failed = suiteResult(cell(), kernel, outcome([test('a', 'pass'), test('b', 'fail', 'exited with code 1')], 2), facts);
    expect([failed.status, failed.reason, failed.guestBoots, failed.timings.loaderMs, failed.consoleTail]).toEqual([
      'fail',
      'b: exited with code 1',
      2,
      200,
      'tail',
    ]);
    const passed = suiteResult(cell(), kernel, outcome([test('a', 'pass'), test('b', 'pass')]), facts);
    expect([passed.status, passed.reason, passed.guestBoots, passed.consoleTail]).toEqual(['pass', undefined, undefined, '']);
    const known = { result: 'fail' as const, reason: 'known' };
    const xfail = suiteResult(cell(known), kernel, outcome([test('a', 'fail', 'x'), test('b', 'pass')]), facts);
    // The cell's expectation covers its failing tests: they failed as expected too.
    expect([xfail.status, xfail.reason, xfail.tests.map((t) => [t.status, t.expected])]).toEqual([
      'xfail',
      'a: x',
      [
        ['xfail', known],
        ['pass', undefined],
      ],
    ]);
    const xpass = suiteResult(cell(known), kernel, outcome([test('a', 'pass'), test('b', 'pass')]), facts);
    expect([xpass.status, xpass.reason]).toEqual(['xpass', 'expected to fail (known) but passed']);
    const flaky = suiteResult(cell({ result: 'flaky', reason: 'known' }), kernel, outcome([test('a', 'pass')]), facts);
    expect(flaky.status).toBe('pass');
  });

  it("shows a loader's one test at the cell, and records the attempt as it is built", () => {
    const kernel = { kernelPath: '/k', sha256: 'x', release: '6.12' } as never;
    const loader = {
      ...test('loader', 'fail', 'loader exited with code 2'),
      exitCode: 2,
      stdout: 'out\n',
      kernelLog: '[1.0] k',
    };
    const one = { ...cell(), tests: [spec('loader')] };
    const r = suiteResult(one, kernel, outcome([loader]), {
      ...facts,
      attempt: 2,
      inputsHash: 'h',
      retriedAfter: ['QEMU was killed'],
    });
    expect(r).toMatchObject({
      status: 'fail',
      reason: 'loader exited with code 2',
      exitCode: 2,
      stdout: 'out\n',
      kernelLog: '[1.0] k',
      attempts: 2,
      inputsHash: 'h',
      retriedAfter: ['QEMU was killed'],
    });
  });

  it('names each refused sysctl once in a failing cell, however often the guest applied it', () => {
    const kernel = { kernelPath: '/k', sha256: 'x', release: '6.12' } as never;
    const o = outcome([test('a', 'fail', 'x'), test('b', 'pass')], 2);
    const refused = (line: number) => `kernel.x: /bin/sh: /portmatrix/cell.sh: line ${line}: can't create /proc/sys/kernel/x`;
    o.boots[0]!.run.report.sysctlErrors = [refused(11), refused(50)];
    o.boots[1]!.run.report.sysctlErrors = [refused(11)];
    expect(suiteResult(cell(), kernel, o, facts).reason).toBe(`a: x (sysctl not applied: ${refused(11)})`);
  });

  it('names every failing test when several fail', () => {
    expect(testsReason([test('a', 'fail', 'timed out after 3s'), test('b', 'pass'), test('c', 'infra', 'QEMU was killed')])).toBe(
      '2 of 3 tests failed: a (timed out after 3s), c (QEMU was killed)',
    );
  });

  it("puts one guest's kernel log back together in stamp order", () => {
    const report = {
      dmesg: '[    0.000000] Linux version\n[    5.000000] between\n',
      tests: [{ dmesg: '[    4.000000] test 0\n  continued\n' }, {}, { dmesg: '[    6.000000] test 2\n' }],
    } as never;
    expect(guestLog(report)).toBe('[    0.000000] Linux version\n[    4.000000] test 0\n  continued\n[    5.000000] between\n[    6.000000] test 2');
  });
});
