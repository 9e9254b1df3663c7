// `portmatrix plan`: the cells of the matrix, as a table, JSON, or a GitHub
// Actions strategy.matrix (also appended to $GITHUB_OUTPUT as `matrix=<json>`).

import fs from 'node:fs';
import path from 'node:path';
import type { CacheOptions, CellOptions } from '../config/options.js';
import type { Context } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import { checkTable } from '../facts/check-table.js';
import { expandCells } from '../plan/expand.js';
import { filterCells } from '../plan/filter.js';
import { GITHUB_MAX_JOBS, githubMatrix } from '../plan/github.js';
import { commandLoad, loadMatrix } from '../plan/load.js';
import { planTable } from '../plan/table.js';

export interface PlanOptions extends CellOptions, CacheOptions {
  json?: boolean;
  githubMatrix?: boolean;
  shards?: number;
  /** After the table: `check`'s lines, what each cell's objects need that its kernel lacks (fetches kernels). */
  explain?: boolean;
}

export default async function plan(ctx: Context, opts: PlanOptions): Promise<number> {
  if (opts.shards !== undefined && !opts.githubMatrix)
    throw new UsageError('--shards only applies with --github-matrix (use `run --shard i/n` to run one shard)');
  if (opts.shards === 0) throw new UsageError('--shards 0: need at least 1 shard');
  if (opts.json && opts.githubMatrix) throw new UsageError('--json and --github-matrix are alternatives; pick one');
  if (opts.explain && opts.githubMatrix) throw new UsageError('--explain does not apply to --github-matrix; run `portmatrix check`');

  // The loader must exist to run a cell; a CI plan job runs before the build, so
  // --github-matrix does not insist on it.
  const { matrix, warnings } = await loadMatrix(opts.matrix, {
    ...commandLoad(ctx, opts.allowOutsideProject),
    checkLoaderFiles: !opts.githubMatrix,
  });
  for (const w of warnings) ctx.stderr.write(`warning: ${w}\n`);
  let cells = expandCells(matrix);
  if (opts.only) cells = filterCells(cells, opts.only);

  if (opts.githubMatrix) {
    const json = JSON.stringify(githubMatrix(cells, opts.shards));
    const jobs = (JSON.parse(json) as { include: unknown[] }).include.length;
    if (jobs > GITHUB_MAX_JOBS) ctx.stderr.write(`warning: ${jobs} jobs exceed GitHub's limit of ${GITHUB_MAX_JOBS} per matrix; use --shards N\n`);
    if (jobs === 0) ctx.stderr.write('warning: no runnable cell: GitHub rejects an empty matrix\n');
    ctx.stdout.write(`${json}\n`);
    const output = ctx.env.GITHUB_OUTPUT;
    if (output) await fs.promises.appendFile(path.resolve(ctx.cwd, output), `matrix=${json}\n`);
    return ExitCode.ok;
  }
  // --explain fetches kernels: only when asked (a CI plan job runs before any download).
  const report = opts.explain ? await (await import('./check.js')).checkReport(ctx, opts, matrix, cells) : undefined;
  if (opts.json) ctx.stdout.write(`${JSON.stringify(report ? { cells, check: report } : cells, null, 2)}\n`);
  else ctx.stdout.write(planTable(cells, ctx.cwd) + (report ? `\n${checkTable(report)}` : ''));
  return ExitCode.ok;
}
