// The vng backend's pure parts: argv, the guest command, which cells it skips, and
// the process-group wrapper that keeps a killed vng from orphaning its QEMU.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MatrixVm } from '../../src/config/matrix.js';
import { runVm } from '../../src/vm/process.js';
import { vngArgs, vngCommand, vngGuestCommand, vngSkipReason } from '../../src/vm/vng.js';
import { backendSkip } from '../../src/vm/vng-runner.js';

const SPEC = {
  accel: 'tcg' as const,
  kernel: '/k/vmlinuz',
  initrd: '/w/a b.cpio.gz',
  cmdline: ['lockdown=integrity'],
  memoryMiB: 512,
  cpus: 1,
  network: false,
};

describe('vngArgs', () => {
  it('boots the kernel under TCG as root, with the cell cmdline, running the unpacked initramfs', () => {
    expect(vngArgs(SPEC)).toEqual([
      '--run',
      '/k/vmlinuz',
      '--user',
      'root',
      '--verbose',
      '--disable-kvm',
      '--memory',
      '512M',
      '--cpus',
      '1',
      '--append',
      'no_timer_check',
      '--append',
      'lockdown=integrity',
      '--exec',
      vngGuestCommand('/w/a b.cpio.gz'),
    ]);
  });

  it('leaves KVM on and adds a user network only when asked', () => {
    const args = vngArgs({ ...SPEC, accel: 'kvm', network: true, cmdline: [] });
    expect(args).not.toContain('--disable-kvm');
    expect(args).not.toContain('no_timer_check');
    expect(args.join(' ')).toContain('--network user');
  });

  it('quotes the initramfs path and execs /init chrooted, in its own mount namespace only', () => {
    const cmd = vngGuestCommand("/w/it's.cpio.gz");
    expect(cmd).toContain(`gzip -dc '/w/it'\\''s.cpio.gz' | cpio -id`);
    expect(cmd).toContain('mktemp -d /run/');
    expect(cmd).toMatch(/exec unshare --mount .*chroot "\$r" \/init$/);
    // A PID namespace would hide the pids BPF reports from the loader.
    expect(cmd).not.toContain('--pid');
  });

  it('spawns bash with the group wrapper, then vng and its arguments', () => {
    const { binary, args } = vngCommand({ ...SPEC, vng: '/opt/vng' });
    expect(binary).toBe('bash');
    expect(args.slice(2, 4)).toEqual(['portmatrix-vng', '/opt/vng']);
    expect(args.slice(4)).toEqual(vngArgs(SPEC));
  });
});

describe('which cells vng runs', () => {
  const vm = (backend: 'qemu' | 'vng'): MatrixVm => ({
    memory: 512,
    cpus: 1,
    bootTimeout: 60,
    accel: 'auto',
    backend,
    network: false,
    snapshot: 'auto',
  });
  const cell = (arch: 'amd64' | 'arm64') => ({ arch }) as Parameters<typeof backendSkip>[0];

  it('runs host-arch cells and skips others, saying why and what to use instead', () => {
    expect(vngSkipReason('amd64', 'amd64')).toBeUndefined();
    const why = vngSkipReason('arm64', 'amd64')!;
    expect(why).toContain("boots the host's root filesystem (amd64)");
    expect(why).toContain('9p');
    expect(why).toContain('Use vm.backend: qemu for arm64');
  });

  it('skips nothing under the qemu backend', () => {
    expect(backendSkip(cell('arm64'), vm('qemu'), 'amd64')).toBeUndefined();
    expect(backendSkip(cell('arm64'), vm('vng'), 'amd64')).toMatch(/^vm.backend vng/);
    expect(backendSkip(cell('amd64'), vm('vng'), 'amd64')).toBeUndefined();
  });
});

/** Running, not a zombie: an orphan waits for PID 1 to reap it, which here can take a while. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('the process-group wrapper', () => {
  // A fake vng that, like the real one, forks a long-lived child (its "QEMU") and
  // ignores SIGTERM's effect on that child.
  async function fakeVng(dir: string): Promise<string> {
    const file = path.join(dir, 'fake-vng');
    await writeFile(file, `#!/bin/sh\nsleep 300 &\necho $! > ${dir}/qemu.pid\necho booted\nwait\n`);
    await chmod(file, 0o755);
    return file;
  }

  it('kills vng and the VM it forked when the deadline passes', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-vng-group-'));
    const { args } = vngCommand({ ...SPEC, vng: await fakeVng(dir) });
    const exit = await runVm({
      binary: 'bash',
      args,
      consoleLog: path.join(dir, 'console.log'),
      env: process.env,
      deadlineMs: 1500,
      bootDeadlineMs: 10_000,
      killGraceMs: 1000,
    });
    expect(exit.timedOut).toBe(true);
    const qemuPid = Number(await readFile(path.join(dir, 'qemu.pid'), 'utf8'));
    await new Promise((r) => setTimeout(r, 300));
    expect(alive(qemuPid), `the fake QEMU ${qemuPid} outlived its vng`).toBe(false);
  }, 20_000);

  it('kills the VM too when the wrapper itself is SIGKILLed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-vng-group-'));
    const { args } = vngCommand({ ...SPEC, vng: await fakeVng(dir) });
    // killGraceMs 0: SIGTERM and SIGKILL land together, so the trap never runs; the watchdog must act.
    const exit = await runVm({
      binary: 'bash',
      args,
      consoleLog: path.join(dir, 'console.log'),
      env: process.env,
      deadlineMs: 1500,
      bootDeadlineMs: 10_000,
      killGraceMs: 0,
    });
    expect(exit.timedOut).toBe(true);
    const qemuPid = Number(await readFile(path.join(dir, 'qemu.pid'), 'utf8'));
    // The watchdog polls once a second.
    await new Promise((r) => setTimeout(r, 2500));
    expect(alive(qemuPid), `the fake QEMU ${qemuPid} outlived its vng`).toBe(false);
  }, 20_000);

  it('passes vng exit code through', () => {
    const { args } = vngCommand({ ...SPEC, vng: 'false' });
    let code = 0;
    try {
      execFileSync('bash', args, { stdio: 'ignore' });
    } catch (error) {
      code = (error as { status: number }).status;
    }
    expect(code).toBe(1);
  });
});
