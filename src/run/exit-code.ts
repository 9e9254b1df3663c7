// DESIGN.md exit codes: 1 when a cell failed unexpectedly (fail, xpass) — the answer
// the user asked for — takes precedence over 3 (infrastructure), which says "rerun".

import { ExitCode } from '../errors.js';
import type { CellResult } from '../results/model.js';

export function exitCodeFor(results: Pick<CellResult, 'status'>[]): number {
  if (results.some((r) => r.status === 'fail' || r.status === 'xpass')) return ExitCode.cellsFailed;
  if (results.some((r) => r.status === 'infra')) return ExitCode.infra;
  return ExitCode.ok;
}
