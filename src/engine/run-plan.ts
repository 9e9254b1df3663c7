// The first step of `portmatrix run`: matrix.yaml → the cells this invocation
// runs (--only, --shard) and the reporters it writes. The run session checks
// them (pre-flights) before anything is downloaded or booted.

import path from 'node:path';
import type { Matrix } from '../config/matrix.js';
import type { RunOptions } from '../config/options.js';
import type { Context } from '../context.js';
import type { Cell } from '../core/cell.js';
import { UsageError } from '../errors.js';
import { expandCells } from '../plan/expand.js';
import { filterCells } from '../plan/filter.js';
import { commandLoad, loadMatrix } from '../plan/load.js';
import { parseShard, shardCells, shardPlan } from '../plan/shard.js';
import { parseReporters, type Reporter } from '../report/index.js';
import type { ShardPlan } from '../results/model.js';

export interface RunPlan {
  matrixFile: string;
  matrix: Matrix;
  cells: Cell[];
  reporters: Reporter[];
  /** With --shard: the whole plan, recorded in the results so a merge sees the cells of a shard that never reported. */
  shardPlan?: ShardPlan;
}

type PlanFlags = Pick<RunOptions, 'matrix' | 'only' | 'shard' | 'reporter' | 'allowOutsideProject'>;

export async function planRun(ctx: Context, opts: PlanFlags): Promise<RunPlan> {
  const matrixFile = path.resolve(ctx.cwd, opts.matrix);
  const { matrix, warnings } = await loadMatrix(matrixFile, {
    ...commandLoad(ctx, opts.allowOutsideProject),
    checkLoaderFiles: true,
    globsMustMatch: true,
  });
  for (const w of warnings) ctx.stderr.write(`warning: ${w}\n`);
  const reporters = parseReporters(opts.reporter);

  let cells = expandCells(matrix);
  if (opts.only) cells = filterCells(cells, opts.only);
  const shard = opts.shard ? parseShard(opts.shard) : undefined;
  const whole = shard ? shardPlan(cells, shard.total, shard.index) : undefined;
  if (shard) cells = shardCells(cells, shard);
  if (cells.length === 0) throw new UsageError('no cells to run: the matrix, --only and --shard select nothing');
  return { matrixFile, matrix, cells, reporters, ...(whole ? { shardPlan: whole } : {}) };
}
