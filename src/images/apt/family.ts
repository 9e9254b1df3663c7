// The apt family: Debian's suites and Ubuntu's series, read from a signed InRelease
// (gpgv), Packages checked against it, .debs checked against Packages.

import { existsSync } from 'node:fs';
import type { Arch } from '../../core/arch.js';
import { memoize } from '../../core/memo.js';
import { distroOf } from '../../core/distros.js';
import type { KernelOffer, KernelSourceFactory, TrustRoot } from '../kernel-source.js';
import { chooseKernels } from './debian-select.js';
import type { LockedDeb } from '../lockfile.js';
import type { KernelModule, ResolvedKernel } from '../types.js';
import { DEBIAN_KEYRING } from './debian-index.js';
import { debianKernel, debianVirtioModules, type DebianDeps } from './debian.js';
import { ubuntuSource } from './ubuntu.js';

const schemeOf = (source: string) => source.slice(0, source.indexOf(':'));

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
    trustRoots(scheme): TrustRoot[] {
      const own = ctx.settings(scheme).keyring;
      const debian = ctx.settings('debian').keyring ?? DEBIAN_KEYRING;
      const roots: TrustRoot[] = [
        { scheme, path: debian, present: existsSync(debian), aptPackage: 'debian-archive-keyring', detail: 'verifies the InRelease of every Debian suite' },
      ];
      if (scheme !== 'ubuntu') return own ? [{ ...roots[0]!, path: own, present: existsSync(own), detail: 'debianKeyring: replaces the Debian keyring' }] : roots;
      if (own) return [{ scheme, path: own, present: existsSync(own), detail: "ubuntuKeyring: verifies the Ubuntu archive's InRelease" }];
      return [...roots, { scheme, path: "ubuntu-archive-keyring.gpg of Debian trixie's ubuntu-keyring (fetched when first needed)", present: true, detail: "verifies the Ubuntu archive's InRelease" }];
    },
  };
};
