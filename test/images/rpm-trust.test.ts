// The trust chain of the RPM family, against the REAL Debian mirror: the host's Debian
// keyring verifies trixie's InRelease, which verifies Packages, which verifies the
// distribution-gpg-keys .deb, whose key files must hold exactly the primary keys
// docs/kernels.md lists. Then the default key, used when no keyring is given, refuses
// packages signed by anyone else (a STAND-IN AlmaLinux 9 repository signed with a test key).

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Arch } from '../../src/core/arch.js';
import { fetchPackages } from '../../src/images/apt/debian-index.js';
import { trustedDebianFiles } from '../../src/images/apt/trust-package.js';
import { Cache } from '../../src/images/cache.js';
import { createFetcher } from '../../src/images/fetcher.js';
import { createImageStore, DEFAULT_DEBIAN_MIRROR, defaultImageOptions } from '../../src/images/store.js';
import { repoRoot } from '../helpers/cli.js';
import { type MirrorServer, serveMirror } from './mirror-server.js';
import { addKernel, createRepo, makeTestKey, type TestKey } from './rpm-mirror.js';

const KEYS_DIR = 'usr/share/distribution-gpg-keys';
let tmp: string;
let key: TestKey;
let server: MirrorServer;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'pm-rpm-trust-'));
  key = await makeTestKey('portmatrix test');
  const repo = path.join(tmp, 'mirror/almalinux/9/BaseOS/x86_64/os');
  await addKernel(repo, 'amd64', { base: 'kernel', split: 'core', version: '5.14.0', release: '503.el9', payload: 'xz' }, key, tmp);
  await createRepo(repo, 'xz');
  server = await serveMirror(path.join(tmp, 'mirror'), '');
}, 600_000);
afterAll(async () => server?.close());

/** key file → its primary fingerprints, as docs/kernels.md lists them under "RPM distribution keys". */
async function documented(): Promise<Map<string, string[]>> {
  const doc = await readFile(path.join(repoRoot, 'docs/kernels.md'), 'utf8');
  const start = doc.indexOf('### RPM distribution keys');
  const end = doc.indexOf('\n#', start + 1);
  const rows = doc
    .slice(start, end < 0 ? undefined : end)
    .split('\n')
    .filter((l) => l.startsWith('| `'));
  const out = new Map<string, string[]>();
  for (const row of rows) {
    const file = /\| `([a-z-]+\/RPM-GPG-KEY-[^`]+)` \|/.exec(row)?.[1];
    if (file) out.set(file, [...row.matchAll(/`([0-9A-F]{40})`/g)].map((m) => m[1]!).sort());
  }
  return out;
}

describe('RPM keys: the trust chain from the host Debian keyring', () => {
  it('distribution-gpg-keys from the real Debian trixie holds the keys docs/kernels.md lists', async () => {
    const fetcher = createFetcher({ concurrency: 2 });
    const common = {
      cache: new Cache(path.join(tmp, 'cache'), () => {}),
      fetcher,
      env: process.env,
      log: () => {},
      mirror: DEFAULT_DEBIAN_MIRROR,
    };
    const index = (suite: string, arch: Arch) => fetchPackages(common, suite, arch, (n) => n === 'distribution-gpg-keys');
    const docs = await documented();
    expect(docs.size).toBeGreaterThanOrEqual(15);
    const files = await trustedDebianFiles(
      { ...common, index },
      'distribution-gpg-keys',
      new RegExp(`^${KEYS_DIR}/(alma|rocky|centos|fedora|amazon-linux|oraclelinux)/RPM-GPG-KEY-`),
    );
    for (const [file, fingerprints] of docs) {
      const blob = files[`${KEYS_DIR}/${file}`];
      expect(blob, file).toBeDefined();
      const listing = execFileSync('gpg', ['--show-keys', '--with-colons', blob!], {
        stdio: ['ignore', 'pipe', 'ignore'],
      }).toString();
      // Primary keys only: a `fpr` record right after a `pub` record (subkeys follow `sub`).
      const primaries = [...listing.matchAll(/^pub:[^\n]*\nfpr:+([0-9A-F]{40}):/gm)].map((m) => m[1]!).sort();
      expect(primaries, file).toEqual(fingerprints);
    }
  }, 300_000);

  it('with no keyring given, the distribution key refuses a package signed by another key', async () => {
    const store = createImageStore(
      defaultImageOptions({ ...process.env }, undefined, {
        cacheDir: path.join(tmp, 'cache-run'),
        lockFile: undefined,
        sources: { almalinuxMirror: `${server.url}/almalinux` },
      }),
    );
    const keyId = key.fingerprint.slice(-8).toLowerCase();
    await expect(store.kernel('almalinux:9', 'amd64')).rejects.toThrow(
      new RegExp(`signed by key ID ${keyId}, which is not in the keyring \\(.*blobs/sha256/[0-9a-f]{64}\\)`),
    );
  }, 300_000);
});

describe('RPM trust roots (`doctor`)', () => {
  const roots = (sources: Record<string, string>) => {
    const options = { cacheDir: path.join(tmp, 'cache-roots'), lockFile: undefined, sources };
    const store = createImageStore(defaultImageOptions({ PATH: process.env.PATH }, undefined, options));
    return store.trustRoots('almalinux');
  };

  it('names the keyring given for the source, present or not', () => {
    expect(roots({ almalinuxKeyring: key.keyFile })).toEqual([
      {
        scheme: 'almalinux',
        path: key.keyFile,
        present: true,
        detail: 'the keyring given for this source: every RPM must be signed by a key in it',
      },
    ]);
    expect(roots({ almalinuxKeyring: path.join(tmp, 'missing.gpg') })).toMatchObject([{ present: false }]);
  });

  it("else names the distribution's key file of Debian's distribution-gpg-keys", () => {
    expect(roots({})).toEqual([
      {
        scheme: 'almalinux',
        path: "the AlmaLinux key file of Debian trixie's distribution-gpg-keys",
        present: true,
        detail: "every RPM must be signed by it (fetched through Debian's signed index when first needed)",
      },
    ]);
  });
});
