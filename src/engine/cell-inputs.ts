// What a cell needs before it boots, each resolved once per run and shared by
// every cell that needs it: the kernel (per source, arch and flavour), busybox and
// libc trees, the loader's ELF, KVM-or-TCG per arch, the QEMU version, and the
// files cells share (boot/staged-files.ts).

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type SharedFilesCache, sharedFilesCache } from '../boot/staged-files.js';
import type { PreparedBtf } from '../btf/resolve.js';
import type { Accel, Arch } from '../core/arch.js';
import type { Cell } from '../core/cell.js';
import { memoize } from '../core/memo.js';
import type { RunEvents } from '../events/run-events.js';
import type { BaseImageDeps } from '../guest/base-image.js';
import { type ElfInfo, readElf } from '../guest/elf.js';
import type { ImageStoreExt } from '../images/store.js';
import type { ResolvedKernel } from '../images/types.js';
import { chooseAccel, probeKvm } from '../vm/accel.js';
import { rememberedProbe } from '../vm/probe-memory.js';
import { qemuBinary } from '../vm/profiles.js';

export interface CellInputs {
  images: ImageStoreExt;
  /** The cache, where the base initramfs is kept by its hash. */
  blobs: BaseImageDeps;
  kernel(cell: Cell): Promise<ResolvedKernel>;
  accel(cell: Cell, kernel: ResolvedKernel): Promise<Accel>;
  qemuVersion(arch: Arch): Promise<string | undefined>;
  /** The loader's ELF (undefined for scripts): every cell of an arch shares it. */
  loaderElf(path: string): Promise<ElfInfo | undefined>;
  /** The BTF the cell's loader sees (btf/resolve.ts); absent = the kernel's own. */
  btf?: { prepare(cell: Cell, kernel: ResolvedKernel): Promise<PreparedBtf> };
  /** The files cells share (libc, packages, programs), built once per run (boot/staged-files.ts). */
  sharedFiles: SharedFilesCache;
}

export interface InputOptions {
  images: ImageStoreExt;
  accelMode: 'auto' | 'kvm' | 'tcg';
  env: NodeJS.ProcessEnv;
  events: Pick<RunEvents, 'emit'>;
}

const pexec = promisify(execFile);

export function createInputs(o: InputOptions): CellInputs {
  const qemuVersion = memoize((arch: Arch) => versionOfQemu(arch, o.env));
  return {
    images: o.images,
    blobs: o.images.cache,
    kernel: kernelPerSource(o),
    accel: accelPerArch(o, qemuVersion),
    qemuVersion,
    loaderElf: memoize((file: string) => readElf(file).catch(() => undefined)),
    sharedFiles: sharedFilesCache(),
  };
}

/** The kernel per (source, arch, flavour), with its `image` events. */
function kernelPerSource(o: InputOptions): CellInputs['kernel'] {
  return memoize(
    async (cell: Cell) => {
      void o.events.emit({ type: 'image', cell, state: 'resolving' });
      const resolved = await o.images.kernel(cell.kernel.source, cell.arch, cell.config.flavour);
      void o.events.emit({
        type: 'image',
        cell,
        state: resolved.downloaded ? 'downloaded' : 'cached',
        detail: resolved.release,
      });
      return resolved;
    },
    { keyOf: (cell) => `${cell.kernel.source}\0${cell.arch}\0${cell.config.flavour ?? ''}` },
  );
}

/** QEMU's version for the arch, as `qemu-system-* --version` prints it; undefined when it cannot say. */
function versionOfQemu(arch: Arch, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return pexec(qemuBinary(arch), ['--version'], { env }).then(
    ({ stdout }) => /version ([^\s,]+)/.exec(stdout)?.[1],
    () => undefined,
  );
}

/** KVM or TCG per arch, with its `accel` event. */
function accelPerArch(o: InputOptions, qemuVersion: CellInputs['qemuVersion']): CellInputs['accel'] {
  // The probe boots this cell's kernel: the first cell of an arch decides for all of them.
  return memoize(
    async (cell: Cell, k: ResolvedKernel) => {
      const boot = async () => probeKvm(k.kernelPath, await o.images.busybox(cell.arch), cell.arch, o.env);
      // Answered from the cache while the host and QEMU are the same (probe-memory.ts).
      const probe = rememberedProbe(o.images.cache.dir, cell.arch, await qemuVersion(cell.arch), boot);
      const chosen = await chooseAccel(cell.arch, o.accelMode, probe);
      void o.events.emit({ type: 'accel', arch: cell.arch, ...chosen });
      return chosen.accel;
    },
    { keyOf: (cell) => cell.arch },
  );
}
