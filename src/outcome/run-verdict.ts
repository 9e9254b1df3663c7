// The run's verdict, decided in this one place: the exit code and the cells behind it.
// It is recorded in results.json, so every report words the same decision.

import { compareIds } from '../core/cell.js';
import { ExitCode } from '../errors.js';
import type { CellResult, RunResults, RunVerdict } from '../results/model.js';
import { missingShards } from '../results/shard-plan.js';

/**
 * An unexpected failure (fail, xpass) wins over an infrastructure error: it is a finding
 * about the application, while infra (exit 3) only says the run was incomplete. Flaky
 * cells pass the run unless --strict; a flake quarantined with `expect: {result: flaky}`
 * never fails it.
 */
export function runVerdict(cells: readonly CellResult[], opts: { strict?: boolean } = {}): RunVerdict {
  const strict = Boolean(opts.strict);
  const fails = (c: CellResult) => c.status === 'fail' || c.status === 'xpass' || (strict && c.status === 'flaky' && c.expected?.result !== 'flaky');
  const failed = cells
    .filter(fails)
    .map((c) => c.id)
    .sort(compareIds);
  const infra = cells
    .filter((c) => c.status === 'infra')
    .map((c) => c.id)
    .sort(compareIds);
  const exitCode = failed.length ? ExitCode.cellsFailed : infra.length ? ExitCode.infra : ExitCode.ok;
  const missing = missingShards(cells);
  const ok = exitCode === ExitCode.ok;
  return { exitCode, strict, ok, failed, infra, ...(missing.length ? { missingShards: missing } : {}) };
}

/** The results with their verdict recorded. */
export function withVerdict(results: RunResults, opts: { strict?: boolean } = {}): RunResults {
  return { ...results, verdict: runVerdict(results.cells, opts) };
}
