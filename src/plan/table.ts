// The human view of a plan: an aligned table, one cell a line (pure).

import path from 'node:path';
import type { Cell } from '../core/cell.js';
import { oneLine } from '../core/sanitize.js';

const HEADERS = ['ID', 'ARCH', 'KERNEL', 'CONFIG', 'LIBC', 'TESTS', 'EXPECTATION'] as const;

function expectation(c: Cell): string {
  if (c.skip) return `skip: ${c.skip}`;
  if (c.expect) return `expected to fail: ${c.expect.reason}`;
  const xfail = c.tests.filter((t) => t.expect);
  if (xfail.length) return xfail.map((t) => `${t.name} expected to fail: ${t.expect!.reason}`).join('; ');
  return 'pass';
}

/** The cell's tests in run order; a gotest is marked, since it reports cases of its own. */
const testList = (c: Cell) => c.tests.map((t) => (t.kind === 'gotest' ? `${t.name} (go)` : t.name)).join(',');

/** `file:` sources are absolute in the plan; show them relative to `cwd` to keep the table narrow. */
function shownSource(source: string, cwd: string | undefined): string {
  if (!cwd || !source.startsWith('file:/')) return source;
  return `file:${path.relative(cwd, source.slice(5))}`;
}

export function planTable(cells: Cell[], cwd?: string): string {
  // Matrix text (reasons above all) reaches the terminal: escaped, one line, long values cut.
  const rows = cells.map((c) => [c.id, c.arch, shownSource(c.kernel.source, cwd), c.config.name, c.libc, testList(c), expectation(c)].map((v) => oneLine(v)));
  // A reduce, not Math.max(...rows): spreading 100,000 rows overflows the call stack.
  const widths = HEADERS.map((h, i) => rows.reduce((w, r) => Math.max(w, r[i]!.length), h.length));
  const line = (cols: readonly string[]) => cols.map((col, i) => (i === cols.length - 1 ? col : col.padEnd(widths[i]!))).join('  ');
  const skipped = cells.filter((c) => c.skip).length;
  const xfail = cells.filter((c) => !c.skip && c.expect).length;
  const summary = `${cells.length} cell${cells.length === 1 ? '' : 's'}: ${cells.length - skipped} to run (${xfail} expected to fail), ${skipped} skipped`;
  return `${[line(HEADERS), ...rows.map(line), '', summary].join('\n')}\n`;
}
