// The first step of `portmatrix run`: matrix.yaml → the cells this invocation
// runs (--only, --shard), checked before anything is downloaded or booted.

import path from 'node:path';
import type { Cell } from '../core/cell.js';
import type { Matrix } from '../config/matrix.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { expandCells } from '../plan/expand.js';
import { filterCells } from '../plan/filter.js';
import { commandLoad, loadMatrix } from '../plan/load.js';
import { shardCells } from '../plan/shard.js';
import { parseReporters, type Reporter } from '../report/index.js';
import { preflight } from './preflight.js';
import { btfPreflight } from '../btf/preflight.js';

export interface RunPlan {
  matrixFile: string;
  matrix: Matrix;
  cells: Cell[];
  reporters: Reporter[];
}

export interface PlanOptions {
  matrix: string;
  only?: string;
  shard?: string;
  reporter?: string;
  allowOutsideProject?: boolean;
}

export async function planRun(ctx: Context, opts: PlanOptions): Promise<RunPlan> {
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
  if (opts.shard) cells = shardCells(cells, opts.shard);
  if (cells.length === 0) throw new UsageError('no cells to run: the matrix, --only and --shard select nothing');
  await preflight(cells, ctx.env, (line) => ctx.stderr.write(`note: ${line}\n`));
  btfPreflight(matrix, ctx.env, ctx.cwd);
  return { matrixFile, matrix, cells, reporters };
}
