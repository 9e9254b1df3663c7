// "Program complexity across kernels": for every BPF program a test loaded, the
// instructions the verifier processed on each kernel, so a program creeping toward
// the verifier's limit shows before it breaks. Rows are programs (test, name, type),
// columns the cells that ran, arch by arch, kernels oldest first (the matrix grid's
// order). Pure: read from the results model (`programs`, else the loader's verifier
// log, `processedInsns`).

import type { Arch } from '../core/arch.js';
import type { CellResult, RunResults, TestResult } from '../results/model.js';
import { buildGrid } from './view.js';

/** BPF_COMPLEXITY_LIMIT_INSNS: the most instructions the verifier processes for one program (since 5.2). */
export const VERIFIER_LIMIT = 1_000_000;

export interface ComplexityColumn {
  arch: Arch;
  /** The cell's row in the matrix grid: `debian-trixie/default`. */
  label: string;
  cell: CellResult;
}

/** One program on one kernel: the count, when known; `fromLog` when the loader's verifier log gave it. */
export interface ComplexityCount {
  insns?: number;
  fromLog?: boolean;
}

export interface ComplexityRow {
  test: string;
  program: string;
  /** Empty when only the loader's log named the program. */
  type: string;
  /** Per column; undefined where the program was not seen. */
  counts: (ComplexityCount | undefined)[];
  /** The largest known count in the row (0: none known). */
  max: number;
}

export interface ComplexityView {
  columns: ComplexityColumn[];
  rows: ComplexityRow[];
}

/** A test's programs as (name, type, count); from its loader's log when the guest saw none. */
function programsOf(t: TestResult): { name: string; type: string; count: ComplexityCount }[] {
  if (t.programs?.length) {
    return t.programs.map((p) => {
      const count = { insns: p.verifiedInsns, fromLog: p.insnsFrom === 'log' };
      return { name: p.name, type: p.type, count };
    });
  }
  const logged = t.processedInsns ?? [];
  return logged.map((l) => ({ name: l.program ?? '', type: '', count: { insns: l.insns, fromLog: true } }));
}

/** The larger of two counts of one program in one cell (loaded twice, say); a known count wins. */
function larger(a: ComplexityCount | undefined, b: ComplexityCount): ComplexityCount {
  if (a?.insns === undefined) return b;
  return b.insns === undefined || a.insns >= b.insns ? a : b;
}

function columnsOf(results: RunResults): ComplexityColumn[] {
  const grid = buildGrid(results);
  return grid.arches.flatMap((arch) =>
    grid.rows.flatMap((row) => {
      const cell = row.cells[arch];
      const loaded = cell && cell.status !== 'skip' && cell.tests.some((t) => programsOf(t).length);
      return loaded ? [{ arch, label: row.key, cell }] : [];
    }),
  );
}

/** The chart's data; undefined when no test recorded a program. */
export function complexityView(results: RunResults): ComplexityView | undefined {
  const columns = columnsOf(results);
  if (!columns.length) return undefined;
  const rows = new Map<string, ComplexityRow>();
  columns.forEach((col, i) => {
    for (const t of col.cell.tests) {
      for (const p of programsOf(t)) {
        const key = [t.name, p.name, p.type].join('\0');
        const row = rows.get(key) ?? { test: t.name, program: p.name, type: p.type, counts: [], max: 0 };
        rows.set(key, row);
        row.counts[i] = larger(row.counts[i], p.count);
        row.max = Math.max(row.max, p.count.insns ?? 0);
      }
    }
  });
  const sortKey = (r: ComplexityRow) => [r.test, r.program, r.type].join('\0');
  const sorted = [...rows.values()].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
  // Every row as wide as the columns: a kernel where the program was not seen reads undefined.
  for (const r of sorted) r.counts = columns.map((_, i) => r.counts[i]);
  return { columns, rows: sorted };
}
