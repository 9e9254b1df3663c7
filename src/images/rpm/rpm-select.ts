// Which RPMs make up a distribution's newest kernel, from its primary metadata.
// The image lives in `<base>-core` where the distribution splits the kernel (RHEL 8
// and later, Fedora, UEK 6 and later) and in `<base>` where it does not (Amazon
// Linux, older UEK); there `<base>` is the whole kernel, elsewhere an empty
// package that only pulls in the others. Modules are split into `-modules-core`
// (RHEL 9.2 and later, Fedora 38 and later) and `-modules`.

import type { RpmEntry } from './primary.js';
import { compareEvr, type Evr } from './rpm-version.js';

export interface RpmKernelChoice<E extends RpmEntry = RpmEntry> {
  image: E;
  /** Module packages of the same version, in the order to search them for a module. */
  modules: E[];
}

/** The package names a kernel of `base` (`kernel`, `kernel-uek`) may come in. */
export function kernelPackageNames(base: string): { images: string[]; modules: string[] } {
  return { images: [`${base}-core`, base], modules: [`${base}-modules-core`, `${base}-modules`] };
}

const sameEvr = (a: Evr, b: Evr) => compareEvr(a, b) === 0;

/** The newest kernel of `base` for `rpmArch`, or undefined when the repository has none. */
export function chooseRpmKernel<E extends RpmEntry>(entries: readonly E[], base: string, rpmArch: string): RpmKernelChoice<E> | undefined {
  const names = kernelPackageNames(base);
  const ofArch = entries.filter((e) => e.arch === rpmArch);
  for (const name of names.images) {
    const image = ofArch.filter((e) => e.name === name).sort((a, b) => compareEvr(b, a))[0];
    if (!image) continue;
    const modules = names.modules.flatMap((m) => ofArch.filter((e) => e.name === m && sameEvr(e, image)).slice(0, 1));
    return { image, modules };
  }
  return undefined;
}
