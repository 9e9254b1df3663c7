// QEMU argv per arch: pure data → argv, tested as a table. The machine, CPU and
// console choices are the ones measured in docs/facts.md; each flag says why.

import type { Arch } from '../core/arch.js';
import { INPUTS_PORT_NAME } from '../guest/base-init.js';

export interface VmSpec {
  arch: Arch;
  accel: 'kvm' | 'tcg';
  /** Host path of the kernel image (bzImage / Image / s390x image). */
  kernel: string;
  initrd: string;
  /** Extra kernel parameters from the cell's config (e.g. `lockdown=integrity`). */
  cmdline: string[];
  memoryMiB: number;
  cpus: number;
  network: boolean;
  /** Unix socket QEMU listens on for the cell's inputs (a virtio-serial port, base-init.ts). */
  inputsSocket?: string;
  /** Unix socket of a QMP monitor (snapshots: migrate, query-migrate, cont). */
  qmpSocket?: string;
  /** Restore the VM state from this file instead of booting (`-incoming`; runVm's `incomingFile`). */
  incomingFile?: string;
}

/** The descriptor QEMU reads an incoming state from (process.ts runVm puts the file there). */
export const INCOMING_FD = 3;

interface Profile {
  binary: string;
  aptPackage: string;
  machine: string;
  /** CPU model per accelerator (undefined = the machine's default). */
  cpu: { tcg?: string; kvm?: string };
  console: string;
  nicModel: string;
  /** The virtio-serial controller: PCI on the PC and virt machines, channel I/O on s390x. */
  serialBus: string;
}

const PROFILES: Record<Arch, Profile> = {
  amd64: {
    binary: 'qemu-system-x86_64',
    aptPackage: 'qemu-system-x86',
    // `pc` never hung in 60+ TCG boots; microvm hangs at random without tsc_early_khz.
    machine: 'pc',
    // `max` halves a Go loader's run time under TCG vs qemu64; `host` aborts on the
    // nested hypervisor measured here ("failed to set MSR 0x10a"), `max` works under KVM too.
    cpu: { tcg: 'max', kvm: 'max' },
    console: 'ttyS0',
    nicModel: 'virtio-net-pci',
    serialBus: 'virtio-serial-pci',
  },
  arm64: {
    binary: 'qemu-system-aarch64',
    aptPackage: 'qemu-system-arm',
    machine: 'virt',
    // Emulated pointer authentication doubles TCG boot time; KVM runs it natively.
    cpu: { tcg: 'max,pauth=off', kvm: 'max' },
    console: 'ttyAMA0',
    nicModel: 'virtio-net-pci',
    serialBus: 'virtio-serial-pci',
  },
  s390x: {
    binary: 'qemu-system-s390x',
    aptPackage: 'qemu-system-misc',
    machine: 's390-ccw-virtio',
    cpu: {},
    // With -nodefaults, `-serial stdio` is what creates the SCLP console.
    console: 'ttysclp0',
    nicModel: 'virtio', // the only model QEMU offers here; it is virtio-net-ccw
    serialBus: 'virtio-serial-ccw',
  },
};

export function qemuBinary(arch: Arch): string {
  return PROFILES[arch].binary;
}

/** Debian package that provides qemu-system-<arch>. */
export function qemuPackage(arch: Arch): string {
  return PROFILES[arch].aptPackage;
}

/** The Debian package for a QEMU binary name (for "not found" messages). */
export function packageForBinary(binary: string): string | undefined {
  const base = binary.split('/').pop();
  return Object.values(PROFILES).find((p) => p.binary === base)?.aptPackage;
}

/** Kernel parameters: console first, then panic=-1 (a panic exits QEMU via -no-reboot), then the cell's own. */
export function kernelArgs(spec: Pick<VmSpec, 'arch' | 'cmdline'> & { accel?: VmSpec['accel'] }): string {
  // Under TCG on a loaded host an x86 kernel's IO-APIC timer check can fail and panic at
  // boot ("IO-APIC + timer doesn't work!", seen here on sid at load average 11); the vng
  // backend skips the check for the same reason.
  const timer = spec.arch === 'amd64' && spec.accel === 'tcg' ? ['no_timer_check'] : [];
  return [`console=${PROFILES[spec.arch].console}`, 'panic=-1', ...timer, ...spec.cmdline].join(' ');
}

/** QEMU's option syntax: a comma inside a value is written twice. */
const optValue = (v: string) => v.replace(/,/g, ',,');

/** The inputs port: a virtio-serial controller with one named port on a listening unix socket. */
function inputsArgs(p: Profile, spec: VmSpec): string[] {
  if (!spec.inputsSocket) return [];
  return [
    '-device',
    `${p.serialBus},id=pmserial`,
    '-chardev',
    `socket,id=pminputs,path=${optValue(spec.inputsSocket)},server=on,wait=off`,
    '-device',
    `virtserialport,bus=pmserial.0,chardev=pminputs,name=${INPUTS_PORT_NAME}`,
  ];
}

/** The machine: accelerator, board, CPU model, CPU count and memory. */
function machineArgs(p: Profile, spec: VmSpec): string[] {
  const model = p.cpu[spec.accel];
  const cpu = model ? ['-cpu', model] : [];
  return ['-accel', spec.accel, '-M', p.machine, ...cpu, '-smp', String(spec.cpus), '-m', String(spec.memoryMiB)];
}

export function qemuCommand(spec: VmSpec): { binary: string; args: string[]; kernelArgs: string } {
  const p = PROFILES[spec.arch];
  const append = kernelArgs(spec);
  const args = [
    ...machineArgs(p, spec),
    // No default devices, no host config files: the VM is exactly this argv.
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    // The guest console is QEMU's stdout; the caller logs and parses it.
    '-serial',
    'stdio',
    // A guest reboot (or panic with panic=-1) ends QEMU instead of looping.
    '-no-reboot',
    ...(spec.network ? ['-nic', `user,model=${p.nicModel}`] : ['-nic', 'none']),
    '-kernel',
    spec.kernel,
    '-initrd',
    spec.initrd,
    '-append',
    append,
    ...inputsArgs(p, spec),
    // nowait: a missing or slow client must never block QEMU (or a restore).
    ...(spec.qmpSocket ? ['-qmp', `unix:${optValue(spec.qmpSocket)},server=on,wait=off`] : []),
    // The state file as QEMU's fd INCOMING_FD (runVm opens it there): QEMU reads it
    // itself. `exec:cat FILE` cost a shell, a cat and a pipe copy: 50-170 ms more per
    // restore of an 80 MB state under TCG.
    ...(spec.incomingFile ? ['-incoming', `fd:${INCOMING_FD}`] : []),
  ];
  return { binary: p.binary, args, kernelArgs: append };
}
