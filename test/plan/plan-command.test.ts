// `portmatrix plan` through the real CLI, on test/fixtures/matrices/good/full.yaml.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/core/cell.js';
import { cli, project } from './helpers.js';

const good = path.resolve(import.meta.dirname, '../fixtures/matrices/good');

describe('portmatrix plan', () => {
  it('prints an aligned table with expectations and skips', async () => {
    const run = await cli(['plan', '--matrix', 'full.yaml'], good);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('ID                              ARCH   KERNEL                    CONFIG   LIBC    TESTS   EXPECTATION');
    expect(lines).toContain(
      "s390x/debian-bookworm/unpriv    s390x  debian:bookworm           unpriv   static  loader  expected to fail: bookworm's s390x kernel has no BTF",
    );
    expect(lines).toContain(
      's390x/trixie-cloud/default      s390x  debian:trixie/cloud       default  static  loader  skip: Debian has no cloud kernel flavour for s390x (only generic)',
    );
    expect(lines).toContain('amd64/file-vmlinuz-6.6/default  amd64  file:kernels/vmlinuz-6.6  default  static  loader  pass');
    expect(lines.at(-1)).toBe('18 cells: 16 to run (2 expected to fail), 2 skipped');
  });

  it('--json prints the cells, --only filters them', async () => {
    const run = await cli(['plan', '-m', 'full.yaml', '--json', '--only', 'arch=arm64,kernel=6.1'], good);
    expect(run.code).toBe(0);
    const cells = JSON.parse(run.stdout) as Cell[];
    expect(cells.map((c) => c.id)).toEqual(['arm64/debian-bookworm/default', 'arm64/debian-bookworm/unpriv']);
    expect(cells[1]!.tests).toEqual([
      {
        name: 'loader',
        kind: 'exec',
        path: path.join(good, 'build/loader-arm64'),
        args: ['--check'],
        env: { PORTMATRIX_EXAMPLE: '1' },
        files: [{ src: path.join(good, 'bpf/probe_arm64.o'), dest: '' }],
        workdir: '',
        timeoutSec: 30,
      },
    ]);
    expect(cells[1]!.config).toMatchObject({
      user: '1000',
      capabilities: ['bpf', 'perfmon'],
      cmdline: ['lockdown=integrity'],
    });
  });

  it('--github-matrix --shards prints the strategy matrix and appends it to $GITHUB_OUTPUT', async () => {
    const output = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gh-')), 'out');
    fs.writeFileSync(output, 'earlier=1\n');
    const run = await cli(['plan', '-m', 'full.yaml', '--github-matrix', '--shards', '3'], good, {
      GITHUB_OUTPUT: output,
    });
    expect(run.code).toBe(0);
    const json = '{"include":[{"shard":"1/3","cells":6},{"shard":"2/3","cells":5},{"shard":"3/3","cells":5}]}';
    expect(run.stdout).toBe(`${json}\n`);
    expect(fs.readFileSync(output, 'utf8')).toBe(`earlier=1\nmatrix=${json}\n`);
  });

  it('--github-matrix does not need the loader built; plain plan does', async () => {
    const dir = project({
      'm.yaml': 'kernels: [debian:trixie]\narches: [amd64]\nloader: {path: "out/loader-{arch}"}\n',
    });
    const gh = await cli(['plan', '-m', 'm.yaml', '--github-matrix'], dir);
    expect(gh).toMatchObject({
      code: 0,
      stdout: '{"include":[{"id":"amd64/debian-trixie/default","arch":"amd64","kernel":"debian-trixie","config":"default","libc":"static"}]}\n',
    });
    const table = await cli(['plan', '-m', 'm.yaml'], dir);
    expect(table.code).toBe(2);
    expect(table.stderr).toBe(
      'portmatrix: m.yaml:3:16: loader.path: the loader for amd64 (out/loader-amd64) does not exist; build it for amd64 first (the bundled example builds with scripts/build-example)\n',
    );
  });

  it('prints warnings on stderr and usage errors exit 2', async () => {
    const dir = project({
      'matrix.yaml':
        'kernels: [debian:trixie]\narches: [amd64, arm64]\nloader: {path: "loader-{arch}"}\nexpect:\n  - {arch: arm64, reason: x}\nexclude:\n  - {arch: arm64}\n',
    });
    const run = await cli(['plan'], dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('warning: matrix.yaml:5:5: expect[0]: arch=arm64 matches no cell (they are all excluded)\n');
    expect((await cli(['plan', '--shards', '2'], dir)).stderr).toMatch(/--shards only applies with --github-matrix/);
    expect(await cli(['plan', '--only', 'os=x'], dir)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown key "os"; valid keys are arch, kernel, config, libc, id, test/),
    });
  });
});
