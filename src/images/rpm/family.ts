// The RPM family: AlmaLinux, Rocky, CentOS Stream, Fedora, Amazon Linux and
// Oracle Linux kernels. The newest kernel package of the release's repositories
// (or the locked one), each RPM checked against primary's sha256 and its own
// signature by the distribution's key, unpacked into blobs with the modules the
// guest loads. Keys come from Debian's distribution-gpg-keys unless the user
// gives a keyring of their own.

import { existsSync } from 'node:fs';
import type { Arch } from '../../core/arch.js';
import { distroOf, RPM_ARCH } from '../../core/distros.js';
import { memoize } from '../../core/memo.js';
import { InfraError } from '../../errors.js';
import type { KernelSourceFactory, KernelWanted, SourceContext, TrustRoot } from '../kernel-source.js';
import type { LockedKernel } from '../lockfile.js';
import { NotAvailableError } from '../types.js';
import type { RpmRef } from './rpm-download.js';
import { KEYS_PACKAGE, rpmKeys } from './rpm-keys.js';
import { type RpmLayout, rpmLayout } from './rpm-layout.js';
import { mirrorListRoot, type RepoEntry, readRepo } from './rpm-repo.js';
import { chooseRpmKernel, kernelPackageNames, type RpmKernelChoice } from './rpm-select.js';
import { type RpmKernelFiles, rpmKernelFiles } from './rpm-unpack.js';
import { formatEvr } from './rpm-version.js';

/** Where a release's repositories are: the mirror its packages' paths are relative to, and each root. */
async function repoRoots(ctx: SourceContext, scheme: string, layout: RpmLayout): Promise<{ mirror: string; roots: string[] }> {
  const mirrors = ctx.settings(scheme).mirrors;
  const mirror = mirrors[layout.repos[0]!.mirror]!;
  const roots = await Promise.all(layout.repos.map((r) => (r.mirrorList ? mirrorListRoot(ctx.fetcher, `${mirror}/${r.path}`) : `${mirror}/${r.path}`)));
  return { mirror, roots };
}

/** What the lock records of one RPM: its path under the mirror when it is there, else its URL. */
function rpmRef(e: RepoEntry, mirror: string): RpmRef {
  const url = /^[a-z]+:\/\//.test(e.location) ? e.location : `${e.repo}/${e.location}`;
  const filename = url.startsWith(`${mirror}/`) ? url.slice(mirror.length + 1) : url;
  return { package: e.name, version: `${formatEvr(e)}.${e.arch}`, filename, sha256: e.sha256, size: e.size };
}

/** True when every blob of `files` is in the cache, intact. */
async function allCached(ctx: SourceContext, files: Pick<LockedKernel, 'kernelSha256' | 'configSha256' | 'modules'>): Promise<boolean> {
  const hexes = [files.kernelSha256, ...(files.configSha256 ? [files.configSha256] : []), ...(files.modules ?? []).map((m) => m.sha256)];
  return (await Promise.all(hexes.map((h) => ctx.cache.verifiedBlob(h)))).every(Boolean);
}

/** The kernel's blobs from the RPMs, or from the record of an earlier unpacking of the same image. */
async function files(ctx: SourceContext, w: KernelWanted, mirror: string, rpms: RpmRef[], keys: () => Promise<string[]>): Promise<RpmKernelFiles> {
  const record = `rpms/${rpms[0]!.sha256}.json`;
  const known = await ctx.cache.readJson<RpmKernelFiles>(record);
  if (known && (await allCached(ctx, known))) return known;
  const deps = { fetcher: w.fetcher, cache: ctx.cache, env: ctx.env, signal: ctx.signal, keys };
  const got = await ctx.cache.withLock(`rpm-${rpms[0]!.sha256}`, () => rpmKernelFiles(deps, mirror, rpms, w.arch), ctx.signal);
  await ctx.cache.writeJson(record, got);
  return got;
}

/** Exactly what the lock pins: from the cache when intact, else from the locked RPMs (no metadata read). */
async function fromLock(ctx: SourceContext, w: KernelWanted, locked: LockedKernel, mirror: string, keys: () => Promise<string[]>): Promise<LockedKernel> {
  if (await allCached(ctx, locked)) return locked;
  const got = await files(ctx, w, mirror, locked.rpms!, keys);
  if (got.kernelSha256 !== locked.kernelSha256) {
    throw new InfraError(
      `${w.source} ${w.arch}: the kernel in ${locked.rpms![0]!.package} has sha256 ${got.kernelSha256}, the lock says ${locked.kernelSha256}; run \`portmatrix images update\``,
    );
  }
  return { ...locked, ...got };
}

/** The newest kernel's packages in a release's repositories today. */
interface NewestKernel {
  choice: RpmKernelChoice<RepoEntry>;
  rpms: RpmRef[];
}

