// Layout of a results directory. Cell files are written atomically (host/files.ts):
// an interrupted run keeps every finished cell and nothing half-written.
//
//   <dir>/results.json             the RunResults of the run (written at the end)
//   <dir>/cells/<cell>.json        one CellResult per finished cell
//   <dir>/console/<cell>.log       the full serial console of the cell's last attempt

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from '../host/files.js';
import type { CellResult } from './model.js';

/** `amd64/debian-bookworm/default` → `amd64__debian-bookworm__default`. */
export function cellFileStem(id: string): string {
  return id.replaceAll('/', '__');
}

export const cellJsonPath = (dir: string, id: string) => path.join(dir, 'cells', `${cellFileStem(id)}.json`);
export const consoleLogPath = (dir: string, id: string) => path.join(dir, 'console', `${cellFileStem(id)}.log`);

export function writeCellResult(dir: string, result: CellResult): Promise<void> {
  return writeJsonAtomic(cellJsonPath(dir, result.id), result);
}

/** Every finished cell in `dir`, by id. Unreadable files are skipped: they will be re-run. */
export async function readCellResults(dir: string): Promise<Map<string, CellResult>> {
  const found = new Map<string, CellResult>();
  let names: string[];
  try {
    names = await readdir(path.join(dir, 'cells'));
  } catch {
    return found;
  }
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    try {
      const cell = JSON.parse(await readFile(path.join(dir, 'cells', name), 'utf8')) as CellResult;
      // A cell written before schema 2 has no tests[]: it runs again rather than resume half a model.
      if (typeof cell.id === 'string' && typeof cell.status === 'string' && Array.isArray(cell.tests)) found.set(cell.id, cell);
    } catch {
      // A torn or foreign file: ignore it, the cell runs again.
    }
  }
  return found;
}
