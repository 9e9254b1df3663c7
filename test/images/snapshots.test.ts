// The snapshot store on its own (no VM): lookup verifies by sha256, commit
// publishes state before meta, the size limit evicts the least recently used.
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotStore } from '../../src/images/snapshots.js';

const key = (c: string) => c.repeat(64);

async function put(store: SnapshotStore, k: string, bytes: number): Promise<void> {
  const tmp = await store.tempPath(k);
  await writeFile(tmp, Buffer.alloc(bytes, 7));
  await store.commit(k, tmp, { describe: `amd64 test ${k[0]}` });
}

describe('SnapshotStore', () => {
  it('finds a committed state and refuses one whose bytes changed', async () => {
    const store = new SnapshotStore(await mkdtemp(path.join(os.tmpdir(), 'pm-snaps-')));
    expect(await store.lookup(key('a'))).toEqual({ ok: false, why: 'missing' });
    await put(store, key('a'), 1000);
    const found = await store.lookup(key('a'));
    expect(found).toMatchObject({
      ok: true,
      file: store.statePath(key('a')),
      meta: { bytes: 1000, describe: 'amd64 test a' },
    });
    // Same size, other bytes: the file is not the one verified, and the hash tells.
    await writeFile(store.statePath(key('a')), Buffer.alloc(1000, 8));
    const fresh = new SnapshotStore(store.dir);
    expect(await fresh.lookup(key('a'))).toMatchObject({
      ok: false,
      why: expect.stringMatching(/^its state file has sha256 \w{12}, \w{12} expected$/),
    });
    await writeFile(store.statePath(key('a')), Buffer.alloc(10));
    expect(await fresh.lookup(key('a'))).toEqual({ ok: false, why: 'its state file has 10 bytes, 1000 expected' });
  });

  it('keeps the directory under its limit, evicting the least recently used', async () => {
    const store = new SnapshotStore(await mkdtemp(path.join(os.tmpdir(), 'pm-snaps-')), 2500);
    await put(store, key('a'), 1000);
    await put(store, key('b'), 1000);
    await new Promise((r) => setTimeout(r, 20));
    expect((await store.lookup(key('a'))).ok).toBe(true); // a is now more recent than b
    await put(store, key('c'), 1000);
    expect((await store.list()).map((s) => s.key).sort()).toEqual([key('a'), key('c')]);
    expect(await store.clear()).toEqual({ count: 2, bytes: expect.any(Number) });
    expect(await readdir(store.dir).catch(() => [])).toEqual([]);
  });
});
