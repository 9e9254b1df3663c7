// Kernels and busyboxes for VM tests, through the same verified path users get
// (src/images: signed InRelease → Packages → .deb sha256), cached in the default
// portmatrix cache so every test file and every run share one download.

import { copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Arch } from '../../src/core/arch.js';
import { createImageStore, defaultImageOptions } from '../../src/images/store.js';

/** The kernel every VM test boots: Debian trixie (6.12), BTF on every arch. */
export const DEV_KERNEL = 'debian:trixie';

/**
 * The kernels, busyboxes and libcs every VM test boots, pinned: tests are hermetic and
 * do not follow whatever the mirror serves today. `portmatrix images update` with this
 * file as the lock moves them on, deliberately.
 */
export const TEST_LOCK = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/kernels.lock');

const store = createImageStore(defaultImageOptions(process.env, os.tmpdir(), { lockFile: TEST_LOCK }));

/** Puts the test lock next to a test project's matrix.yaml, so `portmatrix run` there boots the pinned kernels. */
export async function useTestLock(projectDir: string): Promise<void> {
  await copyFile(TEST_LOCK, path.join(projectDir, 'portmatrix.lock'));
}

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
