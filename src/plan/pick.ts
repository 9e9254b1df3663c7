// One cell out of the matrix, for commands that work on a single cell (`shell`):
// its id as `plan` prints it, a unique prefix of one, or an `--only`-style filter
// (`arch=arm64,kernel=6.12`). No match or several → the candidates; a cell that
// cannot run here → why it is skipped.

import type { Cell } from '../core/cell.js';
import { UsageError } from '../errors.js';
import { filterCells } from './filter.js';

/** Candidates listed in an error, at most this many. */
const SHOWN = 10;

const listed = (cells: Cell[]) =>
  [...cells.slice(0, SHOWN).map((c) => `  ${c.id}`), ...(cells.length > SHOWN ? [`  … and ${cells.length - SHOWN} more`] : [])].join('\n');

function matching(cells: Cell[], wanted: string): Cell[] {
  if (wanted.includes('=')) return filterCells(cells, wanted);
  const exact = cells.filter((c) => c.id === wanted);
  return exact.length > 0 ? exact : cells.filter((c) => c.id.startsWith(wanted));
}

export function pickCell(cells: Cell[], wanted: string): Cell {
  const found = matching(cells, wanted);
  if (found.length === 0) {
    throw new UsageError(`no cell matches ${wanted}; the cells are (portmatrix plan):\n${listed(cells)}`);
  }
  if (found.length > 1) {
    throw new UsageError(`${found.length} cells match ${wanted}; name one of them:\n${listed(found)}`);
  }
  const cell = found[0]!;
  if (cell.skip) throw new UsageError(`cell ${cell.id} is skipped: ${cell.skip}`);
  return cell;
}
