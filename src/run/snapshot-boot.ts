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
import { INPUTS_FAILED_MARKER, READY_MARKER } from '../guest/base-init.js';
import type { SnapshotStore } from '../images/snapshots.js';
import { runVm, type VmExit } from '../vm/process.js';
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
  onLine: (line: string) => void;
  signal: AbortSignal;
  /** Undefined: snapshots off, always cold. */
  snapshot?: SnapshotDeps;
}

export interface BootResult {
  exit: VmExit;
  boot: 'snapshot' | 'cold';
  /** Why a snapshot was not used although snapshots are on (said once per key by the caller). */
  fallback?: string;
  /** A failure of ours or of the guest's base /init before the cell started: infra. */
  error?: string;
}

/** Watchdog of a restore: state load plus the inputs at a pessimistic 2 MB/s under TCG. */
export function restoreWatchdogMs(inputBytes: number, accel: 'kvm' | 'tcg'): number {
  return (accel === 'kvm' ? 3000 : 8000) + inputBytes / 2000;
}

// Per process: the snapshot being made for a key, so cells of one run wait for it
// instead of all booting cold at once.
const making = new Map<string, Promise<void>>();

export async function bootCell(r: BootRequest): Promise<BootResult> {
  const snap = r.snapshot;
  if (!snap) return cold(r, undefined);
  await making.get(snap.key);
  let found = await snap.store.lookup(snap.key);
  let fallback: string | undefined;
  if (found.ok) {
    const restored = await restore(r, found.file);
    if (restored.ok) return { exit: restored.exit, boot: 'snapshot' };
    fallback = `restoring the snapshot failed (${restored.why})`;
    await snap.store.remove(snap.key);
    found = { ok: false, why: 'missing' };
  } else if (found.why !== 'missing') {
    fallback = `the snapshot is unusable (${found.why})`;
    await snap.store.remove(snap.key);
  }
  if (making.has(snap.key)) return { ...(await cold(r, undefined)), fallback };
  // Make it: one cell per process, one process per cache (the lock).
  let committed!: () => void;
  const done = new Promise<void>((resolve) => (committed = resolve));
  making.set(snap.key, done);
  let result: Promise<BootResult> | undefined;
  await snap
    .withLock(`snapshot-${snap.key}`, async () => {
      const again = await snap.store.lookup(snap.key);
      if (again.ok) return; // another process made it while we waited
      result = cold(r, { ...snap, saved: committed });
      // Hold the lock until the state is saved (or the guest never got there).
      await Promise.race([done, result]);
    })
    .finally(() => {
      committed();
      making.delete(snap.key);
    });
  if (result) return { ...(await result), fallback };
  const made = await snap.store.lookup(snap.key);
  if (made.ok) {
    const restored = await restore(r, made.file);
    if (restored.ok) return { exit: restored.exit, boot: 'snapshot', fallback };
    fallback = `restoring the snapshot failed (${restored.why})`;
  }
  return { ...(await cold(r, undefined)), fallback };
}

function sockets(r: BootRequest) {
  return { inputsSocket: path.join(r.workDir, `${r.name}.in`), qmpSocket: path.join(r.workDir, `${r.name}.qmp`) };
}

/** Runs the guest; `ready` is called at the first READY line and its failure stops the guest. */
async function guest(r: BootRequest, spec: VmSpec, bootDeadlineMs: number, ready: () => Promise<void>): Promise<{ exit: VmExit; error?: string; started: boolean }> {
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
  const onLine = (line: string) => {
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
  const exit = await runVm({ binary, args, env: r.env, consoleLog: r.consoleLog, deadlineMs: r.deadlineMs, bootDeadlineMs, signal: stop.signal, booted: r.started, onLine });
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

async function cold(r: BootRequest, make: (SnapshotDeps & { saved: () => void }) | undefined): Promise<BootResult> {
  const s = sockets(r);
  const spec: VmSpec = { ...r.spec, inputsSocket: s.inputsSocket, qmpSocket: make ? s.qmpSocket : undefined };
  const ended = new AbortController();
  const channel = connectEarly(r, s.inputsSocket, r.bootDeadlineMs, ended.signal);
  const g = await guest(r, spec, r.bootDeadlineMs, async () => {
    if (make) {
      const tmp = await make.store.tempPath(make.key);
      try {
        const saveMs = await saveState(s.qmpSocket, tmp, { timeoutMs: 120_000, signal: r.signal });
        await make.store.commit(make.key, tmp, { describe: make.describe, saveMs });
      } catch {
        // The cell still runs; a later run tries again.
        await make.store.remove(make.key);
      } finally {
        make.saved();
        await rm(tmp, { force: true });
      }
    }
    await (await channel).send(await r.inputs());
  }).finally(() => ended.abort());
  return { exit: g.exit, boot: 'cold', error: g.started ? undefined : g.error };
}

async function restore(r: BootRequest, file: string): Promise<{ ok: true; exit: VmExit } | { ok: false; why: string }> {
  const s = sockets(r);
  const spec: VmSpec = { ...r.spec, ...s, incomingFile: file };
  const inputs = await r.inputs();
  const watchdog = restoreWatchdogMs(inputs.length, r.spec.accel);
  let controlError: string | undefined;
  const stop = new AbortController();
  // No READY line after a restore: the guest printed it before the snapshot.
  const run = guest({ ...r, signal: AbortSignal.any([r.signal, stop.signal]) }, spec, watchdog, async () => {});
  const control = (async () => {
    // Connected before the guest runs again: it was saved blocked in its read with
    // the host connected, and a host missing at `cont` would wake it with EOF.
    const channel = await connectEarly(r, s.inputsSocket, watchdog, stop.signal);
    await awaitRestore(s.qmpSocket, { timeoutMs: watchdog, signal: r.signal });
    await channel.send(inputs);
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
