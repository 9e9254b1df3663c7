// The kernel sources portmatrix knows, as data: each `<scheme>:` of `kernels:`, the
// family that fetches it (images/sources.ts maps a family to its code), the release
// names it accepts, its flavours and the mirrors and keyring a user may replace.
// config/ validates against this list, plan/ skips arches with it, images/ resolves.

export type KernelFamily = 'apt' | 'rpm';

/** A mirror a distribution's kernels are read from; `name` makes the option key (below). */
export interface MirrorSpec {
  /** `mirror`, or e.g. `portsMirror` where a distribution serves arches from two archives. */
  name: string;
  /** Default base URL. */
  url: string;
}

export interface Distro {
  scheme: string;
  family: KernelFamily;
  /** As people write it: Debian, Ubuntu, AlmaLinux. */
  label: string;
  /** What the distribution calls a release: suite (Debian), series (Ubuntu), release. */
  releaseWord: string;
  /** Release names (suites, series, versions) accepted after the colon. */
  releases: readonly string[];
  /** Flavours accepted after the slash; the first is the default, dropped from canonical sources. */
  flavours: readonly string[];
  mirrors: readonly MirrorSpec[];
  /** Kernel series a release ships, so `--only kernel=6.12` picks it (moving releases have none). */
  series?: Readonly<Record<string, string>>;
  /** Why a release × flavour has no kernel for an arch (a skip, not an error), else undefined. */
  unavailable?: (release: string, flavour: string, arch: string) => string | undefined;
}

const DEBIAN: Distro = {
  scheme: 'debian',
  family: 'apt',
  label: 'Debian',
  releaseWord: 'suite',
  releases: ['bullseye', 'bookworm', 'bookworm-backports', 'trixie', 'trixie-backports', 'sid', 'experimental'],
  flavours: ['generic', 'cloud', 'rt'],
  // https works from this host; the InRelease signature, not TLS, protects integrity.
  mirrors: [{ name: 'mirror', url: 'https://deb.debian.org/debian' }],
  series: { bullseye: '5.10', bookworm: '6.1', 'bookworm-backports': '6.12', trixie: '6.12' },
  unavailable(release, flavour, arch) {
    if (arch !== 's390x') return undefined;
    if (release === 'bullseye') return 'Debian bullseye has no s390x kernel (bullseye is LTS-only)';
    if (flavour !== 'generic') return `Debian has no ${flavour} kernel flavour for s390x (only generic)`;
    return undefined;
  },
};

const UBUNTU_CLOUD = ['aws', 'azure', 'gcp', 'oracle'];

const UBUNTU: Distro = {
  scheme: 'ubuntu',
  family: 'apt',
  label: 'Ubuntu',
  releaseWord: 'series',
  releases: ['focal', 'jammy', 'noble', 'plucky', 'questing', 'resolute'],
  flavours: ['generic', 'hwe', ...UBUNTU_CLOUD],
  // amd64 (and i386) live in the archive; every other arch in ports.
  mirrors: [
    { name: 'mirror', url: 'http://archive.ubuntu.com/ubuntu' },
    { name: 'portsMirror', url: 'http://ports.ubuntu.com/ubuntu-ports' },
  ],
  series: { focal: '5.4', jammy: '5.15', noble: '6.8' },
  unavailable(release, flavour, arch) {
    if (arch === 's390x' && UBUNTU_CLOUD.includes(flavour)) return `Ubuntu builds no ${flavour} kernel for s390x`;
    const lts = ['focal', 'jammy', 'noble', 'resolute'];
    if (flavour === 'hwe' && !lts.includes(release)) return `Ubuntu ${release} is no LTS release: no HWE kernel`;
    return undefined;
  },
};

/** RPM's names for the arches, as the distributions' repositories spell them. */
export const RPM_ARCH: Readonly<Record<string, string>> = { amd64: 'x86_64', arm64: 'aarch64', s390x: 's390x' };

/**
 * The RPM family's entries: names, defaults and the arches each release builds;
 * images/rpm/ owns how they are read.
 */
