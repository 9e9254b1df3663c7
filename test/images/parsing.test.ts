// Index parsing and kernel selection over real excerpts of Debian's indexes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDebListing } from '../../src/images/apt/deb.js';
import { parsePackages, parseReleaseSha256, parseStanza } from '../../src/images/apt/deb822.js';
import { chooseKernels, chooseNewest, isKernelPackageName } from '../../src/images/apt/debian-select.js';
import { formatFacts, kernelFacts } from '../../src/images/config-facts.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/images/${name}`, import.meta.url), 'utf8');

const RELEASE = `Origin: Debian
Codename: bookworm
MD5Sum:
 b838d31986207780a596ce3e8010f90f  8790396 main/binary-amd64/Packages.xz
SHA256:
 515e692f2c4121c6fcec444ef100cc18f79a991910615f3a88c8b7becfc94d2f 50060337 main/binary-amd64/Packages
 9e0b5aabb2465b3d2e7a7fe27f9913846277833f7a2826e7767acccff5b588c5  8790396 main/binary-amd64/Packages.xz
`;

describe('Release / InRelease', () => {
  it('reads the SHA256 section only (not MD5Sum)', () => {
    const files = parseReleaseSha256(RELEASE);
    expect(files.get('main/binary-amd64/Packages.xz')).toEqual({
      sha256: '9e0b5aabb2465b3d2e7a7fe27f9913846277833f7a2826e7767acccff5b588c5',
      size: 8790396,
    });
    expect(files.size).toBe(2);
  });
  it('refuses a Release without SHA256', () => {
    expect(() => parseReleaseSha256('Origin: Debian\nMD5Sum:\n x 1 y\n')).toThrow(/no SHA256/);
  });
  it('joins continuation lines', () => {
    expect(parseStanza('Package: a\nDescription: one\n two\n')).toEqual({ Package: 'a', Description: 'one\ntwo' });
  });
});

