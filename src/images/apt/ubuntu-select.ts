// Picks an Ubuntu kernel from one series' Packages (release, -updates and -security
// pockets together). Pure. Ubuntu names the kernel a flavour installs through a
// metapackage: linux-image-<flavour> (linux-image-generic-hwe-<version> for the HWE
// kernel) depends on linux-image-<abi>-<flavour>. The image (vmlinuz) is in
// linux-image[-unsigned]-<abi>-<flavour>; the modules and the config in
// linux-modules-<abi>-<flavour>.

import type { Arch } from '../../core/arch.js';
import { debRef, type Stanza } from './deb822.js';
import { parseRelations } from './debian-depends.js';
import type { KernelChoice } from './debian-select.js';
import { compareDebianVersions } from './dpkg-version.js';

/** Series → version, the suffix of its HWE metapackage (LTS series only have one). */
export const UBUNTU_VERSIONS: Readonly<Record<string, string>> = {
  focal: '20.04',
  jammy: '22.04',
  noble: '24.04',
  plucky: '25.04',
  questing: '25.10',
  resolute: '26.04',
};

/** The metapackage naming a flavour's current kernel. */
export function ubuntuMetaPackage(series: string, flavour = 'generic'): string {
  return flavour === 'hwe' ? `linux-image-generic-hwe-${UBUNTU_VERSIONS[series] ?? series}` : `linux-image-${flavour}`;
}

/** Whether a Packages name could matter for choosing an Ubuntu kernel (cheap pre-filter). */
export function isUbuntuKernelName(name: string): boolean {
  return /^linux-(image|modules)-/.test(name) && !name.startsWith('linux-modules-extra-') && !name.endsWith('-dbgsym');
}

/** Newest version of each package name (the pockets repeat names), for the arch. */
function newestByName(stanzas: readonly Stanza[], arch: Arch): Map<string, Stanza> {
  const byName = new Map<string, Stanza>();
  for (const s of stanzas) {
    if (s.Architecture !== arch && s.Architecture !== 'all') continue;
    const held = byName.get(s.Package!);
    if (!held || compareDebianVersions(s.Version!, held.Version!) > 0) byName.set(s.Package!, s);
  }
  return byName;
}

/**
 * Kernels of the flavour, newest first: one per version of its metapackage (an older one
 * is a fallback when the pool lost the newest's files).
 */
export function chooseUbuntuKernels(stanzas: readonly Stanza[], arch: Arch, series: string, flavour = 'generic'): KernelChoice[] {
  const meta = ubuntuMetaPackage(series, flavour);
  const suffix = flavour === 'hwe' ? 'generic' : flavour;
  const byName = newestByName(stanzas, arch);
  const metas = stanzas.filter((s) => s.Package === meta && s.Architecture === arch).sort((a, b) => compareDebianVersions(b.Version!, a.Version!));
  const re = new RegExp(`^linux-image-(?:unsigned-)?(\\d+\\.\\d+\\.\\d+-\\d+-${suffix.replace(/[-.]/g, '\\$&')})$`);
  const choices: KernelChoice[] = [];
  for (const m of metas) {
    const release = parseRelations(m.Depends)
      .flat()
      .map((r) => re.exec(r.name)?.[1])
      .find(Boolean);
    if (!release || choices.some((c) => c.release === release)) continue;
    const image = byName.get(`linux-image-unsigned-${release}`) ?? byName.get(`linux-image-${release}`);
    const modules = byName.get(`linux-modules-${release}`);
    if (!image || !modules) continue;
    const modulesDeb = debRef(modules);
    choices.push({
      release,
      package: image.Package!,
      version: image.Version!,
      kernelDeb: debRef(image),
      configDeb: modulesDeb,
      modulesDeb,
      split: true,
    });
  }
  return choices;
}
