// Per arch × config × libc, the oldest and newest kernel of the matrix the cell passed
// on: "works from bookworm to sid". Kernels are ordered by release (bullseye before
// bookworm before trixie), which is also the order reports list them in.

import { compareIds } from '../core/cell.js';
import type { CellResult } from './model.js';

// "5.10.0-30-amd64" → [5, 10, 0, 30]; unknown releases sort after known ones.
function releaseKey(release: string | undefined): number[] {
  if (!release) return [Infinity];
  return (release.match(/\d+/g) ?? []).slice(0, 4).map(Number);
}

function compareNumbers(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return 0;
}

/**
 * Kernel names ordered by their oldest known release (bullseye before bookworm
 * before trixie), then by name: alphabetical order would put bookworm first.
 */
export function kernelOrder(cells: readonly CellResult[]): string[] {
  const oldest = new Map<string, number[]>();
  for (const cell of cells) {
    const key = releaseKey(cell.kernel.release);
    const prev = oldest.get(cell.kernel.name);
    if (!prev || compareNumbers(key, prev) < 0) oldest.set(cell.kernel.name, key);
  }
  return [...oldest.keys()].sort((a, b) => compareNumbers(oldest.get(a)!, oldest.get(b)!) || compareIds(a, b));
}

export interface PassRange {
  /** `amd64/default` or `amd64/default/debian-bookworm` (the cell id without its kernel). */
  key: string;
  /** Names of the oldest and newest kernel it passed on; absent when it passed on none. */
  lowest?: string;
  highest?: string;
  passed: number;
  /** Kernels it ran on (skipped cells do not count). */
  ran: number;
}

/** The key of a cell without its kernel: `<arch>/<config>[/<libc>]`. */
function rangeKey(cell: CellResult): string {
  const [arch, , ...rest] = cell.id.split('/');
  return [arch, ...rest].join('/');
}

/** Ranges for every arch × config × libc, in key order; `pass` and `xpass` count as passed. */
export function passRanges(cells: readonly CellResult[]): PassRange[] {
  const order = kernelOrder(cells);
  const groups = new Map<string, CellResult[]>();
  for (const cell of cells) groups.set(rangeKey(cell), [...(groups.get(rangeKey(cell)) ?? []), cell]);
  return [...groups.keys()].sort().map((key) => {
    const ran = groups.get(key)!.filter((c) => c.status !== 'skip');
    const passed = ran.filter((c) => c.status === 'pass' || c.status === 'xpass').map((c) => c.kernel.name);
    passed.sort((a, b) => order.indexOf(a) - order.indexOf(b));
    return { key, lowest: passed[0], highest: passed.at(-1), passed: passed.length, ran: ran.length };
  });
}

/** `debian-bookworm … debian-sid (3 of 4 kernels)`, `none of 4 kernels`. */
export function rangeText(r: PassRange): string {
  if (!r.lowest) return `passed on none of ${r.ran} kernel${r.ran === 1 ? '' : 's'}`;
  const span = r.lowest === r.highest ? r.lowest : `${r.lowest} … ${r.highest}`;
  return `${span} (${r.passed} of ${r.ran} kernel${r.ran === 1 ? '' : 's'})`;
}
