// Kernels and busyboxes for VM tests, through the same verified path users get
// (src/images: signed InRelease → Packages → .deb sha256), cached in the default
// portmatrix cache so every test file and every run share one download.

import os from 'node:os';
import { createImageStore, defaultImageOptions } from '../../src/images/store.js';
import type { Arch } from '../../src/core/arch.js';

/** The kernel every VM test boots: Debian trixie (6.12), BTF on every arch. */
export const DEV_KERNEL = 'debian:trixie';

// No lock file: tests follow the newest trixie kernel the mirror serves.
const store = createImageStore(defaultImageOptions(process.env, os.tmpdir(), { lockFile: undefined }));

export async function devKernel(arch: Arch): Promise<string> {
  return (await store.kernel(DEV_KERNEL, arch)).kernelPath;
}

export async function devBusybox(arch: Arch): Promise<string> {
  return store.busybox(arch);
}

export async function devImages(arches: readonly Arch[] = ['amd64', 'arm64', 's390x']): Promise<Record<Arch, { kernel: string; busybox: string }>> {
  const entries = await Promise.all(arches.map(async (arch) => [arch, { kernel: await devKernel(arch), busybox: await devBusybox(arch) }] as const));
  return Object.fromEntries(entries) as Record<Arch, { kernel: string; busybox: string }>;
}
