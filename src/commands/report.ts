// `portmatrix report <dirs...>`: read each results dir, merge shards, re-render
// every report, print the matrix table. The exit code is the run's verdict.

import path from 'node:path';
import type { Context } from '../context.js';
import { withVerdict } from '../outcome/run-verdict.js';
import { parseReporters, writeReports } from '../report/index.js';
import { renderTable } from '../report/terminal.js';
import { mergeResults } from '../results/merge.js';
import type { RunResults } from '../results/model.js';
import { readResults } from '../results/read.js';

export interface ReportOptions {
  /** Output directory. Default: the input dir when there is one, else ./results-merged. */
  out?: string;
  /** Comma-separated reporters; default all. */
  reporter?: string;
}

/** Colour only on a TTY, and never when NO_COLOR is set (https://no-color.org). */
function useColor(ctx: Context): boolean {
  if (ctx.env.NO_COLOR) return false;
  if (ctx.env.FORCE_COLOR && ctx.env.FORCE_COLOR !== '0') return true;
  return !!ctx.stdout.isTTY;
}

export default async function report(ctx: Context, opts: ReportOptions, dirs: string[] = []): Promise<number> {
  // Validate the cheap things before reading anything.
  const reporters = parseReporters(opts.reporter);
  const inputs = dirs.map((d) => path.resolve(ctx.cwd, d));
  const shards = [];
  for (const dir of inputs) shards.push({ dir, results: await readResults(dir) });
  const merged = withRunVerdict(
    mergeResults(shards),
    shards.map((s) => s.results),
  );

  const out = path.resolve(ctx.cwd, opts.out ?? (inputs.length === 1 ? inputs[0]! : 'results-merged'));
  const written = await writeReports(out, merged, reporters);

  ctx.stdout.write(renderTable(merged, { color: useColor(ctx), width: ctx.stdout.columns }));
  ctx.stdout.write(`\nReports from ${shards.length === 1 ? '1 results dir' : `${shards.length} results dirs, merged`}:\n`);
  for (const file of written) {
    const rel = path.relative(ctx.cwd, file);
    ctx.stdout.write(`  ${rel.startsWith('..') ? file : rel}\n`);
  }
  return merged.verdict!.exitCode;
}

/**
 * One results directory keeps the verdict its run recorded; results without one
 * (older runs) and a merge of shards get it decided here, strict when a shard was.
 */
function withRunVerdict(merged: RunResults, shards: readonly RunResults[]): RunResults {
  const recorded = shards.length === 1 ? shards[0]!.verdict : undefined;
  if (recorded) return { ...merged, verdict: recorded };
  return withVerdict(merged, { strict: shards.some((s) => s.verdict?.strict) });
}
