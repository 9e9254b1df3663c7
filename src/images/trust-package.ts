// Trust roots that Debian packages: distribution keys (distribution-gpg-keys,
// ubuntu-archive-keyring) fetched from Debian trixie's signed index like any
// guest package, so their trust starts at the host's Debian keyring. Bookworm
// has neither package; trixie's are architecture-independent.

import { fetchPackages } from './apt/debian-index.js';
import { debianPackages } from './apt/debian-packages.js';
import type { DebianDeps } from './apt/debian.js';

/** The suite the trust packages come from. */
export const TRUST_SUITE = 'trixie';

/** The unpacked tree of Debian package `name` (newest in trixie), verified through the signed index. */
export async function trustPackageTree(debian: DebianDeps, name: string): Promise<string> {
  const index = () => fetchPackages(debian, TRUST_SUITE, 'amd64', (n) => n === name);
  const got = await debianPackages(debian, index, [name], TRUST_SUITE, 'amd64');
  return got.root;
}
