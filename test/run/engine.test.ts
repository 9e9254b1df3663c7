// Real boots under TCG: Debian trixie kernels for amd64, arm64 and s390x, running a
// shell-script loader through the guest's busybox. The script reads its mode from a
// dotted kernel parameter (portmatrix.mode=...), so one matrix has pass, fail and hang.

import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/results/model.js';
import { runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';

const LOADER = `#!/bin/sh
mode=$(sed -n 's/.*portmatrix\\.mode=\\([a-z]*\\).*/\\1/p' /proc/cmdline)
echo "mode=$mode machine=$(uname -m)"
case "$mode" in
  pass) /bin/true && exit 0 ;;
  fail) echo "attach kprobe: operation not permitted" >&2; exit 7 ;;
  hang) sleep 1000 ;;
esac
exit 99
`;

function matrixYaml(arches: string[], configs: string[]): string {
  return `kernels: [debian:trixie]
arches: [${arches.join(', ')}]
configs:
${configs.map((c) => `  - name: ${c}\n    cmdline: [portmatrix.mode=${c}]`).join('\n')}
loader:
  path: ./loader.sh
  timeout: 8
expect:
  - config: fail
    result: fail
    reason: the script exits 7 on purpose
`;
}

async function project(yaml: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-engine-'));
  await useTestLock(dir);
  await writeFile(path.join(dir, 'matrix.yaml'), yaml);
  await writeFile(path.join(dir, 'loader.sh'), LOADER);
  await chmod(path.join(dir, 'loader.sh'), 0o755);
  return dir;
}

/** QEMU processes started by the portmatrix process `pid` (its initramfs lives in /tmp/portmatrix-<pid>-XXXXXX/). */
function qemuProcesses(pid = process.pid): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-f', `qemu-system-.*portmatrix-${pid}-`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

describe('portmatrix run on real kernels (TCG)', () => {
  let dir: string;
  let run: Awaited<ReturnType<typeof runCli>>;
  let results: RunResults;

  beforeAll(async () => {
    dir = await project(matrixYaml(['amd64', 'arm64', 's390x'], ['pass', 'fail', 'hang']));
    run = await runCli(['run', '--accel', 'tcg', '--retries', '0'], { cwd: dir });
    results = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
  }, 900_000);

  it('exits 1 because the hang cells failed unexpectedly', () => {
    expect(run.code, run.stderr).toBe(1);
  });

  it('passes the passing cells on every arch, and the guest ran the right machine', () => {
    for (const [arch, machine] of [
      ['amd64', 'x86_64'],
      ['arm64', 'aarch64'],
      ['s390x', 's390x'],
    ]) {
      const cell = results.cells.find((c) => c.id === `${arch}/debian-trixie/pass`)!;
      expect(cell.status, cell.consoleTail).toBe('pass');
      expect(cell.stdout).toContain(`mode=pass machine=${machine}`);
      expect(cell.accel).toBe('tcg');
      expect(cell.timings.bootMs).toBeGreaterThan(0);
      expect(cell.kernel.release).toMatch(/^6\.12\./);
      expect(cell.guest?.btfPresent).toBe(true);
      expect(cell.attempts).toBe(1);
    }
  });

  it('reports the expected failures as xfail with the recognised reason', () => {
    for (const arch of ['amd64', 'arm64', 's390x']) {
      const cell = results.cells.find((c) => c.id === `${arch}/debian-trixie/fail`)!;
      expect(cell.status).toBe('xfail');
      expect(cell.exitCode).toBe(7);
      expect(cell.reason).toBe('permission denied: attach kprobe: operation not permitted');
    }
  });

  it('kills a hanging loader at its timeout and says so', () => {
    for (const arch of ['amd64', 'arm64', 's390x']) {
      const cell = results.cells.find((c) => c.id === `${arch}/debian-trixie/hang`)!;
      expect(cell.status).toBe('fail');
      expect(cell.timedOut).toBe(true);
      expect(cell.attempts).toBe(1);
      expect(cell.reason).toBe('loader timed out after 8s');
    }
  });

  it('keeps one cell file and one console log per cell, and prints the matrix', async () => {
    expect((await readdir(path.join(dir, 'results/cells'))).length).toBe(9);
    expect((await readdir(path.join(dir, 'results/console'))).length).toBe(9);
    expect(run.stdout).toContain('debian-trixie');
    expect(qemuProcesses()).toEqual([]);
  });

  it('--resume re-runs nothing when nothing changed', async () => {
    const again = await runCli(['run', '--accel', 'tcg', '--retries', '0', '--resume', '--only', 'config=pass'], {
      cwd: dir,
    });
    expect(again.code).toBe(0);
    const cells: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
    const before = results.cells.filter((c) => c.config === 'pass');
    expect(cells.cells.map((c) => c.startedAt)).toEqual(before.map((c) => c.startedAt));
  }, 120_000);
});
