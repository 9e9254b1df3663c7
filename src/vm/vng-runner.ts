// The vng side of a cell: which cells vng can run here, and the process that
// runs one. boot/plan.ts, boot/guest-run.ts and outcome/ do everything else (initramfs,
// frames, classification) the same for both backends; src/vm/vng.ts says how
// the initramfs reaches the guest.
// vng has no inputs port: base and inputs go in one initramfs.

import type { MatrixVm } from '../config/matrix.js';
import { hostArch } from '../core/arch.js';
import type { Cell } from '../core/cell.js';
import { InfraError } from '../errors.js';
import { which } from '../host/which.js';
import { type InlineImage, withInlineInitrd } from './inline-boot.js';
import { runVm, type VmExit } from './process.js';
import { vngCommand, vngSkipReason } from './vng.js';

export const VNG_INSTALL_HINT = 'run scripts/install-vng (pip install virtme-ng, cargo install virtiofsd, apt-get install udev)';

/** Why this cell is skipped under the matrix's backend, or undefined when it runs. */
export function backendSkip(cell: Cell, vm: MatrixVm, host: Cell['arch'] | undefined = hostArch()): string | undefined {
  return vm.backend === 'vng' ? vngSkipReason(cell.arch, host) : undefined;
}

export interface VngCellSpec {
  cell: Cell;
  accel: 'kvm' | 'tcg';
  kernelPath: string;
  initrd: string;
  vm: MatrixVm;
  env: NodeJS.ProcessEnv;
}

/**
 * The process runVm spawns for a vng cell. Fails fast, as an infrastructure
 * error naming the installer, when vng or a Rust virtiofsd is not on PATH: vng
 * would otherwise fall back to 9p, which Debian's kernels lack, and panic.
 */
export function vngCellCommand(s: VngCellSpec): { binary: string; args: string[] } {
  const vng = s.env.PORTMATRIX_VNG ?? which('vng', s.env);
  if (!vng) throw new InfraError(`vm.backend vng: vng (virtme-ng) not found on PATH; ${VNG_INSTALL_HINT}`);
  if (!which('virtiofsd', s.env)) throw new InfraError(`vm.backend vng: virtiofsd not found on PATH; ${VNG_INSTALL_HINT}`);
  return vngCommand({
    vng,
    accel: s.accel,
    kernel: s.kernelPath,
    initrd: s.initrd,
    cmdline: s.cell.config.cmdline,
    memoryMiB: s.vm.memory,
    cpus: s.vm.cpus,
    network: s.vm.network,
  });
}

/** The inline image's parts (busybox, pmcell, the cell's inputs, where and under what name). */
export interface VngRun extends Omit<InlineImage, 'arch'> {
  cell: Cell;
  accel: 'kvm' | 'tcg';
  kernelPath: string;
  vm: MatrixVm;
  consoleLog: string;
  bootDeadlineMs: number;
  deadlineMs: number;
  started: (line: string) => boolean;
  onLine: (line: string) => void;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
}

/** Builds the one-piece initramfs, runs vng on it and removes it. */
export async function runVngCell(r: VngRun): Promise<VmExit> {
  const image = {
    arch: r.cell.arch,
    busybox: r.busybox,
    capHelper: r.capHelper,
    cellHelper: r.cellHelper,
    entries: r.entries,
    workDir: r.workDir,
    name: r.name,
  };
  return withInlineInitrd(image, (initrd) => {
    const { binary, args } = vngCellCommand({
      cell: r.cell,
      accel: r.accel,
      kernelPath: r.kernelPath,
      initrd,
      vm: r.vm,
      env: r.env,
    });
    return runVm({
      binary,
      args,
      env: r.env,
      consoleLog: r.consoleLog,
      deadlineMs: r.deadlineMs,
      bootDeadlineMs: r.bootDeadlineMs,
      signal: r.signal,
      booted: r.started,
      onLine: r.onLine,
    });
  });
}
