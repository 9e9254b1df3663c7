// The apt family: Debian's suites and Ubuntu's series, read from a signed InRelease
// (gpgv), Packages checked against it, .debs checked against Packages.

import { memoize } from '../../core/memo.js';
import { DEBIAN_KEYRING } from './debian-index.js';
import type { KernelSourceFactory, TrustRoot } from '../kernel-source.js';
import type { LockedDeb } from '../lockfile.js';
import type { KernelModule } from '../types.js';
import { debianKernel, debianVirtioModules } from './debian.js';
import { existsSync } from 'node:fs';

export const aptFamily: KernelSourceFactory = (ctx) => {
  const virtio = memoize((deb: LockedDeb) => debianVirtioModules(ctx.debian, deb), { keyOf: (deb) => deb.sha256, retryFailures: true });
  return {
    locks: true,
    async resolve(w) {
      const deps = { ...ctx.debian, fetcher: w.fetcher };
      const got = await debianKernel(deps, w.source, w.release, w.arch, w.flavour, w.locked);
      return { source: w.source, arch: w.arch, ...got };
    },
    async bootModules(k): Promise<KernelModule[] | undefined> {
      const deb = k.locked.modulesDeb ?? k.locked.debs?.[0];
      const modules = deb ? await virtio(deb) : [];
      return modules.some((m) => m.name === 'virtio_console') ? modules : undefined;
    },
    trustRoots(scheme): TrustRoot[] {
      const keyring = ctx.settings(scheme).keyring ?? DEBIAN_KEYRING;
      const present = existsSync(keyring);
      return [{ scheme, path: keyring, present, aptPackage: 'debian-archive-keyring', detail: 'verifies the InRelease of every Debian suite' }];
    },
  };
};
