// Schema 2: a cell's status from its tests, and version-1 results read as one test named loader.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellStatus } from '../../src/outcome/cell-outcome.js';
import type { TestResult } from '../../src/results/model.js';
import { readResults } from '../../src/results/read.js';
import { failingTests, passedCount } from '../../src/results/tests.js';
import { testResult } from '../helpers/cells.js';
import { fixtureResults } from '../report/fixture.js';

const test = (name: string, status: TestResult['status']): TestResult => testResult({ name, status });

describe('cellStatus', () => {
  it('derives the cell from its tests, then applies the cell-level expect', () => {
    const mixed = [test('a', 'pass'), test('b', 'fail'), test('c', 'xfail')];
    expect(cellStatus(mixed, { bootFailed: false })).toBe('fail');
    expect(cellStatus([test('a', 'pass'), test('c', 'xfail'), test('d', 'skip')], { bootFailed: false })).toBe('pass');
    expect(cellStatus([test('a', 'pass'), test('e', 'xpass')], { bootFailed: false })).toBe('fail');
    expect(cellStatus(mixed, { bootFailed: false, expect: { result: 'fail', reason: 'r' } })).toBe('xfail');
    expect(cellStatus([test('a', 'pass')], { bootFailed: false, expect: { result: 'fail', reason: 'r' } })).toBe('xpass');
    expect(cellStatus(mixed, { bootFailed: true })).toBe('infra');
    expect(cellStatus([test('a', 'skip')], { bootFailed: false })).toBe('skip');
    expect(passedCount(mixed)).toEqual({ passed: 2, total: 3 });
    expect(failingTests(mixed)).toEqual(['b']);
  });
});

describe('reading version 1', () => {
  it("reads each cell as one test named loader with the cell's outcome and output", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pm-v1-'));
    const v2 = fixtureResults();
    const v1 = { ...v2, schemaVersion: 1, cells: v2.cells.map(({ tests: _tests, ...c }) => c) };
    await writeFile(path.join(dir, 'results.json'), JSON.stringify(v1));
    const read = await readResults(dir);
    expect(read.schemaVersion).toBe(2);
    const failed = read.cells.find((c) => c.status === 'fail')!;
    expect(failed.tests).toEqual([
      expect.objectContaining({
        name: 'loader',
        kind: 'exec',
        status: 'fail',
        reason: failed.reason,
        stdout: failed.stdout,
        exitCode: failed.exitCode,
      }),
    ]);
    expect(read.cells.map((c) => c.tests.length)).toEqual(read.cells.map(() => 1));
  });
});
