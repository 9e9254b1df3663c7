// Explanations added to a failure reason: who the loader ran as when the kernel
// refused it, what the pre-boot libc check predicted, which sysctls did not apply.

import type { ElfInfo } from '../guest/elf.js';
import { libcFit } from '../libc/fit.js';
import { capabilityNames, describeCredentials } from '../results/credentials.js';
import type { GuestFacts, Status } from '../results/model.js';

/**
 * A permission-denied (or memlock-looking) failure of a loader that did not run with
 * full privileges: say who it ran as and what the kernel wanted, e.g.
 * "permission denied: ... (the loader ran as uid 1000, no capabilities; loading BPF
 * needs CAP_BPF or CAP_SYS_ADMIN, ...)". Measured on Debian 6.12 (docs/axes.md):
 * - cilium/ebpf words every EPERM from map creation as a MEMLOCK hint; with
 *   RLIMIT_MEMLOCK unlimited (our /init) it is really a missing capability.
 * - Debian kernels default to kernel.perf_event_paranoid=3, where perf events
 *   (kprobe links) need CAP_SYS_ADMIN; at 2 CAP_PERFMON is enough.
 * - tracefs is root's, mode 0700: a non-root loader that adds kprobe events there
 *   (cilium/ebpf's LINUX_HAS_SYSCALL_WRAPPER probe) needs CAP_DAC_OVERRIDE.
 */
export function explainPermission(reason: string | undefined, g: GuestFacts | undefined): string | undefined {
  if (!reason || !g || (!reason.startsWith('permission denied') && !reason.startsWith('memlock limit'))) return reason;
  if (reason.startsWith('permission denied (lockdown)')) return reason;
  const names = g.capEff !== undefined ? capabilityNames(g.capEff) : undefined;
  const has = (c: string) => names?.includes(c) ?? g.uid === 0;
  let hints: string[];
  if (/\/sys\/kernel\/(debug\/)?tracing\/|kprobe_events|trace event/.test(reason) && g.uid !== 0 && !has('dac_override')) {
    hints = ['tracefs belongs to root (mode 0700): a non-root loader that uses it (cilium/ebpf does, to probe for syscall wrappers) needs CAP_DAC_OVERRIDE'];
  } else if (/perf.?event/i.test(reason) && !has('sys_admin')) {
    hints = [
      has('perfmon')
        ? 'Debian kernels default to kernel.perf_event_paranoid=3, where perf events need CAP_SYS_ADMIN; with sysctl kernel.perf_event_paranoid: 2 CAP_PERFMON is enough'
        : 'perf events (kprobes) need CAP_PERFMON, and CAP_SYS_ADMIN at kernel.perf_event_paranoid=3 (the Debian default)',
    ];
  } else {
    hints = [
      !has('bpf') && !has('sys_admin') ? 'loading BPF needs CAP_BPF or CAP_SYS_ADMIN' : undefined,
      !has('perfmon') && !has('sys_admin') ? 'kprobes and perf events need CAP_PERFMON or CAP_SYS_ADMIN' : undefined,
    ].filter((h): h is string => h !== undefined);
  }
  if (hints.length === 0) return reason;
  const text = reason.replace(/^memlock limit/, 'permission denied');
  return `${text} (the loader ran as ${describeCredentials(g)}; ${hints.join(', ')})`;
}

/** What the libc axis knows about one program: its ELF, the cell's libc and its glibc version, the files shipped with it. */
export interface LibcContext {
  elf?: ElfInfo;
  /** `static` or `debian:<suite>`. */
  libc: string;
  /** The glibc version of the tree the program ran against; absent in a static cell. */
  glibc?: string;
  shipped: string[];
}

/** The outcome's reason, with who the program ran as (permissions) or what the pre-boot libc check predicted. */
export function explainReason(reason: string | undefined, facts: GuestFacts | undefined, libc?: LibcContext): string | undefined {
  if (reason?.startsWith('libc mismatch') && libc?.elf && libc.glibc) {
    const fit = libcFit(libc.elf, libc.libc, { glibc: libc.glibc, shipped: libc.shipped });
    if (fit.kind === 'fails') return `${reason} (pre-boot check: ${fit.why})`;
  }
  return explainPermission(reason, facts);
}

/** A sysctl the guest kernel refused changes what the cell tested: a failing cell says so. */
export function withSysctlErrors(reason: string | undefined, errors: string[], status: Status): string | undefined {
  if (!errors.length || status === 'pass' || status === 'skip' || status === 'infra') return reason;
  const note = `sysctl not applied: ${errors.join('; ')}`;
  return reason ? `${reason} (${note})` : note;
}
