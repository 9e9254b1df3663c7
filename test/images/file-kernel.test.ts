// file: kernels: the arch comes from the header; a mismatch is a usage error.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectKernel } from '../../src/images/kernel-header.js';
import { createImageStore } from '../../src/images/store.js';

function bzImage(release: string): Buffer {
  const b = Buffer.alloc(0x1000);
  b.write('HdrS', 0x202, 'latin1');
  b.writeUInt16LE(0x400, 0x20e);
  b.write(`${release} (debian-kernel@lists.debian.org) #1 SMP`, 0x600, 'latin1');
  return b;
}
function arm64Image(): Buffer {
  const b = Buffer.alloc(0x100);
  b.write('ARM\x64', 0x38, 'latin1');
  return b;
}
function elf(machine: number, bigEndian: boolean): Buffer {
  const b = Buffer.alloc(0x40);
  b.write('\x7fELF', 0, 'latin1');
  b[5] = bigEndian ? 2 : 1;
  if (bigEndian) b.writeUInt16BE(machine, 0x12);
  else b.writeUInt16LE(machine, 0x12);
  return b;
}

describe('detectKernel', () => {
  it.each([
    ['bzImage', bzImage('6.1.0-50-amd64'), { arch: 'amd64', format: 'bzImage', release: '6.1.0-50-amd64' }],
    ['arm64 Image', arm64Image(), { arch: 'arm64', format: 'arm64-image' }],
    ['x86-64 vmlinux', elf(62, false), { arch: 'amd64', format: 'elf' }],
    ['aarch64 vmlinux', elf(183, false), { arch: 'arm64', format: 'elf' }],
    ['s390x vmlinux (big-endian)', elf(22, true), { arch: 's390x', format: 'elf' }],
    ['random bytes', Buffer.alloc(0x400, 7), { format: 'unknown' }],
  ])('%s', (_name, bytes, want) => {
    expect(detectKernel(bytes)).toEqual(want);
  });
});

describe('file: kernels', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'pm-file-'));
    await writeFile(path.join(tmp, 'bzImage'), bzImage('6.9.0-custom'));
    await writeFile(path.join(tmp, 'bzImage.config'), 'CONFIG_DEBUG_INFO_BTF=y\nCONFIG_HZ=300\n');
    await writeFile(path.join(tmp, 's390-image'), Buffer.alloc(0x1000, 1));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  const store = (lines: string[] = []) =>
    createImageStore({
      env: process.env,
      cacheDir: path.join(tmp, 'cache'),
      debianMirror: 'http://unused.invalid',
      baseDir: tmp,
      log: (l) => lines.push(l),
    });

  it('takes a bzImage, its release and the config beside it, relative to the matrix dir', async () => {
    const k = await store().kernel('file:bzImage', 'amd64');
    expect(k).toMatchObject({ release: '6.9.0-custom', facts: { btf: true, hz: 300 } });
    expect(k.kernelPath.startsWith(path.join(tmp, 'cache'))).toBe(true);
  });

  it('refuses a kernel of another arch, naming both', async () => {
    await expect(store().kernel('file:bzImage', 'arm64')).rejects.toThrow(/is a amd64 kernel \(bzImage\), but the cell's arch is arm64/);
  });

  it('says when the arch cannot be checked (s390x image)', async () => {
    const lines: string[] = [];
    await store(lines).kernel('file:s390-image', 's390x');
    expect(lines.join('\n')).toMatch(/cannot check the architecture of s390-image/);
  });

  it('a missing file is a usage error', async () => {
    await expect(store().kernel('file:nope', 'amd64')).rejects.toMatchObject({ exitCode: 2 });
  });
});
