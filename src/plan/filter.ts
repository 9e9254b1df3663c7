// `--only key=value[,key=value]`: keys arch, kernel, config, libc, id, test
// (`test` narrows each cell to the matching tests; a cell left with none is dropped). Different
// keys must all match; a key given twice matches either value. Values may use `*`.
// `kernel` matches a kernel's name, its source, or its release's kernel series (`kernel=6.12`).

import { parseSource, releaseSeries } from '../config/kernels.js';
import type { Cell } from '../core/cell.js';
import { UsageError } from '../errors.js';

export const FILTER_KEYS = ['arch', 'kernel', 'config', 'libc', 'id', 'test'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** The values a cell answers to for each key. */
function valuesOf(cell: Cell, key: FilterKey): string[] {
  switch (key) {
    case 'arch':
      return [cell.arch];
    case 'config':
      return [cell.config.name];
    case 'libc':
      return [cell.libc, cell.libc.replace(':', '-')];
    case 'id':
      return [cell.id];
    case 'test':
      return cell.tests.map((t) => t.name);
    case 'kernel': {
      const parsed = parseSource(cell.kernel.source);
      const series = parsed?.kind === 'distro' ? releaseSeries(parsed.scheme, parsed.release) : undefined;
      return [cell.kernel.name, cell.kernel.source, ...(series ? [series] : [])];
    }
  }
}

export function parseFilter(only: string): Map<FilterKey, string[]> {
  const wanted = new Map<FilterKey, string[]>();
  for (const part of only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!(FILTER_KEYS as readonly string[]).includes(key))
      throw new UsageError(`--only ${only}: unknown key "${key}"; valid keys are ${FILTER_KEYS.join(', ')}`);
    if (!value) throw new UsageError(`--only ${only}: "${part}" has no value; write key=value, e.g. arch=arm64`);
    wanted.set(key as FilterKey, [...(wanted.get(key as FilterKey) ?? []), value]);
  }
  if (wanted.size === 0) throw new UsageError(`--only: empty filter; write key=value[,key=value], keys ${FILTER_KEYS.join(', ')}`);
  return wanted;
}

/** The cells matching `only`; a value that matches no cell at all is a usage error naming the valid ones. */
export function filterCells(cells: Cell[], only: string): Cell[] {
  const wanted = parseFilter(only);
  for (const [key, patterns] of wanted) {
    for (const pattern of patterns) {
      const re = wildcard(pattern);
      if (!cells.some((c) => valuesOf(c, key).some((v) => re.test(v)))) {
        const valid = [...new Set(cells.map((c) => valuesOf(c, key)[0]!))];
        throw new UsageError(`--only ${only}: no cell has ${key}=${pattern}; valid values are ${valid.join(', ') || '(no cells)'}`);
      }
    }
  }
  const kept = cells.filter((c) => [...wanted].every(([key, patterns]) => patterns.some((p) => valuesOf(c, key).some((v) => wildcard(p).test(v)))));
  const tests = wanted.get('test');
  return tests ? kept.map((c) => narrowTests(c, tests.map(wildcard))) : kept;
}

/** The cell with only the tests `--only test=` names. */
function narrowTests(cell: Cell, patterns: RegExp[]): Cell {
  return { ...cell, tests: cell.tests.filter((t) => patterns.some((re) => re.test(t.name))) };
}