const rpm = (
  scheme: string,
  label: string,
  releases: string[],
  mirrors: MirrorSpec[],
  built: (release: string) => readonly string[],
  flavours = ['generic'],
): Distro => ({
  scheme,
  family: 'rpm',
  label,
  releaseWord: 'release',
  releases,
  flavours,
  mirrors,
  unavailable(release, _flavour, arch) {
    const arches = built(release);
    if (arches.includes(arch)) return undefined;
    return `${label} ${release} is not built for ${RPM_ARCH[arch] ?? arch} (it builds ${arches.map((a) => RPM_ARCH[a]).join(', ')})`;
  },
});

const ALL = () => ['amd64', 'arm64', 's390x'];
const NO_S390X = () => ['amd64', 'arm64'];
const mirror = (url: string): MirrorSpec[] => [{ name: 'mirror', url }];

export const DISTROS: readonly Distro[] = [
  DEBIAN,
  UBUNTU,
  rpm('almalinux', 'AlmaLinux', ['8', '9', '10'], mirror('https://repo.almalinux.org/almalinux'), ALL),
  rpm('rocky', 'Rocky Linux', ['8', '9', '10'], mirror('https://dl.rockylinux.org/pub/rocky'), (r) => (r === '8' ? NO_S390X() : ALL())),
  rpm('centos-stream', 'CentOS Stream', ['9', '10'], mirror('https://mirror.stream.centos.org'), ALL),
  // s390x is a secondary arch of Fedora's, published in a tree of its own.
  rpm(
    'fedora',
    'Fedora',
    ['42', '43', '44'],
    [
      { name: 'mirror', url: 'https://dl.fedoraproject.org/pub/fedora/linux' },
      { name: 'secondaryMirror', url: 'https://dl.fedoraproject.org/pub/fedora-secondary' },
    ],
    ALL,
  ),
  rpm('amazonlinux', 'Amazon Linux', ['2', '2023'], mirror('https://cdn.amazonlinux.com'), NO_S390X),
  rpm('oraclelinux', 'Oracle Linux', ['8', '9', '10'], mirror('https://yum.oracle.com'), NO_S390X, ['generic', 'uek']),
];

/** Every scheme `kernels:` accepts, distributions first. */
export const KERNEL_SCHEMES: readonly string[] = [...DISTROS.map((d) => d.scheme), 'file', 'oci'];

export const distroOf = (scheme: string): Distro | undefined => DISTROS.find((d) => d.scheme === scheme);

/** `centos-stream` → `centosStream`: the prefix of its option keys. */
const camel = (scheme: string) => scheme.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
/** `centos-stream` + `portsMirror` → `PORTMATRIX_CENTOS_STREAM_PORTS_MIRROR`. */
const envName = (scheme: string, name: string) => `PORTMATRIX_${scheme.replace(/-/g, '_')}_${name.replace(/[A-Z]/g, (c) => `_${c}`)}`.toUpperCase();

/** One user-replaceable setting of a source: its `images:` key, environment variable and default. */
export interface SourceOption {
  scheme: string;
  /** `mirror`, `portsMirror` or `keyring`. */
  name: string;
  /** Key under `images:` in matrix.yaml, e.g. `ubuntuPortsMirror`, `debianKeyring`. */
  key: string;
  /** Environment variable, e.g. `PORTMATRIX_UBUNTU_PORTS_MIRROR`. */
  env: string;
  /** Default URL (mirrors); keyrings default to the source's own trust root. */
  default?: string;
}

/**
 * Every mirror and keyring option, derived from the registry so each source gets the
 * same shape: `<scheme>Mirror` / `PORTMATRIX_<SCHEME>_MIRROR`, `<scheme>Keyring` /
 * `PORTMATRIX_<SCHEME>_KEYRING` (a keyring file gpgv or rpmkeys reads).
 */
export function sourceOptions(): SourceOption[] {
  const option = (scheme: string, name: string, url?: string): SourceOption => ({
    scheme,
    name,
    key: `${camel(scheme)}${name[0]!.toUpperCase()}${name.slice(1)}`,
    env: envName(scheme, name),
    ...(url ? { default: url } : {}),
  });
  return DISTROS.flatMap((d) => [...d.mirrors.map((m) => option(d.scheme, m.name, m.url)), option(d.scheme, 'keyring')]);
}
