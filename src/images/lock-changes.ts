// What moved between two versions of portmatrix.lock: the kernels and packages whose
// sources now offer another build (`lock --check` lists them, `lock --update` and
// `images update` print them). Pure: two locks in, one line per change out.

import { compareIds } from '../core/cell.js';
import type { LockData, LockedKernel, LockedPackage } from './lockfile.js';

/** The lock's sections that name what a source offers; `btf` follows its kernel. */
const SECTIONS = ['kernels', 'busybox', 'libc', 'packages'] as const;
type Section = (typeof SECTIONS)[number];

/** How a change is named: `kernel`, `busybox`, `libc`, `packages`. */
const KIND: Record<Section, string> = { kernels: 'kernel', busybox: 'busybox', libc: 'libc', packages: 'packages' };

export interface LockChange {
  kind: string;
  /** The lock's key: `debian:trixie amd64`, `amd64`, `trixie arm64`. */
  key: string;
  /** The build locked before; absent when the key was not locked. */
  from?: string;
  to: string;
}

/** A kernel by its release and package version; packages by each .deb's version. */
function buildOf(section: Section, entry: unknown): string {
  if (section === 'kernels') {
    const k = entry as LockedKernel;
    return [k.release, k.version ?? k.manifestDigest?.slice(0, 19) ?? k.kernelSha256.slice(0, 12)].join(' ');
  }
  const { debs = [], sha256 = '' } = entry as LockedPackage;
  return debs.length ? debs.map((d) => `${d.package} ${d.version}`).join(', ') : sha256.slice(0, 12);
}

/** Every entry of `after` that differs from `before`, sorted by kind and key. */
export function lockChanges(before: LockData, after: LockData): LockChange[] {
  const changes: LockChange[] = [];
  for (const section of SECTIONS) {
    const was = before[section] as Record<string, unknown>;
    for (const [key, entry] of Object.entries(after[section] as Record<string, unknown>)) {
      if (JSON.stringify(was[key]) === JSON.stringify(entry)) continue;
      const from = was[key] === undefined ? undefined : buildOf(section, was[key]);
      changes.push({ kind: KIND[section], key, ...(from === undefined ? {} : { from }), to: buildOf(section, entry) });
    }
  }
  return changes.sort((a, b) => compareIds(a.kind, b.kind) || compareIds(a.key, b.key));
}

/** `kernel debian:trixie amd64: 6.12.107+deb13-amd64 6.12.107-1 → 6.12.117+deb13-amd64 6.12.117-1`. */
export function lockChangeText(c: LockChange): string {
  return `${c.kind} ${c.key}: ${c.from ?? '(not locked)'} → ${c.to}`;
}
