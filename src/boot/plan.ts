// Everything a cell's VM needs before it starts: the cell's script and inputs
// (docs/snapshots.md), the base initramfs, the QEMU spec and the boot key of its
// snapshot (or what vng needs), and the deadlines. Nothing here starts a process;
// vm/snapshot-boot.ts (qemu) and vm/vng-runner.ts (vng) run the plan.

import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import type { PreparedBtf } from '../btf/resolve.js';
import type { MatrixVm } from '../config/matrix.js';
import type { Accel } from '../core/arch.js';
import type { Cell } from '../core/cell.js';
import { type BaseImageDeps, baseImage } from '../guest/base-image.js';
import { CELL_HELPER_GUEST_PATH } from '../guest/base-init.js';
import { BTF_GUEST_FILE, type GuestBtf } from '../guest/btf-init.js';
import type { CpioEntry } from '../guest/cpio.js';
import { capHelperPath, ownInputEntries, requireCellHelper } from '../guest/initramfs.js';
import { type InputsHeader, inputsStream, SEED_BYTES } from '../guest/inputs.js';
import { shellScript } from '../guest/shell-script.js';
import { suiteSharedEntries } from '../guest/suite-inputs.js';
import { suiteScript } from '../guest/suite-script.js';
import { stepOf } from '../guest/test-steps.js';
import type { KernelModule, ResolvedKernel } from '../images/types.js';
import { VERSION } from '../version.js';
import type { QemuSpec, SnapshotDeps } from '../vm/boot-request.js';
import { bootKey, describeBoot } from './boot-key.js';
import { type SharedFiles, type SharedFilesCache, stagedKey } from './staged-files.js';

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
   * Seconds the host waits from a test's start frame to its end frame before it
   * takes the guest as wedged (the guest's own watchdog ends a test at its timeout;
   * only a guest that stopped responding misses this), by test index.
   */
  testDeadlines: Record<number, number>;
  /** pmcap's host path when built: capabilities. */
  capHelper?: string;
  /** pmcell's host path: every guest runs its tests through it. */
  cellHelper: string;
  /**
   * The QEMU guest and the snapshot of its boot (undefined: snapshots off); not for
   * vng. `inline`: the inputs go inside a per-cell initramfs (vm/inline-boot.ts), cold.
   */
  qemu?: { spec: QemuSpec; snapshot?: SnapshotDeps; inline?: boolean };
  /**
   * run --verbose: the guest's live frames are for the view (`output` events). Without
   * it a test's live frames only keep its output should the guest die before its blocks.
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

/** The guest's script for tests `only` of the cell (or its shell). */
function cellInit(b: BootInputs, token: string, only: readonly number[], btf: GuestBtf | undefined): string {
  const { cell } = b;
  const config = { sysctl: cell.config.sysctl, user: cell.config.user, capabilities: cell.config.capabilities, btf };
  if (b.shell) {
    const tests = cell.tests.map((t, index) => ({ name: t.name, step: stepOf(t, index) }));
    return shellScript({ token, cellId: cell.id, tests, ...b.shell, ...config });
  }
  return suiteScript({
    token,
    follow: Boolean(b.live),
    tests: only.map((index) => ({ index, step: stepOf(cell.tests[index]!, index) })),
    ...config,
  });
}

/**
 * The files every cell of this boot shares (staged-files.ts), named by what they
 * are made of. A cell carries every test's files, also in a guest that runs only a
 * tail of them (after a guest died), so both guests share one staged snapshot.
 */
