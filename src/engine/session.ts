// The run session: what every command that boots cells stands on (`run`, `bisect`,
// and any later one). Opening it checks the cells before anything boots (programs,
// libc, QEMU, BTF, packages), then starts the event stream and what watches it
// (results writer, progress, GitHub log), the cells' inputs and snapshot boots,
// the scratch directory and the VM reaper. A command only picks cells, boots them
// through `run` and reads what came back; `close` ends the views and the scratch.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { packagesPreflight } from '../boot/guest-packages.js';
import { btfPreflight } from '../btf/preflight.js';
import type { Matrix } from '../config/matrix.js';
import type { BootOptions } from '../config/options.js';
import type { Context } from '../context.js';
import type { Cell } from '../core/cell.js';
import { createRunEvents, type RunEvents } from '../events/run-events.js';
import { compileSplatRules } from '../outcome/splats.js';
import type { CheckReport } from '../results/check.js';
import type { CellResult } from '../results/model.js';
import { reuseStore } from '../results/reuse-store.js';
import { watchRun } from '../views/run-views.js';
import { installReaper } from '../vm/process.js';
import { matrixInputs, matrixSnapshots } from './inputs-from-matrix.js';
import { defaultJobs } from './jobs.js';
import { resultsWriter } from './persist.js';
import { preflight } from './preflight.js';
import { runCheck } from './run-check.js';
import { runCells, type ScheduleOptions, type ScheduleOutcome } from './scheduler.js';

export interface SessionSetup {
  matrixFile: string;
  matrix: Matrix;
  /** Every cell the session may boot: the pre-flights check them all when it opens. */
  cells: Cell[];
  /** Absolute. */
  resultsDir: string;
  options: BootOptions;
  /** Cells at once. Default: from the host's cores and memory and vm.memory. */
  jobs?: number;
}

/** What differs between the cell runs of one session. */
export interface CellRuns {
  /** Finished cells of earlier runs, by id: kept when their inputs are identical. */
  previous?: Map<string, CellResult>;
  /** Take as-expected results of identical inputs from the cache's result store. */
  reuse?: boolean;
  reruns?: number;
  repeat?: number;
}

export interface RunSession {
  readonly events: RunEvents;
  readonly jobs: number;
  /** The check of the session's cells, computed before any boot (`skipped` says why when there is none). */
  readonly check: CheckReport;
  /** Boots the cells (unless kept or reused); every result is also an event. */
  run(cells: Cell[], runs?: CellRuns): Promise<ScheduleOutcome>;
  /** Closes the views (before a command prints its table) and removes the scratch directory. */
  close(): Promise<void>;
}

/** What is wrong with the cells or this host, found in milliseconds, before any download. */
async function hostPreflights(ctx: Context, s: SessionSetup): Promise<void> {
  await preflight(s.cells, ctx.env, (line) => ctx.stderr.write(`note: ${line}\n`));
  btfPreflight(s.matrix, ctx.env, ctx.cwd);
}

type Shared = Pick<ScheduleOptions, 'inputs' | 'events' | 'jobs' | 'workDir' | 'keep'> & {
  inputs: ReturnType<typeof matrixInputs>;
};

/** The scheduler's settings every cell run of the session shares. */
function scheduleOf(ctx: Context, s: SessionSetup, shared: Shared): ScheduleOptions {
  return {
    ...shared,
    retries: s.options.retries,
    splats: compileSplatRules(s.matrix.splats),
    vm: s.matrix.vm,
    snapshots: matrixSnapshots(ctx, s.options, s.matrix, shared.inputs),
    resultsDir: s.resultsDir,
    env: ctx.env,
    signal: ctx.signal,
    live: s.options.verbose,
  };
}

const checksById = (r: CheckReport) => new Map(r.cells.map((c) => [c.id, c]));

export async function openSession(ctx: Context, s: SessionSetup): Promise<RunSession> {
  await hostPreflights(ctx, s);
  const events = createRunEvents();
  events.subscribe(resultsWriter(s.resultsDir));
  const closeViews = watchRun(ctx, events, s.matrixFile, { verbose: s.options.verbose });
  try {
    return await withViews(ctx, s, events, closeViews);
  } catch (error) {
    closeViews();
    throw error;
  }
}

/** The rest of the session, once its views watch: inputs, the packages' pre-flight, scratch, reaper. */
async function withViews(ctx: Context, s: SessionSetup, events: RunEvents, closeViews: () => void): Promise<RunSession> {
  const inputs = matrixInputs(ctx, s.options, s.matrix, events, s.resultsDir);
  // Downloads the packages; refuses, before any boot, a program whose libraries they lack.
  const shownMatrix = path.relative(ctx.cwd, s.matrixFile) || s.matrixFile;
  await packagesPreflight(
    s.cells.filter((c) => !c.skip),
    inputs.images,
    shownMatrix,
  );
  const check = await runCheck(ctx, s.matrix, inputs.images, s.cells, events);
  // Scratch sockets and vng initramfs files, one directory per session (the pid in its
  // name lets tests find this run's QEMUs).
  const workDir = await mkdtemp(path.join(os.tmpdir(), `portmatrix-${process.pid}-`));
  installReaper();
  // Every finished cell is kept for a later --reuse; only --reuse takes from the store.
  const store = reuseStore(inputs.cache.dir);
  const jobs = s.jobs && s.jobs > 0 ? s.jobs : defaultJobs(s.matrix.vm.memory);
  const schedule = { ...scheduleOf(ctx, s, { inputs, events, jobs, workDir, keep: store }), checks: checksById(check) };
  return {
    events,
    jobs,
    check,
    run: (cells, runs = {}) => runCells(cells, { ...schedule, ...runs, reuse: runs.reuse ? store : undefined }),
    close: async () => {
      closeViews();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
