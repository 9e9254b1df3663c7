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

type ByName = Map<string, Stanza>;

/** The releases (`uname -r`) of the linux-image-* packages whose names end in `suffix`. */
function releasesWithSuffix(byName: ByName, suffix: string): Set<string> {
  // Release = <abi>-<suffix>; the abi starts with a digit (6.1.0-50, 7.2.13+deb14).
  const re = new RegExp(`^linux-image-(\\d[^-]*(?:-\\d+)?-${escapeRegex(suffix)})(-unsigned)?$`);
  const releases = new Set<string>();
  for (const name of byName.keys()) {
    const m = re.exec(name);
    if (m) releases.add(m[1]!);
  }
  return releases;
}

/** A linux-image-* that depends on linux-binary-<release> (or is tiny) is a metapackage (7.x kernels). */
function isMetapackage(image: Stanza, release: string): boolean {
  const depends = image.Depends ?? '';
  const binary = `linux-binary-${release}`;
  const tiny = Number(image['Installed-Size'] ?? 1e9) < 100;
  return depends.includes(`${binary} `) || depends.includes(`${binary},`) || tiny;
}

/** A split kernel: the image from linux-binary[-unsigned]-<release>, the config from linux-base-<release>. */
function splitKernel(byName: ByName, image: Stanza, release: string): KernelChoice | undefined {
  const binary = byName.get(`linux-binary-unsigned-${release}`) ?? byName.get(`linux-binary-${release}`);
  const base = byName.get(`linux-base-${release}`);
  if (!binary || !base) return undefined;
  return {
    release,
    package: image.Package!,
    version: image.Version!,
    kernelDeb: debRef(binary),
    configDeb: debRef(base),
    split: true,
  };
}

/** A kernel whole in its linux-image-* package; the modules from its signed twin when that is the same build. */
function wholeKernel(byName: ByName, image: Stanza, release: string): KernelChoice {
  const signed = image.Package!.endsWith('-unsigned') ? byName.get(`linux-image-${release}`) : undefined;
  const modulesDeb = signed && signed.Version === image.Version ? debRef(signed) : undefined;
  return {
    release,
    package: image.Package!,
    version: image.Version!,
    kernelDeb: debRef(image),
    ...(modulesDeb ? { modulesDeb } : {}),
    split: false,
  };
}

/** The kernel of one release, from its -unsigned image when there is one; undefined when its parts are missing. */
function kernelOf(byName: ByName, release: string): KernelChoice | undefined {
  const image = byName.get(`linux-image-${release}-unsigned`) ?? byName.get(`linux-image-${release}`);
  if (!image) return undefined;
  return isMetapackage(image, release) ? splitKernel(byName, image, release) : wholeKernel(byName, image, release);
}

/** Newest version first; of two kernels of one version, the newer release. */
function newestFirst(a: KernelChoice, b: KernelChoice): number {
  return compareDebianVersions(b.version, a.version) || compareDebianVersions(b.release, a.release);
}

/**
 * Every installable kernel of the flavour, newest first, from the first of the flavour's
 * name suffixes that has any (cloud-amd64 before amd64-cloud).
 */
export function chooseKernels(stanzas: Stanza[], arch: Arch, flavour?: string): KernelChoice[] {
  const ofArch = stanzas.filter((s) => s.Architecture === arch || !s.Architecture);
  const byName: ByName = new Map(ofArch.map((s) => [s.Package!, s]));
  for (const suffix of flavourSuffixes(arch, flavour)) {
    const choices = [...releasesWithSuffix(byName, suffix)].flatMap((release) => kernelOf(byName, release) ?? []);
    if (choices.length > 0) return choices.sort(newestFirst);
  }
  return [];
}

/** The newest stanza of a plain package (busybox-static, libc6) for the arch. */
export function chooseNewest(stanzas: Stanza[], name: string, arch: Arch): DebRef[] {
  return stanzas
    .filter((s) => s.Package === name && (s.Architecture === arch || s.Architecture === 'all'))
    .map(debRef)
    .sort((a, b) => compareDebianVersions(b.version, a.version));
}
