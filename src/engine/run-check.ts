// The run's check: before the boots, what each cell's BPF objects need that its
// kernel lacks (facts/), through the run's own image store, so it downloads no
// kernel the run would not. Without `btf.objects` it reads the objects in the
// tests' programs and files; with none in any cell there is nothing to check.

import type { Matrix } from '../config/matrix.js';
import type { Context } from '../context.js';
import type { Cell } from '../core/cell.js';
import { ConfigError } from '../errors.js';
import type { RunEvents } from '../events/run-events.js';
import { NO_OBJECTS } from '../facts/cell-check.js';
import { checkMatrixCells } from '../facts/check-deps.js';
import type { ImageStoreExt } from '../images/store.js';
import type { CheckReport } from '../results/check.js';

const NO_CHECK = `no check: ${NO_OBJECTS}`;

export async function runCheck(
  ctx: Context,
  matrix: Matrix,
  images: ImageStoreExt,
  cells: readonly Cell[],
  events: Pick<RunEvents, 'emit'>,
): Promise<CheckReport> {
  let report: CheckReport;
  try {
    report = await checkMatrixCells(ctx, matrix, images, cells);
  } catch (error) {
    // A kernel that cannot be fetched now is each of its cells' infra result, not the whole run's.
    if (error instanceof ConfigError || ctx.signal?.aborted) throw error;
    const skipped = `no check: ${error instanceof Error ? error.message : String(error)}`;
    await events.emit({ type: 'log', level: 'warn', message: skipped });
    return { version: 1, cells: [], skipped };
  }
  if (report.cells.some((c) => c.skip === NO_OBJECTS) && report.cells.every((c) => c.objects.length === 0)) {
    await events.emit({ type: 'log', level: 'info', message: NO_CHECK });
    return { version: 1, cells: [], skipped: NO_CHECK };
  }
  const failing = report.cells.filter((c) => c.predicted === 'fail').length;
  const message = `check: ${failing} of ${report.cells.length} cell(s) predicted to fail (portmatrix check lists why)`;
  await events.emit({ type: 'log', level: 'info', message });
  return report;
}
