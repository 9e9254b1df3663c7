// `portmatrix check`: before any boot, what each cell's BPF objects (btf.objects)
// need that its kernel lacks — fields, helpers, kfuncs, program/map/attach types,
// attach points, CONFIG_ options — from the kernels' own BTF and config, fetched
// through the same image store `run` uses. Exit 1 when any cell is predicted to fail.

import type { Matrix } from '../config/matrix.js';
import type { CacheOptions, CellOptions } from '../config/options.js';
import type { Context } from '../context.js';
import type { Cell } from '../core/cell.js';
import { ExitCode } from '../errors.js';
import type { CheckReport } from '../facts/cell-check.js';
import { checkMatrixCells } from '../facts/check-deps.js';
import { checkTable } from '../facts/check-table.js';
import { createImageStore, defaultImageOptions } from '../images/store.js';
import { expandCells } from '../plan/expand.js';
import { filterCells } from '../plan/filter.js';
import { commandLoad, loadMatrix } from '../plan/load.js';

export interface CheckOptions extends CellOptions, CacheOptions {
  json?: boolean;
}

function imageStore(ctx: Context, opts: CheckOptions, matrix: Matrix) {
  return createImageStore(
    defaultImageOptions(ctx.env, matrix.dir, {
      cacheDir: opts.cacheDir,
      cwd: ctx.cwd,
      debianMirror: opts.mirror,
      matrixMirror: matrix.images.debianMirror,
      signal: ctx.signal,
      log: (line) => void ctx.stderr.write(`${line}\n`),
    }),
  );
}

/** The check of `cells` (also `plan --explain`'s). */
export function checkReport(ctx: Context, opts: CheckOptions, matrix: Matrix, cells: Cell[]): Promise<CheckReport> {
  return checkMatrixCells(ctx, matrix, imageStore(ctx, opts, matrix), cells);
}

export default async function check(ctx: Context, opts: CheckOptions): Promise<number> {
  const { matrix, warnings } = await loadMatrix(opts.matrix, {
    ...commandLoad(ctx, opts.allowOutsideProject),
    checkLoaderFiles: false,
  });
  for (const w of warnings) ctx.stderr.write(`warning: ${w}\n`);
  let cells = expandCells(matrix);
  if (opts.only) cells = filterCells(cells, opts.only);
  const report = await checkReport(ctx, opts, matrix, cells);
  ctx.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : checkTable(report));
  return report.cells.some((c) => c.predicted === 'fail') ? ExitCode.cellsFailed : ExitCode.ok;
}
