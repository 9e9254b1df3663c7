// KVM or TCG per arch. KVM is only worth trying when the guest arch is the
// host's and /dev/kvm opens read-write; even then it must be proven by a real
// boot: on nested hypervisors (docs/facts.md) /dev/kvm exists but Debian kernels
// hang right after "Probing EDD", so the probe has a short watchdog and a hang
// means TCG.

import { constants } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Arch, hostArch } from '../core/arch.js';
import { memoize } from '../core/memo.js';
import { InfraError } from '../errors.js';
import { writeCpio } from '../guest/cpio.js';
import { runVm, type VmExit } from './process.js';
import { qemuCommand } from './profiles.js';

export type Probe = () => Promise<{ ok: boolean; why: string }>;

/** Whether /dev/kvm can be opened read-write (exists, and we are in the kvm group). */
export async function kvmDeviceUsable(dev = '/dev/kvm'): Promise<{ ok: boolean; why: string }> {
  try {
    const fh = await open(dev, constants.O_RDWR);
    await fh.close();
    return { ok: true, why: `${dev} is usable` };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      ok: false,
      why: code === 'ENOENT' ? `${dev} does not exist` : `${dev} cannot be opened read-write (${code})`,
    };
  }
}

// Probe outcomes per arch, shared by every cell of one process: the probe is a
// real boot and costs seconds, the answer does not change within a run.
const probed = memoize((_arch: Arch, probe: Probe) => probe().catch((err: unknown) => ({ ok: false, why: `KVM probe failed: ${String(err)}` })));

/** Forget cached probe results (tests). */
export function resetAccelCache(): void {
  probed.clear();
}

export async function chooseAccel(
  arch: Arch,
  mode: 'auto' | 'kvm' | 'tcg',
  probe: Probe,
  opts: { hostArch?: Arch; device?: () => Promise<{ ok: boolean; why: string }> } = {},
): Promise<{ accel: 'kvm' | 'tcg'; why: string }> {
  if (mode === 'tcg') return { accel: 'tcg', why: 'TCG requested' };
  const host = opts.hostArch ?? hostArch();
  const unusable = (why: string) => {
    if (mode === 'kvm') throw new InfraError(`KVM requested for ${arch} but unusable: ${why}; use accel: auto or tcg`);
    return { accel: 'tcg' as const, why: `TCG: ${why}` };
  };
  if (host !== arch) return unusable(`${arch} guest on a ${host ?? process.arch} host cannot use KVM`);
  const dev = await (opts.device ?? kvmDeviceUsable)();
  if (!dev.ok) return unusable(dev.why);
  const r = await probed(arch, probe);
  return r.ok ? { accel: 'kvm', why: `KVM: ${r.why}` } : unusable(r.why);
}

const MARKER = 'portmatrix-kvm-probe-ok';

/** A tiny initramfs: busybox, and an /init that prints the marker and powers off. */
export function probeInitramfs(busybox: Buffer): Buffer {
  const init = `#!/bin/busybox sh\n/bin/busybox echo ${MARKER}\n/bin/busybox poweroff -f\n`;
  return gzipSync(
    writeCpio([
      { path: 'dev/console', type: 'char', major: 5, minor: 1 },
      { path: 'bin/busybox', type: 'file', mode: 0o755, data: busybox },
      { path: 'init', type: 'file', mode: 0o755, data: Buffer.from(init) },
    ]),
    { level: 1 },
  );
}

/**
 * Boot `kernel` under KVM with a tiny busybox initramfs; ok when its /init
 * prints the marker before the watchdog. `busybox` is the host path of a
 * static busybox for `arch`.
 */
export async function probeKvm(kernel: string, busybox: string, arch: Arch, env: NodeJS.ProcessEnv, watchdogMs = 8000): Promise<{ ok: boolean; why: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'portmatrix-kvm-'));
  try {
    const initrd = path.join(dir, 'probe.cpio.gz');
    await writeFile(initrd, probeInitramfs(await readFile(busybox)));
    const { binary, args } = qemuCommand({
      arch,
      accel: 'kvm',
      kernel,
      initrd,
      cmdline: [],
      memoryMiB: 256,
      cpus: 1,
      network: false,
    });
    let seen = false;
    const exit = await runVm({
      binary,
      args,
      consoleLog: path.join(dir, 'console.log'),
      deadlineMs: watchdogMs,
      bootDeadlineMs: watchdogMs,
      env,
      booted: (line) => (seen ||= line.includes(MARKER)),
      killGraceMs: 500,
    });
    return probeAnswer(exit, seen);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the probe's boot says of KVM: it reached userspace (`seen` the marker), or how it failed. */
function probeAnswer(exit: VmExit, seen: boolean): { ok: boolean; why: string } {
  const secs = (exit.durationMs / 1000).toFixed(1);
  if (exit.spawnError) return { ok: false, why: exit.spawnError };
  if (seen)
    return {
      ok: true,
      why: `a test boot reached userspace in ${((exit.bootMs ?? exit.durationMs) / 1000).toFixed(1)} s`,
    };
  const last = exit.consoleTail.trim().split('\n').pop()?.trim();
  const detail = last ? ` (last console line: ${last})` : '';
  if (exit.timedOut || exit.bootTimedOut) return { ok: false, why: `a test boot under KVM hung for ${secs} s${detail}` };
  return {
    ok: false,
    why: `a test boot under KVM ended without reaching userspace (qemu exit ${exit.code ?? exit.signal})${detail}`,
  };
}
