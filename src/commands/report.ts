// `portmatrix report <dirs...>`: read each results dir, merge shards, re-render
// every report, print the matrix table. The exit code is the run's verdict.
// With the whole plan (recorded by the shards, or `--matrix --shards` as the plan
// job used them) a cell no shard reported is shown missing, even when none did.

import path from 'node:path';
import type { CellOptions } from '../config/options.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { withVerdict } from '../outcome/run-verdict.js';
import { expandCells } from '../plan/expand.js';
import { filterCells } from '../plan/filter.js';
import { commandLoad, loadMatrix } from '../plan/load.js';
import { shardPlan } from '../plan/shard.js';
import { parseReporters, writeReports } from '../report/index.js';
import { renderTable } from '../report/terminal.js';
import { mergeResults } from '../results/merge.js';
import type { RunResults, ShardPlan } from '../results/model.js';
import { readResults } from '../results/read.js';

export interface ReportOptions extends Partial<CellOptions> {
  /** Output directory. Default: the input dir when there is one, else ./results-merged. */
  out?: string;
  /** Comma-separated reporters; default all. */
  reporter?: string;
  /** With --matrix: the shard count `plan --github-matrix --shards` used. */
  shards?: number;
}

/** Colour only on a TTY, and never when NO_COLOR is set (https://no-color.org). */
function useColor(ctx: Context): boolean {
  if (ctx.env.NO_COLOR) return false;
  if (ctx.env.FORCE_COLOR && ctx.env.FORCE_COLOR !== '0') return true;
  return !!ctx.stdout.isTTY;
}

/** The plan `--matrix` and `--shards` describe, as the plan job dealt it; undefined without them. */
type GivenPlan = { plan: ShardPlan; matrixFile: string };

async function givenPlan(ctx: Context, opts: ReportOptions): Promise<GivenPlan | undefined> {
  if (opts.shards === undefined) {
    if (opts.matrix || opts.only) {
      throw new UsageError('--matrix and --only describe the plan with --shards N; add --shards');
    }
    return undefined;
  }
  if (opts.shards < 1) throw new UsageError(`--shards ${opts.shards}: need at least 1 shard`);
  const matrixFile = path.resolve(ctx.cwd, opts.matrix ?? 'matrix.yaml');
  const load = { ...commandLoad(ctx, opts.allowOutsideProject), checkLoaderFiles: false };
  const { matrix } = await loadMatrix(matrixFile, load);
  let cells = expandCells(matrix);
  if (opts.only) cells = filterCells(cells, opts.only);
  return { plan: shardPlan(cells, opts.shards), matrixFile };
}

export default async function report(ctx: Context, opts: ReportOptions, dirs: string[] = []): Promise<number> {
  // Validate the cheap things before reading anything.
  const reporters = parseReporters(opts.reporter);
  const given = await givenPlan(ctx, opts);
  if (!dirs.length && !given) {
    throw new UsageError("no results directory given: name the shards' results or give the plan (--matrix, --shards)");
  }
  const inputs = dirs.map((d) => path.resolve(ctx.cwd, d));
  const shards = [];
  for (const dir of inputs) shards.push({ dir, results: await readResults(dir) });
  const out = path.resolve(ctx.cwd, opts.out ?? (inputs.length === 1 ? inputs[0]! : 'results-merged'));
  const matrix = given ? path.relative(out, given.matrixFile) : undefined;
  const merged = withRunVerdict(
    mergeResults(shards, { plan: given?.plan, matrix }),
    shards.map((s) => s.results),
  );
  const written = await writeReports(out, merged, reporters);

  ctx.stdout.write(renderTable(merged, { color: useColor(ctx), width: ctx.stdout.columns }));
  ctx.stdout.write(`\nReports from ${describeInputs(shards.length)}:\n`);
  for (const file of written) {
    const rel = path.relative(ctx.cwd, file);
    ctx.stdout.write(`  ${rel.startsWith('..') ? file : rel}\n`);
  }
  return merged.verdict!.exitCode;
}

function describeInputs(n: number): string {
  if (n === 0) return 'no results dir (the plan alone: every cell missing)';
  return n === 1 ? '1 results dir' : `${n} results dirs, merged`;
}

/**
 * One complete results directory keeps the verdict its run recorded; results without
 * one (older runs), a merge of shards and results with missing cells get it decided
 * here, strict when a shard was.
 */
function withRunVerdict(merged: RunResults, shards: readonly RunResults[]): RunResults {
  const complete = !merged.cells.some((c) => c.missing);
  const recorded = shards.length === 1 && complete ? shards[0]!.verdict : undefined;
  if (recorded) return { ...merged, verdict: recorded };
  return withVerdict(merged, { strict: shards.some((s) => s.verdict?.strict) });
}
