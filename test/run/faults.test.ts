// What goes wrong for real: a kernel that cannot boot, Ctrl-C in the middle of a run,
// and a loader built for the wrong arch.

import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/results/model.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { devKernel, useTestLock } from '../helpers/dev-kernels.js';

const PASS = '#!/bin/sh\necho ok\nexit 0\n';

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-faults-'));
  await useTestLock(dir);
  for (const [name, text] of Object.entries(files)) {
    await writeFile(path.join(dir, name), text);
    if (name.endsWith('.sh')) await chmod(path.join(dir, name), 0o755);
  }
  return dir;
}

/** QEMU processes started by the portmatrix process `pid` (its initramfs lives in /tmp/portmatrix-<pid>-XXXXXX/). */
function qemuProcesses(pid = process.pid): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-f', `qemu-system-.*portmatrix-${pid}-`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

describe('faults', () => {
  // A truncated bzImage dies in its decompressor before the serial console exists:
  // QEMU exits with nothing on the console, and the reason says so.
  it('a truncated kernel is infra, retried once, and the reason says the console stayed empty', async () => {
    const kernelPath = await devKernel('amd64');
    const dir = await project({ 'loader.sh': PASS });
    const broken = path.join(dir, 'vmlinuz-broken');
    await copyFile(kernelPath, broken);
    await truncate(broken, Math.floor((await stat(broken)).size / 3));
    await writeFile(path.join(dir, 'matrix.yaml'), 'kernels: [file:./vmlinuz-broken]\narches: [amd64]\nloader:\n  path: ./loader.sh\nvm:\n  bootTimeout: 20\n');
    const run = await runCli(['run', '--accel', 'tcg'], { cwd: dir });
    expect(run.code, run.stderr).toBe(3);
    const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
    expect(results.cells).toHaveLength(1);
    const cell = results.cells[0]!;
    expect(cell.status).toBe('infra');
    expect(cell.bootFailed).toBe(true);
    expect(cell.attempts).toBe(2);
    expect(cell.reason).toMatch(/^(QEMU exited \(code \d+\) before the loader started|guest did not start \/init within \d+s): the console stayed empty/);
    expect(cell.consoleTail).toBe('');
    expect(qemuProcesses()).toEqual([]);
  }, 300_000);

  it('refuses a loader built for another arch before anything boots', async () => {
    const dir = await project({});
    // The host's own /bin/true is an x86-64 ELF: wrong for an arm64 cell.
    await copyFile('/bin/true', path.join(dir, 'loader-arm64'));
    await writeFile(path.join(dir, 'matrix.yaml'), 'kernels: [debian:trixie]\narches: [arm64]\nloader:\n  path: ./loader-{arch}\n');
    const started = Date.now();
    const run = await runCli(['run'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/loader-arm64 is built for amd64.*needs arm64/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('Ctrl-C keeps finished cells, leaves no QEMU behind, and --resume completes the run', async () => {
    const configs = ['a', 'b', 'c', 'd'];
    const dir = await project({
      'loader.sh': PASS,
      'matrix.yaml': `kernels: [debian:trixie]\narches: [amd64]\nconfigs:\n${configs.map((c) => `  - name: ${c}\n    cmdline: [portmatrix.c=${c}]`).join('\n')}\nloader:\n  path: ./loader.sh\n`,
    });
    const child = spawnCli(['run', '--accel', 'tcg', '--jobs', '1'], { cwd: dir });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    // Interrupt once the first cell has finished and the second is booting.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no cell finished in time:\n${stderr}`)), 240_000);
      child.stderr!.on('data', () => {
        if (/\[1\/4\] pass/.test(stderr) && /start\s+amd64\/debian-trixie\/b/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(130);
    expect(qemuProcesses(child.pid)).toEqual([]);
    const kept = await readdir(path.join(dir, 'results/cells'));
    expect(kept).toContain('amd64__debian-trixie__a.json');
    expect(kept.length).toBeLessThan(4);
    expect(stderr).toMatch(/portmatrix run --resume/);
    const first = JSON.parse(await readFile(path.join(dir, 'results/cells/amd64__debian-trixie__a.json'), 'utf8'));

    const resumed = await runCli(['run', '--accel', 'tcg', '--retries', '0', '--resume'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
    expect(results.cells.map((c) => [c.id, c.status])).toEqual(configs.map((c) => [`amd64/debian-trixie/${c}`, 'pass']));
    // Cell a was not run again: same start time as before the interruption.
    expect(results.cells[0]!.startedAt).toBe(first.startedAt);
  }, 600_000);
});
