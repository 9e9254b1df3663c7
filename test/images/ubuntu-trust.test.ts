// The trust chain of ubuntu: kernels, against the REAL Debian mirror: the host's Debian
// keyring verifies trixie's InRelease, which verifies Packages, which verifies the
// ubuntu-keyring .deb, whose ubuntu-archive-keyring.gpg must hold exactly the keys
// docs/kernels.md lists. Then that keyring, used by default, refuses an archive signed
// by anyone else (the STAND-IN archive of ubuntu-mirror.ts, signed with a test key).

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Arch } from '../../src/core/arch.js';
import { fetchPackages } from '../../src/images/apt/debian-index.js';
import { trustedDebianFiles } from '../../src/images/apt/trust-package.js';
import { UBUNTU_KEYRING_MEMBER } from '../../src/images/apt/ubuntu.js';
import { Cache } from '../../src/images/cache.js';
import { createFetcher } from '../../src/images/fetcher.js';
import { createImageStore, DEFAULT_DEBIAN_MIRROR } from '../../src/images/store.js';
import { repoRoot } from '../helpers/cli.js';
import { type MirrorServer, serveMirror } from './mirror-server.js';
import { buildUbuntuMirror, type UbuntuMirror } from './ubuntu-mirror.js';

let tmp: string;
let mirror: UbuntuMirror;
let server: MirrorServer;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'pm-ubuntu-trust-'));
  mirror = await buildUbuntuMirror(['amd64']);
  server = await serveMirror(mirror.root, '');
}, 1_200_000);
afterAll(async () => {
  await server?.close();
  mirror?.cleanup();
});

/** Debian's signed archive as the image store builds it (the host's keyring, the real mirror). */
function debianDeps(cacheDir: string) {
  const fetcher = createFetcher({ concurrency: 2 });
  const common = {
    cache: new Cache(cacheDir, () => {}),
    fetcher,
    env: process.env,
    log: () => {},
    mirror: DEFAULT_DEBIAN_MIRROR,
  };
  const index = (suite: string, arch: Arch) => fetchPackages(common, suite, arch, (n) => n === 'ubuntu-keyring');
  return { deps: { ...common, index }, fetcher };
}

/** The fingerprints docs/kernels.md lists under "Ubuntu archive keys". */
async function documented(): Promise<string[]> {
  const doc = await readFile(path.join(repoRoot, 'docs/kernels.md'), 'utf8');
  const start = doc.indexOf('### Ubuntu archive keys');
  const end = doc.indexOf('\n#', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/`([0-9A-F]{40})`/g)].map((m) => m[1]!).sort();
}

describe('ubuntu: the trust chain from the host Debian keyring', () => {
  it('ubuntu-keyring from the real Debian trixie holds the archive keys docs/kernels.md lists, and is cached', async () => {
    const first = debianDeps(path.join(tmp, 'cache'));
    const files = await trustedDebianFiles(first.deps, 'ubuntu-keyring', UBUNTU_KEYRING_MEMBER);
    const keyring = Object.values(files)[0]!;
    const listing = execFileSync('gpg', ['--show-keys', '--with-colons', keyring], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
    // Primary keys only: a `fpr` record right after a `pub` record (subkeys follow `sub`).
    const fingerprints = [...listing.matchAll(/^pub:.*\nfpr:+([0-9A-F]{40}):/gm)].map((m) => m[1]!).sort();
    const want = await documented();
    expect(want.length).toBeGreaterThanOrEqual(2);
    expect(fingerprints).toEqual(want);
    const again = debianDeps(path.join(tmp, 'cache'));
    expect(await trustedDebianFiles(again.deps, 'ubuntu-keyring', UBUNTU_KEYRING_MEMBER)).toEqual(files);
    expect(again.fetcher.requests()).toBe(0);
  }, 600_000);

  it('by default, that keyring refuses an archive signed with another key, and no package is fetched', async () => {
    const store = createImageStore({
      env: process.env,
      cacheDir: path.join(tmp, 'store'),
      debianMirror: DEFAULT_DEBIAN_MIRROR,
      sources: { ubuntuMirror: `${server.url}/ubuntu` },
    });
    await expect(store.kernel('ubuntu:jammy', 'amd64')).rejects.toThrow(/InRelease signature check failed .*blobs\/sha256/);
    expect(server.requests.some((r) => r.endsWith('.deb'))).toBe(false);
  }, 600_000);
});
