// Which Debian package ships a library: the suite's Contents-<arch> index (every
// file of every package, `path  section/package[,section/package]`), verified
// like the Packages index (signed InRelease → SHA256) and kept as a blob under
// its signed hash. Contents, not a soname → package-name guess, because the
// convention breaks for the very libraries loaders need most: libz.so.1 is in
// zlib1g, libcrypto.so.3 in libssl3, libstdc++.so.6 in libstdc++6 but
// libgcc_s.so.1 in libgcc-s1. Only read when a pre-flight finds a library missing.

import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { type Arch, librarySearchDirs } from '../../core/arch.js';
import { InfraError } from '../../errors.js';
import { type DebianIndexDeps, fetchSignedFile, signedRelease } from './debian-index.js';

/** Contents-<arch>.gz of the suite, verified, as a cache blob path. */
async function contentsFile(deps: DebianIndexDeps, suite: string, arch: Arch): Promise<string> {
  const release = await signedRelease(deps, suite);
  const rel = `main/Contents-${arch}.gz`;
  const want = release.get(rel);
  if (!want) throw new InfraError(`Debian ${suite} has no ${rel} in its InRelease`);
  const have = await deps.cache.verifiedBlob(want.sha256);
  if (have) return have;
  const tmp = await deps.cache.tempBlobPath(`Contents-${suite}-${arch}.gz`);
  await fetchSignedFile(deps, suite, rel, want, tmp);
  return deps.cache.commitBlob(tmp, want.sha256);
}

/** Scans Contents lines: soname → packages shipping it in a directory ld.so searches. */
export async function scanContents(lines: AsyncIterable<string>, sonames: readonly string[], arch: Arch): Promise<Map<string, string[]>> {
  const wanted = new Set(sonames);
  const dirs = new Set(librarySearchDirs(arch));
  const found = new Map<string, string[]>();
  for await (const line of lines) {
    const m = /^(\S+)\s+(\S+)$/.exec(line);
    if (!m) continue;
    const base = path.posix.basename(m[1]!);
    if (!wanted.has(base) || !dirs.has(path.posix.dirname(m[1]!))) continue;
    const pkgs = m[2]!.split(',').map((p) => p.slice(p.lastIndexOf('/') + 1));
    found.set(base, [...new Set([...(found.get(base) ?? []), ...pkgs])].sort());
  }
  return found;
}

/** soname → the packages of `suite` that ship it for `arch` (absent: no package does). */
export async function sonameProviders(deps: DebianIndexDeps, suite: string, arch: Arch, sonames: readonly string[]): Promise<Map<string, string[]>> {
  if (sonames.length === 0) return new Map();
  const file = await contentsFile(deps, suite, arch);
  const input = createReadStream(file).pipe(createGunzip());
  return scanContents(createInterface({ input, crlfDelay: Infinity }), sonames, arch);
}
