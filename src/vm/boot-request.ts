// What a cell asks of one QEMU guest (BootRequest) and what it gets back (BootResult):
// shared by the snapshot choice (snapshot-boot.ts) and the guest launch (guest-launch.ts).

import type { SnapshotStore } from '../images/snapshots.js';
import type { VmConsole, VmExit } from './process.js';
import type { VmSpec } from './profiles.js';

export interface SnapshotDeps {
  store: SnapshotStore;
  /** The boot key (boot/boot-key.ts) and its description for `images ls`. */
  key: string;
  describe: string;
  /** Cross-process lock around making one key's snapshot (Cache.withLock). */
  withLock: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
  /** The cell's shared files, staged into a snapshot of their own (boot/staged-files.ts). */
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
