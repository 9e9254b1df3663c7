// portmatrix.lock: what each (source, arch) resolved to, so runs are reproducible
// and work offline once cached. JSON with sorted keys, one entry per line group,
// so a kernel update shows up as a small diff.

import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../host/files.js';
import type { LockedBtf } from './btf/generate.js';

export const LOCK_VERSION = 1;

export interface LockedDeb {
  package: string;
  version: string;
  /** Pool path relative to the mirror root. */
  filename: string;
  sha256: string;
  size: number;
}

export interface LockedKernel {
  source: string;
  arch: string;
  release: string;
  package?: string;
  version?: string;
  /** Debian: the .debs the kernel (and config) came from. */
  debs?: LockedDeb[];
  /** Debian: the signed image package the virtio modules come from, when the kernel is from -unsigned. */
  modulesDeb?: LockedDeb;
  /** RPM: the packages, image first, then the module packages opened (filename relative to the mirror, or a URL). */
  rpms?: LockedDeb[];
  /** RPM: the modules the guest loads before anything else, decompressed, in load order. */
  modules?: { name: string; sha256: string }[];
  /** OCI: the manifest digest (sha256:...) the kernel came from. */
  manifestDigest?: string;
  kernelSha256: string;
  configSha256?: string;
}

export interface LockedPackage {
  /** busybox: the binary's sha256; guest packages: the unpacked tree's id; libc: unused. */
  sha256?: string;
  debs: LockedDeb[];
}

export interface LockData {
  version: typeof LOCK_VERSION;
  /** Key `<source> <arch>`, e.g. `debian:trixie/cloud amd64`. */
  kernels: Record<string, LockedKernel>;
  /** Key = arch. */
  busybox: Record<string, LockedPackage>;
  /** Key `<suite> <arch>`. */
  libc: Record<string, LockedPackage>;
  /** Guest packages, key `<suite> <arch> <names, sorted>` (packagesKey): every resolved .deb. */
  packages: Record<string, LockedPackage>;
  /** BTF generated for kernels built without it (`btf: auto`); key = the kernel's `uname -r`. */
  btf: Record<string, LockedBtf>;
}

export const emptyLock = (): LockData => ({
  version: LOCK_VERSION,
  kernels: {},
  busybox: {},
  libc: {},
  packages: {},
  btf: {},
});

export const packagesKey = (suite: string, arch: string, names: readonly string[]) => `${suite} ${arch} ${[...new Set(names)].sort().join(' ')}`;

export const kernelKey = (source: string, arch: string) => `${source} ${arch}`;

/** Recursively sorts object keys so the file is stable regardless of resolution order. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function renderLock(lock: LockData): string {
  // No `packages` or `btf` key until a matrix uses it: existing lock files stay byte-identical.
  const shown: Partial<LockData> = { ...lock };
  for (const key of ['packages', 'btf'] as const) if (!Object.keys(lock[key] ?? {}).length) delete shown[key];
  return `${JSON.stringify(sorted(shown), null, 2)}\n`;
}

export async function readLock(file: string): Promise<LockData> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyLock();
    throw error;
  }
  let data: Partial<LockData>;
  try {
    data = JSON.parse(text) as Partial<LockData>;
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON (${(error as Error).message}); delete it and run \`portmatrix images update\``);
  }
  if (data.version !== LOCK_VERSION) {
    throw new UsageError(`${file}: lock version ${String(data.version)} is not ${LOCK_VERSION}; run \`portmatrix images update\``);
  }
  return { ...emptyLock(), ...data } as LockData;
}

/** Atomic write (temp + rename) so a crash never leaves half a lock file. */
export function writeLock(file: string, lock: LockData): Promise<void> {
  return writeFileAtomic(file, renderLock(lock));
}
