// The image store: the thin stateful shell over the pure parts. Owns the cache,
// the download limiter, the per-run index memo and portmatrix.lock updates.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Arch } from '../core/arch.js';
import { distroOf } from '../core/distros.js';
import { memoize } from '../core/memo.js';
import { chooseSetting } from '../core/precedence.js';
import { resolveCacheDir } from '../host/cache-dir.js';
import type { Stanza } from './apt/deb822.js';
import { type DebianDeps, debianBusybox, debianLibc } from './apt/debian.js';
import { sonameProviders } from './apt/debian-contents.js';
import { fetchPackages } from './apt/debian-index.js';
import { debianPackages, type GuestPackages } from './apt/debian-packages.js';
import { isKernelPackageName } from './apt/debian-select.js';
import { TRUST_PACKAGES } from './apt/trust-package.js';
import { isDbgPackageName } from './btf/generate.js';
import { btfGenerator } from './btf/store.js';
import { Cache } from './cache.js';
import { kernelFacts, parseKernelConfig } from './config-facts.js';
import { createFetcher, type Fetcher } from './fetcher.js';
import type { KernelOffer, KernelSourceFamily, KernelWanted, TrustRoot } from './kernel-source.js';
import { modulesToLoad } from './kmod/guest-modules.js';
import { orderModules } from './kmod/order.js';
import { type LockAccess, lockAccess } from './lock-access.js';
import { kernelKey, type LockedKernel, packagesKey } from './lockfile.js';
import { canonicalSource, parseKernelSource } from './source.js';
import { familyTable, sourceSettings, sourcesFromEnv } from './sources.js';
import type { ImageOptions, ImageStore, KernelModule, ResolvedKernel } from './types.js';

/**
 * https works from this host (checked: deb.debian.org answers 200 over both);
 * TLS protects privacy only, the InRelease signature is what protects integrity.
 */
export const DEFAULT_DEBIAN_MIRROR = 'https://deb.debian.org/debian';

/** Options from the environment, the matrix and flags (flags win, then env, then matrix). */
export function defaultImageOptions(
  env: NodeJS.ProcessEnv,
  matrixDir: string | undefined,
  overrides: Partial<ImageOptions> & {
    matrixMirror?: string;
    matrixSources?: Record<string, string | undefined>;
    cwd?: string;
  } = {},
): ImageOptions {
  // cwd: the command's; scripts and tests that pass none mean the process's.
  const { matrixMirror, matrixSources, cwd, ...rest } = overrides;
  return {
    ...rest,
    env,
    cacheDir: resolveCacheDir(env, cwd ?? process.cwd(), overrides.cacheDir),
    debianMirror: chooseSetting({
      flag: overrides.debianMirror,
      env: env.PORTMATRIX_DEBIAN_MIRROR,
      matrix: matrixMirror,
      fallback: DEFAULT_DEBIAN_MIRROR,
    }),
    sources: { ...sourcesFromEnv(env, matrixSources, { cwd: cwd ?? process.cwd(), matrixDir }), ...overrides.sources },
    lockFile: 'lockFile' in overrides ? overrides.lockFile : matrixDir ? path.join(matrixDir, 'portmatrix.lock') : undefined,
    baseDir: overrides.baseDir ?? matrixDir,
  };
}

/** What the store exposes beyond ImageStore (for `images` and tests). */
export interface ImageStoreExt extends ImageStore {
  readonly cache: Cache;
  /** HTTP requests made so far by this store. */
  requests(): number;
  /** Debian packages for the guest (`packages:`), resolved through Depends, unpacked, locked. */
  packages(names: readonly string[], suite: string, arch: Arch): Promise<GuestPackages>;
  /** soname → the packages of the suite that ship it (verified Contents index). */
  providers(suite: string, arch: Arch, sonames: readonly string[]): Promise<Map<string, string[]>>;
  /** BTF generated for a Debian kernel from its -dbg package (cached, locked). */
  generatedBtf(kernel: ResolvedKernel): Promise<string>;
  /** What `<scheme>:<release>` offers today: every flavour × `arches` it builds, from the signed index. */
  offers(source: string, arches: readonly Arch[]): Promise<KernelOffer[]>;
  /** The trust roots a scheme verifies against (`doctor`). */
  trustRoots(scheme: string): TrustRoot[];
}

