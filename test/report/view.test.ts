// Rows follow the matrix: kernels by release, then configs in the order written.
import { expect, it } from 'vitest';
import { buildGrid, snapshotNote } from '../../src/report/view.js';
import { fixtureResults } from './fixture.js';

it('orders config rows as the matrix lists them when the run recorded that order', () => {
  const results = fixtureResults();
  const configs = [...new Set(results.cells.map((c) => c.config))].sort();
  expect(configs.length).toBeGreaterThan(1);
  const written = [...configs].reverse(); // e.g. lockdown before default
  const rowsOf = (r: typeof results) => buildGrid(r).rows.map((row) => `${row.kernel}/${row.config}`);

  const alphabetical = rowsOf(results);
  const asWritten = rowsOf({ ...results, configs: written });
  for (const rows of [alphabetical, asWritten]) {
    // Within one kernel, configs keep the expected order.
    const order = rows.at(0) ? rows.filter((r) => r.startsWith(rows[0]!.split('/')[0]!)).map((r) => r.split('/')[1]) : [];
    const wanted = rows === asWritten ? written : configs;
    expect(order).toEqual(wanted.filter((c) => order.includes(c)));
  }
  expect(asWritten).not.toEqual(alphabetical);
});

it('notes how many cells restored a snapshot, and nothing when none did', () => {
  const cells = fixtureResults().cells;
  expect(snapshotNote(cells)).toBeUndefined();
  const restored = cells.map((c, i) => ({ ...c, boot: i < 2 ? ('snapshot' as const) : ('cold' as const) }));
  expect(snapshotNote(restored)).toBe(
    `2 of ${cells.length} cells restored a snapshot of their kernel's boot: they share its KASLR layout (--no-snapshot boots each cell)`,
  );
});
