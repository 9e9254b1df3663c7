// Kernel source strings as written in matrix.yaml: <distro>:<release>[/<flavour>],
// file:<path>, oci:<ref>. Pure parsing; the store hands a distribution's source to
// its family (sources.ts).

import path from 'node:path';
import { distroOf, KERNEL_SCHEMES } from '../core/distros.js';
import { UsageError } from '../errors.js';

export type KernelSource =
  /** `flavour` undefined = the distribution's default flavour. */
  { kind: 'distro'; scheme: string; release: string; flavour?: string } | { kind: 'file'; path: string } | { kind: 'oci'; ref: string };

export function parseKernelSource(source: string, baseDir = '.'): KernelSource {
  const colon = source.indexOf(':');
  const scheme = colon > 0 ? source.slice(0, colon) : '';
  const rest = source.slice(colon + 1);
  const distro = distroOf(scheme);
  if (distro) {
    const m = /^([a-z0-9][a-z0-9.-]*)(?:\/([a-z0-9][a-z0-9-]*))?$/.exec(rest);
    if (!m) throw new UsageError(`kernel source "${source}": expected ${scheme}:<release>[/<flavour>], e.g. ${scheme}:${distro.releases.at(-1)}`);
    return { kind: 'distro', scheme, release: m[1]!, flavour: m[2] && m[2] !== distro.flavours[0] ? m[2] : undefined };
  }
  if (scheme === 'file') {
    if (!rest) throw new UsageError(`kernel source "${source}": expected file:<path to vmlinuz/bzImage/Image>`);
    return { kind: 'file', path: path.resolve(baseDir, rest) };
  }
  if (scheme === 'oci') {
    if (!/^[^\s/]+\/\S+$/.test(rest)) throw new UsageError(`kernel source "${source}": expected oci:<registry>/<repository>[:tag|@sha256:...]`);
    return { kind: 'oci', ref: rest };
  }
  throw new UsageError(`kernel source "${source}": unknown scheme; use one of ${KERNEL_SCHEMES.map((s) => `${s}:`).join(', ')}`);
}

/** The canonical lock key source: the flavour override applied, the default flavour dropped. */
export function canonicalSource(source: string, flavour?: string): string {
  const parsed = parseKernelSource(source);
  if (parsed.kind !== 'distro') return source;
  const fallback = distroOf(parsed.scheme)!.flavours[0];
  const f = flavour && flavour !== fallback ? flavour : parsed.flavour;
  return f ? `${parsed.scheme}:${parsed.release}/${f}` : `${parsed.scheme}:${parsed.release}`;
}
