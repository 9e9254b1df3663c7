// `plan --github-matrix`: the JSON for a GitHub Actions `strategy.matrix`.
// With shards: one job per shard (`portmatrix run --shard <shard>`); without:
// one job per runnable cell (`portmatrix run --only id=<id>`).

import type { Cell } from '../core/cell.js';
import { shardOf } from './shard.js';

export interface ShardEntry {
  shard: string;
  /** Runnable cells in the shard. */
  cells: number;
}

export interface CellEntry {
  id: string;
  arch: string;
  kernel: string;
  config: string;
  libc: string;
}

/** GitHub refuses a matrix of more than 256 jobs. */
export const GITHUB_MAX_JOBS = 256;

export function githubMatrix(cells: Cell[], shards?: number): { include: (ShardEntry | CellEntry)[] } {
  if (shards === undefined) {
    return {
      include: cells.filter((c) => !c.skip).map((c) => ({ id: c.id, arch: c.arch, kernel: c.kernel.name, config: c.config.name, libc: c.libc })),
    };
  }
  const of = shardOf(cells, shards);
  const include: ShardEntry[] = [];
  for (let i = 1; i <= shards; i++) {
    const n = cells.filter((c) => !c.skip && of.get(c.id) === i).length;
    // An empty shard would be a job with nothing to do; shard 1 always stays (it reports skips).
    if (n > 0 || i === 1) include.push({ shard: `${i}/${shards}`, cells: n });
  }
  return { include };
}
