// ELF checks against real binaries: the host's /bin/true (amd64, glibc),
// tiny programs cross-built with clang (apt: clang, lld, binutils-s390x-linux-gnu)
// and the guest busyboxes (static).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { checkLoaderArch, readElf } from '../../src/guest/elf.js';
import { devBusybox } from '../helpers/dev-kernels.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pm-elf-'));
const bin = (name: string) => path.join(dir, name);

function run(cmd: string, args: string[], aptPackage: string): void {
  try {
    execFileSync(cmd, args, { cwd: dir, stdio: 'pipe' });
  } catch (err) {
    throw new Error(`${cmd} ${args.join(' ')} failed (needs apt package ${aptPackage}): ${String((err as { stderr?: Buffer }).stderr ?? err)}`);
  }
}

beforeAll(async () => {
  // Downloads on a fresh machine take longer than a test's timeout: fetch in the hook.
  for (const arch of ['amd64', 'arm64', 's390x'] as const) await devBusybox(arch);
  writeFileSync(bin('s.c'), 'void _start(void) { for (;;); }\n');
  writeFileSync(bin('foo.c'), 'int foo(void) { return 1; }\n');
  writeFileSync(bin('m.c'), 'int foo(void);\nvoid _start(void) { foo(); for (;;); }\n');
  // arm64 and i386: clang with lld, static, no libc needed.
  for (const [target, out] of [
    ['aarch64-linux-gnu', 'arm64'],
    ['i386-linux-gnu', 'i386'],
  ]) {
    run('clang', [`--target=${target}`, '-nostdlib', '-static', '-fuse-ld=lld', '-o', out!, 's.c'], 'clang lld');
  }
  // s390x (big-endian), dynamic: lld 14 has no s390x, binutils' cross ld does.
  run('clang', ['--target=s390x-linux-gnu', '-fPIC', '-c', 'foo.c', '-o', 'foo.o'], 'clang');
  run('s390x-linux-gnu-ld', ['-shared', '-soname', 'libfoo.so.1', '-o', 'libfoo.so', 'foo.o'], 'binutils-s390x-linux-gnu');
  run('clang', ['--target=s390x-linux-gnu', '-fPIE', '-c', 'm.c', '-o', 'm.o'], 'clang');
  run('s390x-linux-gnu-ld', ['-pie', '--dynamic-linker=/lib/ld64.so.1', '-o', 's390x-dyn', 'm.o', '-L.', '-lfoo'], 'binutils-s390x-linux-gnu');
  writeFileSync(bin('script.sh'), '#!/bin/sh\necho hi\n');
  writeFileSync(bin('notes.txt'), 'just text\n');
  chmodSync(bin('script.sh'), 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readElf', () => {
  it('reads the host /bin/true: amd64, dynamic, its interpreter and libc', async () => {
    const e = await readElf('/bin/true');
    expect(e).toMatchObject({ machine: 62, bits: 64, bigEndian: false, arch: 'amd64', static: false });
    expect(e!.interpreter).toBe('/lib64/ld-linux-x86-64.so.2');
    expect(e!.needed).toContain('libc.so.6');
  });

  it('reads a big-endian s390x PIE with its DT_NEEDED', async () => {
    expect(await readElf(bin('s390x-dyn'))).toEqual({
      machine: 22,
      bits: 64,
      bigEndian: true,
      arch: 's390x',
      interpreter: '/lib/ld64.so.1',
      needed: ['libfoo.so.1'],
      static: false,
      versionNeeds: {},
    });
  });

  it('reads static arm64 and 32-bit i386 executables', async () => {
    expect(await readElf(bin('arm64'))).toMatchObject({
      machine: 183,
      bits: 64,
      arch: 'arm64',
      static: true,
      needed: [],
    });
    const i386 = await readElf(bin('i386'));
    expect(i386).toMatchObject({ machine: 3, bits: 32, bigEndian: false, static: true });
    expect(i386!.arch).toBeUndefined();
  });

  it('reads the static Debian busyboxes of all three arches', async () => {
    for (const arch of ['amd64', 'arm64', 's390x'] as const) {
      expect(await readElf(await devBusybox(arch))).toMatchObject({ arch, static: true, needed: [] });
    }
  });

  it('returns undefined for scripts and text', async () => {
    expect(await readElf(bin('script.sh'))).toBeUndefined();
    expect(await readElf(bin('notes.txt'))).toBeUndefined();
  });
});

describe('checkLoaderArch', () => {
  it('passes matching binaries and #! scripts', async () => {
    await checkLoaderArch('/bin/true', 'amd64');
    await checkLoaderArch(bin('arm64'), 'arm64');
    await checkLoaderArch(bin('s390x-dyn'), 's390x');
    for (const arch of ['amd64', 'arm64', 's390x'] as const) await checkLoaderArch(bin('script.sh'), arch);
  });

  it('says what the loader is built for and how to fix it', async () => {
    const p = bin('arm64');
    await expect(checkLoaderArch(p, 'amd64')).rejects.toThrow(
      `loader ${p} is built for arm64 (EM_AARCH64, little-endian) but cell amd64 needs amd64 (EM_X86_64, little-endian); build it with GOARCH=amd64`,
    );
    await expect(checkLoaderArch('/bin/true', 's390x')).rejects.toThrow(
      /built for amd64 \(EM_X86_64, little-endian\) but cell s390x needs s390x \(EM_S390, big-endian\); build it with GOARCH=s390x/,
    );
    await expect(checkLoaderArch(bin('i386'), 'amd64')).rejects.toThrow(/built for 386 \(EM_386, little-endian\)/);
  });

  it('throws UsageError (exit 2) for text files and missing files', async () => {
    const err = await checkLoaderArch(bin('notes.txt'), 'amd64').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/neither an ELF executable nor a #! script/);
    await expect(checkLoaderArch(bin('missing'), 'amd64')).rejects.toThrow(/cannot be read: ENOENT/);
  });
});
