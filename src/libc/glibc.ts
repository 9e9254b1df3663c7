// glibc facts for the libc axis: which glibc each Debian suite ships, what a
// symbol-version name asks for, and which sonames Debian's libc6 package holds.
// The suite table lets the pre-boot check answer without a download; at run time
// the version is read from the unpacked libc6 itself (glibcVersionOfTree), and a
// test checks the two agree.

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** glibc major.minor of each stable suite's libc6 (sid moves: read from the tree). */
export const SUITE_GLIBC: Record<string, string> = {
  bullseye: '2.31',
  bookworm: '2.36',
  trixie: '2.41',
};

/**
 * Sonames Debian's libc6 package provides (all arches: only the ld.so name differs).
 * A loader needing anything else (libbpf.so.1, libelf.so.1, libz.so.1) must ship it.
 */
const LIBC6_SONAMES = [
  'libc.so.6',
  'libm.so.6',
  'libpthread.so.0',
  'libdl.so.2',
  'librt.so.1',
  'libresolv.so.2',
  'libutil.so.1',
  'libnsl.so.1',
  'libanl.so.1',
  'libBrokenLocale.so.1',
  'libmvec.so.1',
  'libthread_db.so.1',
  'libc_malloc_debug.so.0',
  'libnss_files.so.2',
  'libnss_dns.so.2',
  'libnss_compat.so.2',
  'libnss_hesiod.so.2',
  'libmemusage.so',
  'libpcprofile.so',
];

/** True for libraries that come with libc6, including the dynamic linker itself. */
export function isLibc6Library(soname: string): boolean {
  return LIBC6_SONAMES.includes(soname) || /^ld(-linux[\w-]*|64)\.so\.\d+$/.test(soname);
}

/** glibc's own dynamic linkers: /lib64/ld-linux-x86-64.so.2, /lib/ld-linux-aarch64.so.1, /lib/ld64.so.1 (s390x). */
export function isGlibcInterpreter(interp: string): boolean {
  return /\/ld(-linux[\w-]*|64)\.so\.\d+$/.test(interp);
}

/**
 * The glibc release a version name needs, as [major, minor, patch]:
 * GLIBC_2.38 → [2, 38, 0]; GLIBC_2.3.4 → [2, 3, 4]. GLIBC_ABI_DT_RELR marks
 * binaries linked with -z pack-relative-relocs, which glibc understands from 2.36.
 * GLIBC_PRIVATE and unknown names → undefined (not a release requirement).
 */
export function glibcRelease(versionName: string): [number, number, number] | undefined {
  if (versionName === 'GLIBC_ABI_DT_RELR') return [2, 36, 0];
  const m = /^GLIBC_(\d+)\.(\d+)(?:\.(\d+))?$/.exec(versionName);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export function compareRelease(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** '2.31' → [2, 31]. */
export function parseRelease(v: string): number[] {
  return v.split('.').map(Number);
}

/**
 * The newest glibc release a loader's version needs ask for, over every libc6
 * library it uses, with the names that ask for it (e.g. GLIBC_2.38).
 */
export function newestGlibcNeed(versionNeeds: Record<string, string[]>): { release: number[]; names: string[] } | undefined {
  let best: { release: number[]; names: string[] } | undefined;
  for (const [lib, names] of Object.entries(versionNeeds)) {
    if (!isLibc6Library(lib)) continue;
    for (const name of names) {
      const rel = glibcRelease(name);
      if (!rel) continue;
      const c = best ? compareRelease(rel, best.release) : 1;
      if (c > 0) best = { release: rel, names: [name] };
      else if (c === 0 && best && !best.names.includes(name)) best.names.push(name);
    }
  }
  return best;
}

/** `2.38`, or `2.3.4` when the patch level matters. */
export function formatRelease(r: readonly number[]): string {
  return (r[2] ? r : r.slice(0, 2)).join('.');
}

/**
 * The glibc version of an unpacked libc6 tree, from the banner every libc.so.6
 * carries ("... stable release version 2.36."): no need to run a foreign-arch binary.
 */
export async function glibcVersionOfTree(dir: string): Promise<string | undefined> {
  for (const base of ['lib', 'usr/lib']) {
    const names = await readdir(path.join(dir, base)).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith('-linux-gnu')).sort()) {
      const so = await readFile(path.join(dir, base, name, 'libc.so.6')).catch(() => undefined);
      const m = so && /release version (\d+\.\d+(?:\.\d+)?)/.exec(so.toString('latin1'));
      if (m) return m[1];
    }
  }
  return undefined;
}
