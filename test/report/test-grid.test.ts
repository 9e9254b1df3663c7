// Which test failed where: a matrix of several tests shown test × cell in the
// terminal table and the Markdown summary, only the tests that did not pass
// everywhere, bounded for big matrices.

import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderTable } from '../../src/report/terminal.js';
import { testGrid } from '../../src/report/test-grid.js';
import type { Status } from '../../src/results/model.js';
import { cellResult, runResults, testResult } from '../helpers/cells.js';

/** A cell of three tests, `maps`, `ringbuf` and `probe`, with the statuses given (pass otherwise). */
function cell(id: string, status: Status, tests: Partial<Record<'maps' | 'ringbuf' | 'probe', Status>> = {}) {
  const names = ['maps', 'ringbuf', 'probe'] as const;
  const results = names.map((name) => {
    const own = tests[name];
    return testResult({ name, status: own ?? 'pass', reason: own ? `${name} broke` : undefined });
  });
  return cellResult({ id, status, tests: results });
}

const results = runResults([
  cellResult({ id: 'amd64/trixie/default', tests: ['maps', 'ringbuf', 'probe'].map((name) => testResult({ name })) }),
  cell('arm64/trixie/default', 'fail', { ringbuf: 'fail' }),
  cell('s390x/trixie/default', 'fail', { ringbuf: 'fail', maps: 'fail' }),
  cell('amd64/bookworm/nonroot', 'skip', { maps: 'skip', ringbuf: 'skip', probe: 'skip' }),
]);

describe('the test × cell view', () => {
  it('lists the tests that did not pass everywhere, against the cells where one did not', () => {
    expect(testGrid(results, { tests: 10, cells: 10 })).toEqual({
      columns: ['arm64/trixie/default', 's390x/trixie/default'],
      rows: [
        { name: 'maps', statuses: ['pass', 'fail'], failed: 1, ran: 3 },
        { name: 'ringbuf', statuses: ['fail', 'fail'], failed: 2, ran: 3 },
      ],
      total: 3,
      hiddenTests: 0,
      hiddenCells: 0,
    });
  });

  it('puts what needs attention first: failures before expected failures', () => {
    const expected = { result: 'fail' as const, reason: 'lockdown' };
    const mixed = runResults([
      cell('amd64/trixie/lockdown', 'xfail', { maps: 'fail', ringbuf: 'fail' }),
      cell('arm64/trixie/default', 'fail', { probe: 'fail' }),
    ]);
    mixed.cells[0]!.expected = expected;
    const grid = testGrid(mixed, { tests: 10, cells: 10 })!;
    expect(grid.columns).toEqual(['arm64/trixie/default', 'amd64/trixie/lockdown']);
    expect(grid.rows.map((r) => [r.name, ...r.statuses])).toEqual([
      ['probe', 'fail', 'pass'],
      ['maps', 'pass', 'xfail'],
      ['ringbuf', 'pass', 'xfail'],
    ]);
  });

  it('is not shown for one test, nor when every test passed wherever it ran', () => {
    const one = runResults([cellResult({ id: 'amd64/trixie/default', status: 'fail', reason: 'memlock' })]);
    expect(testGrid(one, { tests: 10, cells: 10 })).toBeUndefined();
    const skipped = cell('arm64/trixie/default', 'pass', { probe: 'skip' });
    const green = runResults([cell('amd64/trixie/default', 'pass'), skipped]);
    expect(testGrid(green, { tests: 10, cells: 10 })).toBeUndefined();
    expect(renderTable(green, { color: false })).not.toContain('Tests × cells');
    expect(renderMarkdown(green)).not.toContain('Tests × cells');
  });

  it('prints a numbered table under the terminal grid, the cell ids as its key', () => {
    const table = renderTable(results, { color: false, width: 100 });
    const view = table.slice(table.indexOf('Tests × cells'), table.indexOf('Needs attention'));
    expect(view.trimEnd().split('\n')).toEqual([
      'Tests × cells: 2 of 3 tests did not pass on every cell they ran on',
      '  test     1  2',
      '  maps     ✓  ✗  on 1 of 3 cells',
      '  ringbuf  ✗  ✗  on 2 of 3 cells',
      '  1  arm64/trixie/default',
      '  2  s390x/trixie/default',
      '  ✗ fail, ✓ pass, · not run',
    ]);
  });

  it('gives the Markdown summary a table with the cells as columns', () => {
    const md = renderMarkdown(results);
    expect(md).toContain(
      [
        '### Tests × cells',
        '',
        '2 of 3 tests did not pass on every cell they ran on',
        '',
        '| test | `arm64/trixie/default` | `s390x/trixie/default` | |',
        '|---|:-:|:-:|---|',
        '| `maps` | ✅ | ❌ | on 1 of 3 cells |',
        '| `ringbuf` | ❌ | ❌ | on 2 of 3 cells |',
        '',
        '<sub>· not run</sub>',
      ].join('\n'),
    );
  });

  it('is bounded for a big matrix and says what it left out', () => {
    const names = Array.from({ length: 40 }, (_, i) => `t${i}`);
    const cells = Array.from({ length: 30 }, (_, k) =>
      cellResult({
        id: `amd64/k${String(k).padStart(2, '0')}/default`,
        status: 'fail',
        tests: names.map((name) => testResult({ name, status: 'fail', reason: 'no' })),
      }),
    );
    const big = runResults(cells);
    const grid = testGrid(big, { tests: 15, cells: 12 })!;
    expect([grid.rows.length, grid.columns.length, grid.hiddenTests, grid.hiddenCells]).toEqual([15, 12, 25, 18]);
    const table = renderTable(big, { color: false, width: 100 });
    expect(table).toContain('Tests × cells: 40 of 40 tests did not pass on every cell they ran on');
    expect(table).toContain('not shown: 25 more tests and 18 more cells where a test did not pass');
    for (const line of table.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
    expect(renderMarkdown(big)).toContain('not shown: 10 more tests and 20 more cells where a test did not pass');
  });
});
