// Merges shard results into one model: each GitHub Actions job runs a shard and
// uploads its results; a last job merges them (docs/github-actions.md).
// Deterministic: cells sorted by id, run-level fields taken from the earliest shard.
// With the whole plan (recorded by the shards, or given), a cell no shard reported
// is added as missing, so a shard that uploaded nothing cannot pass as green.

import { byId as idOrder } from '../core/cell.js';
import { UsageError } from '../errors.js';
import { VERSION } from '../version.js';
import type { CheckReport } from './check.js';
import { withConfigContrasts } from './config-contrast.js';
import { type CellResult, type RunResults, SCHEMA_VERSION, type ShardPlan } from './model.js';
import { recordedPlan, withMissingCells } from './shard-plan.js';

export interface ShardResults {
  /** Where the shard was read from, for error messages. */
  dir: string;
  results: RunResults;
}

/**
 * Two copies of a cell agree when they describe the same outcome of the same inputs
 * (a resumed or re-uploaded shard); anything else is a conflict the user must resolve.
 */
function conflict(a: CellResult, b: CellResult): string | undefined {
  if (a.status !== b.status) return `status ${a.status} vs ${b.status}`;
  if ((a.inputsHash ?? '') !== (b.inputsHash ?? '')) return `inputsHash ${a.inputsHash ?? '(none)'} vs ${b.inputsHash ?? '(none)'}`;
  return undefined;
}

/** Each cell once, by id: a real outcome replaces a skip, equal results agree, others conflict. */
function cellsById(list: readonly ShardResults[]): CellResult[] {
  const byId = new Map<string, { dir: string; cell: CellResult }>();
  for (const { dir, results } of list) {
    for (const cell of results.cells) {
      const seen = byId.get(cell.id);
      if (!seen) {
        byId.set(cell.id, { dir, cell });
        continue;
      }
      // A shard that filtered a cell out may record it as `skip`; the shard that
      // ran it knows more, so a real outcome replaces a skip instead of conflicting.
      if (seen.cell.status === 'skip' && cell.status !== 'skip') {
        byId.set(cell.id, { dir, cell });
        continue;
      }
      if (cell.status === 'skip' && seen.cell.status !== 'skip') continue;
      const why = conflict(seen.cell, cell);
      if (why) {
        throw new UsageError(`cell ${cell.id} has conflicting results in ${seen.dir} and ${dir} (${why}); ` + 'remove the stale directory or re-run that cell');
      }
    }
  }
  return [...byId.values()].map((v) => v.cell).sort(idOrder);
}

/** No shard reported anything: the plan's cells, every one missing. */
function nothingReported(plan: ShardPlan, matrix: string): RunResults {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'portmatrix', version: VERSION },
    matrix,
    startedAt: '',
    host: { arch: 'unknown', cpus: 0, node: 'unknown' },
    cells: withMissingCells([], plan),
    plan,
  };
}

/** The shards' checks as one: each cell's prediction and each kernel once, in the merged cells' order. */
function mergedCheck(list: readonly ShardResults[], cells: readonly CellResult[]): CheckReport | undefined {
  const checks = list.map((s) => s.results.check).filter((c): c is CheckReport => !!c);
  if (!checks.length) return undefined;
  const byId = new Map(checks.flatMap((c) => c.cells.map((cell) => [cell.id, cell] as const)));
  const kernels = new Map(checks.flatMap((c) => (c.kernels ?? []).map((k) => [k.kernel + k.arch, k] as const)));
  const skipped = checks.find((c) => c.skipped)?.skipped;
  return {
    version: 1,
    cells: cells.flatMap((c) => byId.get(c.id) ?? []),
    kernels: [...kernels.keys()].sort().map((key) => kernels.get(key)!),
    ...(skipped && !byId.size ? { skipped } : {}),
  };
}

export interface MergeOptions {
  /** The whole plan, when the shards may not hold it (none uploaded); else the one they recorded. */
  plan?: ShardPlan;
  /** The matrix path to record when no shard reported one. */
  matrix?: string;
}

export function mergeResults(list: readonly ShardResults[], opts: MergeOptions = {}): RunResults {
  const plan = opts.plan ?? recordedPlan(list);
  const first = list[0];
  if (!first && plan) return nothingReported(plan, opts.matrix ?? '');
  if (!first) throw new UsageError('nothing to merge: give at least one results directory');
  const reported = cellsById(list);
  const cells = plan ? withMissingCells(reported, plan) : reported;
  const starts = list
    .map((s) => s.results.startedAt)
    .filter(Boolean)
    .sort();
  const ends = list.map((s) => s.results.finishedAt);
  // The merged run finished only if every shard did.
  const finishedAt = ends.every((e) => !!e) ? (ends as string[]).sort().at(-1) : undefined;
  const merged: RunResults = {
    schemaVersion: SCHEMA_VERSION,
    tool: first.results.tool,
    matrix: first.results.matrix,
    ...(first.results.configs ? { configs: first.results.configs } : {}),
    startedAt: starts[0] ?? first.results.startedAt,
    ...(finishedAt ? { finishedAt } : {}),
    host: first.results.host,
    cells,
    ...(plan ? { plan: { shards: plan.shards, cells: plan.cells } } : {}),
  };
  const check = mergedCheck(list, cells);
  if (check) {
    merged.check = check;
    // A failing test's passing peer may be in another shard: contrast across all of them.
    merged.cells = withConfigContrasts(cells, check.kernels);
  }
  return merged;
}
