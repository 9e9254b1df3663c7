// `portmatrix repro <results-dir>`: the failed, flaky and infra cells of a results
// directory (a CI artifact, or a local run) booted again here, with the same
// matrix, tests and kernel builds (portmatrix.lock must pin the image CI booted;
// repro/select.ts checks it before anything boots), then which outcomes came back.
// Exit 0 when every outcome reproduced, 1 when one did not, 3 or 130 as `run`.

import path from 'node:path';
import type { ReproOptions } from '../config/options.js';
import type { Context } from '../context.js';
import { openResultsDir, runModel } from '../engine/persist.js';
import { planRun } from '../engine/run-plan.js';
import { openSession } from '../engine/session.js';
import { ExitCode, UsageError } from '../errors.js';
import { readLock } from '../images/lockfile.js';
import { compareOutcome, outcomeLine, reproPlan, TO_REPRODUCE } from '../repro/select.js';
import { readResults } from '../results/read.js';
import { reportRun } from '../views/run-views.js';

export default async function repro(ctx: Context, opts: ReproOptions, dir: string): Promise<number> {
  const fromDir = path.resolve(ctx.cwd, dir);
  const ci = await readResults(fromDir);
  const plan = await planRun(ctx, { matrix: opts.matrix, reporter: undefined });
  const lockFile = path.join(path.dirname(plan.matrixFile), 'portmatrix.lock');
  const shown = (f: string) => path.relative(ctx.cwd, f) || f;
  const where = { resultsDir: shown(fromDir), matrixFile: shown(plan.matrixFile), lockFile: shown(lockFile) };
  const { cells, was } = reproPlan(ci, plan.cells, await readLock(lockFile), where);
  if (cells.length === 0) {
    ctx.stdout.write(`nothing to reproduce: no cell of ${where.resultsDir} ended ${TO_REPRODUCE.join(', ')}\n`);
    return ExitCode.ok;
  }
  const resultsDir = path.resolve(ctx.cwd, opts.resultsDir);
  // A fresh results dir is emptied first: never the one being reproduced.
  if (resultsDir === fromDir) throw new UsageError(`--results-dir ${opts.resultsDir} is the directory being reproduced; pick another`);
  await openResultsDir(resultsDir, false);
  const session = await openSession(ctx, { ...plan, cells, resultsDir, options: opts, jobs: opts.jobs });
  const startedAt = new Date().toISOString();
  const { results, unfinished } = await session.run(cells).finally(() => session.close());
  const configs = plan.matrix.configs.map((c) => c.name);
  const { matrixFile } = plan;
  const model = runModel({ matrixFile, resultsDir, configs, startedAt, cells: results, check: session.check });
  const end = { model, reporters: plan.reporters, resultsDir, resultsDirOption: opts.resultsDir, unfinished };
  const code = await reportRun(ctx, { ...end, strict: false });
  if (unfinished.length > 0 || code === ExitCode.infra) return code;
  const outcomes = results.map((r) => ({ outcome: compareOutcome(was.get(r.id)!, r), reason: r.reason }));
  ctx.stdout.write(`\n${outcomes.map((o) => outcomeLine(o.outcome, o.reason)).join('\n')}\n`);
  return outcomes.every((o) => o.outcome.reproduced) ? ExitCode.ok : ExitCode.cellsFailed;
}
