// Where each RPM distribution keeps its kernel: repositories under the mirror,
// the kernel's package base name, the arches it builds and the key its packages
// are signed with (a file of Debian's distribution-gpg-keys package). Paths from
// each distribution's own documentation of its repositories (docs/kernels.md);
// which arches each builds is in core/distros.ts.

import type { Arch } from '../../core/arch.js';
import { RPM_ARCH } from '../../core/distros.js';

export interface RpmRepo {
  /** Which of the source's mirrors (`mirror`, `secondaryMirror`) the path is under. */
  mirror: string;
  /** Repository root (the directory holding repodata/) under that mirror. */
  path: string;
  /** The root is not fixed: `path` is a mirror.list whose first URL is the root (Amazon Linux). */
  mirrorList?: boolean;
}

export interface RpmLayout {
  repos: RpmRepo[];
  /** `kernel` or `kernel-uek`: package names derive from it (rpm-select.ts). */
  base: string;
  /** Path under /usr/share/distribution-gpg-keys/, or undefined when the package has no key for it. */
  keyFile?: string;
}

type Layout = (release: string, rpmArch: string, flavour: string) => RpmLayout;

/** The RHEL rebuilds: the kernel in BaseOS. */
const el =
  (dirOf: (r: string) => string, key: (r: string) => string): Layout =>
  (r, a) => ({
    repos: [{ mirror: 'mirror', path: `${dirOf(r)}/BaseOS/${a}/os` }],
    base: 'kernel',
    keyFile: key(r),
  });
const same = (r: string) => r;

/** UEK release a release's newest UEK repository carries. */
const UEK: Record<string, string> = { '8': 'UEKR7', '9': 'UEKR8', '10': 'UEKR8' };

const LAYOUTS: Record<string, Layout> = {
  almalinux: el(same, (r) => `alma/RPM-GPG-KEY-AlmaLinux-${r}`),
  // Rocky-8 is a link to rockyofficial in the Debian package; links are not followed.
  rocky: el(same, (r) => (r === '8' ? 'rocky/RPM-GPG-KEY-rockyofficial' : `rocky/RPM-GPG-KEY-Rocky-${r}`)),
  // Stream 9 and 10 are signed with CentOS's official key (SHA-256 self-signatures for 10).
  'centos-stream': el(
    (r) => `${r}-stream`,
    (r) => (r === '9' ? 'centos/RPM-GPG-KEY-CentOS-Official' : 'centos/RPM-GPG-KEY-CentOS-Official-SHA256'),
  ),
  fedora: (r, a) => {
    // s390x is one of Fedora's secondary arches, published in a tree of its own.
    const mirror = a === 's390x' ? 'secondaryMirror' : 'mirror';
    return {
      repos: [
        { mirror, path: `releases/${r}/Everything/${a}/os` },
        { mirror, path: `updates/${r}/Everything/${a}` },
      ],
      base: 'kernel',
      keyFile: `fedora/RPM-GPG-KEY-fedora-${r}-primary`,
    };
  },
  amazonlinux: (r, a) => ({
    repos: [
      {
        mirror: 'mirror',
        path: r === '2' ? `2/core/latest/${a}/mirror.list` : `al2023/core/mirrors/latest/${a}/mirror.list`,
        mirrorList: true,
      },
    ],
    base: 'kernel',
    keyFile: `amazon-linux/RPM-GPG-KEY-amazon-linux-${r}`,
  }),
  oraclelinux: (r, a, flavour) => ({
    repos: [
      {
        mirror: 'mirror',
        path: flavour === 'uek' ? `repo/OracleLinux/OL${r}/${UEK[r]}/${a}` : `repo/OracleLinux/OL${r}/baseos/latest/${a}`,
      },
    ],
    base: flavour === 'uek' ? 'kernel-uek' : 'kernel',
    // distribution-gpg-keys 1.119 has Oracle's keys up to OL9.
    keyFile: r === '8' || r === '9' ? `oraclelinux/RPM-GPG-KEY-oracle-ol${r}` : undefined,
  }),
};

export function rpmLayout(scheme: string, release: string, flavour: string, arch: Arch): RpmLayout {
  const layout = LAYOUTS[scheme];
  if (!layout) throw new Error(`no RPM repository layout for ${scheme}:`);
  return layout(release, RPM_ARCH[arch]!, flavour);
}
