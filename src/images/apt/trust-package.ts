// Trust roots shipped as Debian packages (ubuntu-keyring, distribution-gpg-keys):
// fetched from Debian's own signed index, so their chain starts at the host's Debian
// keyring, and kept in the cache by sha256. A record names the files of the package
// last verified; later resolutions read them from the cache without the index.

import type { Arch } from '../../core/arch.js';
import { InfraError } from '../../errors.js';
import type { DebRef } from './deb822.js';
import { type DebianDeps, debBlobs } from './debian.js';
import { chooseNewest } from './debian-select.js';

/**
 * Packages of Debian that carry other distributions' keys (the store's index keeps them).
 * In trixie, ubuntu-archive-keyring is a transitional package with no files: its
 * dependency ubuntu-keyring holds /usr/share/keyrings/ubuntu-archive-keyring.gpg.
 */
export const TRUST_PACKAGES = ['ubuntu-keyring', 'distribution-gpg-keys'] as const;

/** Trixie is the first suite with both packages; arch-independent, so any arch's index lists them. */
const TRUST_SUITE = 'trixie';
const INDEX_ARCH: Arch = 'amd64';

interface TrustRecord {
  deb: DebRef;
  /** Member path → blob sha256. */
  files: Record<string, string>;
}

/**
 * The members of a trust package that `pick` matches, as blob paths by member path
 * (e.g. `usr/share/keyrings/ubuntu-archive-keyring.gpg`).
 */
export async function trustedDebianFiles(deps: DebianDeps, pkg: (typeof TRUST_PACKAGES)[number], pick: RegExp): Promise<Record<string, string>> {
  const recordFile = `trust/${pkg}-${pick.source.replace(/[^A-Za-z0-9]+/g, '_').slice(0, 60)}.json`;
  const record = await deps.cache.readJson<TrustRecord>(recordFile);
  if (record && Object.keys(record.files).length > 0) {
    const paths = await Promise.all(Object.values(record.files).map((hex) => deps.cache.verifiedBlob(hex)));
    if (paths.every(Boolean)) return Object.fromEntries(Object.keys(record.files).map((m, i) => [m, paths[i]!]));
  }
  const [deb] = chooseNewest(await deps.index(TRUST_SUITE, INDEX_ARCH), pkg, INDEX_ARCH);
  if (!deb) throw new InfraError(`Debian ${TRUST_SUITE} lists no ${pkg} package at ${deps.mirror}; it carries the keys portmatrix verifies with`);
  const files = await debBlobs(deps, deb, (members) => members.filter((m) => m.type === 'file' && pick.test(m.path)).map((m) => m.path), `.trust`);
  await deps.cache.writeJson(recordFile, { deb, files } satisfies TrustRecord);
  deps.log(`trust root: ${pkg} ${deb.version} from Debian ${TRUST_SUITE} (verified by its signed index)`);
  return Object.fromEntries(Object.entries(files).map(([m, hex]) => [m, deps.cache.blobPath(hex)]));
}
