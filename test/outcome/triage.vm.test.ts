// Broken, or infrastructure? One real run on Debian trixie amd64 under TCG:
// - a loader that writes a kernel WARNING and exits 0 fails with `kernel splat: …`,
//   unless matrix.yaml's splats.allow matches it;
// - a kernel panic inside the guest is the test's failure and is not retried, and
//   keeps what the loader printed before it;
// - a QEMU SIGKILLed from outside while the loader sleeps is infra, retried, and ends pass.

import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellResult, RunResults } from '../../src/results/model.js';
import { runCli } from '../helpers/cli.js';
import { useTestLock } from '../helpers/dev-kernels.js';

const LOADER = `#!/bin/sh
mode=$(sed -n 's/.*pm\\.mode=\\([a-z]*\\).*/\\1/p' /proc/cmdline)
case $mode in
allowed|warn) echo "<4>WARNING: CPU: 0 PID: $$ at drivers/misc/pm_$mode.c:42 pm_selftest+0x1a/0x30" > /dev/kmsg ;;
crash) echo "crashing now"; sleep 1; echo 1 > /proc/sys/kernel/sysrq; echo c > /proc/sysrq-trigger ;;
sleep) sleep 6 ;;
esac
echo "done $mode"
`;

const MATRIX = `kernels: [debian:trixie]
arches: [amd64]
configs:
${['allowed', 'warn', 'crash', 'sleep'].map((m) => `  - {name: ${m}, cmdline: pm.mode=${m}}`).join('\n')}
loader:
  path: ./loader.sh
  timeout: 30
splats:
  allow: ['at drivers/misc/pm_allowed\\.c:']
`;

/** QEMU processes of this test process whose kernel command line carries `marker`. */
function qemuPids(marker: string): number[] {
  try {
    // The work dir (sockets) and the command line come in either order, depending on the boot.
    const ours = `portmatrix-${process.pid}-`;
    return execFileSync('pgrep', ['-f', `qemu-system-.*(${ours}.*${marker}|${marker}.*${ours})`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

describe('triage on a real guest', () => {
  it('splats fail a clean exit unless allowed, a panic fails, a QEMU killed from outside is retried to pass', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-triage-'));
    await writeFile(path.join(dir, 'loader.sh'), LOADER);
    await chmod(path.join(dir, 'loader.sh'), 0o755);
    await writeFile(path.join(dir, 'matrix.yaml'), MATRIX);
    await useTestLock(dir);

    // Kill the first QEMU of the `sleep` cell once its loader has started.
    const consoleLog = path.join(dir, 'results/console/amd64__debian-trixie__sleep.log');
    let killed: number | undefined;
    const watcher = setInterval(async () => {
      if (killed) return;
      const text = await readFile(consoleLog, 'utf8').catch(() => '');
      const pid = qemuPids('pm.mode=sleep')[0];
      if (!text.includes(' phase=loader-start ') || !pid) return;
      killed = pid;
      process.kill(pid, 'SIGKILL');
    }, 200);
    const run = await runCli(['run', '--accel', 'tcg', '--jobs', '1', '--retries', '1'], { cwd: dir }).finally(() => clearInterval(watcher));
    expect(run.code, run.stderr).toBe(1);
    expect(killed).toBeGreaterThan(0);

    const results: RunResults = JSON.parse(await readFile(path.join(dir, 'results/results.json'), 'utf8'));
    const byConfig = Object.fromEntries(results.cells.map((c) => [c.config, c])) as Record<string, CellResult>;
    expect(byConfig.allowed).toMatchObject({ status: 'pass', attempts: 1, exitCode: 0 });
    expect(byConfig.allowed!.kernelLog).toMatch(/WARNING: CPU: 0 PID: \d+ at drivers\/misc\/pm_allowed\.c:42/);
    expect(byConfig.warn).toMatchObject({ status: 'fail', attempts: 1, exitCode: 0 });
    expect(byConfig.warn!.reason).toMatch(/^kernel splat: WARNING: CPU: 0 PID: \d+ at drivers\/misc\/pm_warn\.c:42 pm_selftest\+0x1a\/0x30$/);
    // The segment holds the test's lines only: nothing from the boot (stamps before the loader).
    expect(byConfig.warn!.kernelLog!.split('\n')).toHaveLength(1);
    expect(byConfig.crash).toMatchObject({ status: 'fail', attempts: 1 });
    expect(byConfig.crash!.reason).toBe('guest died while the loader ran: kernel panic: Kernel panic - not syncing: sysrq triggered crash');
    // Printed a second before the panic: streamed to the host, it outlives the guest.
    expect(byConfig.crash!.stdout).toBe('crashing now\n');
    expect(byConfig.sleep).toMatchObject({ status: 'pass', attempts: 2, exitCode: 0 });
    expect(byConfig.sleep!.retriedAfter).toEqual(['QEMU was killed by SIGKILL from outside portmatrix (out of memory, or the runner stopped it)']);
    for (const c of results.cells) expect(c.reason ?? '').not.toMatch(/@@portmatrix/);
    expect(qemuPids('pm.mode=')).toEqual([]);
  }, 600_000);
});
