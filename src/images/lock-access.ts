// The image store's access to portmatrix.lock: what a resolution starts from (an empty
// lock under `images update`, which refreshes it) and how it records what it resolved.

import path from 'node:path';
import { type Cache, sha256Buffer } from './cache.js';
import { emptyLock, type LockData, readLock, writeLock } from './lockfile.js';
import type { ImageOptions } from './types.js';

export interface LockAccess {
  read(): Promise<LockData>;
  /** Records `fresh` under `put` when it differs from what the lock held. */
  update<T>(held: T | undefined, fresh: T, put: (lock: LockData) => void): Promise<void>;
}

export function lockAccess(cache: Cache, opts: Pick<ImageOptions, 'lockFile' | 'update'>): LockAccess {
  const file = opts.lockFile;
  const lockKey = file ? `lockfile-${sha256Buffer(path.resolve(file)).slice(0, 16)}` : '';
  return {
    read: async () => (file && !opts.update ? readLock(file) : emptyLock()),
    async update(held, fresh, put) {
      if (!file || JSON.stringify(held) === JSON.stringify(fresh)) return;
      // Read-modify-write under a cache lock so concurrent resolutions do not lose entries.
      await cache.withLock(lockKey, async () => {
        const lock = await readLock(file);
        put(lock);
        await writeLock(file, lock);
      });
    },
  };
}
