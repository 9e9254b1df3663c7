// Everything a cell's VM needs before it starts: the cell's script and inputs
// (docs/snapshots.md), the base initramfs, the QEMU spec and the boot key of its
// snapshot (or what vng needs), and the deadlines. Nothing here starts a process;
// snapshot-boot.ts (qemu) and vng-runner.ts (vng) run the plan.

import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import type { Accel } from '../core/arch.js';
import type { Cell } from '../core/cell.js';
import type { MatrixVm } from '../config/matrix.js';
import { baseImage, NO_PMCELL, type PmcellModes, type BaseImageDeps } from '../guest/base-image.js';
import { CELL_HELPER_GUEST_PATH } from '../guest/base-init.js';
import type { CpioEntry } from '../guest/cpio.js';
import { cellScript, type InitOptions } from '../guest/init-script.js';
import { capHelperPath, cellHelperPath, ownInputEntries, sharedInputEntries } from '../guest/initramfs.js';
import { suiteSharedEntries } from '../guest/suite-inputs.js';
import { suiteScript } from '../guest/suite-script.js';
import { stepOf } from '../guest/test-steps.js';
import { inputsStream, SEED_BYTES } from '../guest/inputs.js';
import type { SnapshotStore } from '../images/snapshots.js';
import type { KernelModule, ResolvedKernel } from '../images/types.js';
import { VERSION } from '../version.js';
import { bootKey, describeBoot } from './boot-key.js';
import type { QemuSpec, SnapshotDeps } from './snapshot-boot.js';
import { stagedKey, type SharedFiles, type SharedFilesCache } from './staged-files.js';
import type { PreparedBtf } from '../btf/resolve.js';
import { BTF_GUEST_FILE, type GuestBtf } from '../guest/btf-init.js';

export interface BootPlan {
  /** The random token that marks this attempt's frames. */
  token: string;
  bootSec: number;
  totalSec: number;
  /** The cell's inputs as cpio entries (vng puts them into its initramfs). */
  entries: CpioEntry[];
  /** The framed inputs for the port, with the clock and a fresh seed at call time. */
  inputs: () => Promise<Buffer>;
  /**
   * Per-test guests: seconds the host waits from a test's start frame to its end frame
   * before it takes the guest as wedged (the guest's own watchdog ends a test at its
   * timeout; only a guest that stopped responding misses this), by test index.
   */
  testDeadlines?: Record<number, number>;
  /** pmcap's host path when built: capabilities. */
  capHelper?: string;
  /**
   * The QEMU guest and the snapshot of its boot (undefined: snapshots off); not for
   * vng. `inline`: the inputs go inside a per-cell initramfs (inline-boot.ts), cold.
   */
  qemu?: { spec: QemuSpec; snapshot?: SnapshotDeps; inline?: boolean };
  /**
   * run --verbose, with a pmcell that streams: the guest's live frames are for the
   * view (`output` events). Without it a suite test's live frames only keep its output
   * should the guest die before the test's blocks.
   */
  live?: boolean;
}

/**
 * TCG is an emulator: boots take seconds instead of fractions, and s390x runs at
 * about half the speed of the others (docs/facts.md). Deadlines scale so that slow
 * is not "hung".
 */
export function deadlines(cell: Cell, vm: MatrixVm, accel: Accel, only?: readonly number[]) {
  // vng also boots udev and the host's userspace over virtiofs: ~3x a bare boot (docs/facts.md).
  const scale = (accel === 'kvm' ? 1 : cell.arch === 's390x' ? 3 : 2) * (vm.backend === 'vng' ? 2 : 1);
  const bootSec = vm.bootTimeout * scale;
  // Every test's timeout, plus the kill grace and the report of each test after the first.
  const tests = only ? only.map((i) => cell.tests[i]!) : cell.tests;
  const testSec = tests.reduce((sum, t) => sum + t.timeoutSec, 0) + 5 * (tests.length - 1);
  // After the loader ends the guest still prints its output and powers off.
  const totalSec = bootSec + testSec * (accel === 'kvm' ? 1 : 1.5) + 30;
  return { bootSec, totalSec };
}

