// `--shard i/n`: split the cells across n CI jobs, deterministically. Runnable
// cells, sorted by id, are dealt round-robin; skipped cells cost nothing and go to
// shard 1 only, so the merged report lists them exactly once.

import { byId, type Cell } from '../core/cell.js';
import { UsageError } from '../errors.js';

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
