// What the image store hands out: every kernel source resolves to a verified, cached
// ResolvedKernel (kernel-source.ts, docs/architecture.md).

import type { Arch } from '../core/arch.js';
import type { KernelFacts } from '../results/model.js';
import type { LockedKernel } from './lockfile.js';

/** A kernel fetched, verified and unpacked into the cache. */
export interface ResolvedKernel {
  /** The matrix source string, e.g. `debian:trixie/cloud`. */
  source: string;
  arch: Arch;
  /** `uname -r` of the kernel, e.g. 6.1.0-50-cloud-amd64. */
  release: string;
  /** Debian package (or OCI reference) and version it came from. */
  package?: string;
  version?: string;
  /** Absolute path of the bootable kernel image in the cache. */
  kernelPath: string;
  /** sha256 of the kernel image file. */
  sha256: string;
  /** Absolute path of the kernel config, when the source has one. */
  configPath?: string;
  /** Every file used and its sha256 (deb, kernel, config, OCI blobs). */
  files: { name: string; sha256: string }[];
  facts: KernelFacts;
  /** The lock entry it was resolved to: each family reads its own fields (packages, digests). */
  locked: LockedKernel;
  /** True when resolving it downloaded something (else everything came from the cache). */
  downloaded: boolean;
}

/** A kernel module file in the cache and the name the guest loads it by. */
export interface KernelModule {
  name: string;
  path: string;
}

/** The source has no kernel for this arch (e.g. bullseye s390x): the cell is skipped. */
export class NotAvailableError extends Error {
  constructor(
    readonly source: string,
    readonly arch: Arch,
    detail?: string,
  ) {
    super(`${source} is not available for ${arch}${detail ? `: ${detail}` : ''}`);
    this.name = 'NotAvailableError';
  }
}

export interface ImageOptions {
  /** Cache root; default $PORTMATRIX_CACHE, else $XDG_CACHE_HOME/portmatrix, else ~/.cache/portmatrix. */
  cacheDir: string;
  /** Debian mirror base URL; default https://deb.debian.org/debian. */
  debianMirror: string;
  /**
   * The other sources' mirrors and keyrings by their `images:` key (core/distros.ts
   * sourceOptions: `ubuntuMirror`, `ubuntuPortsMirror`, `debianKeyring`, ...); unset = default.
   */
  sources?: Record<string, string>;
  /** The command's environment: PATH for gpgv, dpkg-deb, tar and xz, and what they run with. */
  env: NodeJS.ProcessEnv;
  /** Lock file path (portmatrix.lock next to matrix.yaml); undefined = no lock. */
  lockFile?: string;
  /** Refresh the lock instead of trusting it (`images update`). */
  update?: boolean;
  signal?: AbortSignal;
  /** One line per file downloaded / verified. */
  log?: (line: string) => void;
  /** Optional: where download progress goes; on a TTY a single updating line, else nothing extra. */
  progress?: { write(chunk: string): unknown; isTTY?: boolean };
  /** Optional: base of relative file: kernel paths (the matrix file's dir); default: the lock file's dir, else cwd. */
  baseDir?: string;
  /** Optional: downloads at once (separate from the VM scheduler); default 2. */
  concurrency?: number;
}

export interface ImageStore {
  /** Resolve, download, verify and unpack the kernel of `source` for `arch`. Throws NotAvailableError. */
  kernel(source: string, arch: Arch, flavour?: string): Promise<ResolvedKernel>;
  /** Path of a verified static busybox binary for `arch` (Debian busybox-static). */
  busybox(arch: Arch): Promise<string>;
  /**
   * The modules the guest must load to reach its inputs port (virtio console), in
   * no particular order; [] when the kernel has them built in; undefined when the
   * port cannot be counted on (no config says it is built in, no package has the
   * modules): such a kernel gets its inputs inside the initramfs and boots cold.
   */
  virtioModules(kernel: ResolvedKernel): Promise<KernelModule[] | undefined>;
  /** Directory holding a Debian suite's libc6 for `arch`, unpacked (lib/, lib64/, usr/lib/...). */
  libc(suite: string, arch: Arch): Promise<string>;
}
