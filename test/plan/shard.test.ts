import { describe, expect, it } from 'vitest';
import { githubMatrix } from '../../src/plan/github.js';
import { parseShard, shardCells } from '../../src/plan/shard.js';
import { cell, sample } from './cells.js';

describe('shardCells', () => {
  it('deals runnable cells sorted by id round-robin; skipped cells go to shard 1', () => {
    // runnable ids sorted: amd64/bookworm, amd64/trixie, arm64/bookworm, arm64/trixie, s390x/bookworm
    // → shard 1 gets the 1st, 3rd, 5th; results come back in plan order.
    expect(shardCells(sample, '1/2').map((c) => c.id)).toEqual([
      'amd64/debian-bookworm/default',
      'arm64/debian-bookworm/default',
      's390x/debian-bookworm/default',
      's390x/debian-bullseye/default',
    ]);
    expect(shardCells(sample, '2/2').map((c) => c.id)).toEqual(['amd64/debian-trixie/default', 'arm64/debian-trixie/lockdown']);
  });

  it('covers every cell exactly once, whatever n', () => {
    for (const n of [1, 2, 3, 5, 9]) {
      const all = Array.from({ length: n }, (_, i) => shardCells(sample, `${i + 1}/${n}`).map((c) => c.id)).flat();
      expect(all.sort()).toEqual(sample.map((c) => c.id).sort());
    }
  });

  it('is stable when input order changes', () => {
    expect(
      shardCells([...sample].reverse(), '2/3')
        .map((c) => c.id)
        .sort(),
    ).toEqual(
      shardCells(sample, '2/3')
        .map((c) => c.id)
        .sort(),
    );
  });

  it('rejects bad specs', () => {
    for (const spec of ['0/3', '4/3', '1/0', '2', 'a/b', '1/3/4', '-1/3']) expect(() => parseShard(spec), spec).toThrow(/not a shard; write i\/n/);
    expect(parseShard(' 2 / 3 ')).toEqual({ index: 2, total: 3 });
  });
});

describe('githubMatrix', () => {
  it('lists runnable cells without shards', () => {
    const m = githubMatrix(sample);
    expect(m.include).toHaveLength(5);
    expect(m.include[0]).toEqual({
      id: 'amd64/debian-bookworm/default',
      arch: 'amd64',
      kernel: 'debian-bookworm',
      config: 'default',
      libc: 'static',
    });
  });

  it('lists shards with their runnable cell counts, dropping empty ones but shard 1', () => {
    expect(githubMatrix(sample, 2)).toEqual({
      include: [
        { shard: '1/2', cells: 3 },
        { shard: '2/2', cells: 2 },
      ],
    });
    expect(githubMatrix(sample, 7).include).toEqual([1, 2, 3, 4, 5].map((i) => ({ shard: `${i}/7`, cells: 1 })));
    expect(githubMatrix([cell('s390x', 'bullseye', 'default', { skip: 'x' })], 3)).toEqual({
      include: [{ shard: '1/3', cells: 0 }],
    });
  });
});
