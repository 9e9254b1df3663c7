// One QEMU guest of a cell, from QEMU start to exit: restored from the snapshot of its
// boot key when there is a good one, else booted cold (making the snapshot on the
// way when snapshots are on). Either way the cell's inputs go in over the inputs
// port once the guest waits for them (docs/snapshots.md).
//
// A restore that fails before the cell's script starts (missing or corrupt state,
// QEMU refusing it, no answer within the watchdog) is not the cell's failure: the
// snapshot is dropped, the cell boots cold and the snapshot is made again.

import { STAGED_MARKER } from '../guest/base-init.js';
import type { SnapshotStore } from '../images/snapshots.js';
import type { BootRequest, BootResult, Fallback, SnapshotDeps, StagedBoot } from './boot-request.js';
import { cold, type Feed, restore, saveAs, sendAll, sendBytes } from './guest-launch.js';
import type { VmExit } from './process.js';

// Per process: the snapshots being made, by key, so cells of one run wait for them
// instead of all booting cold (or staging the same files) at once.
const making = new Map<string, Promise<void>>();

/** Claims making `key` in this process; undefined when another cell is at it. The release is idempotent. */
function claim(key: string): (() => void) | undefined {
  if (making.has(key)) return undefined;
  let done!: () => void;
  const promise = new Promise<void>((resolve) => (done = resolve));
  making.set(key, promise);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (making.get(key) === promise) making.delete(key);
    done();
  };
}

/**
 * The shared files first; once the guest has them (STAGED), the guest is saved as
 * their snapshot when this cell holds the claim and no process made it meanwhile;
 * then the cell's own part.
 */
function stageThenOwn(r: BootRequest, snap: SnapshotDeps, staged: StagedBoot, release: (() => void) | undefined): Feed {
  return async (io) => {
    await io.channel.send(staged.stream);
    await io.line(STAGED_MARKER);
    if (release) {
      try {
        await snap.withLock(`snapshot-${staged.key}`, async () => {
          if ((await snap.store.lookup(staged.key)).ok) return;
          await saveAs(snap.store, staged.key, staged.describe, io.qmpSocket, r.signal);
        });
      } finally {
        release();
      }
    }
    await io.channel.send(await staged.own());
  };
}

/**
 * Restores the snapshot `key` (`noun` names it in messages) with `feed`: the guest's
 * exit, or why not when there was one to use (then it is removed); undefined when
 * there is none.
 */
async function fromSnapshot(
  r: BootRequest,
  store: SnapshotStore,
  key: string,
  noun: string,
  feed: Feed,
  inputBytes: number,
): Promise<{ exit: VmExit } | { why: string } | undefined> {
  const found = await store.lookup(key);
  if (found.ok) {
    const restored = await restore(r, found.file, feed, inputBytes);
    if (restored.ok) return { exit: restored.exit };
    await store.remove(key);
    return { why: `restoring ${noun} failed (${restored.why})` };
  }
  if (found.why === 'missing') return undefined;
  await store.remove(key);
  return { why: `${noun} is unusable (${found.why})` };
}

export async function bootCell(r: BootRequest): Promise<BootResult> {
  const snap = r.snapshot;
  if (!snap) return cold(r, undefined, sendAll(r));
  const staged = snap.staged;
  let fallback: Fallback | undefined;
  if (staged) {
    await making.get(staged.key);
    const own = await staged.own();
    const got = await fromSnapshot(r, snap.store, staged.key, 'the snapshot of its files', sendBytes(own), own.length);
    if (got && 'exit' in got) return { exit: got.exit, boot: 'snapshot' };
    if (got) fallback = { key: staged.key, message: `${got.why}; staged them again` };
  }
  // From the boot's own snapshot, staging the files on the way (and saving them if
  // no other cell of this process is at it: the others wait for that above).
  const release = staged ? claim(staged.key) : undefined;
  try {
    const staging = staged && { feed: stageThenOwn(r, snap, staged, release), bytes: staged.stream.length };
    return await fromBase(r, snap, staging, fallback);
  } finally {
    release?.();
  }
}

/** The guest from the boot's snapshot (made first if missing); `staging` undefined: all inputs at once. */
async function fromBase(
  r: BootRequest,
  snap: SnapshotDeps,
  staging: { feed: Feed; bytes: number } | undefined,
  fallback: Fallback | undefined,
): Promise<BootResult> {
  const restoreBase = async () => {
    if (staging) return fromSnapshot(r, snap.store, snap.key, 'the snapshot', staging.feed, staging.bytes);
    const all = await r.inputs();
    return fromSnapshot(r, snap.store, snap.key, 'the snapshot', sendBytes(all), all.length);
  };
  const feed = staging?.feed ?? sendAll(r);
  await making.get(snap.key);
  const got = await restoreBase();
  if (got && 'exit' in got) return { exit: got.exit, boot: 'snapshot', fallback };
  if (got) fallback ??= { key: snap.key, message: `${got.why}; booted cold and made the snapshot again` };
  const release = claim(snap.key);
  if (!release) return { ...(await cold(r, undefined, feed)), fallback };
  // Make it: one cell per process, one process per cache (the lock).
  const saved = making.get(snap.key)!;
  let result: Promise<BootResult> | undefined;
  await snap
    .withLock(`snapshot-${snap.key}`, async () => {
      const again = await snap.store.lookup(snap.key);
      if (again.ok) return; // another process made it while we waited
      result = cold(r, { ...snap, saved: release }, feed);
      // Hold the lock until the state is saved (or the guest never got there).
      await Promise.race([saved, result]);
    })
    .finally(release);
  if (result) return { ...(await result), fallback };
  // Another process made it: restore that.
  const made = await restoreBase();
  if (made && 'exit' in made) return { exit: made.exit, boot: 'snapshot', fallback };
  if (made) fallback ??= { key: snap.key, message: `${made.why}; booted cold` };
  return { ...(await cold(r, undefined, feed)), fallback };
}
