// The image store: the thin stateful shell over the pure parts. Owns the cache,
// the download limiter, the per-run index memo and portmatrix.lock updates.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Arch } from '../core/arch.js';
import { memoize } from '../core/memo.js';
import { resolveCacheDir } from '../host/cache-dir.js';
import { Cache, sha256Buffer } from './cache.js';
import { kernelFacts } from './config-facts.js';
import { isKernelPackageName } from './debian-select.js';
import { fetchPackages } from './debian-index.js';
import { debianBusybox, debianKernel, debianLibc, type DebianDeps } from './debian.js';
import { createFetcher, type Fetcher } from './fetcher.js';
import { fileKernel } from './file-kernel.js';
import { emptyLock, kernelKey, readLock, writeLock, type LockData, type LockedKernel } from './lockfile.js';
import { ociKernel } from './oci.js';
import { canonicalSource, parseKernelSource } from './source.js';
import type { ImageOptions, ImageStore, ResolvedKernel } from './types.js';

/**
 * https works from this host (checked: deb.debian.org answers 200 over both);
 * TLS protects privacy only, the InRelease signature is what protects integrity.
 */
export const DEFAULT_DEBIAN_MIRROR = 'https://deb.debian.org/debian';

/** Options from the environment, the matrix and flags (flags win, then env, then matrix). */
export function defaultImageOptions(
  env: NodeJS.ProcessEnv,
  matrixDir: string | undefined,
  overrides: Partial<ImageOptions> & { matrixMirror?: string; cwd?: string } = {},
): ImageOptions {
  // cwd: the command's; scripts and tests that pass none mean the process's.
  const { matrixMirror, cwd, ...rest } = overrides;
  return {
    ...rest,
    env,
    cacheDir: resolveCacheDir(env, cwd ?? process.cwd(), overrides.cacheDir),
    debianMirror: overrides.debianMirror ?? env.PORTMATRIX_DEBIAN_MIRROR ?? matrixMirror ?? DEFAULT_DEBIAN_MIRROR,
    lockFile: 'lockFile' in overrides ? overrides.lockFile : matrixDir ? path.join(matrixDir, 'portmatrix.lock') : undefined,
    baseDir: overrides.baseDir ?? matrixDir,
  };
}

/** What the store exposes beyond ImageStore (for `images` and tests). */
export interface ImageStoreExt extends ImageStore {
  readonly cache: Cache;
  /** HTTP requests made so far by this store. */
  requests(): number;
}

