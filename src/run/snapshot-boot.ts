// One QEMU guest of a cell, from QEMU start to exit: restored from the snapshot of its
// boot key when there is a good one, else booted cold (making the snapshot on the
// way when snapshots are on). Either way the cell's inputs go in over the inputs
// port once the guest waits for them (docs/snapshots.md).
//
// A restore that fails before the cell's script starts (missing or corrupt state,
// QEMU refusing it, no answer within the watchdog) is not the cell's failure: the
// snapshot is dropped, the cell boots cold and the snapshot is made again.

import { rm } from 'node:fs/promises';
import path from 'node:path';
import { INPUTS_FAILED_MARKER, READY_MARKER, STAGED_MARKER } from '../guest/base-init.js';
import type { SnapshotStore } from '../images/snapshots.js';
import { runVm, type VmConsole, type VmExit } from '../vm/process.js';
import { qemuCommand, type VmSpec } from '../vm/profiles.js';
import { openInputs, type InputsChannel } from '../vm/inputs-channel.js';
import { awaitRestore, saveState } from '../vm/snapshot-vm.js';

export interface SnapshotDeps {
  store: SnapshotStore;
  /** The boot key (boot-key.ts) and its description for `images ls`. */
  key: string;
  describe: string;
  /** Cross-process lock around making one key's snapshot (Cache.withLock). */
  withLock: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
  /** The cell's shared files, staged into a snapshot of their own (staged-files.ts). */
  staged?: StagedBoot;
}

export interface StagedBoot {
  /** The key of the snapshot that holds the files staged on the boot's, and its description. */
  key: string;
  describe: string;
  /** The files as sent (PMST1 and the archive). */
  stream: Buffer;
  /** The cell's own inputs alone (PMIN1), with the clock and a fresh seed at call time. */
  own: () => Promise<Buffer>;
}

/** A guest's VM without its per-guest sockets and incoming state. */
export type QemuSpec = Omit<VmSpec, 'inputsSocket' | 'qmpSocket' | 'incomingFile'>;

export interface BootRequest {
  spec: QemuSpec;
  /** Scratch dir for the sockets (short: unix socket paths are limited to 107 bytes). */
  workDir: string;
  /** Unique per guest in this run (the cell's token). */
  name: string;
  /** The environment QEMU runs with: the command's, never the process's. */
  env: NodeJS.ProcessEnv;
  /** The framed inputs, built when sent so the clock and seed are fresh. */
  inputs: () => Promise<Buffer>;
  consoleLog: string;
  bootDeadlineMs: number;
  deadlineMs: number;
  /** The cell script's first frame: the guest runs the cell. */
  started: (line: string) => boolean;
  /** The cell script's last frame: QEMU may be killed (process.ts `finished`). */
  finished?: (line: string) => boolean;
  onLine: (line: string) => void;
  signal: AbortSignal;
  /** Undefined: snapshots off, always cold. */
  snapshot?: SnapshotDeps;
  /** `portmatrix shell`: the guest's console on the host's terminal. */
  console?: VmConsole;
}

/** Why a snapshot was not used, with the key of that snapshot (said once per key and run). */
export interface Fallback {
  key: string;
  message: string;
}

export interface BootResult {
  exit: VmExit;
  boot: 'snapshot' | 'cold';
  /** Why a snapshot was not used although snapshots are on (said once per key by the caller). */
  fallback?: Fallback;
  /** A failure of ours or of the guest's base /init before the cell started: infra. */
  error?: string;
}

/** Watchdog of a restore: state load plus the inputs at a pessimistic 2 MB/s under TCG. */
export function restoreWatchdogMs(inputBytes: number, accel: 'kvm' | 'tcg'): number {
  return (accel === 'kvm' ? 3000 : 8000) + inputBytes / 2000;
}

// Per process: the snapshots being made, by key, so cells of one run wait for them
// instead of all booting cold (or staging the same files) at once.
const making = new Map<string, Promise<void>>();

/** What the guest's host side can do once the guest waits for its inputs. */
interface GuestIo {
  channel: InputsChannel;
  qmpSocket: string;
  /** Resolves at the first console line holding `marker`; rejects when the guest ends first. */
  line(marker: string): Promise<void>;
}

/** What the host sends once the guest waits for its inputs (after READY, or a restore). */
type Feed = (io: GuestIo) => Promise<void>;

const sendAll =
  (r: BootRequest): Feed =>
  async (io) =>
    io.channel.send(await r.inputs());
const sendBytes =
  (bytes: Buffer): Feed =>
  (io) =>
    io.channel.send(bytes);

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

/** Saves the running guest as `key`; on failure no snapshot is left and the cell goes on (a later run tries again). */
async function saveAs(store: SnapshotStore, key: string, describe: string, qmpSocket: string, signal: AbortSignal): Promise<void> {
  const tmp = await store.tempPath(key);
  try {
    const saveMs = await saveState(qmpSocket, tmp, { timeoutMs: 120_000, signal });
    await store.commit(key, tmp, { describe, saveMs });
  } catch {
    await store.remove(key);
  } finally {
    await rm(tmp, { force: true });
  }
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
async function fromSnapshot(r: BootRequest, store: SnapshotStore, key: string, noun: string, feed: Feed, inputBytes: number): Promise<{ exit: VmExit } | { why: string } | undefined> {
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
async function fromBase(r: BootRequest, snap: SnapshotDeps, staging: { feed: Feed; bytes: number } | undefined, fallback: Fallback | undefined): Promise<BootResult> {
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

function sockets(r: BootRequest) {
  return { inputsSocket: path.join(r.workDir, `${r.name}.in`), qmpSocket: path.join(r.workDir, `${r.name}.qmp`) };
}

/** Console markers a feed waits for; each rejects when the guest ends before it is seen. */
function lineWaiters(ended: AbortSignal) {
  const waiting: { marker: string; resolve: () => void }[] = [];
  return {
    wait(marker: string): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        if (ended.aborted) return reject(new Error(`the guest ended before ${marker}`));
        waiting.push({ marker, resolve });
        ended.addEventListener('abort', () => reject(new Error(`the guest ended before ${marker}`)), { once: true });
      });
    },
    seen(line: string) {
      for (let i = waiting.length - 1; i >= 0; i--) {
        if (!line.includes(waiting[i]!.marker)) continue;
        waiting[i]!.resolve();
        waiting.splice(i, 1);
      }
    },
  };
}

