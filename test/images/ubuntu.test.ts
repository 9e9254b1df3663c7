// ubuntu: kernels from a STAND-IN of Ubuntu's archive and ports (ubuntu-mirror.ts:
// real Debian kernels repackaged in Ubuntu's layout, InRelease signed with a test key
// given through ubuntuKeyring, served on 127.0.0.1): this machine cannot reach Ubuntu.
// A user's session: pull from the right archive and pocket, pull again offline, and
// refuse every kind of tampering without caching anything.

import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Arch } from '../../src/core/arch.js';
import { createImageStore } from '../../src/images/store.js';
import { useTestLock } from '../helpers/dev-kernels.js';
import { cli } from '../plan/helpers.js';
import { type MirrorServer, serveMirror } from './mirror-server.js';
import { buildUbuntuMirror, type UbuntuMirror } from './ubuntu-mirror.js';

let mirror: UbuntuMirror;
let server: MirrorServer;

beforeAll(async () => {
  mirror = await buildUbuntuMirror();
  server = await serveMirror(mirror.root, '');
}, 1_200_000);
afterAll(async () => {
  await server?.close();
  mirror?.cleanup();
});

function store(name: string) {
  const dir = path.join(mirror.root, 'stores', name);
  const lines: string[] = [];
  const s = createImageStore({
    env: process.env,
    cacheDir: path.join(dir, 'cache'),
    // Nothing of Debian's is needed when the Ubuntu keyring is given.
    debianMirror: 'http://unused.invalid/debian',
    sources: {
      ubuntuMirror: `${server.url}/ubuntu`,
      ubuntuPortsMirror: `${server.url}/ubuntu-ports`,
      ubuntuKeyring: mirror.keyring,
    },
    lockFile: path.join(dir, 'portmatrix.lock'),
    log: (l) => lines.push(l),
  });
  return { s, lines, dir };
}

/** Every file the cache kept: blobs, .deb records, unpacked trees. */
async function cached(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ['blobs/sha256', 'debs', 'trees']) out.push(...(await readdir(path.join(dir, 'cache', sub)).catch(() => [])));
  return out;
}

const expected = (source: string, arch: Arch) => mirror.kernels.find((k) => k.source === source && k.arch === arch)!;

describe('ubuntu: kernels from a stand-in archive', () => {
  it('jammy amd64: the newest kernel of -updates/-security from the archive, its modules, then offline', async () => {
    server.requests.length = 0;
    const { s, dir } = store('jammy');
    const k = await s.kernel('ubuntu:jammy', 'amd64');
    const want = expected('ubuntu:jammy', 'amd64');
    expect([k.release, k.package, k.version]).toEqual([want.release, want.package, want.version]);
    expect(k.facts.btf).toBe(true);
    expect(server.requests.filter((r) => r.endsWith('InRelease')).sort()).toEqual(
      ['jammy', 'jammy-security', 'jammy-updates'].map((p) => `ubuntu/dists/${p}/InRelease`).sort(),
    );
    expect(server.requests.filter((r) => r.endsWith('.deb'))).toEqual([
      `ubuntu/pool/main/l/linux/linux-image-unsigned-6.1.0-50-generic_6.1.0-50.60_amd64.deb`,
      `ubuntu/pool/main/l/linux/linux-modules-6.1.0-50-generic_6.1.0-50.60_amd64.deb`,
    ]);
    // Debian's 6.1 builds the virtio console as a module: it comes from linux-modules-*.
    const modules = await s.virtioModules(k);
    expect(modules?.map((m) => m.name)).toContain('virtio_console');
    // btf: auto on a kernel without BTF: the error names Ubuntu's debug package and the way out.
    await expect(s.generatedBtf(k)).rejects.toThrow(
      `not from ${want.package}-dbgsym from Ubuntu's debug archive (http://ddebs.ubuntu.com); give the BTF with btf: file:<path>`,
    );
    const lock = JSON.parse(await readFile(path.join(dir, 'portmatrix.lock'), 'utf8'));
    expect(lock.kernels['ubuntu:jammy amd64']).toMatchObject({
      release: want.release,
      kernelSha256: k.sha256,
      debs: [{ package: want.package }, { package: 'linux-modules-6.1.0-50-generic' }],
    });

    server.requests.length = 0;
    const again = store('jammy').s;
    const k2 = await again.kernel('ubuntu:jammy', 'amd64');
    await again.virtioModules(k2);
    expect([server.requests, k2.sha256, k2.downloaded]).toEqual([[], k.sha256, false]);
  }, 600_000);

  it.each([['arm64'], ['s390x']] as const)(
    'noble/hwe and jammy %s come from ports',
    async (arch) => {
      server.requests.length = 0;
      const { s } = store(`ports-${arch}`);
      for (const source of ['ubuntu:noble/hwe', 'ubuntu:jammy']) {
        const k = await s.kernel(source, arch);
        expect(k.release).toBe(expected(source, arch).release);
      }
      expect(server.requests.length).toBeGreaterThan(0);
      expect(server.requests.every((r) => r.startsWith('ubuntu-ports/'))).toBe(true);
    },
    600_000,
  );

  it('kernels ubuntu:jammy: the mirrors and the keyring from the environment', async () => {
    const env = {
      PATH: process.env.PATH,
      PORTMATRIX_UBUNTU_MIRROR: `${server.url}/ubuntu`,
      PORTMATRIX_UBUNTU_PORTS_MIRROR: `${server.url}/ubuntu-ports`,
      PORTMATRIX_UBUNTU_KEYRING: mirror.keyring,
    };
    const cache = path.join(mirror.root, 'stores', 'kernels-cache');
    const run = await cli(['kernels', 'ubuntu:jammy', '--arch', 'amd64,s390x', '--cache-dir', cache], mirror.root, env);
    expect(run.code, run.stderr).toBe(0);
    const rows = run.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s{2,}/).slice(1, 4));
    expect(rows).toEqual([
      ['generic', 'amd64', expected('ubuntu:jammy', 'amd64').release],
      ['generic', 's390x', expected('ubuntu:jammy', 's390x').release],
      ['hwe', 'amd64', '— none in the index'],
      ['hwe', 's390x', '— none in the index'],
      ...['aws', 'azure', 'gcp', 'oracle'].flatMap((f) => [
        [f, 'amd64', '— none in the index'],
        [f, 's390x', `— Ubuntu builds no ${f} kernel for s390x`],
      ]),
    ]);
  }, 120_000);

  it('images pull, images ls, then a second pull from the lock and the cache alone', async () => {
    const dir = path.join(mirror.root, 'project');
    await mkdir(dir, { recursive: true });
    const images = `images: {ubuntuMirror: ${server.url}/ubuntu, ubuntuPortsMirror: ${server.url}/ubuntu-ports, ubuntuKeyring: ${mirror.keyring}}`;
    await writeFile(path.join(dir, 'matrix.yaml'), `kernels: [ubuntu:jammy]\narches: [amd64]\n${images}\nloader: {path: ./loader}\n`);
    await writeFile(path.join(dir, 'loader'), '#!/bin/sh\n');
    // Busybox stays Debian's, pinned like every test's; the cache is the shared one.
    await useTestLock(dir);
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    const pull = await cli(['images', 'pull'], dir, env);
    expect(pull.code, pull.stderr).toBe(0);
    const want = expected('ubuntu:jammy', 'amd64');
    expect(pull.stdout).toContain(`ubuntu:jammy amd64: ${want.release} ${want.package} ${want.version} — `);
    expect(pull.stdout).toMatch(/boot modules/);
    const ls = await cli(['images', 'ls'], dir, env);
    expect(ls.stdout).toContain(`ubuntu:jammy amd64 ${want.package}`);
    expect(ls.stdout).toContain('ubuntu:jammy amd64 linux-modules-6.1.0-50-generic');
    server.requests.length = 0;
    const again = await cli(['images', 'pull'], dir, env);
    expect([again.code, server.requests]).toEqual([0, []]);
    expect(again.stdout).toMatch(/^0 HTTP requests; lock /m);
  }, 300_000);

  it('a release without the flavour, and a series the mirror lacks, are clear errors', async () => {
    const { s } = store('missing');
    await expect(s.kernel('ubuntu:noble', 'amd64')).rejects.toThrow(/no generic kernel for amd64 in noble, noble-updates, noble-security/);
    await expect(s.kernel('ubuntu:focal', 'arm64')).rejects.toThrow(
      `${server.url}/ubuntu-ports/dists/focal/InRelease is not there (404): the mirror does not carry focal`,
    );
  }, 120_000);
});

