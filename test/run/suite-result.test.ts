// A cell of tests as a result: its status from its tests (a cell-level expect turns
// fail into xfail; a flaky one leaves a pass a pass), its reason naming the failing
// tests, and how many guests it took.

import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/core/cell.js';
import type { TestResult } from '../../src/results/model.js';
import { guestLog, suiteReason, suiteResult } from '../../src/run/suite-result.js';
import type { SuiteOutcome } from '../../src/run/suite-runner.js';
import { cell as plannedCell, testResult } from '../helpers/cells.js';

const test = (name: string, status: TestResult['status'], reason?: string) =>
  testResult({ name, status, reason, timings: { ms: 100 } });
const cell = (expect?: Cell['expect']) =>
  plannedCell({ kernel: 'k', tests: [{ name: 'a', timeoutSec: 5 }, { name: 'b', timeoutSec: 5 }], expect });
const facts = { accel: 'tcg' as const, attempt: 1, started: Date.now(), backend: 'qemu' as const, consoleLog: 'console/x.log' };
const outcome = (tests: TestResult[], boots = 1): SuiteOutcome => ({ tests, bootFailed: false, boots: Array.from({ length: boots }, () => ({ run: { exit: { code: 0, signal: null, timedOut: false, bootTimedOut: false, aborted: false, consoleTail: 'tail', durationMs: 1 }, report: { phases: {}, loaderStarted: true, done: true, timedOut: false, stdout: '', stderr: '', dmesg: '', facts: { uid: 0 }, sysctlErrors: [], tests: [] }, consoleAfterStart: '', boot: 'snapshot' as const }, plan: {} as never })) });

describe('suiteResult', () => {
  it('derives the cell from its tests', () => {
    const kernel = { kernelPath: '/k', sha256: 'x', release: '6.12' } as never;
    const failed = suiteResult(cell(), kernel, outcome([test('a', 'pass'), test('b', 'fail', 'exited with code 1')], 2), facts);
    expect([failed.status, failed.reason, failed.guestBoots, failed.timings.loaderMs, failed.consoleTail]).toEqual(['fail', 'b: exited with code 1', 2, 200, 'tail']);
    const passed = suiteResult(cell(), kernel, outcome([test('a', 'pass'), test('b', 'pass')]), facts);
    expect([passed.status, passed.reason, passed.guestBoots, passed.consoleTail]).toEqual(['pass', undefined, undefined, '']);
    const xfail = suiteResult(cell({ result: 'fail', reason: 'known' }), kernel, outcome([test('a', 'fail', 'x')]), facts);
    expect(xfail.status).toBe('xfail');
    const flaky = suiteResult(cell({ result: 'flaky', reason: 'known' }), kernel, outcome([test('a', 'pass')]), facts);
    expect(flaky.status).toBe('pass');
  });

  it('names every failing test when several fail', () => {
    expect(suiteReason([test('a', 'fail', 'timed out after 3s'), test('b', 'pass'), test('c', 'infra', 'QEMU was killed')])).toBe(
      '2 of 3 tests failed: a (timed out after 3s), c (QEMU was killed)',
    );
  });

  it("puts one guest's kernel log back together in stamp order", () => {
    const report = { dmesg: '[    0.000000] Linux version\n[    5.000000] between\n', tests: [{ dmesg: '[    4.000000] test 0\n  continued\n' }, {}, { dmesg: '[    6.000000] test 2\n' }] } as never;
    expect(guestLog(report)).toBe('[    0.000000] Linux version\n[    4.000000] test 0\n  continued\n[    5.000000] between\n[    6.000000] test 2');
  });
});
