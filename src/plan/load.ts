// matrix.yaml as every command loads it: read and validated by config/, then
// checked against the cells it expands to. An include, exclude or expect entry
// that matches no cell is a located warning, not an error.

import { readMatrix, type LoadOptions } from '../config/load.js';
import type { Matrix } from '../config/matrix.js';
import { matchReport } from './expand.js';

export async function loadMatrix(file: string, opts: LoadOptions = {}): Promise<{ matrix: Matrix; warnings: string[] }> {
  const { matrix, shown } = await readMatrix(file, opts);
  const warnings = matchReport(matrix).map((w) => `${shown}:${w.line ?? 1}:${w.col ?? 1}: ${w.field}: ${w.message}`);
  return { matrix, warnings };
}
