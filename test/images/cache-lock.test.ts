// The cache's lock: one holder at a time, and the line a waiter prints says who holds it.

import { mkdtemp, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cache } from '../../src/images/cache.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Cache.withLock', () => {
  it('runs one holder at a time; a waiter in the same process says another cell of this run holds it', async () => {
    const lines: string[] = [];
    const cache = new Cache(await mkdtemp(path.join(os.tmpdir(), 'pm-lock-')), (l) => lines.push(l));
    const order: string[] = [];
    const hold = (name: string) =>
      cache.withLock('facts-x', async () => {
        order.push(`${name} in`);
        await sleep(300);
        order.push(`${name} out`);
      });
    await Promise.all([hold('a'), sleep(50).then(() => hold('b'))]);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(lines).toEqual(['waiting for another cell of this run (facts-x.lock)']);
  });

  it('names the other process holding it, and takes a lock whose holder is gone', async () => {
    const lines: string[] = [];
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-lock-'));
    const cache = new Cache(dir, (l) => lines.push(l));
    const file = path.join(dir, 'locks', 'k.lock');
    await cache.withLock('k', async () => {}); // makes locks/
    // pid 1 is alive on every Linux host: the lock is held, not stale.
    await writeFile(file, JSON.stringify({ pid: 1, host: os.hostname(), at: Date.now() }));
    const took = cache.withLock('k', async () => 'took');
    await sleep(300);
    expect(lines).toEqual([`waiting for portmatrix process 1 on ${os.hostname()} (k.lock)`]);
    await unlink(file);
    expect(await took).toBe('took');
    await writeFile(file, JSON.stringify({ pid: 2 ** 22 + 1, host: os.hostname(), at: Date.now() }));
    expect(await cache.withLock('k', async () => 'again')).toBe('again');
    expect(lines.at(-1)).toBe('removing stale cache lock k.lock');
  });
});
