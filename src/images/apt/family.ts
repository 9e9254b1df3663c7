// The apt family: Debian's suites and Ubuntu's series, read from a signed InRelease
// (gpgv), Packages checked against it, .debs checked against Packages.

import { existsSync } from 'node:fs';
import type { Arch } from '../../core/arch.js';
import { distroOf } from '../../core/distros.js';
import { memoize } from '../../core/memo.js';
import type { KernelOffer, KernelSourceFactory, SourceContext, TrustRoot } from '../kernel-source.js';
import type { LockedDeb } from '../lockfile.js';
import type { KernelModule, ResolvedKernel } from '../types.js';
import { type DebianDeps, debianKernel, debianVirtioModules } from './debian.js';
import { DEBIAN_KEYRING } from './debian-index.js';
import { chooseKernels } from './debian-select.js';
import { ubuntuSource } from './ubuntu.js';

const schemeOf = (source: string) => source.slice(0, source.indexOf(':'));

/** Debian's keyring (or debianKeyring); for Ubuntu, ubuntuKeyring or the archive keyring fetched through Debian's. */
function aptTrustRoots(ctx: SourceContext, scheme: string): TrustRoot[] {
  const file = (path: string, detail: string, aptPackage?: string): TrustRoot => ({
    scheme,
    path,
    present: existsSync(path),
    detail,
    ...(aptPackage ? { aptPackage } : {}),
  });
  const given = ctx.settings('debian').keyring;
  const debian = given
    ? file(given, 'debianKeyring: verifies every Debian InRelease')
    : file(DEBIAN_KEYRING, 'verifies every Debian InRelease', 'debian-archive-keyring');
  if (scheme !== 'ubuntu') return [debian];
  const own = ctx.settings('ubuntu').keyring;
  if (own) return [file(own, "ubuntuKeyring: verifies the Ubuntu archive's InRelease")];
  const fetched = "ubuntu-archive-keyring.gpg of Debian trixie's ubuntu-keyring (fetched when first needed)";
  return [debian, { scheme, path: fetched, present: true, detail: "verifies the Ubuntu archive's InRelease" }];
}

export const aptFamily: KernelSourceFactory = (ctx) => {
  const ubuntu = ubuntuSource(ctx);
  /** The newest kernel of one flavour and arch, as the signed index lists it today. */
  async function offer(scheme: string, release: string, flavour: string, arch: Arch): Promise<KernelOffer | undefined> {
    if (scheme === 'ubuntu') return ubuntu.offers(release, flavour, arch);
    const [newest] = chooseKernels(await ctx.debian.index(release, arch), arch, flavour);
    return newest && { flavour, arch, release: newest.release, package: newest.package, version: newest.version };
  }
  const depsFor = (scheme: string, arch: Arch): DebianDeps => (scheme === 'ubuntu' ? ubuntu.depsFor(arch) : ctx.debian);
  // Keyed by the .deb's sha256: every kernel of a build shares its modules.
  const virtio = memoize((deb: LockedDeb, k: ResolvedKernel) => debianVirtioModules(depsFor(schemeOf(k.source), k.arch), deb), {
    keyOf: (deb) => deb.sha256,
    retryFailures: true,
  });
  return {
    locks: true,
    async resolve(w) {
      if (w.scheme === 'ubuntu') return ubuntu.resolve(w);
      const got = await debianKernel({ ...ctx.debian, fetcher: w.fetcher }, w.source, w.release, w.arch, w.flavour, w.locked);
      return { source: w.source, arch: w.arch, ...got };
    },
    async bootModules(k): Promise<KernelModule[] | undefined> {
      const deb = k.locked.modulesDeb ?? k.locked.debs?.[0];
      const modules = deb ? await virtio(deb, k) : [];
      return modules.some((m) => m.name === 'virtio_console') ? modules : undefined;
    },
    async offers(scheme, release, arches) {
      const distro = distroOf(scheme)!;
      const wanted = distro.flavours.flatMap((flavour) =>
        arches.filter((arch) => !distro.unavailable?.(release, flavour, arch)).map((arch) => ({ flavour, arch })),
      );
      const found = await Promise.all(wanted.map(({ flavour, arch }) => offer(scheme, release, flavour, arch)));
      return found.filter((o) => o !== undefined);
    },
    trustRoots: (scheme) => aptTrustRoots(ctx, scheme),
  };
};
