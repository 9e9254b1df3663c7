// The human view of a check: one line a cell, then one indented line for each
// thing its kernel lacks (pure). Guarded misses are left to the JSON: the program
// handles them, so they explain nothing a person must act on.

import type { CellCheck, CheckReport } from './cell-check.js';
import type { Finding } from './finding.js';

const HEADERS = ['ID', 'RELEASE', 'BTF', 'PREDICTED'] as const;

/** `✗ field task_struct.state: absent; task_struct has __state (naive.o kprobe/sys_execve)`. */
export function findingLine(f: Finding): string {
  const mark = f.level === 'fail' ? '✗' : f.level === 'unknown' ? '?' : '~';
  const where = [f.object, f.section].filter(Boolean).join(' ');
  return `${mark} ${f.kind} ${f.need}: ${f.detail} (${where})`;
}

function status(c: CellCheck): string {
  return c.predicted === 'skip' ? `skip: ${c.skip ?? ''}` : c.predicted;
}

export function checkTable(report: CheckReport): string {
  const rows = report.cells.map((c) => [c.id, c.release ?? '-', c.btf, status(c)]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cols: readonly string[]) => cols.map((col, i) => (i === cols.length - 1 ? col : col.padEnd(widths[i]!))).join('  ');
  const out = [line(HEADERS)];
  report.cells.forEach((c, i) => {
    out.push(line(rows[i]!));
    for (const f of c.findings.filter((x) => x.level !== 'guarded')) out.push(`    ${findingLine(f)}`);
  });
  const count = (p: CellCheck['predicted']) => report.cells.filter((c) => c.predicted === p).length;
  out.push('', `${report.cells.length} cells: ${count('fail')} predicted to fail, ${count('pass')} to pass, ` + `${count('skip')} not checked`);
  return `${out.join('\n')}\n`;
}
