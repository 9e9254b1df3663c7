// The one interface every kernel source implements (docs/architecture.md, "Kernel
// sources"): resolve a source for an arch to exact files, verify them against a trust
// root, unpack the kernel, its config and the modules a boot needs into the cache, and
// say what portmatrix.lock pins. One implementation per family: apt/ (Debian, Ubuntu),
// rpm/, oci/, file/; sources.ts maps a scheme to its family.

import type { Arch } from '../core/arch.js';
import type { DebianDeps } from './apt/debian.js';
import type { Cache } from './cache.js';
import type { Fetcher } from './fetcher.js';
import type { LockedKernel } from './lockfile.js';
import type { KernelModule, ResolvedKernel } from './types.js';

/** The mirrors and keyring a user set for one scheme (matrix `images:`, environment), defaults applied. */
export interface SourceSettings {
  /** Mirror name (`mirror`, `portsMirror`) → base URL without a trailing slash. */
  mirrors: Record<string, string>;
  /** A keyring file replacing the scheme's own trust root (tests, internal mirrors). */
  keyring?: string;
}

/** What the store gives every family; the lock stays the store's (families return what to pin). */
export interface SourceContext {
  cache: Cache;
  fetcher: Fetcher;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  log: (line: string) => void;
  /** Base of relative file: paths. */
  baseDir: string;
  settings(scheme: string): SourceSettings;
  /**
   * Debian's signed archive, verified by the host's Debian keyring: where trust roots
   * shipped as Debian packages come from (ubuntu-keyring, distribution-gpg-keys).
   */
  debian: DebianDeps;
}

/** One kernel to resolve. */
export interface KernelWanted {
  /** Canonical source, the lock key's first half, e.g. `ubuntu:noble/hwe`. */
  source: string;
  scheme: string;
  /** Release, suite or series after the colon; for oci: the reference, for file: the path. */
  release: string;
  /** Undefined = the distribution's default flavour. */
  flavour?: string;
  arch: Arch;
  /** What the lock pinned for this source and arch: resolve exactly that, without an index when cached. */
  locked?: LockedKernel;
  /**
   * Fetcher for this kernel's own files (the store counts its requests: "downloaded" or
   * "cached"); indexes shared between kernels go through the context's fetcher.
   */
  fetcher: Fetcher;
}

/** One kernel a source offers today (`portmatrix kernels`). */
export interface KernelOffer {
  flavour: string;
  arch: Arch;
  /** `uname -r`. */
  release: string;
  /** The package that names the kernel, and its version. */
  package: string;
  version: string;
}

/** A file a source's trust starts from (doctor lists them). */
export interface TrustRoot {
  scheme: string;
  /** Path on the host, or a description of where it comes from. */
  path: string;
  /** Present on the host (false = fetched when first needed, or missing). */
  present: boolean;
  /** Debian package that installs it, for a missing one. */
  aptPackage?: string;
  detail: string;
}

export interface KernelSourceFamily {
  /**
   * Newest kernel of the release for the arch (or the locked one), verified, its image
   * and config (and, where the family needs them, module files) in the cache. Returns the
   * lock entry; throws NotAvailableError when the release builds nothing for the arch,
   * VerificationError (nothing cached) when a signature or digest does not match.
   */
  resolve(wanted: KernelWanted): Promise<LockedKernel>;
  /** Whether the lock pins what `resolve` returns (file: kernels change under the user's hands). */
  readonly locks: boolean;
  /**
   * Modules the guest loads before anything else, in load order, for a kernel whose config
   * does not build its virtio console in; undefined when the source cannot provide them.
   */
  bootModules(kernel: ResolvedKernel): Promise<KernelModule[] | undefined>;
  /** What a release offers today, every flavour × the given arches it builds (`portmatrix kernels`). */
  offers?(scheme: string, release: string, arches: readonly Arch[]): Promise<KernelOffer[]>;
  /** The trust roots a scheme of this family verifies against (`doctor`). */
  trustRoots?(scheme: string): TrustRoot[];
}

/** Families are made once per image store, with its context. */
export type KernelSourceFactory = (ctx: SourceContext) => KernelSourceFamily;
