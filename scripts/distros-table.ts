// The table `npm run distros` prints and docs/kernels.md keeps: one row a cell, read
// from results.json alone (what portmatrix resolved and what the guest reported), so a
// row can only say what the run recorded.

import { byId } from '../src/core/cell.js';
import { mdInline } from '../src/report/markdown.js';
import type { CellResult, RunResults } from '../src/results/model.js';

const code = (text: string | undefined) => (text ? `\`${text.replace(/`/g, "'")}\`` : '—');

/** pass, or the status with its reason (a skip says why the distribution has no such kernel). */
function status(cell: CellResult): string {
  return cell.reason && cell.status !== 'pass' ? `${cell.status}: ${mdInline(cell.reason, 200)}` : cell.status;
}

/** `source`, `kernel package version`, status, `uname -r` in the guest; cells in id order. */
export function distrosTable(results: RunResults): string[] {
  const rows = [...results.cells].sort(byId).map((c) => {
    const pkg = c.kernel.package ? `${code(c.kernel.package)} ${code(c.kernel.version)}` : '—';
    const accel = c.accel ? ` (${c.accel})` : '';
    return `| \`${c.id}\` | \`${c.kernel.source}\` | ${pkg} | ${status(c)}${accel} | ${code(c.guest?.unameR)} |`;
  });
  return ['| cell | source | kernel package, version | status | `uname -r` in the guest |', '|---|---|---|---|---|', ...rows];
}
