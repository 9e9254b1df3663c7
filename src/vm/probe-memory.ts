// The KVM probe's answer, kept in the cache until the host reboots or QEMU changes.
// The probe is a real boot with an 8 s watchdog on hosts where KVM hangs
// (docs/facts.md); paying that on every run would dominate a run that has little
// else to do (`run --reuse` of an unchanged matrix).
//
//   <cache>/accel/<arch>.json   { bootId, qemuVersion, ok, why }

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Arch } from '../core/arch.js';
import { writeJsonAtomic } from '../host/files.js';
import type { Probe } from './accel.js';

interface Remembered {
  bootId: string;
  qemuVersion: string;
  ok: boolean;
  why: string;
}

/** The host's boot id: changes with every reboot (and with it /dev/kvm, modules, nesting). */
export async function hostBootId(file = '/proc/sys/kernel/random/boot_id'): Promise<string | undefined> {
  return (await readFile(file, 'utf8').catch(() => ''))?.trim() || undefined;
}

/**
 * `probe`, answered from the cache when this host (same boot) and this QEMU
 * version already answered it. Unknown boot id or QEMU version: always probes.
 */
export function rememberedProbe(cacheDir: string, arch: Arch, qemuVersion: string | undefined, probe: Probe, bootId = hostBootId): Probe {
  const file = path.join(cacheDir, 'accel', `${arch}.json`);
  return async () => {
    const boot = await bootId();
    if (!boot || !qemuVersion) return probe();
    const held = JSON.parse(await readFile(file, 'utf8').catch(() => 'null')) as Remembered | null;
    if (held && held.bootId === boot && held.qemuVersion === qemuVersion) return { ok: held.ok, why: `${held.why} (probed earlier since this host booted)` };
    const fresh = await probe();
    await writeJsonAtomic(file, { bootId: boot, qemuVersion, ok: fresh.ok, why: fresh.why } satisfies Remembered).catch(() => {});
    return fresh;
  };
}