/** What every resolution shares: options, cache, fetcher, Debian deps and the lock file. */
interface Parts {
  opts: ImageOptions;
  log: (line: string) => void;
  cache: Cache;
  fetcher: Fetcher;
  deps: DebianDeps;
  baseDir: string;
  lock: LockAccess;
  /** The kernel source family of a scheme (sources.ts). */
  family: (scheme: string) => KernelSourceFamily;
}

async function resolvedKernel(cache: Cache, source: string, arch: Arch, entry: LockedKernel, downloaded: boolean): Promise<ResolvedKernel> {
  // Every source has just verified these blobs by hash; no second read here.
  const kernelPath = cache.blobPath(entry.kernelSha256);
  const configPath = entry.configSha256 ? cache.blobPath(entry.configSha256) : undefined;
  const facts = configPath ? kernelFacts(await readFile(configPath, 'utf8')) : {};
  const files = [
    ...(entry.debs ?? []).map((d) => ({ name: path.basename(d.filename), sha256: d.sha256 })),
    ...(entry.manifestDigest ? [{ name: 'manifest', sha256: entry.manifestDigest.replace(/^sha256:/, '') }] : []),
    { name: `vmlinuz-${entry.release}`, sha256: entry.kernelSha256 },
    ...(entry.configSha256 ? [{ name: `config-${entry.release}`, sha256: entry.configSha256 }] : []),
  ];
  return {
    source,
    arch,
    release: entry.release,
    package: entry.package,
    version: entry.version,
    kernelPath,
    sha256: entry.kernelSha256,
    configPath,
    files,
    facts,
    downloaded,
    locked: entry,
  };
}

/** The family's view of a source: scheme, release (or oci reference, or absolute path) and flavour. */
function wantedOf(source: string, baseDir: string, flavour?: string): Pick<KernelWanted, 'scheme' | 'release' | 'flavour'> {
  const parsed = parseKernelSource(source, baseDir);
  if (parsed.kind === 'file') return { scheme: 'file', release: parsed.path };
  if (parsed.kind === 'oci') return { scheme: 'oci', release: parsed.ref };
  const fallback = distroOf(parsed.scheme)!.flavours[0];
  return {
    scheme: parsed.scheme,
    release: parsed.release,
    flavour: flavour && flavour !== fallback ? flavour : parsed.flavour,
  };
}

async function resolveKernel(p: Parts, source: string, arch: Arch, flavour?: string): Promise<ResolvedKernel> {
  const canonical = canonicalSource(source, flavour);
  const key = kernelKey(canonical, arch);
  const locked = (await p.lock.read()).kernels[key];
  // This resolution's own requests (the shared package index is not the image).
  const counted = countRequests(p.fetcher);
  const wanted = { source: canonical, arch, locked, fetcher: counted.fetcher, ...wantedOf(source, p.baseDir, flavour) };
  const family = p.family(wanted.scheme);
  const entry = await family.resolve(wanted);
  if (family.locks) await p.lock.update(locked, entry, (l) => void (l.kernels[key] = entry));
  return resolvedKernel(p.cache, source, arch, entry, counted.requests() > 0);
}

async function resolveBusybox(p: Parts, arch: Arch): Promise<string> {
  const locked = (await p.lock.read()).busybox[arch];
  const got = await debianBusybox(p.deps, arch, locked);
  await p.lock.update(locked, got.lock, (l) => void (l.busybox[arch] = got.lock));
  return got.path;
}

async function resolveLibc(p: Parts, suite: string, arch: Arch): Promise<string> {
  const key = `${suite} ${arch}`;
  const locked = (await p.lock.read()).libc[key];
  const got = await debianLibc(p.deps, suite, arch, locked);
  await p.lock.update(locked, got.lock, (l) => void (l.libc[key] = got.lock));
  return got.path;
}

async function resolvePackages(
  p: Parts,
  index: (suite: string, arch: Arch) => Promise<Stanza[]>,
  names: readonly string[],
  suite: string,
  arch: Arch,
): Promise<GuestPackages> {
  const key = packagesKey(suite, arch, names);
  const locked = (await p.lock.read()).packages[key];
  const got = await debianPackages(p.deps, index, names, suite, arch, locked);
  await p.lock.update(locked, got.lock, (l) => void (l.packages[key] = got.lock));
  return got;
}

