// Minimal, valid results models for the GitHub tests.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CellResult, RunResults, Status } from '../../src/results/model.js';
import { cellResult, runResults } from '../helpers/cells.js';

export function cell(id: string, status: Status, reason?: string): CellResult {
  const stdout = status === 'fail' ? 'load: bad CO-RE relocation\n' : '';
  return cellResult({ id, status, reason, timings: { totalMs: 4200 }, bootFailed: status === 'infra', stdout });
}

export function results(cells: [string, Status, string?][]): RunResults {
  return runResults(cells.map(([id, status, reason]) => cell(id, status, reason)));
}

export async function writeResultsDir(dir: string, r: RunResults): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'results.json'), JSON.stringify(r, null, 2));
  return dir;
}
