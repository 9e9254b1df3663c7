// Kernel sources as written in matrix.yaml: parsing, validation facts and the
// default short names used in cell ids.

import path from 'node:path';
import { DISTROS, distroOf } from '../core/distros.js';

export const LIBC_SUITES = ['bullseye', 'bookworm', 'trixie', 'sid'] as const;

/** Every flavour some distribution knows (a config's `flavour:` must be one). */
export const ALL_FLAVOURS: readonly string[] = [...new Set(DISTROS.flatMap((d) => d.flavours))];

/** Kernel series a release ships: lets `--only kernel=6.12` work. */
export function releaseSeries(scheme: string, release: string): string | undefined {
  return distroOf(scheme)?.series?.[release];
}

export type ParsedSource = { kind: 'distro'; scheme: string; release: string; flavour: string } | { kind: 'file'; path: string } | { kind: 'oci'; ref: string };

/** Splits a source without validating its parts; undefined for an unknown scheme. */
export function parseSource(source: string): ParsedSource | undefined {
  const colon = source.indexOf(':');
  const scheme = colon < 0 ? '' : source.slice(0, colon);
  const rest = source.slice(colon + 1);
  const distro = distroOf(scheme);
  if (distro) {
    // `debian:bookworm/cloud/extra` keeps `cloud/extra` as its flavour, which validation rejects.
    const [release = '', ...flavour] = rest.split('/');
    return { kind: 'distro', scheme, release, flavour: flavour.length ? flavour.join('/') : distro.flavours[0]! };
  }
  if (scheme === 'file') return { kind: 'file', path: rest };
  if (scheme === 'oci') return { kind: 'oci', ref: rest };
  return undefined;
}

/** Lower case, anything outside [a-z0-9._-] becomes `-`: names end up in ids and file names. */
export function sanitiseName(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** `debian-bookworm[-cloud]`, `ubuntu-noble-hwe`, `file-<basename without a letter extension>`, `oci-<repo>-<tag>`. */
export function defaultKernelName(parsed: ParsedSource): string {
  switch (parsed.kind) {
    case 'distro': {
      const fallback = distroOf(parsed.scheme)?.flavours[0];
      return sanitiseName(`${parsed.scheme}-${parsed.release}${parsed.flavour === fallback ? '' : `-${parsed.flavour}`}`);
    }
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

/** Why a distribution's kernel has no build for an arch (docs/facts.md), or undefined when it has one. */
export function distroUnavailable(parsed: ParsedSource | undefined, arch: string): string | undefined {
  if (parsed?.kind !== 'distro') return undefined;
  return distroOf(parsed.scheme)?.unavailable?.(parsed.release, parsed.flavour, arch);
}
