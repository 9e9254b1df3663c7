// The whole plan of a sharded run, recorded in every shard's results.json (and
// given to `report --matrix --shards` when no shard may have uploaded any): the
// merge shows each planned cell no shard reported as missing, naming its shard.

import { byId, compareIds } from '../core/cell.js';
import { UsageError } from '../errors.js';
import type { CellResult, PlannedCell, RunResults, ShardPlan } from './model.js';
import { undecidedTest } from './tests.js';

/** What a missing cell says, in every report: `missing: shard 2/4 uploaded no results`. */
export function missingText(shard: string): string {
  return `missing: shard ${shard} uploaded no results`;
}

/** A planned cell no shard reported: infra, naming the shard; a planned skip keeps its reason. */
export function missingCell(planned: PlannedCell, shards: number): CellResult {
  const shard = `${planned.shard}/${shards}`;
  const status = planned.skip ? 'skip' : 'infra';
  const reason = planned.skip ?? missingText(shard);
  const cell: CellResult = {
    id: planned.id,
    arch: planned.arch,
    kernel: { ...planned.kernel },
    config: planned.config,
    libc: planned.libc,
    status,
    reason,
    timings: { totalMs: 0 },
    timedOut: false,
    bootFailed: false,
    attempts: 0,
    stdout: '',
    stderr: '',
    dmesg: '',
    tests: planned.tests.map((t) => undecidedTest({ name: t.name, kind: t.kind, expect: t.expected }, status, reason)),
    consoleTail: '',
  };
  if (planned.expected) cell.expected = planned.expected;
  if (!planned.skip) cell.missing = { shard };
  return cell;
}

/** The plan the shards recorded: every shard that recorded one must agree on it. */
export function recordedPlan(list: readonly { dir: string; results: RunResults }[]): ShardPlan | undefined {
  const recorded = list.filter((s) => s.results.plan);
  const first = recorded[0];
  if (!first) return undefined;
  const key = (p: ShardPlan) => `${p.shards}:${p.cells.map((c) => `${c.id}@${c.shard}`).join(',')}`;
  const other = recorded.find((s) => key(s.results.plan!) !== key(first.results.plan!));
  if (other) {
    throw new UsageError(
      `${first.dir} and ${other.dir} were planned differently (shard count or cells); merge the shards of one run, ` +
        'or give the plan with --matrix and --shards',
    );
  }
  return { shards: first.results.plan!.shards, cells: first.results.plan!.cells };
}

/** The cells with every planned cell no shard reported added as missing, sorted by id. */
export function withMissingCells(cells: readonly CellResult[], plan: ShardPlan): CellResult[] {
  const reported = new Set(cells.map((c) => c.id));
  const missing = plan.cells.filter((p) => !reported.has(p.id)).map((p) => missingCell(p, plan.shards));
  return [...cells, ...missing].sort(byId);
}

/** The shards whose cells are missing, in shard order. */
export function missingShards(cells: readonly CellResult[]): string[] {
  const shards = new Set(cells.flatMap((c) => (c.missing ? [c.missing.shard] : [])));
  return [...shards].sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || compareIds(a, b));
}
