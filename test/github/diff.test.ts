import { describe, expect, it } from 'vitest';
import { renderDiff } from '../../src/github/comment-body.js';
import { classifyTransition, diffResults, hasChanges } from '../../src/github/diff.js';
import { STATUSES, type Status } from '../../src/results/model.js';
import { testResult } from '../helpers/cells.js';
import { results } from './results.js';

describe('classifyTransition', () => {
  // Every ordered pair of statuses, with the bucket it must land in.
  const expected: Record<Status, Record<Status, string | undefined>> = {
    pass: {
      pass: undefined,
      fail: 'regressed',
      xfail: 'changed',
      xpass: 'regressed',
      infra: 'infra',
      skip: 'changed',
      flaky: 'flaky',
    },
    xfail: {
      pass: 'changed',
      fail: 'regressed',
      xfail: undefined,
      xpass: 'regressed',
      infra: 'infra',
      skip: 'changed',
      flaky: 'flaky',
    },
    fail: {
      pass: 'fixed',
      fail: undefined,
      xfail: 'fixed',
      xpass: 'changed',
      infra: 'infra',
      skip: 'changed',
      flaky: 'flaky',
    },
    xpass: {
      pass: 'fixed',
      fail: 'changed',
      xfail: 'fixed',
      xpass: undefined,
      infra: 'infra',
      skip: 'changed',
      flaky: 'flaky',
    },
    infra: {
      pass: 'changed',
      fail: 'changed',
      xfail: 'changed',
      xpass: 'changed',
      infra: undefined,
      skip: 'changed',
      flaky: 'flaky',
    },
    skip: {
      pass: 'changed',
      fail: 'changed',
      xfail: 'changed',
      xpass: 'changed',
      infra: 'infra',
      skip: undefined,
      flaky: 'flaky',
    },
    flaky: {
      pass: 'fixed',
      fail: 'regressed',
      xfail: 'fixed',
      xpass: 'regressed',
      infra: 'infra',
      skip: 'changed',
      flaky: undefined,
    },
  };
  for (const base of STATUSES) {
    for (const head of STATUSES) {
      it(`${base} → ${head} is ${expected[base][head] ?? 'unchanged'}`, () => {
        expect(classifyTransition(base, head)).toBe(expected[base][head]);
      });
    }
  }
});

describe('diffResults', () => {
  it('puts each cell in one bucket, adds and removes by id, sorted', () => {
    const base = results([
      ['amd64/debian-6.1/default', 'pass'],
      ['arm64/debian-6.1/default', 'pass'],
      ['s390x/debian-6.1/default', 'fail'],
      ['amd64/debian-5.10/default', 'pass'],
      ['arm64/debian-6.12/default', 'pass'],
      ['amd64/debian-6.12/default', 'xfail'],
      ['arm64/gone/default', 'pass'],
    ]);
    const head = results([
      ['amd64/debian-6.1/default', 'pass'],
      ['arm64/debian-6.1/default', 'fail', 'verifier rejection'],
      ['s390x/debian-6.1/default', 'pass'],
      ['amd64/debian-5.10/default', 'infra'],
      ['arm64/debian-6.12/default', 'xpass'],
      ['amd64/debian-6.12/default', 'pass'],
      ['amd64/new/default', 'pass'],
    ]);
    const d = diffResults(base, head);
    expect(d.regressed.map((c) => [c.id, c.base, c.head])).toEqual([
      ['arm64/debian-6.1/default', 'pass', 'fail'],
      ['arm64/debian-6.12/default', 'pass', 'xpass'],
    ]);
    expect(d.regressed[0]?.cell.reason).toBe('verifier rejection');
    expect(d.fixed.map((c) => c.id)).toEqual(['s390x/debian-6.1/default']);
    expect(d.infra.map((c) => c.id)).toEqual(['amd64/debian-5.10/default']);
    expect(d.changed.map((c) => [c.id, c.base, c.head])).toEqual([['amd64/debian-6.12/default', 'xfail', 'pass']]);
    expect(d.added.map((c) => c.id)).toEqual(['amd64/new/default']);
    expect(d.removed.map((c) => c.id)).toEqual(['arm64/gone/default']);
    expect(hasChanges(d)).toBe(true);
  });

  it('finds nothing between identical runs', () => {
    const r = results([['amd64/debian-6.1/default', 'fail']]);
    expect(hasChanges(diffResults(r, r))).toBe(false);
  });
});

describe('per-test changes', () => {
  const withTests = (r: ReturnType<typeof results>, tests: [string, Status][]) => {
    const cell = r.cells[0]!;
    cell.tests = tests.map(([name, status]) => testResult({ name, status }));
    return r;
  };

  it('a cell failing before and after still regresses when another test broke, and the comment names each test', () => {
    const id = 'amd64/debian-6.1/default';
    const base = withTests(results([[id, 'fail']]), [
      ['smoke', 'fail'],
      ['suite', 'pass'],
      ['gone', 'pass'],
    ]);
    const head = withTests(results([[id, 'fail']]), [
      ['smoke', 'pass'],
      ['suite', 'fail'],
      ['new', 'pass'],
    ]);
    const d = diffResults(base, head);
    expect(d.regressed.map((c) => c.id)).toEqual([id]);
    expect(d.regressed[0]!.tests).toEqual([
      { name: 'smoke', base: 'fail', head: 'pass', bucket: 'fixed' },
      { name: 'suite', base: 'pass', head: 'fail', bucket: 'regressed' },
      { name: 'new', base: undefined, head: 'pass', bucket: undefined },
      { name: 'gone', base: 'pass' },
    ]);
    expect(renderDiff(d)).toContain(
      '| `amd64/debian-6.1/default` | ❌ fail | ❌ fail | smoke: fail → pass; suite: pass → fail; new: absent → pass; gone: pass → absent |',
    );
  });

  it('a cell whose only change is a fixed test is fixed', () => {
    const id = 'amd64/debian-6.1/default';
    const d = diffResults(
      withTests(results([[id, 'fail']]), [
        ['a', 'fail'],
        ['b', 'fail'],
      ]),
      withTests(results([[id, 'fail']]), [
        ['a', 'pass'],
        ['b', 'fail'],
      ]),
    );
    expect([d.regressed.length, d.fixed.map((c) => c.id)]).toEqual([0, [id]]);
  });
});
