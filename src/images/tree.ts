// Unpacked package trees in the cache (trees/<id>/): made once, under the cache lock,
// in a scratch directory that is renamed into place with a completion marker written
// last, so a crash mid-way leaves a tree that looks absent and is made again.

import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Cache } from './cache.js';

const MARKER = '.portmatrix-complete.json';

/** A tree whose extraction finished (the marker is written last, just before the rename). */
export async function treeComplete(dir: string): Promise<boolean> {
  try {
    await stat(path.join(dir, MARKER));
    return (await readdir(dir)).length > 1;
  } catch {
    return false;
  }
}

/**
 * trees/<id>/, made by `fill(scratch)` unless it is already complete; `marker` is what the
 * completion marker records (the .debs the tree came from).
 */
export async function makeTree(cache: Cache, id: string, marker: unknown, fill: (scratch: string) => Promise<void>, signal?: AbortSignal): Promise<string> {
  const dir = cache.treePath(id);
  if (await treeComplete(dir)) return dir;
  await cache.withLock(
    `tree-${id}`,
    async () => {
      if (await treeComplete(dir)) return;
      const scratch = await cache.scratchDir();
      try {
        await fill(scratch);
        await cache.writeJson(path.relative(cache.dir, path.join(scratch, MARKER)), marker);
        await rm(dir, { recursive: true, force: true });
        await mkdir(path.dirname(dir), { recursive: true });
        await rename(scratch, dir);
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
    signal,
  );
  return dir;
}
