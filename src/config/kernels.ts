// Kernel sources as written in matrix.yaml: parsing, validation facts and the
// default short names used in cell ids.

import path from 'node:path';

export const DEBIAN_SUITES = ['bullseye', 'bookworm', 'bookworm-backports', 'trixie', 'sid'] as const;
export const DEBIAN_FLAVOURS = ['generic', 'cloud', 'rt'] as const;
export const LIBC_SUITES = ['bullseye', 'bookworm', 'trixie', 'sid'] as const;

/** Kernel series each stable suite ships (sid moves, so it has none): lets `--only kernel=6.12` work. */
export const SUITE_SERIES: Record<string, string> = {
  bullseye: '5.10',
  bookworm: '6.1',
  'bookworm-backports': '6.12',
  trixie: '6.12',
};

export type ParsedSource =
  | { kind: 'debian'; suite: string; flavour: string }
  | { kind: 'file'; path: string }
  | { kind: 'oci'; ref: string };

/** Splits a source without validating its parts; undefined for an unknown scheme. */
export function parseSource(source: string): ParsedSource | undefined {
  const colon = source.indexOf(':');
  const scheme = colon < 0 ? '' : source.slice(0, colon);
  const rest = source.slice(colon + 1);
  if (scheme === 'debian') {
    // `debian:bookworm/cloud/extra` keeps `cloud/extra` as its flavour, which validation rejects.
    const [suite = '', ...flavour] = rest.split('/');
    return { kind: 'debian', suite, flavour: flavour.length ? flavour.join('/') : 'generic' };
  }
  if (scheme === 'file') return { kind: 'file', path: rest };
  if (scheme === 'oci') return { kind: 'oci', ref: rest };
  return undefined;
}

/** Lower case, anything outside [a-z0-9._-] becomes `-`: names end up in ids and file names. */
export function sanitiseName(raw: string): string {
  return raw.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
}

/** `debian-bookworm[-cloud]`, `file-<basename without a letter extension>`, `oci-<repo>-<tag>`. */
export function defaultKernelName(parsed: ParsedSource): string {
  switch (parsed.kind) {
    case 'debian':
      return sanitiseName(`debian-${parsed.suite}${parsed.flavour === 'generic' ? '' : `-${parsed.flavour}`}`);
    case 'file': {
      const base = path.basename(parsed.path);
      // `.efi`, `.img` are extensions; the `.6` of `vmlinuz-6.6` is part of a version.
      const ext = /^\.[a-z][a-z0-9]*$/i.test(path.extname(base)) ? path.extname(base) : '';
      return sanitiseName(`file-${ext ? base.slice(0, -ext.length) : base}`);
    }
    case 'oci': {
      // ghcr.io/cilium/ci-kernels:6.12 → ci-kernels + 6.12; a digest keeps 12 hex digits.
      const [nameAndTag = '', digest] = parsed.ref.split('@', 2);
      const lastSlash = nameAndTag.lastIndexOf('/');
      const tagColon = nameAndTag.indexOf(':', lastSlash + 1);
      const repo = tagColon < 0 ? nameAndTag : nameAndTag.slice(0, tagColon);
      const tag = digest ? digest.replace(/^sha256:/, '').slice(0, 12) : tagColon < 0 ? 'latest' : nameAndTag.slice(tagColon + 1);
      return sanitiseName(`oci-${repo.slice(repo.lastIndexOf('/') + 1)}-${tag}`);
    }
  }
}

/** Why a Debian kernel has no build for an arch (docs/facts.md), or undefined when it has one. */
export function debianUnavailable(suite: string, flavour: string, arch: string): string | undefined {
  if (arch === 's390x' && suite === 'bullseye') return 'Debian bullseye has no s390x kernel (bullseye is LTS-only)';
  if (arch === 's390x' && flavour !== 'generic') return `Debian has no ${flavour} kernel flavour for s390x (only generic)`;
  return undefined;
}