export function createImageStore(opts: ImageOptions): ImageStoreExt {
  const log = opts.log ?? (() => {});
  const cache = new Cache(opts.cacheDir, log);
  const fetcher = createFetcher({ concurrency: opts.concurrency ?? 2, signal: opts.signal, log, progress: opts.progress });
  const baseDir = opts.baseDir ?? (opts.lockFile ? path.dirname(opts.lockFile) : process.cwd());
  const keep = (n: string) => isKernelPackageName(n) || n === 'busybox-static' || n === 'libc6';
  const deps: DebianDeps = {
    cache,
    fetcher,
    mirror: opts.debianMirror,
    env: opts.env,
    signal: opts.signal,
    log,
    // A failed fetch may be retried by a later call.
    index: memoize((suite: string, arch: Arch) => fetchPackages({ mirror: opts.debianMirror, fetcher, cache, env: opts.env, signal: opts.signal, log }, suite, arch, keep), {
      keyOf: (suite, arch) => `${suite} ${arch}`,
      retryFailures: true,
    }),
  };

  const lockKey = opts.lockFile ? `lockfile-${sha256Buffer(path.resolve(opts.lockFile)).slice(0, 16)}` : '';
  async function lockData(): Promise<LockData> {
    return opts.lockFile && !opts.update ? readLock(opts.lockFile) : emptyLock();
  }
  /** Read-modify-write under a cache lock so concurrent resolutions do not lose entries. */
  async function record(mutate: (lock: LockData) => void): Promise<void> {
    if (!opts.lockFile) return;
    const file = opts.lockFile;
    await cache.withLock(lockKey, async () => {
      const lock = await readLock(file);
      mutate(lock);
      await writeLock(file, lock);
    });
  }

  async function resolved(source: string, arch: Arch, entry: LockedKernel, downloaded: boolean): Promise<ResolvedKernel> {
    // Every source above has just verified these blobs by hash; no second read here.
    const kernelPath = cache.blobPath(entry.kernelSha256);
    const configPath = entry.configSha256 ? cache.blobPath(entry.configSha256) : undefined;
    const facts = configPath ? kernelFacts(await readFile(configPath, 'utf8')) : {};
    const files = [
      ...(entry.debs ?? []).map((d) => ({ name: path.basename(d.filename), sha256: d.sha256 })),
      ...(entry.manifestDigest ? [{ name: 'manifest', sha256: entry.manifestDigest.replace(/^sha256:/, '') }] : []),
      { name: `vmlinuz-${entry.release}`, sha256: entry.kernelSha256 },
      ...(entry.configSha256 ? [{ name: `config-${entry.release}`, sha256: entry.configSha256 }] : []),
    ];
    return { source, arch, release: entry.release, package: entry.package, version: entry.version, kernelPath, sha256: entry.kernelSha256, configPath, files, facts, downloaded };
  }

  async function resolveKernel(source: string, arch: Arch, flavour?: string): Promise<ResolvedKernel> {
    const parsed = parseKernelSource(source, baseDir);
    const canonical = canonicalSource(source, flavour);
    const key = kernelKey(canonical, arch);
    const locked = (await lockData()).kernels[key];
    // This resolution's own requests (the shared package index is not the image).
    const counted = countRequests(fetcher);
    let entry: LockedKernel;
    if (parsed.kind === 'debian') {
      const got = await debianKernel({ ...deps, fetcher: counted.fetcher }, canonical, parsed.suite, arch, flavour && flavour !== 'generic' ? flavour : parsed.flavour, locked);
      entry = { source: canonical, arch, ...got };
    } else if (parsed.kind === 'file') {
      entry = await fileKernel(cache, canonical, parsed.path, arch, log);
    } else {
      entry = await ociKernel({ cache, fetcher: counted.fetcher, log, env: opts.env, signal: opts.signal }, canonical, parsed.ref, arch, locked);
    }
    // file: kernels change under the user's hands; the lock pins only fetched sources.
    if (parsed.kind !== 'file' && JSON.stringify(locked) !== JSON.stringify(entry)) await record((l) => void (l.kernels[key] = entry));
    return resolved(source, arch, entry, counted.requests() > 0);
  }

  async function resolveBusybox(arch: Arch): Promise<string> {
    const locked = (await lockData()).busybox[arch];
    const got = await debianBusybox(deps, arch, locked);
    if (JSON.stringify(locked) !== JSON.stringify(got.lock)) await record((l) => void (l.busybox[arch] = got.lock));
    return got.path;
  }

  async function resolveLibc(suite: string, arch: Arch): Promise<string> {
    const key = `${suite} ${arch}`;
    const locked = (await lockData()).libc[key];
    const got = await debianLibc(deps, suite, arch, locked);
    if (JSON.stringify(locked) !== JSON.stringify(got.lock)) await record((l) => void (l.libc[key] = got.lock));
    return got.path;
  }

  // One resolution per key at a time inside this process (matrix cells share kernels);
  // a failure is forgotten so a later call may try again.
  const kernel = memoize(resolveKernel, { keyOf: (source, arch, flavour) => kernelKey(canonicalSource(source, flavour), arch), retryFailures: true });
  const busybox = memoize(resolveBusybox, { retryFailures: true });
  const libc = memoize(resolveLibc, { keyOf: (suite, arch) => `${suite} ${arch}`, retryFailures: true });
  return { kernel, busybox, libc, cache, requests: fetcher.requests };
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