/** The test's timeout, slowed like the cell's, plus the kill grace and its report. */
function testDeadlines(cell: Cell, accel: Accel, only: readonly number[]): Record<number, number> {
  const scale = accel === 'kvm' ? 1 : cell.arch === 's390x' ? 3 : 1.5;
  return Object.fromEntries(only.map((i) => [i, cell.tests[i]!.timeoutSec * scale + 15]));
}

/**
 * Whether a cell runs through the per-test guest (suite-script.ts): several tests, a
 * Go test binary, a working directory or files with a destination. A single plain
 * program keeps the one-program guest, whose outcomes and reasons are the loader's.
 */
export function runsAsSuite(cell: Pick<Cell, 'tests'>): boolean {
  const t = cell.tests[0];
  return cell.tests.length > 1 || (t !== undefined && (t.kind === 'gotest' || t.workdir !== '' || t.files.some((f) => f.dest !== '')));
}

/** The per-test guest's script for tests `only` of the cell. */
function suiteInit(b: BootInputs, token: string, only: readonly number[], pmcell: PmcellModes, btf: GuestBtf | undefined, follow: InitOptions['follow']): string {
  const { cell } = b;
  return suiteScript({
    token,
    pmcellRuns: pmcell.run,
    follow,
    tests: only.map((index) => ({ index, step: stepOf(cell.tests[index]!, index) })),
    sysctl: cell.config.sysctl,
    user: cell.config.user,
    capabilities: cell.config.capabilities,
    btf,
  });
}

/**
 * The files every cell of this boot shares (staged-files.ts), named by what they
 * are made of. A cell of tests carries every test's files, also in a guest that runs
 * only a tail of them (after a guest died), so both guests share one staged snapshot.
 */
function sharedPart(b: BootInputs): Promise<SharedFiles> {
  const { cell } = b;
  const common = { arch: cell.arch, libcDir: b.libcDir, packageRoots: b.packageRoots };
  const cache = b.sharedFiles;
  if (runsAsSuite(cell)) {
    const tests = cell.tests.map((spec, index) => ({ index, spec }));
    const key = JSON.stringify(['tests', common, tests.map(({ spec }) => [spec.name, spec.path, spec.files])]);
    return cache(key, () => suiteSharedEntries({ ...common, tests }));
  }
  const key = JSON.stringify(['loader', common, cell.loader.path, cell.loader.files]);
  return cache(key, () => sharedInputEntries({ ...common, loader: cell.loader.path, files: cell.loader.files }));
}

function cellInit(cell: Cell, token: string, btf: GuestBtf | undefined, follow: InitOptions['follow']): string {
  const { loader, config } = cell;
  return cellScript({
    token,
    follow,
    args: loader.args,
    env: loader.env,
    timeoutSec: loader.timeoutSec,
    sysctl: config.sysctl,
    user: config.user,
    capabilities: config.capabilities,
    btf,
  });
}

export interface BootInputs {
  cell: Cell;
  kernel: ResolvedKernel;
  accel: Accel;
  busybox: string;
  libcDir?: string;
  /** Unpacked `packages:` trees (guest-packages.ts). */
  packageRoots?: readonly string[];
  vm: MatrixVm;
  /** Cache blobs for the base initramfs. */
  blobs: BaseImageDeps;
  virtioModules: (kernel: ResolvedKernel) => Promise<KernelModule[] | undefined>;
  qemuVersion?: string;
  /** Snapshot boots (undefined: off). */
  snapshots?: Pick<SnapshotDeps, 'store' | 'withLock'>;
  /** The BTF to show the loader (btf/resolve.ts). */
  btf?: PreparedBtf;
  /** Indexes of the cell's tests this guest runs (per-test guests only; default all). */
  only?: readonly number[];
  /** The run's cache of shared files (staged-files.ts). */
  sharedFiles: SharedFilesCache;
  /** run --verbose: the programs' output streamed while they run, where the base's pmcell can. */
  live?: boolean;
}

