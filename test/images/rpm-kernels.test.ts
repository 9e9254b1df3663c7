// RPM-family kernels end to end on the host, against a STAND-IN AlmaLinux 9 mirror
// on 127.0.0.1 (test/images/rpm-mirror.ts: real Debian kernel files in
// AlmaLinux's layout and package names, signed with a test key given through the
// keyring option users have): the newest kernel chosen, verified, unpacked, locked,
// pulled again offline; and every way a mirror can lie, refused with nothing cached.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLock } from '../../src/images/lockfile.js';
import { createImageStore, defaultImageOptions } from '../../src/images/store.js';
import { type MirrorServer, serveMirror } from './mirror-server.js';
import { addKernel, createRepo, debianKernelTree, makeTestKey, type TestKey } from './rpm-mirror.js';

const REPO = 'almalinux/9/BaseOS/x86_64/os';
const NEW = { base: 'kernel', split: 'core', version: '5.14.0', release: '503.15.1.el9_5', payload: 'zstd' } as const;
const OLD = { ...NEW, release: '70.13.1.el9_0', payload: 'xz' } as const;

let work: string;
let key: TestKey;
let stranger: TestKey;
let server: MirrorServer;
/**
 * Mirror roots: good, unsigned, tampered (a signed package changed and re-indexed, as a
 * hostile mirror would), and one without virtio_console.
 */
const roots: Record<'good' | 'unsigned' | 'tampered' | 'noconsole', string> = {
  good: '',
  unsigned: '',
  tampered: '',
  noconsole: '',
};

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'pm-rpm-'));
  [key, stranger] = await Promise.all([makeTestKey('portmatrix test'), makeTestKey('somebody else')]);
  for (const name of Object.keys(roots) as (keyof typeof roots)[]) roots[name] = path.join(work, name);
  const good = path.join(roots.good, REPO);
  await addKernel(good, 'amd64', OLD, key, work);
  await addKernel(good, 'amd64', NEW, key, work);
  await createRepo(good, 'zstd');
  await addKernel(path.join(roots.unsigned, REPO), 'amd64', NEW, undefined, work);
  await createRepo(path.join(roots.unsigned, REPO), 'zstd');
  await addKernel(path.join(roots.noconsole, REPO), 'amd64', NEW, key, work, ['virtio_console']);
  await createRepo(path.join(roots.noconsole, REPO), 'xz');
  await cp(path.join(good, 'Packages'), path.join(roots.tampered, REPO, 'Packages'), { recursive: true });
  const victim = path.join(roots.tampered, REPO, 'Packages', `kernel-core-5.14.0-${NEW.release}.x86_64.rpm`);
  const bytes = await readFile(victim);
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 1000) ^ 0x55, bytes.length - 1000);
  await writeFile(victim, bytes);
  await createRepo(path.join(roots.tampered, REPO), 'gz');
  server = await serveMirror(work, '');
}, 600_000);

afterAll(async () => server?.close());

function store(root: keyof typeof roots, keyring = key.keyFile, cacheDir?: string, lockFile?: string) {
  const opts = defaultImageOptions({ ...process.env }, undefined, {
    cacheDir: cacheDir ?? path.join(work, `cache-${Math.random().toString(36).slice(2)}`),
    lockFile,
    sources: { almalinuxMirror: `${server.url}/${root}/almalinux`, almalinuxKeyring: keyring },
  });
  return createImageStore(opts);
}

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

/** Every blob and record in a cache dir: what a refused download must not leave. */
async function cached(cacheDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ['blobs/sha256', 'rpms']) {
    if (existsSync(path.join(cacheDir, sub))) out.push(...(await readdir(path.join(cacheDir, sub))).map((f) => `${sub}/${f}`));
  }
  return out;
}