function storeParts(opts: ImageOptions): Parts {
  const log = opts.log ?? (() => {});
  const cache = new Cache(opts.cacheDir, log);
  const fetcher = createFetcher({
    concurrency: opts.concurrency ?? 2,
    signal: opts.signal,
    log,
    progress: opts.progress,
  });
  const plain = new Set<string>(['busybox-static', 'libc6', ...TRUST_PACKAGES]);
  const keep = (n: string) => isKernelPackageName(n) || plain.has(n) || isDbgPackageName(n);
  const keyring = sourceSettings(opts, 'debian').keyring;
  const common = { fetcher, cache, env: opts.env, signal: opts.signal, log, ...(keyring ? { keyring } : {}) };
  const deps: DebianDeps = {
    ...common,
    mirror: opts.debianMirror,
    // A failed fetch may be retried by a later call.
    index: memoize((suite: string, arch: Arch) => fetchPackages({ ...common, mirror: opts.debianMirror }, suite, arch, keep), {
      keyOf: (suite, arch) => `${suite} ${arch}`,
      retryFailures: true,
    }),
  };
  const baseDir = opts.baseDir ?? (opts.lockFile ? path.dirname(opts.lockFile) : process.cwd());
  const settings = (scheme: string) => sourceSettings(opts, scheme);
  const family = familyTable({
    cache,
    fetcher,
    env: opts.env,
    signal: opts.signal,
    log,
    baseDir,
    settings,
    debian: deps,
  });
  return { opts, log, cache, fetcher, deps, baseDir, lock: lockAccess(cache, opts), family };
}

/**
 * kernel, busybox, libc and packages, each pinned in the lock. One resolution per key at a
 * time inside this process (matrix cells share kernels); a failure is forgotten so a later
 * call may try again.
 */
function lockedResolvers(p: Parts): Pick<ImageStoreExt, 'kernel' | 'busybox' | 'libc' | 'packages'> {
  const kernel = memoize((source: string, arch: Arch, flavour?: string) => resolveKernel(p, source, arch, flavour), {
    keyOf: (source, arch, flavour) => kernelKey(canonicalSource(source, flavour), arch),
    retryFailures: true,
  });
  const busybox = memoize((arch: Arch) => resolveBusybox(p, arch), { retryFailures: true });
  const libc = memoize((suite: string, arch: Arch) => resolveLibc(p, suite, arch), {
    keyOf: (suite, arch) => `${suite} ${arch}`,
    retryFailures: true,
  });
  // Guest packages need whole indexes (Depends can name anything): a memo of their own.
  const fullIndex = memoize((suite: string, arch: Arch) => fetchPackages(p.deps, suite, arch, () => true), {
    keyOf: (suite, arch) => `${suite} ${arch}`,
    retryFailures: true,
  });
  const packages = memoize((names: readonly string[], suite: string, arch: Arch) => resolvePackages(p, fullIndex, names, suite, arch), {
    keyOf: (names, suite, arch) => packagesKey(suite, arch, names),
    retryFailures: true,
  });
  return { kernel, busybox, libc, packages };
}

/** The modules a kernel's guest loads for its virtio console, in load order (ImageStore.virtioModules). */
async function virtioModules(p: Parts, k: ResolvedKernel): Promise<KernelModule[] | undefined> {
  const config = parseKernelConfig(k.configPath ? await readFile(k.configPath, 'utf8') : '');
  if (modulesToLoad(k.arch, config)?.length === 0) return [];
  const modules = await p.family(wantedOf(k.source, p.baseDir).scheme).bootModules(k);
  return modules && orderModules(modules);
}

export function createImageStore(opts: ImageOptions): ImageStoreExt {
  const p = storeParts(opts);
  const btf = btfGenerator({ ...p, index: p.deps.index });
  const offers = async (source: string, arches: readonly Arch[]) => {
    const w = wantedOf(source, p.baseDir);
    return (await p.family(w.scheme).offers?.(w.scheme, w.release, arches)) ?? [];
  };
  return {
    ...lockedResolvers(p),
    providers: (suite, arch, sonames) => sonameProviders(p.deps, suite, arch, sonames),
    virtioModules: (k) => virtioModules(p, k),
    generatedBtf: btf.generatedBtf,
    offers,
    trustRoots: (scheme) => p.family(scheme).trustRoots?.(scheme) ?? [],
    cache: p.cache,
    requests: () => p.fetcher.requests() + btf.requests(),
  };
}

/** A view of `fetcher` that counts the requests made through it. */
function countRequests(fetcher: Fetcher): { fetcher: Fetcher; requests: () => number } {
  let n = 0;
  const counted: Fetcher = {
    ...fetcher,
    toFile: (...args) => (n++, fetcher.toFile(...args)),
    toBuffer: (...args) => (n++, fetcher.toBuffer(...args)),
  };
  return { fetcher: counted, requests: () => n };
}