type Newest = (source: string, scheme: string, layout: RpmLayout, arch: Arch) => Promise<NewestKernel>;

/** newest(source, scheme, layout, arch), reading each repository's metadata once. */
function newestKernel(ctx: SourceContext): Newest {
  // Metadata is shared by every kernel of a repository in this process.
  const isKernelPackage = (base: string) => (n: string) => Object.values(kernelPackageNames(base)).flat().includes(n);
  const repo = memoize((root: string, base: string) => readRepo(ctx, root, isKernelPackage(base)), {
    keyOf: (root, base) => `${root} ${base}`,
    retryFailures: true,
  });
  return async (source, scheme, layout, arch) => {
    const where = await repoRoots(ctx, scheme, layout);
    const entries = (await Promise.all(where.roots.map((r) => repo(r, layout.base)))).flat();
    const choice = chooseRpmKernel(entries, layout.base, RPM_ARCH[arch]!);
    if (!choice) {
      const names = kernelPackageNames(layout.base).images.join(' or ');
      throw new NotAvailableError(source, arch, `no ${names} package for ${RPM_ARCH[arch]} in ${where.roots.join(', ')}`);
    }
    return {
      choice,
      rpms: [choice.image, ...choice.modules].map((e) => rpmRef(e, where.mirror)),
    };
  };
}

type KeysFor = ReturnType<typeof rpmKeys>;

/** The kernel `w` asks for: the locked RPMs when the lock pins some, else the newest kernel's. */
async function resolve(ctx: SourceContext, newest: Newest, keysFor: KeysFor, w: KernelWanted): Promise<LockedKernel> {
  const distro = distroOf(w.scheme)!;
  const flavour = w.flavour ?? distro.flavours[0]!;
  const why = distro.unavailable?.(w.release, flavour, w.arch);
  if (why) throw new NotAvailableError(w.source, w.arch, why);
  const layout = rpmLayout(w.scheme, w.release, flavour, w.arch);
  const keys = keysFor(w.scheme, w.release, layout);
  const mirror = ctx.settings(w.scheme).mirrors[layout.repos[0]!.mirror]!;
  if (w.locked?.rpms?.length) return fromLock(ctx, w, w.locked, mirror, keys);
  const { choice, rpms } = await newest(w.source, w.scheme, layout, w.arch);
  const got = await files(ctx, w, mirror, rpms, keys);
  return { source: w.source, arch: w.arch, package: choice.image.name, version: rpms[0]!.version, ...got };
}

/**
 * What a release offers: every flavour × arch it builds. An RPM kernel's `uname -r`
 * is its version-release.arch.
 */
async function offers(newest: Newest, scheme: string, release: string, arches: readonly Arch[]) {
  const distro = distroOf(scheme)!;
  const builds = (flavour: string) => arches.filter((arch) => !distro.unavailable?.(release, flavour, arch));
  const wanted = distro.flavours.flatMap((flavour) => builds(flavour).map((arch) => ({ flavour, arch })));
  return Promise.all(
    wanted.map(async ({ flavour, arch }) => {
      const { choice } = await newest(`${scheme}:${release}`, scheme, rpmLayout(scheme, release, flavour, arch), arch);
      const { image } = choice;
      return {
        flavour,
        arch,
        release: `${image.version}-${image.release}.${image.arch}`,
        package: image.name,
        version: `${formatEvr(image)}.${image.arch}`,
      };
    }),
  );
}

/** The user's keyring for the source, else the distribution's key from Debian's distribution-gpg-keys. */
function rpmTrustRoots(ctx: SourceContext, scheme: string): TrustRoot[] {
  const override = ctx.settings(scheme).keyring;
  if (override) {
    const detail = 'the keyring given for this source: every RPM must be signed by a key in it';
    return [{ scheme, path: override, present: existsSync(override), detail }];
  }
  const path = `the ${distroOf(scheme)!.label} key file of Debian trixie's ${KEYS_PACKAGE}`;
  const detail = "every RPM must be signed by it (fetched through Debian's signed index when first needed)";
  return [{ scheme, path, present: true, detail }];
}

export const rpmFamily: KernelSourceFactory = (ctx) => {
  const newest = newestKernel(ctx);
  const keysFor = rpmKeys(ctx);
  return {
    locks: true,
    resolve: (w) => resolve(ctx, newest, keysFor, w),
    offers: (scheme, release, arches) => offers(newest, scheme, release, arches),
    async bootModules(k) {
      return k.locked.modules?.map((m) => ({ name: m.name, path: ctx.cache.blobPath(m.sha256) }));
    },
    trustRoots: (scheme) => rpmTrustRoots(ctx, scheme),
  };
};
