// Guests whose inputs travel inside the initramfs instead of over the inputs port:
// every vng guest (vng has no port), and QEMU guests of kernels whose virtio
// console cannot be counted on (an OCI kernel without a config, a package without
// the modules). One gzip'd initramfs per cell, base /init in inline mode, output
// over the console; always a cold boot, never a snapshot.

import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Arch } from '../core/arch.js';
import { baseInit } from '../guest/base-init.js';
import { type CpioEntry, writeCpio } from '../guest/cpio.js';
import { baseInitramfsEntries } from '../guest/initramfs.js';

export interface InlineImage {
  arch: Arch;
  busybox: string;
  capHelper?: string;
  /** pmcell's host path: it runs the cell's tests here too. */
  cellHelper: string;
  /** The cell's inputs (suite-inputs.ts). */
  entries: CpioEntry[];
  workDir: string;
  /** Unique per guest in this run (the cell's token). */
  name: string;
}

/** Builds the one-piece initramfs under workDir, runs `fn` with its path, then removes it. */
export async function withInlineInitrd<T>(o: InlineImage, fn: (initrd: string) => Promise<T>): Promise<T> {
  const base = await baseInitramfsEntries({
    arch: o.arch,
    busybox: o.busybox,
    capHelper: o.capHelper,
    cellHelper: o.cellHelper,
    init: baseInit({ inline: true }),
  });
  const initrd = path.join(o.workDir, `${o.name}.cpio.gz`);
  await writeFile(initrd, await promisify(gzip)(writeCpio([...base, ...o.entries]), { level: 1 }));
  return fn(initrd).finally(() => rm(initrd, { force: true }));
}