/**
 * Shared files smaller than this go with each cell's inputs: staging them would
 * cost a second snapshot (another 60–80 MB) to save a few hundredths of a second.
 */
export const STAGE_MIN_BYTES = 1024 * 1024;

export async function prepareBoot(b: BootInputs): Promise<BootPlan> {
  const { cell, vm } = b;
  const token = randomBytes(8).toString('hex');
  const extra = b.btf?.hostFile ? [{ hostPath: b.btf.hostFile, guestPath: BTF_GUEST_FILE.slice(1), mode: 0o444 }] : undefined;
  const only = b.only ?? cell.tests.map((_t, i) => i);
  // pmcap and pmcell live in the base initramfs whenever they are built (preflight insists on pmcap for capabilities).
  const built = async (file: string) => ((await access(file).then(() => true, () => false)) ? file : undefined);
  const [capHelper, cellHelper] = await Promise.all([built(capHelperPath(cell.arch)), built(cellHelperPath(cell.arch))]);
  // vng boots its own initramfs, and a kernel without the virtio modules an inline one: no base, no pmcell.
  const modules = vm.backend === 'vng' ? undefined : await b.virtioModules(b.kernel);
  const base = modules ? await baseImage(b.blobs, cell.arch, b.busybox, modules, { capHelper, cellHelper }) : undefined;
  // What the base's own pmcell does, not what vm-images/bin holds now: the two differ once it is rebuilt mid-run.
  const pmcell = base?.pmcell ?? NO_PMCELL;
  const guestBtf = b.btf?.guest && pmcell.btf ? { ...b.btf.guest, helper: CELL_HELPER_GUEST_PATH } : b.btf?.guest;
  const follow = pmcell.follow ? { helper: CELL_HELPER_GUEST_PATH, all: Boolean(b.live) } : undefined;
  const script = runsAsSuite(cell) ? suiteInit(b, token, only, pmcell, guestBtf, follow) : cellInit(cell, token, guestBtf, follow);
  const shared = await sharedPart(b);
  const own = await ownInputEntries({ script, extra });
  const entries = [...shared.entries, ...own];
  const header = () => ({ unixSeconds: Date.now() / 1000, seed: randomBytes(SEED_BYTES) });
  const inputs = async () => inputsStream(entries, header());
  const plan: BootPlan = { token, entries, inputs, capHelper, ...deadlines(cell, vm, b.accel, only) };
  if (follow?.all) plan.live = true;
  if (runsAsSuite(cell)) plan.testDeadlines = testDeadlines(cell, b.accel, only);
  if (vm.backend === 'vng') return plan;

  const guest = { arch: cell.arch, accel: b.accel, kernel: b.kernel.kernelPath, cmdline: cell.config.cmdline, memoryMiB: vm.memory, cpus: vm.cpus, network: vm.network };
  if (!base) return { ...plan, qemu: { spec: { ...guest, initrd: '' }, inline: true } };
  const spec: QemuSpec = { ...guest, initrd: base.path };
  if (!b.snapshots || !b.qemuVersion) return { ...plan, qemu: { spec } };
  const parts = { version: VERSION, qemuVersion: b.qemuVersion, kernelSha256: b.kernel.sha256, initrdSha256: base.sha256, spec };
  const snapshot: SnapshotDeps = { ...b.snapshots, key: bootKey(parts), describe: describeBoot(parts, b.kernel.release) };
  const files = pmcell.staged ? await shared.staged() : undefined;
  if (files && files.stream.length >= STAGE_MIN_BYTES) {
    const mib = (files.stream.length / 1048576).toFixed(1);
    snapshot.staged = {
      key: stagedKey(snapshot.key, files.sha256),
      describe: `${snapshot.describe} + files ${files.sha256.slice(0, 12)} (${mib} MiB)`,
      stream: files.stream,
      own: async () => inputsStream(own, header()),
    };
  }
  return { ...plan, qemu: { spec, snapshot } };
}
