// `--shard i/n`: split the cells across n CI jobs, deterministically. Runnable
// cells, sorted by id, are dealt round-robin; skipped cells cost nothing and go to
// shard 1 only, so the merged report lists them exactly once.

import { byId, type Cell } from '../core/cell.js';
import { UsageError } from '../errors.js';
import type { PlannedCell, ShardPlan } from '../results/model.js';

export interface ShardSpec {
  /** 1-based. */
  index: number;
  total: number;
}

export function parseShard(spec: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  const index = Number(m?.[1]);
  const total = Number(m?.[2]);
  if (!m || total < 1 || index < 1 || index > total) {
    throw new UsageError(`--shard ${spec}: not a shard; write i/n with 1 <= i <= n, e.g. 1/3`);
  }
  return { index, total };
}

/** The shard (1-based) of every cell id. */
export function shardOf(cells: Cell[], total: number): Map<string, number> {
  const out = new Map<string, number>();
  cells
    .filter((c) => !c.skip)
    .sort(byId)
    .forEach((c, i) => out.set(c.id, (i % total) + 1));
  for (const c of cells) if (c.skip) out.set(c.id, 1);
  return out;
}

/** The cells of shard `spec`, in their plan order. */
export function shardCells(cells: Cell[], spec: string | ShardSpec): Cell[] {
  const { index, total } = typeof spec === 'string' ? parseShard(spec) : spec;
  const shards = shardOf(cells, total);
  return cells.filter((c) => shards.get(c.id) === index);
}

function plannedCell(cell: Cell, shard: number): PlannedCell {
  const tests = cell.tests.map((t) => ({ name: t.name, kind: t.kind, ...(t.expect ? { expected: t.expect } : {}) }));
  const { id, arch, libc } = cell;
  const kernel = { source: cell.kernel.source, name: cell.kernel.name };
  const planned: PlannedCell = { id, arch, kernel, config: cell.config.name, libc, shard, tests };
  if (cell.expect) planned.expected = cell.expect;
  if (cell.skip) planned.skip = cell.skip;
  return planned;
}

/** The whole plan as the results record it: every cell with its shard, and which shard this is. */
export function shardPlan(cells: Cell[], total: number, index?: number): ShardPlan {
  const shards = shardOf(cells, total);
  const planned = [...cells].sort(byId).map((c) => plannedCell(c, shards.get(c.id)!));
  return { shards: total, ...(index === undefined ? {} : { shard: index }), cells: planned };
}
