// Guest packages (`packages:` in matrix.yaml): resolve the names through their
// Depends (debian-depends.ts), fetch each .deb through the verified path kernels
// use (signed InRelease → Packages → .deb size and sha256), keep the .debs as
// blobs, and unpack them together into one tree at their normal paths
// (lib/<triplet>/libz.so.1, usr/lib/<triplet>/libelf.so.1, ...), so the guest's
// ld.so finds them on its built-in search path without LD_LIBRARY_PATH.
//
//   <cacheDir>/blobs/sha256/<deb sha256>   each .deb, verified on every read
//   <cacheDir>/trees/<tree id>/            the unpacked set; id = sha256 of its .debs

import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Arch } from '../../core/arch.js';
import { InfraError } from '../../errors.js';
import { sha256Buffer } from '../cache.js';
import { NotFoundError } from '../fetcher.js';
import type { LockedPackage } from '../lockfile.js';
import { makeTree } from '../tree.js';
import { downloadDeb, extractDeb } from './deb.js';
import type { DebRef, Stanza } from './deb822.js';
import type { DebianDeps } from './debian.js';
import { type ResolveOptions, resolvePackages } from './debian-depends.js';

export interface GuestPackages {
  /** The unpacked tree, to merge at the guest's `/`. */
  root: string;
  /** What portmatrix.lock records: every .deb, and the tree id in `sha256`. */
  lock: LockedPackage;
  /** Dependencies not followed and why; empty when the set came from the lock. */
  skipped: { package: string; reason: string }[];
}

/** Documentation and translations: no program reads them, and they bloat the initramfs. */
const UNUSED = ['usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale', 'usr/share/lintian'];

/** The tree id of a set of .debs: the same debs always give the same tree. */
export const packagesTreeId = (debs: readonly DebRef[]) =>
  sha256Buffer(
    debs
      .map((d) => d.sha256)
      .sort()
      .join('\n'),
  );

/** The verified .deb as a cache blob (downloaded and checked against the index once). */
export async function debBlob(deps: DebianDeps, ref: DebRef): Promise<string> {
  const have = await deps.cache.verifiedBlob(ref.sha256);
  if (have) return have;
  return deps.cache.withLock(
    `deb-${ref.sha256}`,
    async () => {
      const again = await deps.cache.verifiedBlob(ref.sha256);
      if (again) return again;
      try {
        return await deps.cache.commitBlob(await downloadDeb(deps.fetcher, deps.cache, deps.mirror, ref), ref.sha256);
      } catch (error) {
        // A locked version the mirror has since dropped: only a new resolution helps.
        if (error instanceof NotFoundError)
          throw new InfraError(`${ref.package} ${ref.version} is gone from the mirror (${ref.filename}); run \`portmatrix images update\``, { cause: error });
        throw error;
      }
    },
    deps.signal,
  );
}

/** Unpacks the .debs into trees/<id>/ once; a crash mid-way leaves no marker, so it is redone. */
function unpackTree(deps: DebianDeps, debs: readonly DebRef[]): Promise<string> {
  return makeTree(
    deps.cache,
    packagesTreeId(debs),
    { debs },
    async (scratch) => {
      for (const ref of debs) await extractDeb(await debBlob(deps, ref), scratch, 'all', deps);
      for (const unused of UNUSED) await rm(path.join(scratch, unused), { recursive: true, force: true });
    },
    deps.signal,
  );
}

/**
 * The packages `names` of `suite` for `arch`, unpacked. With `locked` (the lock's
 * entry for the same names) no index is read: the pinned .debs are fetched by hash.
 * `index` must return every stanza of the suite (Depends can name anything).
 */
export async function debianPackages(
  deps: DebianDeps,
  index: (suite: string, arch: Arch) => Promise<Stanza[]>,
  names: readonly string[],
  suite: string,
  arch: Arch,
  locked?: LockedPackage,
  opts: ResolveOptions = {},
): Promise<GuestPackages> {
  if (locked?.debs.length) {
    const root = await unpackTree(deps, locked.debs);
    return { root, lock: { sha256: packagesTreeId(locked.debs), debs: locked.debs }, skipped: [] };
  }
  const { debs, skipped } = resolvePackages(await index(suite, arch), names, suite, arch, opts);
  deps.log(`packages ${suite} ${arch}: ${debs.map((d) => `${d.package} ${d.version}`).join(', ')}`);
  const root = await unpackTree(deps, debs);
  return { root, lock: { sha256: packagesTreeId(debs), debs }, skipped };
}
