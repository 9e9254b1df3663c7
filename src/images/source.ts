// Kernel source strings as written in matrix.yaml: debian:<suite>[/<flavour>],
// file:<path>, oci:<ref>. Pure parsing; the store dispatches on `kind`.

import path from 'node:path';
import { UsageError } from '../errors.js';

export type KernelSource =
  | { kind: 'debian'; suite: string; flavour?: string }
  | { kind: 'file'; path: string }
  | { kind: 'oci'; ref: string };

export function parseKernelSource(source: string, baseDir = '.'): KernelSource {
  const colon = source.indexOf(':');
  const scheme = colon > 0 ? source.slice(0, colon) : '';
  const rest = source.slice(colon + 1);
  if (scheme === 'debian') {
    const m = /^([a-z][a-z0-9.-]*)(?:\/([a-z0-9][a-z0-9-]*))?$/.exec(rest);
    if (!m) throw new UsageError(`kernel source "${source}": expected debian:<suite>[/<flavour>], e.g. debian:bookworm/cloud`);
    return { kind: 'debian', suite: m[1]!, flavour: m[2] && m[2] !== 'generic' ? m[2] : undefined };
  }
  if (scheme === 'file') {
    if (!rest) throw new UsageError(`kernel source "${source}": expected file:<path to vmlinuz/bzImage/Image>`);
    return { kind: 'file', path: path.resolve(baseDir, rest) };
  }
  if (scheme === 'oci') {
    if (!/^[^\s/]+\/\S+$/.test(rest)) throw new UsageError(`kernel source "${source}": expected oci:<registry>/<repository>[:tag|@sha256:...]`);
    return { kind: 'oci', ref: rest };
  }
  throw new UsageError(`kernel source "${source}": unknown scheme; use debian:<suite>[/<flavour>], file:<path> or oci:<ref>`);
}

/** The canonical lock key source: the flavour override applied, `generic` dropped. */
export function canonicalSource(source: string, flavour?: string): string {
  const parsed = parseKernelSource(source);
  if (parsed.kind !== 'debian') return source;
  const f = flavour && flavour !== 'generic' ? flavour : parsed.flavour;
  return f ? `debian:${parsed.suite}/${f}` : `debian:${parsed.suite}`;
}