/** Runs the guest; `ready` is called at the first READY line and its failure stops the guest. */
async function guest(r: BootRequest, spec: VmSpec, bootDeadlineMs: number, ready: () => Promise<void>, onLine?: (line: string) => void): Promise<{ exit: VmExit; error?: string; started: boolean }> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  r.signal.addEventListener('abort', onAbort, { once: true });
  if (r.signal.aborted) stop.abort();
  let error: string | undefined;
  let readied = false;
  let started = false;
  const fail = (why: string) => {
    error ??= why;
    stop.abort();
  };
  const seeLine = (line: string) => {
    onLine?.(line);
    if (!readied && line.includes(READY_MARKER)) {
      readied = true;
      ready().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
    }
    const at = line.indexOf(INPUTS_FAILED_MARKER);
    if (at >= 0 && !started) error ??= `the guest could not take its inputs: ${line.slice(at + INPUTS_FAILED_MARKER.length).trim()}`;
    if (!started && r.started(line)) started = true;
    r.onLine(line);
  };
  const { binary, args } = qemuCommand(spec);
  const exit = await runVm({ binary, args, env: r.env, consoleLog: r.consoleLog, deadlineMs: r.deadlineMs, bootDeadlineMs, signal: stop.signal, booted: r.started, finished: r.finished, onLine: seeLine, incomingFile: spec.incomingFile, console: r.console });
  r.signal.removeEventListener('abort', onAbort);
  return { exit, error, started };
}

/**
 * Connects to the inputs port while QEMU starts, so the guest finds the host there:
 * its read then blocks until the inputs come, where it would otherwise poll with a
 * program (`sleep`) whose first start after a restore costs about 0.3 s under TCG.
 * The connection is given up when `until` ends (QEMU gone).
 */
function connectEarly(r: BootRequest, socket: string, timeoutMs: number, until: AbortSignal): Promise<InputsChannel> {
  const channel = openInputs(socket, { timeoutMs, signal: AbortSignal.any([r.signal, until]), onLine: r.onLine });
  channel.catch(() => {}); // a failure surfaces where the channel is used
  return channel;
}

async function cold(r: BootRequest, make: (SnapshotDeps & { saved: () => void }) | undefined, feed: Feed): Promise<BootResult> {
  const s = sockets(r);
  // QMP whenever snapshots are on: the feed may save the staged files.
  const spec: VmSpec = { ...r.spec, inputsSocket: s.inputsSocket, qmpSocket: r.snapshot ? s.qmpSocket : undefined };
  const ended = new AbortController();
  const lines = lineWaiters(ended.signal);
  const channel = connectEarly(r, s.inputsSocket, r.bootDeadlineMs, ended.signal);
  const g = await guest(
    r,
    spec,
    r.bootDeadlineMs,
    async () => {
      if (make) {
        try {
          await saveAs(make.store, make.key, make.describe, s.qmpSocket, r.signal);
        } finally {
          make.saved();
        }
      }
      await feed({ channel: await channel, qmpSocket: s.qmpSocket, line: lines.wait });
    },
    lines.seen,
  ).finally(() => ended.abort());
  return { exit: g.exit, boot: 'cold', error: g.started ? undefined : g.error };
}

async function restore(r: BootRequest, file: string, feed: Feed, inputBytes: number): Promise<{ ok: true; exit: VmExit } | { ok: false; why: string }> {
  const s = sockets(r);
  const spec: VmSpec = { ...r.spec, ...s, incomingFile: file };
  const watchdog = restoreWatchdogMs(inputBytes, r.spec.accel);
  let controlError: string | undefined;
  const stop = new AbortController();
  const lines = lineWaiters(stop.signal);
  // No READY line after a restore: the guest printed it before the snapshot.
  const run = guest({ ...r, signal: AbortSignal.any([r.signal, stop.signal]) }, spec, watchdog, async () => {}, lines.seen);
  const control = (async () => {
    // Connected before the guest runs again: it was saved blocked in its read with
    // the host connected, and a host missing at `cont` would wake it with EOF.
    const channel = await connectEarly(r, s.inputsSocket, watchdog, stop.signal);
    await awaitRestore(s.qmpSocket, { timeoutMs: watchdog, signal: r.signal });
    await feed({ channel, qmpSocket: s.qmpSocket, line: lines.wait });
  })().catch((err: unknown) => {
    // Not an error of its own when QEMU ended first and took the connection along.
    if (!stop.signal.aborted) controlError = err instanceof Error ? err.message : String(err);
    stop.abort();
  });
  const g = await run.finally(() => stop.abort());
  await control;
  if (g.started || r.signal.aborted) return { ok: true, exit: g.exit };
  const last = g.exit.consoleTail.trim().split('\n').pop()?.trim();
  const why =
    controlError ??
    g.error ??
    (g.exit.bootTimedOut ? `no answer within ${(watchdog / 1000).toFixed(1)} s` : `QEMU exited (${g.exit.code ?? g.exit.signal})${last ? `: ${last}` : ''}`);
  return { ok: false, why };
}
