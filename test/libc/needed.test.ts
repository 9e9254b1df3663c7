// DT_NEEDED pre-flight on real binaries: Debian's own eu-readelf (amd64) and an
// arm64 program linked here against Debian's arm64 libelf and zlib. Without
// packages both are refused before any boot, naming each missing library and the
// package that ships it (from the suite's verified Contents index).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readElf } from '../../src/guest/elf.js';
import { sonameProviders } from '../../src/images/apt/debian-contents.js';
import { Cache } from '../../src/images/cache.js';
import { createFetcher } from '../../src/images/fetcher.js';
import { createImageStore, DEFAULT_DEBIAN_MIRROR, defaultImageOptions } from '../../src/images/store.js';
import { libraryPreflight, missingLibraries, missingLibrariesError } from '../../src/libc/needed.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pm-needed-'));
const opts = defaultImageOptions(process.env, dir, { lockFile: undefined });
const store = createImageStore(opts);
const indexDeps = {
  mirror: DEFAULT_DEBIAN_MIRROR,
  fetcher: createFetcher(),
  cache: new Cache(opts.cacheDir),
  env: process.env,
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sh(cmd: string, args: string[], apt: string): void {
  try {
    execFileSync(cmd, args, { cwd: dir, stdio: 'pipe' });
  } catch (err) {
    throw new Error(`${cmd} ${args.join(' ')} failed (apt package ${apt}): ${String((err as { stderr?: Buffer }).stderr ?? err)}`);
  }
}

let elfutils: { program: string; root: string; libelfRoot: string };
let arm64: { program: string; root: string };

beforeAll(async () => {
  const tree = (await store.packages(['elfutils'], 'bookworm', 'amd64')).root;
  const libelf = (await store.packages(['libelf1'], 'bookworm', 'amd64')).root;
  elfutils = { program: path.join(tree, 'usr/bin/eu-readelf'), root: tree, libelfRoot: libelf };
  // An arm64 PIE that needs libelf.so.1 and libz.so.1: linked by lld against the real .so files.
  const a = (await store.packages(['libelf1'], 'bookworm', 'arm64')).root;
  writeFileSync(path.join(dir, 'm.c'), 'int elf_version(unsigned); int zlibVersion(void);\nvoid _start(void) { elf_version(1); zlibVersion(); for (;;); }\n');
  sh('clang', ['--target=aarch64-linux-gnu', '-fPIE', '-c', 'm.c', '-o', 'm.o'], 'clang');
  sh(
    'ld.lld',
    [
      '-pie',
      '--dynamic-linker=/lib/ld-linux-aarch64.so.1',
      '-o',
      'needs-elf-arm64',
      'm.o',
      path.join(a, 'usr/lib/aarch64-linux-gnu/libelf.so.1'),
      path.join(a, 'lib/aarch64-linux-gnu/libz.so.1'),
    ],
    'lld',
  );
  arm64 = { program: path.join(dir, 'needs-elf-arm64'), root: a };
  // 32-bit DT_NEEDED in both byte orders: i386 (little) and MIPS (big), via lld.
  writeFileSync(path.join(dir, 'foo.c'), 'int foo(void) { return 1; }\n');
  writeFileSync(path.join(dir, 'u.c'), 'int foo(void);\nvoid __start(void) { foo(); }\nvoid _start(void) { foo(); }\n');
  for (const t of ['i386-linux-gnu', 'mips-linux-gnu']) {
    sh('clang', [`--target=${t}`, '-fPIC', '-c', 'foo.c', '-o', `foo-${t}.o`], 'clang');
    sh('ld.lld', ['-shared', '-soname', 'libfoo.so.7', '-o', `libfoo-${t}.so`, `foo-${t}.o`], 'lld');
    sh('clang', [`--target=${t}`, '-fPIE', '-c', 'u.c', '-o', `u-${t}.o`], 'clang');
    sh('ld.lld', ['-pie', '--dynamic-linker=/lib/ld.so.1', '-o', `u-${t}`, `u-${t}.o`, `libfoo-${t}.so`], 'lld');
  }
}, 600_000);

describe('DT_NEEDED', () => {
  it('reads 32-bit little- and big-endian executables', async () => {
    expect(await readElf(path.join(dir, 'u-i386-linux-gnu'))).toMatchObject({
      bits: 32,
      bigEndian: false,
      machine: 3,
      needed: ['libfoo.so.7'],
    });
    expect(await readElf(path.join(dir, 'u-mips-linux-gnu'))).toMatchObject({
      bits: 32,
      bigEndian: true,
      machine: 8,
      needed: ['libfoo.so.7'],
    });
  });

  it('reads the arm64 program linked against Debian libraries', async () => {
    expect(await readElf(arm64.program)).toMatchObject({ arch: 'arm64', needed: ['libelf.so.1', 'libz.so.1'] });
  });
});

describe('missingLibraries', () => {
  it('the arm64 program with no packages misses libelf and zlib; with libelf1 (zlib1g via Depends) nothing', async () => {
    expect(await missingLibraries({ program: arm64.program, arch: 'arm64', libc: true, roots: [] })).toEqual([
      { soname: 'libelf.so.1', neededBy: arm64.program },
      { soname: 'libz.so.1', neededBy: arm64.program },
    ]);
    expect(await missingLibraries({ program: arm64.program, arch: 'arm64', libc: true, roots: [arm64.root] })).toEqual([]);
  });

  it("follows the libraries' own needs: eu-readelf's libdw needs liblzma and libbz2", async () => {
    expect(await missingLibraries({ program: elfutils.program, arch: 'amd64', libc: true, roots: [elfutils.root] })).toEqual([]);
    // Only libelf1's closure: libdw.so.1 is missing (and cannot be followed further).
    const partial = await missingLibraries({
      program: elfutils.program,
      arch: 'amd64',
      libc: true,
      roots: [elfutils.libelfRoot],
    });
    expect(partial).toEqual([{ soname: 'libdw.so.1', neededBy: elfutils.program }]);
    // The full set minus liblzma5 and libbz2-1.0: found through libdw.so.1's own DT_NEEDED.
    const trimmed = path.join(dir, 'trimmed');
    execFileSync('cp', ['-a', `${elfutils.root}/.`, trimmed]);
    for (const f of ['liblzma.so.5', 'libbz2.so.1.0']) rmSync(path.join(trimmed, 'lib/x86_64-linux-gnu', f));
    expect(await missingLibraries({ program: elfutils.program, arch: 'amd64', libc: true, roots: [trimmed] })).toEqual([
      { soname: 'liblzma.so.5', neededBy: 'libdw.so.1' },
      { soname: 'libbz2.so.1.0', neededBy: 'libdw.so.1' },
    ]);
    // Without a libc in the cell, libc.so.6 itself is missing too.
    const noLibc = await missingLibraries({
      program: elfutils.program,
      arch: 'amd64',
      libc: false,
      roots: [elfutils.root],
    });
    expect(noLibc.map((m) => m.soname)).toContain('libc.so.6');
  });
});

describe('which package ships a library (Contents index)', { timeout: 300_000 }, () => {
  it('names the packages for the missing libraries, and refuses with them', async () => {
    const missing = await missingLibraries({ program: arm64.program, arch: 'arm64', libc: true, roots: [] });
    const providers = await sonameProviders(indexDeps, 'bookworm', 'arm64', [...missing.map((m) => m.soname), 'libnot-a-real-lib.so.9']);
    expect(Object.fromEntries(providers)).toEqual({ 'libelf.so.1': ['libelf1'], 'libz.so.1': ['zlib1g'] });
    const err = missingLibrariesError(arm64.program, 'bookworm', [...missing, { soname: 'libnot-a-real-lib.so.9', neededBy: 'libz.so.1' }], providers);
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(
      [
        `${arm64.program} needs libraries the guest does not have (Debian bookworm):`,
        '  libelf.so.1: in Debian package libelf1',
        '  libz.so.1: in Debian package zlib1g',
        '  libnot-a-real-lib.so.9 (needed by libz.so.1): no bookworm package ships it where ld.so looks; link it statically',
        "add to the test's packages: [libelf1, zlib1g] (or ship the libraries in its files and set env LD_LIBRARY_PATH)",
      ].join('\n'),
    );
  });

  it('libraryPreflight refuses without the packages and passes with them, or with the libraries shipped in files', async () => {
    const spec = {
      program: arm64.program,
      arch: 'arm64',
      libc: true,
      suite: 'bookworm',
      providers: store.providers,
    } as const;
    await expect(libraryPreflight({ ...spec, roots: [] })).rejects.toThrow(
      /\nadd to the test's packages: \[libelf1, zlib1g\] \(or ship the libraries in its files and set env LD_LIBRARY_PATH\)$/,
    );
    await expect(libraryPreflight({ ...spec, roots: [arm64.root] })).resolves.toBeUndefined();
    await expect(libraryPreflight({ ...spec, roots: [], shipped: ['libelf.so.1', 'libz.so.1'] })).resolves.toBeUndefined();
    await expect(libraryPreflight({ ...spec, roots: [], shipped: ['libelf.so.1'] })).rejects.toThrow(/^ {2}libz\.so\.1: in Debian package zlib1g$/m);
  });
});
