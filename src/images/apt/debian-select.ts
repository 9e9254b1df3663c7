// Picks the kernel package(s) of one suite and arch from its Packages stanzas.
// Pure: input stanzas, output the .debs to fetch, newest first (pool fallbacks).

import type { Arch } from '../../core/arch.js';
import { type DebRef, debRef, type Stanza } from './deb822.js';
import { compareDebianVersions } from './dpkg-version.js';

/** The name suffix of a flavour: generic → `amd64`, cloud → `cloud-amd64`, 16k → `arm64-16k`. */
export function flavourSuffixes(arch: Arch, flavour = 'generic'): string[] {
  if (flavour === 'generic' || flavour === arch) return [arch];
  return [`${flavour}-${arch}`, `${arch}-${flavour}`];
}

/** Whether a Packages name could matter for kernel selection (cheap pre-filter). */
export function isKernelPackageName(name: string): boolean {
  return /^linux-(image|binary|base)-/.test(name) && !name.endsWith('-dbg');
}

export interface KernelChoice {
  /** uname -r, e.g. 6.1.0-50-amd64 or 7.2.13+deb14-amd64. */
  release: string;
  /** The linux-image package that names the kernel and its version. */
  package: string;
  version: string;
  /** The .deb holding the kernel image. */
  kernelDeb: DebRef;
  /** The .deb holding the config, when not the same as kernelDeb (7.x: linux-base-*). */
  configDeb?: DebRef;
  /**
   * The signed linux-image-<release> when the kernel comes from its -unsigned twin:
   * its modules carry Debian's signatures, which a kernel in lockdown insists on.
   */
  modulesDeb?: DebRef;
  /** True when linux-image-* is a metapackage (kernel split into linux-binary/linux-base). */
  split: boolean;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Every installable kernel of the flavour, newest first. A linux-image-* whose Depends
 * names linux-binary-<release> (or is tiny) is a metapackage: the kernel then comes from
 * linux-binary[-unsigned]-<release> and the config from linux-base-<release>.
 */
export function chooseKernels(stanzas: Stanza[], arch: Arch, flavour?: string): KernelChoice[] {
  const byName = new Map(stanzas.filter((s) => s.Architecture === arch || !s.Architecture).map((s) => [s.Package!, s]));
  const choices: KernelChoice[] = [];
  for (const suffix of flavourSuffixes(arch, flavour)) {
    // Release = <abi>-<suffix>; the abi starts with a digit (6.1.0-50, 7.2.13+deb14).
    const re = new RegExp(`^linux-image-(\\d[^-]*(?:-\\d+)?-${escapeRegex(suffix)})(-unsigned)?$`);
    const releases = new Set<string>();
    for (const name of byName.keys()) {
      const m = re.exec(name);
      if (m) releases.add(m[1]!);
    }
    for (const release of releases) {
      const image = byName.get(`linux-image-${release}-unsigned`) ?? byName.get(`linux-image-${release}`);
      if (!image) continue;
      const depends = image.Depends ?? '';
      const split =
        depends.includes(`linux-binary-${release} `) || depends.includes(`linux-binary-${release},`) || Number(image['Installed-Size'] ?? 1e9) < 100;
      if (split) {
        const binary = byName.get(`linux-binary-unsigned-${release}`) ?? byName.get(`linux-binary-${release}`);
        const base = byName.get(`linux-base-${release}`);
        if (!binary || !base) continue;
        choices.push({
          release,
          package: image.Package!,
          version: image.Version!,
          kernelDeb: debRef(binary),
          configDeb: debRef(base),
          split,
        });
      } else {
        const signed = image.Package!.endsWith('-unsigned') ? byName.get(`linux-image-${release}`) : undefined;
        const modulesDeb = signed && signed.Version === image.Version ? debRef(signed) : undefined;
        choices.push({
          release,
          package: image.Package!,
          version: image.Version!,
          kernelDeb: debRef(image),
          ...(modulesDeb ? { modulesDeb } : {}),
          split,
        });
      }
    }
    if (choices.length > 0) break;
  }
  return choices.sort((a, b) => compareDebianVersions(b.version, a.version) || compareDebianVersions(b.release, a.release));
}

/** The newest stanza of a plain package (busybox-static, libc6) for the arch. */
export function chooseNewest(stanzas: Stanza[], name: string, arch: Arch): DebRef[] {
  return stanzas
    .filter((s) => s.Package === name && (s.Architecture === arch || s.Architecture === 'all'))
    .map(debRef)
    .sort((a, b) => compareDebianVersions(b.version, a.version));
}
