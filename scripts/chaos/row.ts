// One line of the chaos table: what was injected, and what it cost.

export interface Row {
  fault: string;
  injected: number;
  /** Cells (or downloads) a fault made disappear, or whose finished work was thrown away. */
  lost: string[];
  /** Results that differ from the clean run's, and broken promises (a surviving QEMU, a corrupt blob). */
  wrong: string[];
}

export function row(fault: string): Row {
  return { fault, injected: 0, lost: [], wrong: [] };
}

export function table(rows: Row[]): string {
  const head = ['fault', 'times injected', 'cells lost', 'wrong results'];
  const lines = rows.map((r) => [r.fault, String(r.injected), String(r.lost.length), String(r.wrong.length)]);
  const width = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]) => `| ${cols.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`;
  return [fmt(head), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

/** Why each non-zero cell of the table is non-zero. */
export function details(rows: Row[]): string {
  return rows.flatMap((r) => [...r.lost.map((l) => `${r.fault}: lost ${l}`), ...r.wrong.map((w) => `${r.fault}: wrong ${w}`)]).join('\n');
}
