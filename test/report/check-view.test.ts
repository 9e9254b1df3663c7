// The run's outcome against the check it made before the boots, cell by cell, and
// the note every report prints from it; and a merge of shards keeping their checks.

import { describe, expect, it } from 'vitest';
import { cellAgreements, checkNote } from '../../src/report/check-view.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderTable } from '../../src/report/terminal.js';
import type { CellCheck, CheckReport } from '../../src/results/check.js';
import { mergeResults } from '../../src/results/merge.js';
import type { CellResult } from '../../src/results/model.js';
import { cellResult, runResults, testResult } from '../helpers/cells.js';

const predicted = (id: string, p: CellCheck['predicted']): CellCheck => {
  const [arch, kernel] = id.split('/');
  return { id, arch: arch!, kernel: kernel!, btf: 'kernel', predicted: p, objects: ['x.o'], findings: [] } as CellCheck;
};

const cells: CellResult[] = [
  cellResult({ id: 'amd64/bullseye/default' }),
  cellResult({ id: 'amd64/trixie/default', status: 'xfail', tests: [testResult({ status: 'xfail' }), testResult({ name: 'b' })] }),
  cellResult({ id: 'amd64/trixie/nobtf', tests: [testResult({ status: 'pass' })] }),
  cellResult({ id: 'arm64/trixie/default', status: 'fail', tests: [testResult({ status: 'fail', explanation: 'unexplained' })] }),
  cellResult({ id: 'arm64/trixie/lockdown', status: 'infra', tests: [] }),
  cellResult({ id: 's390x/bullseye/default', status: 'skip', tests: [] }),
];
const check: CheckReport = {
  version: 1,
  cells: [
    predicted('amd64/bullseye/default', 'pass'),
    predicted('amd64/trixie/default', 'fail'),
    predicted('amd64/trixie/nobtf', 'fail'),
    predicted('arm64/trixie/default', 'pass'),
    predicted('arm64/trixie/lockdown', 'fail'),
    predicted('s390x/bullseye/default', 'skip'),
  ],
};

describe('cellAgreements', () => {
  it('compares each checked cell with a verdict; an expected failure is a failure', () => {
    expect(cellAgreements(runResults(cells, { check })).map((r) => [r.id, r.predicted, r.outcome, r.agreement])).toEqual([
      ['amd64/bullseye/default', 'pass', 'pass', 'agree'],
      ['amd64/trixie/default', 'fail', 'fail', 'agree'],
      ['amd64/trixie/nobtf', 'fail', 'pass', 'predicted-fail-passed'],
      ['arm64/trixie/default', 'pass', 'fail', 'failed-unexplained'],
    ]);
  });

  it('has nothing to say without a check', () => {
    expect(cellAgreements(runResults(cells))).toEqual([]);
    expect(checkNote(runResults(cells))).toBeUndefined();
  });
});

describe('checkNote', () => {
  it('names the cells that differ and counts unexplained failures, in the terminal and in Markdown', () => {
    const results = runResults(cells, { check });
    const note =
      'check: 2 of 4 checked cells differ from the prediction: amd64/trixie/nobtf predicted to fail but passed (the program handled ' +
      'what the kernel lacks), arm64/trixie/default failed unexplained: the check predicted a pass; 1 failed test unexplained by the kernel facts';
    expect(checkNote(results)).toBe(note);
    expect(renderTable(results, { color: false, width: 400 })).toContain(note);
    expect(renderMarkdown(results)).toContain('check: 2 of 4 checked cells differ');
  });

  it('says so when every cell came out as predicted', () => {
    const agreeing = cells.slice(0, 2);
    expect(checkNote(runResults(agreeing, { check }))).toBe('check: all 2 checked cells came out as predicted (1 to fail, 1 to pass)');
  });
});

describe('mergeResults', () => {
  it("keeps the shards' checks: each cell's prediction in the merged order, each kernel once", () => {
    const kernel = { kernel: 'trixie', arch: 'amd64', release: '6.12', btfSource: 'kernel' as const, helpers: 211, kfuncs: 90 };
    const shard = (ids: string[]) =>
      runResults(
        cells.filter((c) => ids.includes(c.id)),
        { check: { version: 1, cells: check.cells.filter((c) => ids.includes(c.id)), kernels: [kernel] } },
      );
    const merged = mergeResults([
      { dir: 'a', results: shard(['arm64/trixie/default', 'amd64/bullseye/default']) },
      { dir: 'b', results: shard(['amd64/trixie/default']) },
    ]);
    expect(merged.check?.cells.map((c) => c.id)).toEqual(merged.cells.map((c) => c.id));
    expect(merged.check?.cells.map((c) => c.id)).toEqual(['amd64/bullseye/default', 'amd64/trixie/default', 'arm64/trixie/default']);
    expect(merged.check?.kernels).toEqual([kernel]);
    expect(mergeResults([{ dir: 'a', results: runResults(cells) }]).check).toBeUndefined();
  });
});
