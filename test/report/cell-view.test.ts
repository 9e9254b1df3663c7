// One view of a cell: how its tests count and why it ended as it did, worded the
// same for every report. Tables of cells as `run` records them.

import { describe, expect, it } from 'vitest';
import { cellView, tallyLegend, tallyText, testTally } from '../../src/report/cell-view.js';
import type { CellResult, Status, TestResult } from '../../src/results/model.js';
import { cell } from '../github/results.js';
import { testResult } from '../helpers/cells.js';

const test = (name: string, status: Status, extra: Partial<TestResult> = {}) => testResult({ name, status, ...extra });

function withTests(status: Status, tests: TestResult[], extra: Partial<CellResult> = {}): CellResult {
  return { ...cell('amd64/debian-bookworm/default', status), tests, ...extra };
}

const LOCKDOWN = { result: 'fail' as const, reason: 'lockdown hides bpf_probe_read' };
const NO_BTF = { result: 'fail' as const, reason: 'no kernel BTF' };

describe('the tally of a cell of several tests', () => {
  it.each([
    ['three passed', withTests('pass', [test('a', 'pass'), test('b', 'pass'), test('c', 'pass')]), '3/3'],
    // The `nobtf` cells: one test expected to fail by name, and it did.
    ['one failed as its expect says', withTests('pass', [test('a', 'xfail', { expected: NO_BTF }), test('b', 'pass'), test('c', 'pass')]), '2/3 +1 xfail'],
    // The `lockdown` cells: the cell is expected to fail, and each of its tests failed.
    ['all failed as the cell expects', withTests('xfail', [test('a', 'fail'), test('b', 'fail'), test('c', 'fail')], { expected: LOCKDOWN }), '3 xfail'],
    ['two failed', withTests('fail', [test('a', 'fail'), test('b', 'fail')]), '0/2'],
    ['one failed, one as expected', withTests('fail', [test('a', 'pass'), test('b', 'fail'), test('c', 'xfail')]), '1/3 +1 xfail'],
    ['one skipped', withTests('pass', [test('a', 'pass'), test('b', 'skip')]), '1/2 +1 skip'],
    ['one flaky', withTests('flaky', [test('a', 'pass'), test('b', 'flaky')]), '1/2 +1 flaky'],
  ])('%s: %s', (_, c, text) => {
    expect(tallyText(testTally(c))).toBe(text);
    expect(cellView(c).tally).toBe(text);
    expect(cellView(c).word).toBe(text);
  });

  it('counts nothing for a cell of one test: the grid shows its status word', () => {
    const one = withTests('fail', [test('loader', 'fail', { reason: 'memlock' })], { reason: 'memlock' });
    expect(cellView(one)).toMatchObject({
      tally: '',
      word: 'FAIL',
      mark: '✗',
      label: 'fail',
      why: 'memlock',
      tests: [],
    });
  });

  it('keeps the status word for a cell that never ran its tests', () => {
    const infra = withTests('infra', [test('a', 'infra'), test('b', 'infra')], {
      reason: 'guest timed out before the tests started (60 s)',
    });
    expect(cellView(infra)).toMatchObject({ word: 'INFRA', why: 'guest timed out before the tests started (60 s)' });
  });
});

describe('why a cell ended as it did', () => {
  it('names the one test that failed the cell, in its own words', () => {
    const c = withTests('fail', [test('execsnoop', 'pass'), test('go-suite', 'fail', { reason: 'TestAttach failed' })], {
      reason: 'go-suite: TestAttach failed',
    });
    const view = cellView(c);
    expect(view.why).toBe('go-suite: TestAttach failed');
    expect(view.tests.map((t) => [t.name, t.mark, t.why])).toEqual([['go-suite', '✗', 'TestAttach failed']]);
  });

  it('counts and names several, each with its why', () => {
    const c = withTests('fail', [test('a', 'fail', { exitCode: 2 }), test('b', 'xpass', { expected: NO_BTF }), test('c', 'pass')]);
    const view = cellView(c);
    expect(view.why).toBe('2 of 3 tests failed: a, b');
    expect(view.tests.map((t) => t.why)).toEqual(['exited with code 2', 'expected to fail (no kernel BTF) but passed']);
  });

  it('shows a failure in a cell expected to fail as expected, with the reason it was expected', () => {
    const c = withTests('xfail', [test('a', 'fail', { reason: 'EPERM' }), test('b', 'fail', { reason: 'EPERM' })], {
      expected: LOCKDOWN,
    });
    const view = cellView(c);
    expect(view.why).toBe('2 of 2 tests failed as expected (lockdown hides bpf_probe_read): a, b');
    expect(view.tests.map((t) => [t.status, t.mark, t.why])).toEqual([
      ['xfail', '⊘', 'failed as expected (lockdown hides bpf_probe_read): EPERM'],
      ['xfail', '⊘', 'failed as expected (lockdown hides bpf_probe_read): EPERM'],
    ]);
  });

  it('words a cell that passed against its expectation once, whichever test it ran', () => {
    const one = withTests('xpass', [test('loader', 'xpass', { expected: NO_BTF })], { expected: NO_BTF });
    const many = withTests('xpass', [test('a', 'pass'), test('b', 'pass')], { expected: NO_BTF });
    expect(cellView(one).why).toBe('expected to fail (no kernel BTF) but passed');
    expect(cellView(many).why).toBe('expected to fail (no kernel BTF) but passed');
  });

  it('says nothing for a pass, and notes a reused result and retried attempts', () => {
    const c = withTests('pass', [test('a', 'pass')], {
      reused: { finishedAt: '2026-01-01T00:00:00Z' },
      retriedAfter: ['QEMU exited 1 before the guest booted'],
    });
    expect(cellView(c).why).toBe('');
    expect(cellView(c).notes).toEqual([
      'not run: an earlier run with identical inputs (2026-01-01T00:00:00Z) ended as expected',
      'attempt 1: could not run (infrastructure): QEMU exited 1 before the guest booted',
    ]);
  });
});

