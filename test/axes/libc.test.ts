// The libc axis. A C program that calls strlcpy (versioned GLIBC_2.38) is linked
// here against trixie's libc6, fetched through the same verified Debian path as
// kernels; the host is bookworm (glibc 2.36), so the host cannot even run it.
// Then: what the ELF check predicts for each libc cell, and real boots (amd64,
// TCG) of the bullseye and trixie cells. Needs clang (apt: clang) and the host's
// libc6-dev (pulled in by clang) for crt1.o and libc_nonshared.a.

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ElfInfo, readElf } from '../../src/guest/elf.js';
import { createImageStore, defaultImageOptions } from '../../src/images/store.js';
import { libcFit, libcSummary } from '../../src/libc/fit.js';
import { glibcVersionOfTree, SUITE_GLIBC } from '../../src/libc/glibc.js';
import type { CellResult, RunResults } from '../../src/results/model.js';
import { runCli } from '../helpers/cli.js';
import { TEST_LOCK, useTestLock } from '../helpers/dev-kernels.js';

const PROGRAM = `#include <gnu/libc-version.h>
#include <stddef.h>
#include <stdio.h>
size_t strlcpy(char *dst, const char *src, size_t size); /* GLIBC_2.38: bookworm's headers lack it */
int main(void) {
  char buf[5];
  size_t n = strlcpy(buf, "portmatrix", sizeof buf);
  printf("glibc %s strlcpy=%s n=%zu\\n", gnu_get_libc_version(), buf, n);
  return 0;
}
`;

const store = createImageStore(defaultImageOptions(process.env, os.tmpdir(), { lockFile: TEST_LOCK }));
let dir: string;
let prog: string;
let elf: ElfInfo;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pm-libc-'));
  await useTestLock(dir);
  const lib = path.join(await store.libc('trixie', 'amd64'), 'usr/lib/x86_64-linux-gnu');
  await writeFile(path.join(dir, 'prog.c'), PROGRAM);
  prog = path.join(dir, 'prog-amd64');
  // Host crt files, trixie's libc.so.6; -rpath-link lets ld check it against trixie's ld.so.
  execFileSync(
    'clang',
    [
      '-O1',
      '-o',
      prog,
      path.join(dir, 'prog.c'),
      '-nodefaultlibs',
      path.join(lib, 'libc.so.6'),
      '/usr/lib/x86_64-linux-gnu/libc_nonshared.a',
      `-Wl,-rpath-link,${lib}`,
    ],
    { stdio: 'inherit' },
  );
  elf = (await readElf(prog))!;
}, 300_000);

describe('the ELF check before boot', () => {
  it('reads the interpreter, the needed libraries and the GLIBC_ versions from .gnu.version_r', () => {
    expect(elf).toMatchObject({
      arch: 'amd64',
      static: false,
      interpreter: '/lib64/ld-linux-x86-64.so.2',
      needed: ['libc.so.6'],
    });
    expect(elf.versionNeeds['libc.so.6']).toContain('GLIBC_2.38');
  });

  it('says which libc cells the loader can run in', () => {
    expect(libcFit(elf, 'debian:trixie')).toEqual({ kind: 'runs' });
    expect(libcFit(elf, 'debian:bullseye')).toEqual({
      kind: 'fails',
      why: 'it needs GLIBC_2.38 but debian:bullseye has glibc 2.31',
    });
    expect(libcFit(elf, 'debian:bookworm')).toEqual({
      kind: 'fails',
      why: 'it needs GLIBC_2.38 but debian:bookworm has glibc 2.36',
    });
    expect(libcFit(elf, 'static')).toMatchObject({
      kind: 'skip',
      why: expect.stringContaining('dynamically linked (/lib64/ld-linux-x86-64.so.2)'),
    });
    expect(libcSummary('prog-amd64', elf, ['static', 'debian:bullseye', 'debian:trixie'])).toBe(
      'loader prog-amd64 is dynamic: /lib64/ld-linux-x86-64.so.2; libc.so.6; needs glibc ≥ 2.38 (GLIBC_2.38): ' +
        'runs in debian:trixie; expected to fail in debian:bullseye (it needs GLIBC_2.38 but debian:bullseye has glibc 2.31); ' +
        'skipped in static (the loader is dynamically linked (/lib64/ld-linux-x86-64.so.2) and a static libc cell has no libc; link it statically or use a debian:<suite> libc cell)',
    );
  });

  it("knows each suite's glibc: the table agrees with the libc.so.6 Debian ships", async () => {
    for (const [suite, version] of Object.entries(SUITE_GLIBC)) {
      expect(await glibcVersionOfTree(await store.libc(suite, 'amd64')), suite).toBe(version);
    }
  });
});

describe('a program built against trixie glibc, booted in libc cells (real boots)', () => {
  let run: Awaited<ReturnType<typeof runCli>>;
  let cells: Record<string, CellResult>;

  beforeAll(async () => {
    await writeFile(
      path.join(dir, 'matrix.yaml'),
      `kernels: [debian:trixie]
arches: [amd64]
libc: [static, debian:bullseye, debian:trixie]
loader:
  path: ./prog-{arch}
  timeout: 30
`,
    );
    run = await runCli(['run', '--accel', 'tcg', '--retries', '0', '--jobs', '2'], { cwd: dir });
    const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
    cells = Object.fromEntries(results.cells.map((c) => [c.libc, c]));
    // Retries are off: a booted cell ran exactly once.
    for (const c of results.cells) if (c.status !== 'skip') expect(c.attempts, c.id).toBe(1);
    for (const c of results.cells) console.log(`${c.id}: ${c.status} ${c.timings.totalMs} ms; ${c.reason ?? ''}`);
  }, 600_000);

  it('passes in the trixie cell, against trixie glibc', () => {
    const cell = cells['debian:trixie']!;
    expect(cell.status, cell.consoleTail).toBe('pass');
    expect(cell.stdout).toBe('glibc 2.41 strlcpy=port n=10\n');
  });

  it("fails in the bullseye cell with the dynamic linker's own message as the reason", () => {
    const cell = cells['debian:bullseye']!;
    expect(cell.status, cell.consoleTail).toBe('fail');
    expect(cell.exitCode).not.toBe(0);
    expect(cell.stderr).toContain("version `GLIBC_2.38' not found (required by /portmatrix/bin/0/prog-amd64)");
    expect(cell.reason).toMatch(/^libc mismatch: .*version `GLIBC_2\.38' not found/);
    expect(cell.reason).toContain('(pre-boot check: it needs GLIBC_2.38 but debian:bullseye has glibc 2.31)');
  });

  it('skips the static cell without booting, saying why', () => {
    const cell = cells.static!;
    expect(cell).toMatchObject({ status: 'skip', attempts: 0 });
    expect(cell.reason).toContain('dynamically linked');
    expect(run.code, run.stderr).toBe(1);
  });
});
