// One QEMU guest from start to exit, booted cold or restored from a state file; the
// cell's inputs go in over the inputs port once the guest waits for them, by a Feed
// that snapshot-boot.ts chooses (docs/snapshots.md).

import { rm } from 'node:fs/promises';
import path from 'node:path';
import { INPUTS_FAILED_MARKER, READY_MARKER } from '../guest/base-init.js';
import type { SnapshotStore } from '../images/snapshots.js';
import type { BootRequest, BootResult, SnapshotDeps } from './boot-request.js';
import { type InputsChannel, openInputs } from './inputs-channel.js';
import { runVm, type VmExit } from './process.js';
import { qemuCommand, type VmSpec } from './profiles.js';
import { awaitRestore, saveState } from './snapshot-vm.js';

/** Watchdog of a restore: state load plus the inputs at a pessimistic 2 MB/s under TCG. */
export function restoreWatchdogMs(inputBytes: number, accel: 'kvm' | 'tcg'): number {
  return (accel === 'kvm' ? 3000 : 8000) + inputBytes / 2000;
}

/** What the guest's host side can do once the guest waits for its inputs. */
export interface GuestIo {
  channel: InputsChannel;
  qmpSocket: string;
  /** Resolves at the first console line holding `marker`; rejects when the guest ends first. */
  line(marker: string): Promise<void>;
}

/** What the host sends once the guest waits for its inputs (after READY, or a restore). */
export type Feed = (io: GuestIo) => Promise<void>;

export const sendAll =
  (r: BootRequest): Feed =>
  async (io) =>
    io.channel.send(await r.inputs());
export const sendBytes =
  (bytes: Buffer): Feed =>
  (io) =>
    io.channel.send(bytes);

/** Saves the running guest as `key`; on failure no snapshot is left and the cell goes on (a later run tries again). */
export async function saveAs(store: SnapshotStore, key: string, describe: string, qmpSocket: string, signal: AbortSignal): Promise<void> {
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
async function guest(
  r: BootRequest,
  spec: VmSpec,
  bootDeadlineMs: number,
  ready: () => Promise<void>,
  onLine?: (line: string) => void,
): Promise<{ exit: VmExit; error?: string; started: boolean }> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  r.signal.addEventListener('abort', onAbort, { once: true });
  if (r.signal.aborted) stop.abort();
  const watch = launchWatch(r, ready, () => stop.abort(), onLine);
  const { binary, args } = qemuCommand(spec);
  const exit = await runVm({
    binary,
    args,
    env: r.env,
    consoleLog: r.consoleLog,
    deadlineMs: r.deadlineMs,
    bootDeadlineMs,
    signal: stop.signal,
    booted: r.started,
    finished: r.finished,
    onLine: watch.seeLine,
    incomingFile: spec.incomingFile,
    console: r.console,
  });
  r.signal.removeEventListener('abort', onAbort);
  return { exit, error: watch.state.error, started: watch.state.started };
}

/**
 * What the launch reads from each console line before the cell's: READY (then `ready`,
 * whose failure stops the guest), the base /init's failure to take its inputs, and
 * the cell's start.
 */
function launchWatch(r: BootRequest, ready: () => Promise<void>, stop: () => void, onLine?: (line: string) => void) {
  const state: { error?: string; started: boolean } = { started: false };
  let readied = false;
  const fail = (why: string) => {
    state.error ??= why;
    stop();
  };
  const seeLine = (line: string) => {
    onLine?.(line);
    if (!readied && line.includes(READY_MARKER)) {
      readied = true;
      ready().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
    }
    const at = line.indexOf(INPUTS_FAILED_MARKER);
    if (at >= 0 && !state.started) {
      state.error ??= `the guest could not take its inputs: ${line.slice(at + INPUTS_FAILED_MARKER.length).trim()}`;
    }
    if (!state.started && r.started(line)) state.started = true;
    r.onLine(line);
  };
  return { state, seeLine };
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

export async function cold(r: BootRequest, make: (SnapshotDeps & { saved: () => void }) | undefined, feed: Feed): Promise<BootResult> {
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

export async function restore(r: BootRequest, file: string, feed: Feed, inputBytes: number): Promise<{ ok: true; exit: VmExit } | { ok: false; why: string }> {
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