describe('almalinux:9 from a stand-in mirror', () => {
  it('resolves the newest kernel-core, verified, with the virtio modules in load order, and locks it', async () => {
    const cacheDir = path.join(work, 'cache-main');
    const lockFile = path.join(work, 'portmatrix.lock');
    const k = await store('good', key.keyFile, cacheDir, lockFile).kernel('almalinux:9', 'amd64');
    const { dir, release } = await debianKernelTree('amd64');
    expect(k).toMatchObject({
      release,
      package: 'kernel-core',
      version: `5.14.0-${NEW.release}.x86_64`,
      downloaded: true,
    });
    // The very bytes of Debian's kernel, carried through rpmbuild, rpm2cpio and cpio.
    expect(k.sha256).toBe(await sha256(path.join(dir, `boot/vmlinuz-${release}`)));
    expect(k.facts.btf).toBe(true);
    const lock = await readLock(lockFile);
    const entry = lock.kernels['almalinux:9 amd64']!;
    expect(entry.rpms!.map((r) => r.filename)).toEqual([
      `9/BaseOS/x86_64/os/Packages/kernel-core-5.14.0-${NEW.release}.x86_64.rpm`,
      `9/BaseOS/x86_64/os/Packages/kernel-modules-core-5.14.0-${NEW.release}.x86_64.rpm`,
    ]);
    // Debian's 6.1 on amd64 builds the virtio transport and console as modules: the
    // transport's dependencies, the transport, then the console.
    const names = entry.modules!.map((m) => m.name);
    expect([...names].sort()).toEqual(['virtio', 'virtio_console', 'virtio_pci', 'virtio_pci_legacy_dev', 'virtio_pci_modern_dev', 'virtio_ring']);
    expect(names.slice(-2)).toEqual(['virtio_pci', 'virtio_console']);
    const modules = (await store('good', key.keyFile, cacheDir, lockFile).virtioModules(k))!;
    expect(modules.map((m) => m.name)).toEqual(entry.modules!.map((m) => m.name));
    expect((await readFile(modules[0]!.path)).subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  }, 300_000);

  it('pulls again from lock and cache without a request, from the lock alone without metadata', async () => {
    const lockFile = path.join(work, 'portmatrix.lock');
    const before = server.requests.length;
    const again = await store('good', key.keyFile, path.join(work, 'cache-main'), lockFile).kernel('almalinux:9', 'amd64');
    expect(again.downloaded).toBe(false);
    expect(server.requests.length).toBe(before);
    const fresh = await store('good', key.keyFile, undefined, lockFile).kernel('almalinux:9', 'amd64');
    const asked = server.requests.slice(before);
    expect(fresh.sha256).toBe(again.sha256);
    expect(asked.filter((r) => r.includes('repodata'))).toEqual([]);
    expect(asked.every((r) => r.endsWith('.rpm'))).toBe(true);
  }, 300_000);
});

it('a kernel whose packages lack a module the guest needs is refused, naming it', async () => {
  await expect(store('noconsole').kernel('almalinux:9', 'amd64')).rejects.toThrow(
    /kernel module virtio_console is needed but the kernel's packages do not have it/,
  );
}, 120_000);

describe('what almalinux:9 offers (`portmatrix kernels`)', () => {
  it('is the newest kernel-core per arch the release builds, named as rpm names it', async () => {
    // The stand-in holds x86_64 only: the other arches' repositories are not there.
    expect(await store('good').offers('almalinux:9', ['amd64'])).toEqual([
      {
        flavour: 'generic',
        arch: 'amd64',
        release: `5.14.0-${NEW.release}.x86_64`,
        package: 'kernel-core',
        version: `5.14.0-${NEW.release}.x86_64`,
      },
    ]);
    await expect(store('good').offers('almalinux:9', ['arm64'])).rejects.toThrow(/almalinux\/9\/BaseOS\/aarch64\/os\/repodata\/repomd\.xml/);
  }, 120_000);
});

describe('a mirror that lies is refused, with nothing cached', () => {
  const refused = async (root: keyof typeof roots, keyring: string, want: RegExp, before?: () => void) => {
    const cacheDir = await mkdtemp(path.join(work, 'cache-refused-'));
    before?.();
    await expect(store(root, keyring, cacheDir).kernel('almalinux:9', 'amd64')).rejects.toThrow(want);
    expect(await cached(cacheDir)).toEqual([]);
  };

  it(
    'a package changed after signing (re-indexed, so its sha256 matches primary)',
    () => refused('tampered', key.keyFile, /kernel-core-.*\.rpm: rpm's check failed \(.*BAD.*\): the file is damaged or tampered with; refusing it/),
    120_000,
  );

  it('an unsigned package', () => refused('unsigned', key.keyFile, /kernel-core-.*\.rpm is not signed; refusing it/), 120_000);

  it(
    'a package signed by a key not in the keyring',
    () =>
      refused(
        'good',
        stranger.keyFile,
        new RegExp(`signed by key ID ${key.fingerprint.slice(-8).toLowerCase()}, which is not in the keyring \\(${stranger.keyFile}\\); refusing it`),
      ),
    120_000,
  );

  it('primary metadata whose sha256 is not the one repomd.xml lists', async () => {
    const repodata = path.join(roots.good, REPO, 'repodata');
    const primary = (await readdir(repodata)).find((f) => f.includes('primary.xml'))!;
    const rel = `good/almalinux/${REPO.slice('almalinux/'.length)}/repodata/${primary}`;
    await refused('good', key.keyFile, /primary\.xml\.zst: sha256 .* does not match repomd\.xml/, () => server.tamper.set(rel, Buffer.from('not the primary')));
    server.tamper.delete(rel);
  }, 120_000);

  it('a truncated download', async () => {
    const rel = `good/${REPO}/Packages/kernel-core-5.14.0-${NEW.release}.x86_64.rpm`;
    const whole = await readFile(path.join(work, rel));
    await refused('good', key.keyFile, /kernel-core-.*\.rpm: sha256 .* does not match the expected .*; refusing it/, () =>
      server.tamper.set(rel, whole.subarray(0, whole.length >> 1)),
    );
    server.tamper.delete(rel);
  }, 120_000);
});
