// The CPU architectures portmatrix boots, in our (Debian) names. Every layer
// may import this module: it depends on nothing.

export const ARCHES = ['amd64', 'arm64', 's390x'] as const;
export type Arch = (typeof ARCHES)[number];

/** Go's GOARCH for each arch (they coincide today; kept explicit for `{goarch}`). */
export const GOARCH: Record<Arch, string> = { amd64: 'amd64', arm64: 'arm64', s390x: 's390x' };

const NODE_ARCH: Partial<Record<string, Arch>> = { x64: 'amd64', arm64: 'arm64', s390x: 's390x' };

/** The host's arch in our names, undefined when portmatrix has no guest of that arch. */
export function hostArch(nodeArch: string = process.arch): Arch | undefined {
  return NODE_ARCH[nodeArch];
}

export type Accel = 'kvm' | 'tcg';

/** Debian's multiarch triplet: where the arch's libraries live (lib/<triplet>/). */
export const TRIPLET: Record<Arch, string> = {
  amd64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
  s390x: 's390x-linux-gnu',
};

/** The directories glibc's ld.so searches by itself on Debian (`ld.so --help`), relative to `/`. */
export function librarySearchDirs(arch: Arch): string[] {
  return [`lib/${TRIPLET[arch]}`, `usr/lib/${TRIPLET[arch]}`, 'lib', 'usr/lib'];
}
