// `portmatrix run`, as a sequence: plan → inputs → boot → run tests → classify
// → persist → views (docs/architecture.md). Each step is a module of run/; the
// scheduler drives boot, the guest run and classification for every cell.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Context } from '../context.js';
import { createRunEvents } from '../events/run-events.js';
import { matrixInputs, matrixSnapshots } from '../run/matrix-inputs.js';
import { defaultJobs } from '../run/jobs.js';
import { openResultsDir, resultsWriter, runModel } from '../run/persist.js';
import { planRun } from '../run/plan.js';
import { runCells } from '../run/scheduler.js';
import { reportRun, watchRun } from '../run/views.js';
import { installReaper } from '../vm/process.js';
import { compileSplatRules } from '../outcome/splats.js';
import { reuseStore } from '../results/reuse-store.js';
import { packagesPreflight } from '../run/guest-packages.js';

export interface RunOptions {
  matrix: string;
  only?: string;
  shard?: string;
  jobs?: number;
  resultsDir: string;
  resume?: boolean;
  accel?: 'auto' | 'kvm' | 'tcg';
  retries: number;
  reruns?: number;
  repeat?: number;
  strict?: boolean;
  rerunFailed?: boolean;
  reporter?: string;
  cacheDir?: string;
  mirror?: string;
  /** false with --no-snapshot. */
  snapshot?: boolean;
  /** Take as-expected results of earlier runs with identical inputs from the cache. */
  reuse?: boolean;
  /** Print each test's guest output while it runs. */
  verbose?: boolean;
  /** Let the matrix name files outside the project (config/confine.ts). */
  allowOutsideProject?: boolean;
}

export default async function run(ctx: Context, opts: RunOptions): Promise<number> {
  const plan = await planRun(ctx, opts);
  const { matrix, cells } = plan;
  const resultsDir = path.resolve(ctx.cwd, opts.resultsDir);
  const previous = await openResultsDir(resultsDir, Boolean(opts.resume || opts.rerunFailed));
  // --rerun-failed keeps what passed (with identical inputs) and runs the rest again.
  if (opts.rerunFailed) for (const [id, r] of previous!) if (r.status === 'fail' || r.status === 'flaky' || r.status === 'infra') previous!.delete(id);

  const events = createRunEvents();
  events.subscribe(resultsWriter(resultsDir));
  const closeViews = watchRun(ctx, events, plan.matrixFile, { verbose: opts.verbose });
  const inputs = matrixInputs(ctx, opts, matrix, events, resultsDir);
  const snapshots = matrixSnapshots(ctx, opts, matrix, inputs);
  // Downloads the packages; refuses, before any boot, a program whose libraries they lack.
  await packagesPreflight(cells.filter((c) => !c.skip), inputs.images, path.relative(ctx.cwd, plan.matrixFile) || plan.matrixFile).catch((error: unknown) => {
    closeViews();
    throw error;
  });

  // Scratch sockets and vng initramfs files, one directory per run (the pid in its name lets tests
  // find this run's QEMUs), removed when the run ends.
  const workDir = await mkdtemp(path.join(os.tmpdir(), `portmatrix-${process.pid}-`));
  installReaper();
  const startedAt = new Date().toISOString();
  const jobs = opts.jobs && opts.jobs > 0 ? opts.jobs : defaultJobs(matrix.vm.memory);
  const where = path.relative(ctx.cwd, resultsDir) || '.';
  await events.emit({ type: 'log', level: 'info', message: `running ${cells.length} cell(s), ${jobs} at a time; results in ${where}` });
  // Every finished cell is kept for a later --reuse; only --reuse takes from the store.
  const store = reuseStore(inputs.cache.dir);
  const schedule = { inputs, events, jobs, retries: opts.retries, reruns: opts.reruns, repeat: opts.repeat, previous, reuse: opts.reuse ? store : undefined, keep: store, splats: compileSplatRules(matrix.splats) };
  const { results, unfinished } = await runCells(cells, { ...schedule, vm: matrix.vm, snapshots, resultsDir, workDir, env: ctx.env, signal: ctx.signal, live: opts.verbose }).finally(async () => {
    closeViews();
    await rm(workDir, { recursive: true, force: true });
  });

  const configs = matrix.configs.map((c) => c.name);
  const model = runModel({ matrixFile: plan.matrixFile, resultsDir, configs, startedAt, cells: results });
  return reportRun(ctx, { model, reporters: plan.reporters, resultsDir, resultsDirOption: opts.resultsDir, unfinished, strict: opts.strict });
}