describe('ubuntu: what is refused, and nothing of it cached', () => {
  const updates = 'ubuntu/dists/jammy-updates';
  const refuse = async (name: string, why: RegExp) => {
    const { s, dir } = store(name);
    await expect(s.kernel('ubuntu:jammy', 'amd64')).rejects.toThrow(why);
    expect(await cached(dir)).toEqual([]);
  };

  it('a tampered Packages index', async () => {
    const rel = `${updates}/main/binary-amd64/Packages.xz`;
    const bytes = await readFile(path.join(mirror.root, rel));
    server.tamper.set(rel, Buffer.concat([bytes, Buffer.from('x')]));
    try {
      await refuse('bad-packages', /jammy-updates\/main\/binary-amd64\/Packages.xz: sha256 .* does not match the signed InRelease/);
    } finally {
      server.tamper.delete(rel);
    }
  }, 120_000);

  it('a tampered .deb', async () => {
    const rel = 'ubuntu/pool/main/l/linux/linux-image-unsigned-6.1.0-50-generic_6.1.0-50.60_amd64.deb';
    const bytes = Buffer.from(await readFile(path.join(mirror.root, rel)));
    const at = bytes.length - 100;
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
    server.tamper.set(rel, bytes);
    try {
      await refuse('bad-deb', /linux-image-unsigned-6.1.0-50-generic_6.1.0-50.60_amd64.deb: sha256 .* does not match the expected/);
    } finally {
      server.tamper.delete(rel);
    }
  }, 120_000);

  it('an InRelease whose signed text was changed', async () => {
    const rel = `${updates}/InRelease`;
    const text = await readFile(path.join(mirror.root, rel), 'utf8');
    server.tamper.set(rel, Buffer.from(text.replace('Components: main', 'Components: main universe')));
    try {
      await refuse('bad-signature', /InRelease signature check failed .*BAD signature/);
    } finally {
      server.tamper.delete(rel);
    }
  }, 120_000);

  it('an InRelease signed by a key that is not in the keyring', async () => {
    const rel = `${updates}/InRelease`;
    mirror.sign('ubuntu', 'jammy-updates', mirror.strangerFpr);
    server.tamper.set(rel, await readFile(path.join(mirror.root, rel)));
    mirror.sign('ubuntu', 'jammy-updates');
    try {
      await refuse('stranger', /InRelease signature check failed .*(No public key|Can't check signature)/);
    } finally {
      server.tamper.delete(rel);
    }
  }, 120_000);
});
