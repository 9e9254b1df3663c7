// The boot key: everything that shapes a guest's state at READY, hashed. Cells
// with the same key can share one snapshot (docs/snapshots.md). Pure.

import { createHash } from 'node:crypto';
import type { VmSpec } from '../vm/profiles.js';
import { qemuCommand } from '../vm/profiles.js';

export interface BootKeyParts {
  /** portmatrix's version: /init and the QEMU argv it builds change between versions. */
  version: string;
  /** `qemu-system-<arch> --version`: migration streams are not promised across versions. */
  qemuVersion: string;
  kernelSha256: string;
  /** sha256 of the gzipped base initramfs (busybox, modules, /init). */
  initrdSha256: string;
  spec: Omit<VmSpec, 'kernel' | 'initrd' | 'inputsSocket' | 'qmpSocket' | 'incomingFile'>;
}

/** The argv with every per-run path replaced by a placeholder: what the key hashes. */
export function keyArgv(spec: BootKeyParts['spec']): string[] {
  return qemuCommand({ ...spec, kernel: '@kernel', initrd: '@initrd', inputsSocket: '@inputs', qmpSocket: '@qmp' }).args;
}

export function bootKey(p: BootKeyParts): string {
  const canonical = JSON.stringify({
    v: 1,
    portmatrix: p.version,
    qemu: p.qemuVersion,
    kernel: p.kernelSha256,
    initrd: p.initrdSha256,
    argv: keyArgv(p.spec),
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/** One line for `images ls` and logs: arch, memory, cpus, accel and the kernel command line. */
export function describeBoot(p: BootKeyParts, release: string): string {
  const cmdline = p.spec.cmdline.length ? ` ${p.spec.cmdline.join(' ')}` : '';
  return `${p.spec.arch} ${release} ${p.spec.memoryMiB} MiB ${p.spec.cpus} cpu ${p.spec.accel}${cmdline}`;
}
