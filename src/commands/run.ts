// `portmatrix run`, as a sequence: plan → session (pre-flights, inputs, views) →
// boot, run tests, classify (the scheduler, for every cell) → persist → report
// (docs/architecture.md). The run session is shared with every command that boots.

import path from 'node:path';
import type { RunOptions } from '../config/options.js';
import type { Context } from '../context.js';
import { openResultsDir, runModel } from '../engine/persist.js';
import { planRun, type RunPlan } from '../engine/run-plan.js';
import { openSession, type RunSession } from '../engine/session.js';
import type { CellResult } from '../results/model.js';
import { reportRun } from '../views/run-views.js';

/** Results of an earlier run that this one keeps: --resume all, --rerun-failed those that did not fail. */
async function previousResults(resultsDir: string, opts: RunOptions): Promise<Map<string, CellResult> | undefined> {
  const previous = await openResultsDir(resultsDir, Boolean(opts.resume || opts.rerunFailed));
  if (!opts.rerunFailed || !previous) return previous;
  const again = new Set(['fail', 'flaky', 'infra']);
  for (const [id, r] of previous) if (again.has(r.status)) previous.delete(id);
  return previous;
}

async function runPlanned(ctx: Context, session: RunSession, plan: RunPlan, opts: RunOptions, resultsDir: string) {
  const previous = await previousResults(resultsDir, opts);
  const where = path.relative(ctx.cwd, resultsDir) || '.';
  const message = `running ${plan.cells.length} cell(s), ${session.jobs} at a time; results in ${where}`;
  await session.events.emit({ type: 'log', level: 'info', message });
  return session.run(plan.cells, { previous, reuse: opts.reuse, reruns: opts.reruns, repeat: opts.repeat });
}

export default async function run(ctx: Context, opts: RunOptions): Promise<number> {
  const plan = await planRun(ctx, opts);
  const resultsDir = path.resolve(ctx.cwd, opts.resultsDir);
  const session = await openSession(ctx, { ...plan, resultsDir, options: opts, jobs: opts.jobs });
  const startedAt = new Date().toISOString();
  const { results, unfinished } = await runPlanned(ctx, session, plan, opts, resultsDir).finally(() => session.close());
  const configs = plan.matrix.configs.map((c) => c.name);
  const { matrixFile, shardPlan } = plan;
  const { check } = session;
  const model = runModel({ matrixFile, resultsDir, configs, startedAt, cells: results, check, plan: shardPlan });
  const end = { model, reporters: plan.reporters, resultsDir, resultsDirOption: opts.resultsDir, unfinished };
  return reportRun(ctx, { ...end, strict: opts.strict });
}