describe('the tally legend', () => {
  it('explains only the parts of a tally that the cells show, and nothing without a tally', () => {
    const nobtf = withTests('pass', [test('a', 'xfail', { expected: NO_BTF }), test('b', 'pass')]);
    const plain = withTests('pass', [test('a', 'pass'), test('b', 'pass')]);
    const skipped = withTests('pass', [test('a', 'pass'), test('b', 'skip')]);
    expect(tallyLegend([plain])).toBe('tests: 2/3 = 2 of 3 tests passed');
    expect(tallyLegend([plain, nobtf])).toBe('tests: 2/3 = 2 of 3 tests passed, +1 xfail = 1 more failed as expected');
    expect(tallyLegend([skipped])).toBe('tests: 2/3 = 2 of 3 tests passed, +1 skip = 1 more skipped');
    expect(tallyLegend([withTests('pass', [test('loader', 'pass')])])).toBeUndefined();
  });
});

it('keeps the runs of a flaky cell of several tests in its why, and lists the flaky test', () => {
  const c = withTests('flaky', [test('a', 'pass'), test('b', 'flaky', { reason: 'event missing' })], {
    reason: 'passed 1 of 2 runs; failed with: b: event missing',
  });
  expect(cellView(c).why).toBe('failed, then passed on a fresh boot: passed 1 of 2 runs; failed with: b: event missing');
  expect(cellView(c).tests.map((t) => [t.name, t.mark, t.why])).toEqual([['b', '≈', 'failed, then passed on a fresh boot: event missing']]);
});

describe('a failure explained in kernel terms', () => {
  const STATE = {
    kind: 'field' as const,
    level: 'fail' as const,
    object: 'naive.o',
    need: 'task_struct.state',
    detail: 'absent; task_struct has __state',
  };

  it("carries the check's finding before the loader's own words", () => {
    const reason = 'bad CO-RE relocation';
    const one = withTests('fail', [test('loader', 'fail', { reason, explanation: STATE })], { reason });
    const why = 'kernel lacks field task_struct.state: absent; task_struct has __state — bad CO-RE relocation';
    expect(cellView(one).why).toBe(why);
  });

  it('says unexplained for a failing test of several that no finding explains', () => {
    const b = test('b', 'fail', { reason: 'exit 1', explanation: 'unexplained' });
    const c = withTests('fail', [test('a', 'pass'), b]);
    expect(cellView(c).tests.map((t) => t.why)).toEqual(['exit 1 — unexplained by the kernel facts']);
  });
});

describe('output cut short', () => {
  it('is said in the cell notes (HTML) and in the JUnit case output, with how much was kept', async () => {
    const { renderJunit } = await import('../../src/report/junit.js');
    const { cellResult, runResults } = await import('../helpers/cells.js');
    const cut = { stream: 'stdout' as const, keptBytes: 1048576, totalBytes: 52428800 };
    const c = cellResult({ tests: [testResult({ name: 'chatty', outputCut: [cut] }), testResult({ name: 'quiet' })] });
    expect(cellView(c).notes).toEqual(['test chatty: stdout cut: 1.0 MiB kept of 50.0 MiB']);
    const junit = renderJunit(runResults([c]));
    expect(junit).toContain('portmatrix: stdout cut: 1.0 MiB kept of 50.0 MiB');
    const lost = cellResult({ tests: [testResult({ name: 'died', outputCut: [{ stream: 'stderr', keptBytes: 2048 }] })] });
    expect(cellView(lost).notes).toEqual(['test died: stderr cut: 2 KiB kept of more']);
  });
});