describe('kernel selection', () => {
  const sid = parsePackages(fixture('Packages-sid-amd64.txt'), (n) => isKernelPackageName(n) || n === 'busybox-static');

  it('skips dbg, headers and meta packages when filtering', () => {
    const names = sid.map((s) => s.Package);
    expect(names).not.toContain('linux-image-7.2.13+deb14-amd64-dbg');
    expect(names).not.toContain('linux-headers-7.2.13+deb14-amd64');
    expect(names).toContain('linux-image-amd64'); // kept by the filter, but never chosen:
    expect(chooseKernels(sid, 'amd64').map((c) => c.package)).toEqual(['linux-image-7.2.13+deb14-amd64']);
  });

  it('recognises the 7.x split from Depends and takes linux-binary-unsigned + linux-base', () => {
    const [c] = chooseKernels(sid, 'amd64');
    expect(c).toMatchObject({ release: '7.2.13+deb14-amd64', version: '7.2.13-1', split: true });
    expect(c!.kernelDeb.package).toBe('linux-binary-unsigned-7.2.13+deb14-amd64');
    expect(c!.configDeb!.package).toBe('linux-base-7.2.13+deb14-amd64');
    expect(c!.kernelDeb.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('honours the flavour', () => {
    expect(chooseKernels(sid, 'amd64', 'cloud')[0]!.release).toBe('7.2.13+deb14-cloud-amd64');
    expect(chooseKernels(sid, 'amd64', 'nosuch')).toEqual([]);
    expect(chooseKernels(sid, 'arm64')).toEqual([]);
  });

  const older = (abi: string, version: string, unsigned: boolean) =>
    `Package: linux-image-${abi}-s390x${unsigned ? '-unsigned' : ''}\nVersion: ${version}\nArchitecture: s390x\nInstalled-Size: 60000\nDepends: kmod\nFilename: pool/main/l/linux/linux-image-${abi}-s390x_${version}_s390x.deb\nSize: 100\nSHA256: ${'a'.repeat(64)}\n`;

  it('orders by Debian version, newest first, and uses the image itself before 7.x', () => {
    const stanzas = parsePackages(
      [older('6.12.48+deb13', '6.12.48-1', false), older('6.12.117+deb13', '6.12.117-1', false), older('6.12.9+deb13', '6.12.9-1', false)].join('\n'),
      isKernelPackageName,
    );
    const choices = chooseKernels(stanzas, 's390x');
    expect(choices.map((c) => c.version)).toEqual(['6.12.117-1', '6.12.48-1', '6.12.9-1']);
    expect(choices[0]).toMatchObject({ split: false, release: '6.12.117+deb13-s390x' });
    expect(choices[0]!.configDeb).toBeUndefined();
  });

  it('prefers -unsigned when both exist', () => {
    const stanzas = parsePackages([older('6.1.0-50', '6.1.176-1', false), older('6.1.0-50', '6.1.176-1', true)].join('\n'), isKernelPackageName);
    expect(chooseKernels(stanzas, 's390x')[0]!.kernelDeb.package).toBe('linux-image-6.1.0-50-s390x-unsigned');
  });

  it('takes modules from the signed twin of an -unsigned kernel of the same version, and only then', () => {
    const both = chooseKernels(
      parsePackages([older('5.10.0-32', '5.10.223-1', false), older('5.10.0-32', '5.10.223-1', true)].join('\n'), isKernelPackageName),
      's390x',
    )[0]!;
    expect(both.modulesDeb?.package).toBe('linux-image-5.10.0-32-s390x');
    const skewed = chooseKernels(
      parsePackages([older('5.10.0-32', '5.10.218-1', false), older('5.10.0-32', '5.10.223-1', true)].join('\n'), isKernelPackageName),
      's390x',
    )[0]!;
    expect(skewed.modulesDeb).toBeUndefined();
    const alone = chooseKernels(parsePackages(older('5.10.0-32', '5.10.223-1', true), isKernelPackageName), 's390x')[0]!;
    expect(alone.modulesDeb).toBeUndefined();
  });

  it('finds busybox-static', () => {
    expect(chooseNewest(sid, 'busybox-static', 'amd64')[0]!.filename).toMatch(/^pool\/main\/b\/busybox\/busybox-static_.*_amd64\.deb$/);
  });
});

describe('kernel config facts', () => {
  it('reads BTF, HZ, JIT, kprobes, LSMs and the preemption model', () => {
    const facts = kernelFacts(fixture('config-sample'));
    expect(facts).toEqual({
      btf: true,
      hz: 250,
      bpfJit: true,
      kprobes: true,
      bpfLsm: true,
      lockdownLsm: true,
      preempt: 'dynamic',
    });
    expect(formatFacts(facts)).toBe('BTF yes, HZ 250, JIT yes, kprobes yes, preempt dynamic');
  });
  it('reports "is not set" as no', () => {
    const facts = kernelFacts('# CONFIG_DEBUG_INFO_BTF is not set\nCONFIG_HZ=100\nCONFIG_PREEMPT_NONE=y\n');
    expect(facts).toMatchObject({ btf: false, hz: 100, bpfJit: false, preempt: 'none' });
  });
  it('knows the lazy model of 6.13+', () => {
    expect(kernelFacts('CONFIG_PREEMPT_BUILD=y\nCONFIG_PREEMPT_LAZY=y\n').preempt).toBe('lazy');
  });
  it('RT wins over PREEMPT', () => {
    expect(kernelFacts('CONFIG_PREEMPT=y\nCONFIG_PREEMPT_RT=y\n').preempt).toBe('rt');
  });
});

describe('dpkg-deb -c listing', () => {
  it('parses files, links and dirs', () => {
    const listing = [
      'drwxr-xr-x root/root         0 2025-01-01 00:00 ./boot/',
      '-rw-r--r-- root/root   8214432 2025-01-01 00:00 ./boot/vmlinuz-6.1.0-50-amd64',
      'lrwxrwxrwx root/root         0 2025-01-01 00:00 ./usr/lib/x -> ../y',
    ].join('\n');
    expect(parseDebListing(listing)).toEqual([
      { path: 'boot', size: 0, type: 'dir' },
      { path: 'boot/vmlinuz-6.1.0-50-amd64', size: 8214432, type: 'file' },
      { path: 'usr/lib/x', size: 0, type: 'link' },
    ]);
  });
});
