// Everything a cell's VM needs before it starts: the guest's /init and initramfs
// (written to the run's scratch directory), the QEMU or vng command line, and
// the deadlines. Nothing here starts a process.

import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Accel } from '../core/arch.js';
import type { Cell } from '../core/cell.js';
import type { MatrixVm } from '../config/matrix.js';
import { initScript } from '../guest/init-script.js';
import { buildInitramfs, capHelperPath } from '../guest/initramfs.js';
import type { ResolvedKernel } from '../images/types.js';
import { cellFileStem } from '../results/files.js';
import { qemuCommand } from '../vm/profiles.js';
import { vngCellCommand } from './vng-runner.js';
import type { PreparedBtf } from '../btf/resolve.js';
import { BTF_GUEST_FILE, type GuestBtf } from '../guest/btf-init.js';

export interface BootPlan {
  /** The random token that marks this attempt's frames on the console. */
  token: string;
  binary: string;
  args: string[];
  /** The initramfs file; the caller removes it when the VM has ended. */
  initrd: string;
  bootSec: number;
  totalSec: number;
}

/**
 * TCG is an emulator: boots take seconds instead of fractions, and s390x runs at
 * about half the speed of the others (docs/facts.md). Deadlines scale so that slow
 * is not "hung".
 */
export function deadlines(cell: Cell, vm: MatrixVm, accel: Accel) {
  // vng also boots udev and the host's userspace over virtiofs: ~3x a bare boot (docs/facts.md).
  const scale = (accel === 'kvm' ? 1 : cell.arch === 's390x' ? 3 : 2) * (vm.backend === 'vng' ? 2 : 1);
  const bootSec = vm.bootTimeout * scale;
  // After the loader ends the guest still prints its output and powers off.
  const totalSec = bootSec + cell.loader.timeoutSec * (accel === 'kvm' ? 1 : 1.5) + 30;
  return { bootSec, totalSec };
}

function cellInit(cell: Cell, token: string, btf?: GuestBtf): string {
  const { loader, config } = cell;
  return initScript({
    token,
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
  vm: MatrixVm;
  workDir: string;
  env: NodeJS.ProcessEnv;
  /** The BTF to show the loader (btf/resolve.ts). */
  btf?: PreparedBtf;
}

export async function prepareBoot(b: BootInputs): Promise<BootPlan> {
  const { cell, vm } = b;
  const token = randomBytes(8).toString('hex');
  const capHelper = cell.config.capabilities !== undefined ? capHelperPath(cell.arch) : undefined;
  const init = cellInit(cell, token, b.btf?.guest);
  const extra = b.btf?.hostFile ? [{ hostPath: b.btf.hostFile, guestPath: BTF_GUEST_FILE.slice(1), mode: 0o444 }] : undefined;
  const bytes = await buildInitramfs({ arch: cell.arch, busybox: b.busybox, loader: cell.loader.path, files: cell.loader.files, init, libcDir: b.libcDir, capHelper, extra });
  await mkdir(b.workDir, { recursive: true });
  const initrd = path.join(b.workDir, `${cellFileStem(cell.id)}.${token}.cpio.gz`);
  await writeFile(initrd, bytes);
  const kernelPath = b.kernel.kernelPath;
  const { binary, args } =
    vm.backend === 'vng'
      ? vngCellCommand({ cell, accel: b.accel, kernelPath, initrd, vm, env: b.env })
      : qemuCommand({ arch: cell.arch, accel: b.accel, kernel: kernelPath, initrd, cmdline: cell.config.cmdline, memoryMiB: vm.memory, cpus: vm.cpus, network: vm.network });
  return { token, binary, args, initrd, ...deadlines(cell, vm, b.accel) };
}
