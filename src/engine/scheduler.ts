// Runs cells concurrently within the host's limits (p-limit), retries
// infrastructure failures only, stops cleanly on abort, and reports everything as
// events. A cell counts as finished once its `result` event has been delivered,
// which includes the results writer having put its file on disk.

import pLimit from 'p-limit';
import { byId, type Cell } from '../core/cell.js';
import type { RunEvents } from '../events/run-events.js';
import type { ResolvedKernel } from '../images/types.js';
import { attemptFailure, kernelFailure, notBooted } from '../outcome/not-booted.js';
import { combineRuns, wantsAnotherRun } from '../outcome/runs.js';
import type { CellResult } from '../results/model.js';
import type { ReuseStore } from '../results/reuse-store.js';
import { backendSkip } from '../vm/vng-runner.js';
import { type CellDeps, type GuestParts, guestParts, runCellOnce } from './attempt.js';
import { inputsHash } from './resume-key.js';

export interface ScheduleOptions extends CellDeps {
  events: RunEvents;
  jobs: number;
  /** Extra attempts for a cell whose outcome is `infra`. Test failures are never retried. */
  retries: number;
  /** Extra runs on fresh boots after a test failure (`--reruns`): failed then passed is `flaky`. Default 0. */
  reruns?: number;
  /** Runs of every cell (`--repeat`); the result carries the pass rate. Default 1. */
  repeat?: number;
  /** Finished cells of an earlier run (`--resume`), by id. */
  previous?: Map<string, CellResult>;
  /** Results of earlier runs by inputs hash (`--reuse`): as-expected cells are not run again. */
  reuse?: Pick<ReuseStore, 'take'>;
  /** Where every finished cell is kept for a later `--reuse` (the cache's store). */
  keep?: Pick<ReuseStore, 'keep'>;
}

export interface ScheduleOutcome {
  results: CellResult[];
  /** Cells that never finished because the run was aborted. */
  unfinished: Cell[];
}

/** A result, or `undefined` when the run was aborted before the cell finished. */
type Finished = { result: CellResult; resumed?: boolean } | undefined;

/** What every attempt of a cell shares: its kernel, inputs hash and guest userspace (when it could be had). */
interface CellRun {
  kernel: ResolvedKernel;
  hash: string;
  parts?: GuestParts;
}

/** One run of a cell with its infrastructure retries; undefined when the run was aborted. */
async function attempts(cell: Cell, r: CellRun, o: ScheduleOptions): Promise<CellResult | undefined> {
  const retriedAfter: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const at = { attempt, parts: r.parts, inputsHash: r.hash, retriedAfter: [...retriedAfter] };
    const failed = (error: unknown) => attemptFailure(cell, error, at);
    const result = await runCellOnce(cell, r.kernel, at, o).catch(failed);
    // An aborted cell is not a result: it stays unfinished so --resume runs it.
    if (o.signal.aborted) return undefined;
    if (result.status !== 'infra' || attempt > o.retries) return result;
    retriedAfter.push(result.reason ?? 'infrastructure failure');
    await o.events.emit({ type: 'retry', cell, attempt: attempt + 1, why: result.reason ?? 'infrastructure failure' });
  }
}

async function runCell(cell: Cell, o: ScheduleOptions): Promise<Finished> {
  if (o.signal.aborted) return undefined;
  const skip = cell.skip ?? backendSkip(cell, o.vm);
  if (skip) return { result: notBooted(cell, 'skip', skip) };
  let kernel: ResolvedKernel;
  try {
    kernel = await o.inputs.kernel(cell);
  } catch (error) {
    return o.signal.aborted ? undefined : { result: kernelFailure(cell, error) };
  }
  // A libc that cannot be had is the attempt's failure to report, not the key's.
  const parts = await guestParts(cell, o.inputs.images).catch(() => undefined);
  const hash = await inputsHash(cell, kernel.sha256, o.vm, o.splats, parts);
  const before = o.previous?.get(cell.id);
  if (before && before.inputsHash === hash && before.status !== 'infra') return { result: before, resumed: true };
  const stored = await o.reuse?.take(hash, cell.id, o.resultsDir);
  if (stored) return { result: { ...stored, reused: { finishedAt: stored.startedAt } } };
  const finished = await runs(cell, { kernel, hash, parts }, o);
  if (finished) await o.keep?.keep(finished.result, o.resultsDir).catch(() => {});
  return finished;
}

/** The cell's runs on fresh boots (--reruns, --repeat), folded into one result. */
async function runs(cell: Cell, r: CellRun, o: ScheduleOptions): Promise<Finished> {
  const done: CellResult[] = [];
  for (let run = 1; ; run++) {
    // The tests can tell their runs apart (a test of flakiness needs that; so may users).
    const runEnv = { PORTMATRIX_RUN: String(run) };
    const runCell = run === 1 ? cell : { ...cell, tests: cell.tests.map((t) => ({ ...t, env: { ...t.env, ...runEnv } })) };
    const result = await attempts(runCell, r, o);
    if (!result) return undefined;
    done.push(result);
    if (!wantsAnotherRun(done, { reruns: o.reruns ?? 0, repeat: o.repeat ?? 1 })) return { result: combineRuns(done) };
  }
}

export async function runCells(cells: Cell[], outer: ScheduleOptions): Promise<ScheduleOutcome> {
  const limit = pLimit(outer.jobs);
  const results: CellResult[] = [];
  const unfinished: Cell[] = [];
  // A result that cannot be delivered (the results disk is full) stops the run: the
  // other cells end unfinished, and only then is the error thrown, so no cell goes on
  // booting after the run's scratch dir is gone.
  const stop = new AbortController();
  const o = { ...outer, signal: AbortSignal.any([outer.signal, stop.signal]) };
  let failure: { error: unknown } | undefined;
  for (const cell of cells) await o.events.emit({ type: 'queued', cell });
  // Queued cells still start after an abort, see it at once and end unfinished
  // (p-limit's clearQueue would leave their promises pending forever).
  await Promise.all(
    cells.map((cell) =>
      limit(async () => {
        const finished = await runCell(cell, o);
        if (!finished) return void unfinished.push(cell);
        try {
          await o.events.emit({ type: 'result', cell, ...finished });
        } catch (error) {
          failure ??= { error };
          stop.abort(error);
          return void unfinished.push(cell);
        }
        results.push(finished.result);
      }),
    ),
  );
  if (failure) throw failure.error;
  results.sort(byId);
  return { results, unfinished };
}
