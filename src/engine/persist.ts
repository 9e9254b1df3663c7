// The run's results on disk: the results directory is prepared (kept for
// --resume, else emptied), each finished cell is written as it finishes (a
// subscriber of the event stream), and the run's RunResults model is assembled.

import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InfraError } from '../errors.js';
import type { RunListener } from '../events/run-events.js';
import type { CheckReport } from '../results/check.js';
import { withConfigContrasts } from '../results/config-contrast.js';
import { readCellResults, writeCellResult } from '../results/files.js';
import { type CellResult, type RunResults, SCHEMA_VERSION, type ShardPlan } from '../results/model.js';
import { VERSION } from '../version.js';

/** Finished cells of an earlier run when resuming; otherwise clears what an earlier run left. */
export async function openResultsDir(dir: string, resume: boolean): Promise<Map<string, CellResult> | undefined> {
  if (resume) return readCellResults(dir);
  // A fresh run: results of an earlier run must not mix into this one.
  await Promise.all(['cells', 'console', 'results.json'].map((p) => rm(path.join(dir, p), { recursive: true, force: true })));
  return undefined;
}

/** Writes every new result to `<dir>/cells/` atomically; kept results are already there. */
export function resultsWriter(dir: string): RunListener {
  return async (event) => {
    if (event.type !== 'result' || event.resumed) return;
    await writeCellResult(dir, event.result).catch((error: NodeJS.ErrnoException) => {
      // The atomic write leaves the cells written before intact: say so, and how to go on.
      const why = error.code === 'ENOSPC' ? 'no space left on the device' : (error.message ?? String(error));
      throw new InfraError(
        `cannot write the result of ${event.result.id} to ${path.join(dir, 'cells')}: ${why}; the cells finished before it are kept there: make room and run again with --resume`,
        { cause: error },
      );
    });
  };
}

export interface RunRecord {
  matrixFile: string;
  resultsDir: string;
  configs: string[];
  startedAt: string;
  cells: CellResult[];
  /** The run's check (facts/), computed before the boots. */
  check?: CheckReport;
  /** A shard's whole plan (run/plan.ts). */
  plan?: ShardPlan;
}

/** The versioned model every report renders (results.json). */
export function runModel(r: RunRecord): RunResults {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'portmatrix', version: VERSION },
    matrix: path.relative(r.resultsDir, r.matrixFile),
    startedAt: r.startedAt,
    finishedAt: new Date().toISOString(),
    host: { arch: os.arch(), cpus: os.availableParallelism(), node: process.version },
    configs: r.configs,
    cells: withConfigContrasts(r.cells, r.check?.kernels),
    ...(r.check ? { check: r.check } : {}),
    ...(r.plan ? { plan: r.plan } : {}),
  };
}
