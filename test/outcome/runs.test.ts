import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/core/cell.js';
import { cellStatus } from '../../src/outcome/cell-outcome.js';
import { runVerdict } from '../../src/outcome/run-verdict.js';
import { combineRuns, wantsAnotherRun } from '../../src/outcome/runs.js';
import type { CellResult, Status } from '../../src/results/model.js';
import { undecidedTest } from '../../src/results/tests.js';
import { cellResult, testResult } from '../helpers/cells.js';

const r = (status: Status, reason?: string, attempts = 1) => cellResult({ status, reason, attempts });

/** Feed outcomes one by one as the scheduler does; returns the folded result and how many runs were made. */
function simulate(outcomes: Status[], o: { reruns: number; repeat: number }) {
  const runs: CellResult[] = [];
  for (const s of outcomes) {
    runs.push(r(s, s === 'fail' ? 'loader exited with code 1' : undefined));
    if (!wantsAnotherRun(runs, o)) break;
  }
  return { result: combineRuns(runs), runs: runs.length };
}

describe('reruns and repeat', () => {
  it('a failure that passes on a rerun is flaky, with its failing reason and the pass rate', () => {
    const { result, runs } = simulate(['fail', 'pass', 'pass'], { reruns: 3, repeat: 1 });
    expect(runs).toBe(2);
    expect(result).toMatchObject({
      status: 'flaky',
      reason: 'passed 1 of 2 runs; failed with: loader exited with code 1',
      runs: { passed: 1, total: 2, statuses: ['fail', 'pass'] },
      attempts: 2,
    });
  });

  it('in a flaky cell the tests that failed on the failing boot are flaky, the others keep their status', () => {
    const t = (name: string, status: Status) => testResult({ name, status });
    const failing = { ...r('fail', 'b exited with code 1'), tests: [t('a', 'pass'), t('b', 'fail')] };
    const combined = combineRuns([failing, { ...r('pass'), tests: [t('a', 'pass'), t('b', 'pass')] }]);
    expect(combined.tests.map((x) => [x.name, x.status])).toEqual([
      ['a', 'pass'],
      ['b', 'flaky'],
    ]);
  });

  it('a failure that keeps failing is fail after 1 + reruns runs; a pass is never rerun', () => {
    expect(simulate(['fail', 'fail', 'fail', 'fail', 'pass'], { reruns: 3, repeat: 1 })).toMatchObject({
      runs: 4,
      result: { status: 'fail', runs: { passed: 0, total: 4 } },
    });
    expect(simulate(['pass', 'fail'], { reruns: 3, repeat: 1 })).toEqual({ runs: 1, result: r('pass') });
    expect(simulate(['fail', 'pass'], { reruns: 0, repeat: 1 })).toMatchObject({ runs: 1, result: { status: 'fail' } });
  });

  it('--repeat runs every cell N times and reports the pass rate', () => {
    expect(simulate(['pass', 'fail', 'pass', 'fail'], { reruns: 0, repeat: 4 })).toMatchObject({
      runs: 4,
      result: { status: 'flaky', runs: { passed: 2, total: 4 } },
    });
    expect(simulate(['pass', 'pass', 'pass'], { reruns: 0, repeat: 3 })).toMatchObject({
      runs: 3,
      result: { status: 'pass', runs: { passed: 3, total: 3 } },
    });
  });

  it('infra ends the runs: it was already retried and is reported as infra', () => {
    expect(simulate(['fail', 'infra', 'pass'], { reruns: 3, repeat: 1 })).toMatchObject({
      runs: 2,
      result: { status: 'fail', runs: { passed: 0, total: 1, statuses: ['fail', 'infra'] } },
    });
    expect(simulate(['infra', 'pass'], { reruns: 3, repeat: 1 })).toMatchObject({
      runs: 1,
      result: { status: 'infra' },
    });
  });
});

describe('a quarantined flake (expect: {result: flaky})', () => {
  const expect_ = (result: 'fail' | 'flaky'): Cell['expect'] => ({ result, reason: 'known flake' });
  const loader = (status: Status) => [undecidedTest({ name: 'loader', kind: 'exec' }, status)];

  it('fails as xfail, passes as pass (not xpass), and its flaky result never fails the run, even with --strict', () => {
    expect(cellStatus(loader('fail'), { bootFailed: false, expect: expect_('flaky') })).toBe('xfail');
    expect(cellStatus(loader('pass'), { bootFailed: false, expect: expect_('flaky') })).toBe('pass');
    expect(cellStatus(loader('pass'), { bootFailed: false, expect: expect_('fail') })).toBe('xpass');
    const flaky = {
      ...combineRuns([r('xfail', 'loader exited with code 1'), r('pass')]),
      expected: { result: 'flaky' as const, reason: 'known flake' },
    };
    expect(flaky.status).toBe('flaky');
    expect(runVerdict([flaky], { strict: true })).toMatchObject({ exitCode: 0, ok: true, failed: [] });
    expect(runVerdict([{ ...flaky, expected: undefined }], { strict: true })).toMatchObject({
      exitCode: 1,
      ok: false,
      failed: [flaky.id],
    });
    expect(runVerdict([{ ...flaky, expected: undefined }])).toMatchObject({ exitCode: 0, strict: false });
  });
});