function sharedPart(b: BootInputs): Promise<SharedFiles> {
  const { cell } = b;
  const common = { arch: cell.arch, libcDir: b.libcDir, packageRoots: b.packageRoots };
  const tests = cell.tests.map((spec, index) => ({ index, spec }));
  const key = JSON.stringify(['tests', common, tests.map(({ spec }) => [spec.name, spec.path, spec.files])]);
  return b.sharedFiles(key, () => suiteSharedEntries({ ...common, tests }));
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
  /** Indexes of the cell's tests this guest runs (default all). */
  only?: readonly number[];
  /** The run's cache of shared files (staged-files.ts). */
  sharedFiles: SharedFilesCache;
  /** run --verbose: the programs' output streamed while they run. */
  live?: boolean;
  /** `portmatrix shell`: a shell (or `command`) instead of the tests, with no deadline of theirs. */
  shell?: { command?: string; size?: { rows: number; columns: number }; kernelLog?: boolean };
}

/** How long a shell's guest may live: a session left open ends some day. */
const SHELL_SEC = 12 * 3600;

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
  // pmcap lives in the base initramfs whenever it is built (preflight insists on it for capabilities).
  const capHelper = await access(capHelperPath(cell.arch)).then(
    () => capHelperPath(cell.arch),
    () => undefined,
  );
  const cellHelper = await requireCellHelper(cell.arch);
  const guestBtf = b.btf?.guest ? { ...b.btf.guest, helper: CELL_HELPER_GUEST_PATH } : undefined;
  const shared = await sharedPart(b);
  const own = await ownInputEntries({ script: cellInit(b, token, only, guestBtf), extra });
  const entries = [...shared.entries, ...own];
  const header = () => ({ unixSeconds: Date.now() / 1000, seed: randomBytes(SEED_BYTES) });
  const inputs = async () => inputsStream(entries, header());
  const testSec = b.shell ? {} : testDeadlines(cell, b.accel, only);
  const times = deadlines(cell, vm, b.accel, only);
  if (b.shell) times.totalSec = times.bootSec + SHELL_SEC;
  const plan: BootPlan = { token, entries, inputs, capHelper, cellHelper, testDeadlines: testSec, ...times };
  if (b.live) plan.live = true;
  if (vm.backend === 'vng') return plan;
  // A kernel without the virtio modules boots an inline initramfs: no base, no snapshot.
  const modules = await b.virtioModules(b.kernel);
  const guest = {
    arch: cell.arch,
    accel: b.accel,
    kernel: b.kernel.kernelPath,
    cmdline: cell.config.cmdline,
    memoryMiB: vm.memory,
    cpus: vm.cpus,
    network: vm.network,
  };
  if (!modules) return { ...plan, qemu: { spec: { ...guest, initrd: '' }, inline: true } };
  const base = await baseImage(b.blobs, cell.arch, b.busybox, modules, { capHelper, cellHelper });
  const spec: QemuSpec = { ...guest, initrd: base.path };
  if (!b.snapshots || !b.qemuVersion) return { ...plan, qemu: { spec } };
  return { ...plan, qemu: { spec, snapshot: await snapshotOf(b, spec, base.sha256, shared, own, header) } };
}

/** The snapshot of this boot, and of its shared files staged when they are worth a snapshot of their own. */
async function snapshotOf(
  b: BootInputs,
  spec: QemuSpec,
  initrdSha256: string,
  shared: SharedFiles,
  own: CpioEntry[],
  header: () => InputsHeader,
): Promise<SnapshotDeps> {
  const parts = { version: VERSION, qemuVersion: b.qemuVersion!, kernelSha256: b.kernel.sha256, initrdSha256, spec };
  const snapshot: SnapshotDeps = {
    ...b.snapshots!,
    key: bootKey(parts),
    describe: describeBoot(parts, b.kernel.release),
  };
  const files = await shared.staged();
  if (files.stream.length < STAGE_MIN_BYTES) return snapshot;
  const mib = (files.stream.length / 1048576).toFixed(1);
  snapshot.staged = {
    key: stagedKey(snapshot.key, files.sha256),
    describe: `${snapshot.describe} + files ${files.sha256.slice(0, 12)} (${mib} MiB)`,
    stream: files.stream,
    own: async () => inputsStream(own, header()),
  };
  return snapshot;
}
