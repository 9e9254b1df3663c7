// The shared view every report renders: cells grouped into rows (kernel × config
// [× libc]) and columns (arch), counts per status, and "failures first" ordering.
// Pure functions of the results model.

import { ARCHES, type Arch } from '../core/arch.js';
import { compareIds } from '../core/cell.js';
import { kernelOrder, type PassRange, passRanges } from '../results/kernel-range.js';
import { type CellResult, type RunResults, STATUSES, type Status } from '../results/model.js';
import { checkNote } from './check-view.js';
import { STATUS_INFO, STATUS_ORDER } from './wording.js';

export { kernelOrder };

export type Counts = Record<Status, number> & { total: number };

export function countStatuses(cells: readonly CellResult[]): Counts {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Counts;
  for (const cell of cells) counts[cell.status] += 1;
  counts.total = cells.length;
  return counts;
}

/** `3 pass · 1 fail · …` in STATUS_ORDER, omitting zeros. */
export function countsLine(counts: Counts): string {
  const parts = STATUS_ORDER.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${STATUS_INFO[s].label}`);
  return `${counts.total} cells: ${parts.join(', ') || 'none'}`;
}

export interface Row {
  /** The cell id without its arch segment, e.g. `debian-bookworm/default`. */
  key: string;
  kernel: string;
  config: string;
  libc: string;
  cells: Partial<Record<Arch, CellResult>>;
}

export interface Grid {
  arches: Arch[];
  rows: Row[];
}

/** Row key = id minus its leading arch segment, so a libc axis becomes its own rows. */
export function rowKey(cell: CellResult): string {
  const rest = cell.id.split('/').slice(1).join('/');
  return rest || cell.id;
}

export function archOrder(cells: readonly CellResult[]): Arch[] {
  const present = new Set(cells.map((c) => c.arch));
  const known = ARCHES.filter((a) => present.has(a));
  const other = [...present].filter((a) => !known.includes(a)).sort();
  return [...known, ...other];
}

export function buildGrid(results: RunResults): Grid {
  const kernels = kernelOrder(results.cells);
  const rows = new Map<string, Row>();
  for (const cell of results.cells) {
    const key = rowKey(cell);
    const row = rows.get(key) ?? { key, kernel: cell.kernel.name, config: cell.config, libc: cell.libc, cells: {} };
    row.cells[cell.arch] = cell;
    rows.set(key, row);
  }
  // Configs in matrix order when the run recorded it (unknown ones last), then by key.
  const configRank = (config: string) => {
    const i = results.configs?.indexOf(config) ?? -1;
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const sorted = [...rows.values()].sort(
    (a, b) => kernels.indexOf(a.kernel) - kernels.indexOf(b.kernel) || configRank(a.config) - configRank(b.config) || compareIds(a.key, b.key),
  );
  return { arches: archOrder(results.cells), rows: sorted };
}

const NEEDS_ATTENTION: ReadonlySet<Status> = new Set(['fail', 'xpass', 'infra', 'flaky']);

/** Cells that need attention (fail, xpass, infra, and flaky ones), in STATUS_ORDER then id order. */
export function problemCells(results: RunResults): CellResult[] {
  return sortByStatus(results.cells.filter((c) => NEEDS_ATTENTION.has(c.status)));
}

export function sortByStatus(cells: readonly CellResult[]): CellResult[] {
  return [...cells].sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || compareIds(a.id, b.id));
}

/** Total seconds of cell wall time, for JUnit and headings. */
export function totalSeconds(cells: readonly CellResult[]): number {
  return cells.reduce((sum, c) => sum + c.timings.totalMs, 0) / 1000;
}

/** Oldest and newest kernel each arch × config passed on; none when the matrix has one kernel. */
export function kernelRanges(results: RunResults): PassRange[] {
  return new Set(results.cells.map((c) => c.kernel.name)).size < 2 ? [] : passRanges(results.cells);
}

/**
 * A run's note on snapshot boots: cells restored from one saved boot share its
 * kernel layout (KASLR), so the reader knows they are not independent boots.
 */
export function reusedNote(cells: readonly CellResult[]): string | undefined {
  const reused = cells.filter((c) => c.reused).length;
  if (!reused) return undefined;
  return `${reused} of ${cells.length} cells reused the result of an earlier run with identical inputs (--reuse); they did not run`;
}

export function snapshotNote(cells: readonly CellResult[]): string | undefined {
  const restored = cells.filter((c) => c.boot === 'snapshot').length;
  if (!restored) return undefined;
  return `${restored} of ${cells.length} cells restored a snapshot of their kernel's boot: they share its KASLR layout (--no-snapshot boots each cell)`;
}

/** The run's notes under its counts: snapshots restored, cells reused, the check against the outcome. */
export function runNotes(results: RunResults): string[] {
  return [snapshotNote(results.cells), reusedNote(results.cells), checkNote(results)].filter((n): n is string => !!n);
}
