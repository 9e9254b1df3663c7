// Guest packages from the real Debian mirror: resolved through Depends, verified,
// cached, locked, unpacked at their normal paths. The amd64 set is proven usable
// by running a Debian program that needs five of its libraries in a chroot of
// libc6 + the packages, with no LD_LIBRARY_PATH.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readElf } from '../../src/guest/elf.js';
import { parseRelations, resolvePackages, UnknownPackageError } from '../../src/images/apt/debian-depends.js';
import { createImageStore, defaultImageOptions } from '../../src/images/store.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'pm-packages-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A store on the shared cache with its own lock file. */
function store(lockName: string) {
  const lines: string[] = [];
  const s = createImageStore(defaultImageOptions(process.env, tmp, { lockFile: path.join(tmp, lockName), log: (l) => lines.push(l) }));
  return { s, lines };
}

describe('Depends relations', () => {
  it('parses alternatives, versions and arch qualifiers', () => {
    expect(parseRelations('libc6 (>= 2.34), zlib1g (>= 1:1.1.4) | libz-ng, perl:any')).toEqual([
      [{ name: 'libc6', op: '>=', version: '2.34' }],
      [{ name: 'zlib1g', op: '>=', version: '1:1.1.4' }, { name: 'libz-ng' }],
      [{ name: 'perl' }],
    ]);
  });

  it('takes the first alternative, goes through Provides, skips Essential and libc6, checks versions', () => {
    const st = (Package: string, Version: string, extra: Record<string, string> = {}) => ({
      Package,
      Version,
      Architecture: 'arm64',
      Filename: `pool/${Package}.deb`,
      SHA256: Package.padEnd(64, '0'),
      Size: '1',
      ...extra,
    });
    const stanzas = [
      st('app', '1', { Depends: 'libfoo1 (>= 2) | libbar1, virt, dpkg (>= 1.15), libc6' }),
      st('libfoo1', '1'),
      st('libfoo1', '3'),
      st('libbar1', '1'),
      st('realvirt', '1', { Provides: 'virt' }),
      st('dpkg', '1.21', { Essential: 'yes' }),
    ];
    const got = resolvePackages(stanzas, ['app'], 'bookworm', 'arm64');
    expect(got.debs.map((d) => `${d.package} ${d.version}`)).toEqual(['app 1', 'libfoo1 3', 'realvirt 1']);
    expect(got.skipped.map((s) => s.package)).toEqual(['dpkg', 'libc6']);
    // A name asked for is unpacked even when it would be skipped as a dependency (a build sysroot).
    expect(resolvePackages([...stanzas, st('libc6', '2.36')], ['app', 'libc6'], 'bookworm', 'arm64').debs.map((d) => d.package)).toContain('libc6');
    expect(() => resolvePackages([st('app', '1', { Depends: 'libfoo1 (>= 4)' }), st('libfoo1', '3')], ['app'], 'bookworm', 'arm64')).toThrow(
      'app needs libfoo1 (>= 4) but the suite has 3',
    );
  });
});

// Index downloads and parsing take seconds each; a fresh machine also fetches the .debs.
describe('guest packages from deb.debian.org', { timeout: 120_000 }, () => {
  it('libelf1 for arm64 from bookworm: libelf1 + zlib1g, unpacked, locked; a second run reads no index', async () => {
    const { s } = store('a.lock');
    const got = await s.packages(['libelf1'], 'bookworm', 'arm64');
    expect(got.lock.debs.map((d) => d.package)).toEqual(['libelf1', 'zlib1g']);
    expect(got.skipped).toEqual([{ package: 'libc6', reason: 'the guest has it already (the cell libc)' }]);
    // bookworm is not merged-/usr inside its packages: zlib under lib/, libelf under usr/lib/.
    expect((await readElf(path.join(got.root, 'usr/lib/aarch64-linux-gnu/libelf.so.1')))?.arch).toBe('arm64');
    expect((await readElf(path.join(got.root, 'lib/aarch64-linux-gnu/libz.so.1')))?.arch).toBe('arm64');
    expect(existsSync(path.join(got.root, 'usr/share/doc'))).toBe(false);
    const lock = JSON.parse(readFileSync(path.join(tmp, 'a.lock'), 'utf8'));
    expect(lock.packages['bookworm arm64 libelf1']).toEqual(got.lock);

    const again = store('a.lock');
    const before = again.s.requests();
    const pinned = await again.s.packages(['libelf1'], 'bookworm', 'arm64');
    expect(again.s.requests() - before).toBe(0);
    expect(pinned.root).toBe(got.root);
  });

  it('an unknown package is a usage error with the nearest real name', async () => {
    const { s } = store('b.lock');
    const err = await s.packages(['libbpf'], 'bookworm', 'arm64').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownPackageError);
    expect((err as Error).message).toBe('Debian bookworm has no package libbpf for arm64 (did you mean libbpf1?)');
    expect((err as UnknownPackageError).exitCode).toBe(2);
  });

  it('amd64: a Debian program runs from libc6 + its packages with no LD_LIBRARY_PATH', async () => {
    const { s } = store('c.lock');
    const libc = await s.libc('bookworm', 'amd64');
    const pkgs = await s.packages(['elfutils'], 'bookworm', 'amd64');
    expect(pkgs.lock.debs.map((d) => d.package)).toEqual(expect.arrayContaining(['elfutils', 'libdw1', 'libelf1', 'zlib1g', 'libstdc++6']));
    const root = path.join(tmp, 'root');
    for (const tree of [libc, pkgs.root]) execFileSync('cp', ['-a', `${tree}/.`, root]);
    // chroot needs root; elsewhere a user namespace gives the same view.
    const cmd = process.getuid?.() === 0 ? ['chroot', root] : ['unshare', '--user', '--map-root-user', 'chroot', root];
    const out = execFileSync(cmd[0]!, [...cmd.slice(1), '/usr/bin/eu-readelf', '--version'], {
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    }).toString();
    expect(out).toMatch(/^eu-readelf \(elfutils\) 0\.188/);
  });
});
