// Per run: which BTF each cell's loader sees, and the host files behind it.
// The thin stateful shell over mode.ts (pure), generate.ts (the -dbg path),
// from-image.ts and min.ts; every expensive step is memoised per kernel and arch.

import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fillPlaceholders } from '../config/semantic.js';
import type { Arch } from '../core/arch.js';
import type { Cell } from '../core/cell.js';
import { memoize } from '../core/memo.js';
import { BTF_GUEST_FILE, type GuestBtf } from '../guest/btf-init.js';
import { type Cache, sha256File } from '../images/cache.js';
import type { ResolvedKernel } from '../images/types.js';
import { filesOf } from '../plan/files.js';
import type { BtfSource, CellBtf } from '../results/btf.js';
import { btfByteOrder, withByteOrder } from './byte-order.js';
import { btfFromImage } from './from-image.js';
import { minimalBtf } from './min.js';
import { cellBtfMode, formatBtfMode } from './mode.js';

/** The guest's side of a cell's BTF, before the cell's script names its pmcell. */
type GuestView = Omit<GuestBtf, 'helper'>;

export interface PreparedBtf {
  result: CellBtf;
  /** Host file to put into the initramfs at BTF_GUEST_FILE. */
  hostFile?: string;
  /** What the guest does with it (the cell's script adds pmcell's path). */
  guest?: GuestView;
}

export interface BtfResolverDeps {
  images: { generatedBtf(kernel: ResolvedKernel): Promise<string>; readonly cache: Cache };
  /** Absolute object patterns, `{arch}`/`{goarch}` unfilled (Matrix.btf.objects). */
  objects: string[];
  /** What the object globs matched (Matrix.globbed). */
  globbed?: Record<string, string[]>;
  resultsDir: string;
  /** The command's environment: PATH for bpftool and the decompressors. */
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  signal?: AbortSignal;
}

async function readHead(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(24);
    await fh.read(head, 0, 24, 0);
    return head;
  } finally {
    await fh.close();
  }
}

export const minBtfPath = (resultsDir: string, kernelName: string, arch: Arch) => path.join(resultsDir, 'btf', `${kernelName}-${arch}.btf`);

/** bpftool's minimal BTF of the program's objects for the cell's arch, in the kernel's byte order, into the results. */
async function writeMinBtf(deps: BtfResolverDeps, cell: Cell, fullBtf: () => Promise<string>): Promise<string> {
  const objects = [...new Set(deps.objects.flatMap((p) => filesOf(deps, fillPlaceholders(p, cell.arch))))];
  const out = minBtfPath(deps.resultsDir, cell.kernel.name, cell.arch);
  await mkdir(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    const full = await fullBtf();
    await minimalBtf(full, objects, tmp, deps.env, deps.signal);
    // In the kernel's byte order: what a loader on that arch can relocate against.
    const order = btfByteOrder(await readHead(full));
    if (order) await writeFile(tmp, withByteOrder(await readFile(tmp), order));
    await rename(tmp, out);
  } catch (error) {
    // Logged once here; a `min` cell also fails with it, other cells run on.
    deps.log(`minimal BTF for ${cell.kernel.name} ${cell.arch} not written: ${(error as Error).message}`);
    throw error;
  } finally {
    await rm(tmp, { force: true });
  }
  deps.log(`minimal BTF for ${cell.kernel.name} ${cell.arch}: ${path.relative(deps.resultsDir, out)} in the results (${(await stat(out)).size} bytes)`);
  return out;
}

/**
 * The whole kernel BTF on the host: generated when the kernel has none, else read from its
 * image. A failure is forgotten, so a retried cell tries again.
 */
function fullBtfOf(deps: BtfResolverDeps) {
  return memoize(
    async (kernel: ResolvedKernel) => {
      if (kernel.facts.btf === false) return deps.images.generatedBtf(kernel);
      const hex = await deps.images.cache.putBytes(await btfFromImage(kernel.kernelPath, deps.env, deps.signal));
      return deps.images.cache.blobPath(hex);
    },
    { keyOf: (kernel) => kernel.sha256, retryFailures: true },
  );
}

async function described(file: string, source: BtfSource, mode: string, guest: GuestView, shown = file): Promise<PreparedBtf> {
  const [bytes, sha256] = await Promise.all([stat(file).then((s) => s.size), sha256File(file)]);
  return { result: { mode, source, bytes, sha256, file: shown }, hostFile: file, guest };
}

export function createBtfResolver(deps: BtfResolverDeps) {
  const fullBtf = fullBtfOf(deps);

  /** results/btf/<kernel>-<arch>.btf for the cell's kernel. */
  const minBtf = memoize((cell: Cell, kernel: ResolvedKernel) => writeMinBtf(deps, cell, () => fullBtf(kernel)), {
    keyOf: (cell, kernel) => `${cell.kernel.name} ${cell.arch} ${kernel.sha256}`,
    retryFailures: true,
  });

  /** Everything a cell needs before boot. Min BTF files are written for every cell when objects are listed. */
  async function prepare(cell: Cell, kernel: ResolvedKernel): Promise<PreparedBtf> {
    const mode = cellBtfMode(cell);
    const written = formatBtfMode(mode);
    const install: GuestView = { hide: true, install: BTF_GUEST_FILE };
    const minimal = deps.objects.length ? minBtf(cell, kernel) : undefined;
    if (mode.kind !== 'min') minimal?.catch(() => {}); // logged by minBtf; this cell does not need it
    switch (mode.kind) {
      case 'none':
        return { result: { mode: written, source: 'none' }, guest: { hide: true } };
      case 'file':
        return described(mode.path, 'file', written, install);
      case 'min': {
        const file = await minimal!;
        return described(file, 'min', written, install, path.relative(deps.resultsDir, file));
      }
      case 'auto':
        if (kernel.facts.btf === false) return described(await fullBtf(kernel), 'generated', written, install);
        return { result: { mode: written, source: 'kernel' } };
      default:
        return { result: { mode: written, source: kernel.facts.btf === false ? 'none' : 'kernel' } };
    }
  }

  return { prepare };
}

/** After the boot: a kernel whose config was unknown says itself whether it has BTF. */
export function settleBtf(btf: CellBtf | undefined, btfPresent: boolean | undefined): CellBtf | undefined {
  if (btf?.source === 'kernel' && btfPresent === false) return { ...btf, source: 'none' };
  return btf;
}
