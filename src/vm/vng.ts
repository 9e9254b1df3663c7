// virtme-ng (`vng`) as a VM backend: pure argv builders, tested as tables.
//
// How a vng cell runs: vng boots the cell's kernel with the host's own root
// filesystem (virtiofs) and runs one command. That command unpacks the very
// initramfs the qemu backend would boot into a tmpfs and execs its /init there,
// chrooted, in a private mount namespace. So busybox, the loader, its files, the
// cell's libc, sysctls, user and the frame protocol are identical across
// backends: only the boot path differs (vng's q35/microvm machine, its init,
// udev, virtiofs).
// Deliberately no PID namespace: BPF helpers report init-namespace pids, and a
// loader that matches events to its own children (the execsnoop example does)
// fails inside one (measured: "no execve event for pid 27"). /init is thus not
// PID 1 here: its `kill -KILL -1` ends vng's udevd (harmless, the command is a
// direct child of vng's init) and its `poweroff -f` ends the VM; frames are safe
// by then, as blocking writes to a virtio console port return once the host took
// the data.

import type { Arch } from '../core/arch.js';
import { shQuote } from '../guest/init-script.js';
import type { VmSpec } from './profiles.js';

/** The same VM description as the qemu backend's (minus the arch: always the host's). */
export type VngSpec = Omit<VmSpec, 'arch'> & {
  /** vng executable; default `vng` on PATH (scripts/install-vng links it there). */
  vng?: string;
};

/**
 * Why vng cannot run a cell of `arch` on this host, or undefined when it can.
 * vng boots the host's root filesystem; another arch needs `--root` with a root
 * filesystem of that arch, which vng 1.4x shares over 9p only, and Debian's
 * arm64/s390x kernels have no 9p (docs/facts.md: the guest panics mounting root).
 */
export function vngSkipReason(arch: Arch, host: Arch | undefined): string | undefined {
  if (host === arch) return undefined;
  return (
    `vm.backend vng boots the host's root filesystem (${host ?? 'unknown arch'}); a ${arch} cell needs a ${arch} ` +
    `root filesystem, which vng shares over 9p only and Debian's ${arch} kernels lack 9p. Use vm.backend: qemu for ${arch}.`
  );
}

/**
 * The command vng runs in the guest (as root, under sh). `cpio` and `unshare`
 * come from the host's root filesystem (Debian packages cpio, util-linux).
 * /init's mounts (proc, devtmpfs, tmpfs on /tmp, ...) stay in its mount namespace.
 */
export function vngGuestCommand(initrd: string): string {
  return [
    'set -e',
    // The guest's / and /tmp are the host's, read-only; /run is vng's tmpfs.
    'r=$(mktemp -d /run/portmatrix.XXXXXX)',
    'cd "$r"',
    // --no-absolute-filenames: the archive's paths must stay under $r.
    `gzip -dc ${shQuote(initrd)} | cpio -id --quiet --no-absolute-filenames`,
    'cd /',
    'exec unshare --mount --propagation private chroot "$r" /init',
  ].join('; ');
}

/** `vng` arguments for one cell (without the executable). */
export function vngArgs(spec: VngSpec): string[] {
  // --verbose: the kernel console goes to stderr, so boot failures reach the console log.
  const args = ['--run', spec.kernel, '--user', 'root', '--verbose'];
  // vng's TCG switch; with it vng picks q35 instead of microvm (docs/facts.md).
  if (spec.accel === 'tcg') args.push('--disable-kvm');
  args.push('--memory', `${spec.memoryMiB}M`, '--cpus', String(spec.cpus));
  if (spec.network) args.push('--network', 'user');
  // Under TCG on a loaded host the kernel's IO-APIC timer check can fail and panic
  // ("IO-APIC + timer doesn't work!", seen here on vng's q35); skip that check.
  if (spec.accel === 'tcg') args.push('--append', 'no_timer_check');
  for (const a of spec.cmdline) args.push('--append', a);
  args.push('--exec', vngGuestCommand(spec.initrd));
  return args;
}

/**
 * vng forks QEMU (and virtiofsd) and does not forward SIGTERM to them: a killed
 * vng would orphan a running VM. This bash wrapper puts vng in its own session,
 * kills the whole group when it is told to stop, and a watchdog kills the group
 * if the wrapper itself is SIGKILLed or portmatrix dies without a word.
 */
export const GROUP_WRAPPER = [
  'setsid "$@" & pid=$!',
  "trap 'kill -TERM -- -$pid 2>/dev/null; wait $pid; exit 143' TERM INT HUP",
  'top=$$; parent=$PPID',
  '( while kill -0 $top 2>/dev/null && kill -0 $parent 2>/dev/null; do sleep 1; done; kill -KILL -- -$pid ) 2>/dev/null &',
  'wd=$!',
  'wait $pid; rc=$?',
  'kill $wd 2>/dev/null',
  'exit $rc',
].join('\n');

/** The process runVm spawns for a vng cell: bash → setsid → vng → qemu. */
export function vngCommand(spec: VngSpec): { binary: string; args: string[] } {
  return { binary: 'bash', args: ['-c', GROUP_WRAPPER, 'portmatrix-vng', spec.vng ?? 'vng', ...vngArgs(spec)] };
}
