// A package name the suite does not have is a matrix error: refused before any
// boot, at the line and column where it is written, with the nearest real name.
// Static cells too, whose packages come from bookworm (before, such a cell booted
// nothing but ended as an infrastructure error after a retry). Real Debian indexes.

import { existsSync } from 'node:fs';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';

const matrix = (libc: string, names: string, testPackages = '') => `kernels: [debian:trixie]
arches: [amd64]
libc: [${libc}]
packages: [${names}]
tests:
  - {name: a, path: ./prog.sh}
  - name: b
    path: ./prog.sh
${testPackages}`;

describe('packages the suite does not have', { timeout: 120_000 }, () => {
  it('are located matrix errors before any boot, for static and Debian libc cells', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-packages-preflight-'));
    await writeFile(path.join(dir, 'prog.sh'), '#!/bin/sh\nexit 0\n');
    await chmod(path.join(dir, 'prog.sh'), 0o755);
    await useTestLock(dir);
    const cases = [
      // The matrix-level list: [a, b] form, the suite of the cell's libc.
      {
        libc: 'static',
        line: /^portmatrix: matrix\.yaml:4:21: packages\[1\]: Debian bookworm \(the suite static cells use\) has no package zlibg for amd64; did you mean zlib1g\?$/m,
      },
      {
        libc: 'debian:trixie',
        line: /^portmatrix: matrix\.yaml:4:21: packages\[1\]: Debian trixie \(the suite of libc debian:trixie\) has no package zlibg for amd64; did you mean zlib1g\?$/m,
      },
    ];
    for (const c of cases) {
      await writeFile(path.join(dir, 'matrix.yaml'), matrix(c.libc, 'libelf1, zlibg'));
      const run = await runCli(['run', '--accel', 'tcg', '--retries', '0'], { cwd: dir });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(c.line);
      expect(existsSync(path.join(dir, 'results', 'results.json'))).toBe(false);
    }
    // The test-level {names, suite} form, in its own suite.
    await writeFile(path.join(dir, 'matrix.yaml'), matrix('static', 'zlib1g', '    packages: {names: [zlib1g, libbpff0], suite: bullseye}\n'));
    const run = await runCli(['run', '--accel', 'tcg', '--retries', '0'], { cwd: dir });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(
      /^portmatrix: matrix\.yaml:9:32: tests\[1\]\.packages\.names\[1\]: Debian bullseye \(the packages\.suite of test b\) has no package libbpff0 for amd64; did you mean libbpf0\?$/m,
    );
  });
});
