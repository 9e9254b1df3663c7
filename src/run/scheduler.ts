// Runs cells concurrently within the host's limits (p-limit), retries infrastructure
// failures only, stops cleanly on abort, and reports everything as events.

import pLimit from 'p-limit';
import { byId, type Cell } from '../core/cell.js';
import { memoize } from '../core/memo.js';
import type { ResolvedKernel } from '../images/types.js';
import { NotAvailableError } from '../images/types.js';
import type { CellResult } from '../results/model.js';
import { runCellOnce, type CellDeps } from './cell-runner.js';
import { inputsHash } from './inputs.js';
import { notBooted } from './result-base.js';
import { backendSkip } from './vng-runner.js';

export interface ScheduleOptions extends CellDeps {
  jobs: number;
  /** Extra attempts for a cell whose outcome is `infra`; default 1. Test failures are never retried. */
  retries: number;
  /** Finished cells of an earlier run (`--resume`), by id. */
  previous?: Map<string, CellResult>;
  /** Awaited for every result before it counts as finished (the atomic cell file). */
  persist: (result: CellResult) => Promise<void>;
}

export interface ScheduleOutcome {
  results: CellResult[];
  /** Cells that never finished because the run was aborted. */
  unfinished: Cell[];
}

export async function runCells(cells: Cell[], opts: ScheduleOptions): Promise<ScheduleOutcome> {
  const limit = pLimit(opts.jobs);
  const results: CellResult[] = [];
  const unfinished: Cell[] = [];

  // One resolution per (source, arch, flavour), shared by every cell that needs it.
  const kernelFor = memoize(
    (cell: Cell) => {
      opts.emit({ type: 'image', cell, state: 'resolving' });
      return opts.images.kernel(cell.kernel.source, cell.arch, cell.config.flavour);
    },
    { keyOf: (cell) => `${cell.kernel.source}\0${cell.arch}\0${cell.config.flavour ?? ''}` },
  );

  const finish = async (result: CellResult, cell: Cell) => {
    await opts.persist(result);
    results.push(result);
    opts.emit({ type: 'result', cell, result });
  };

  const runOne = async (cell: Cell) => {
    if (opts.signal.aborted) return void unfinished.push(cell);
    const skip = cell.skip ?? backendSkip(cell, opts.vm);
    if (skip) return finish(notBooted(cell, 'skip', skip), cell);

    let kernel: ResolvedKernel;
    try {
      kernel = await kernelFor(cell);
    } catch (error) {
      if (opts.signal.aborted) return void unfinished.push(cell);
      if (error instanceof NotAvailableError) return finish(notBooted(cell, 'skip', error.message), cell);
      return finish(notBooted(cell, 'infra', `kernel image: ${error instanceof Error ? error.message : String(error)}`), cell);
    }

    const hash = await inputsHash(cell, kernel.sha256, opts.vm);
    const before = opts.previous?.get(cell.id);
    if (before && before.inputsHash === hash && before.status !== 'infra') {
      results.push(before);
      opts.emit({ type: 'result', cell, result: before });
      return;
    }

    for (let attempt = 1; ; attempt++) {
      let result: CellResult;
      try {
        result = await runCellOnce(cell, kernel, attempt, opts);
      } catch (error) {
        result = notBooted(cell, 'infra', error instanceof Error ? error.message : String(error));
        result.attempts = attempt;
      }
      // An aborted cell is not a result: it stays unfinished so --resume runs it.
      if (opts.signal.aborted) return void unfinished.push(cell);
      result.inputsHash = hash;
      if (result.status !== 'infra' || attempt > opts.retries) return finish(result, cell);
      opts.emit({ type: 'retry', cell, attempt: attempt + 1, why: result.reason ?? 'infrastructure failure' });
    }
  };

  for (const cell of cells) opts.emit({ type: 'queued', cell });
  const tasks = cells.map((cell) => limit(() => runOne(cell)));
  // Queued cells still start after an abort, see it at once and end unfinished
  // (p-limit's clearQueue would leave their promises pending forever).
  await Promise.all(tasks);
  results.sort(byId);
  return { results, unfinished };
}
