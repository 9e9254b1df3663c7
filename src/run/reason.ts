// Recognise why a loader failed from its own output and the guest's dmesg.
// The patterns are texts seen on real kernels (shared/FACTS.md); the first match wins,
// so the most specific causes come first. explainPermission then says who the
// loader ran as when the kernel refused it, from the guest's uid/CapEff facts.

import { CAPABILITIES } from '../config/capabilities.js';
import type { GuestFacts } from '../results/model.js';

interface Rule {
  reason: string;
  test: RegExp;
  /** Append the matching line (trimmed) so the report shows the loader's own words. */
  quote?: boolean;
}

const RULES: Rule[] = [
  // glibc < 2.37 quotes `GLIBC_2.38', newer ones 'GLIBC_2.38'.
  { reason: 'libc mismatch', test: /version [`']GLIBC_[0-9A-Z_.]+' not found|error while loading shared libraries|cannot open shared object file|No such file or directory.*ld-(linux|64)/, quote: true },
  { reason: 'missing kernel BTF', test: /no BTF found for kernel|\/sys\/kernel\/btf\/vmlinux.*(no such file|not found)|kernel BTF.*not (found|supported)/i, quote: true },
  { reason: 'CO-RE relocation failure', test: /bad CO-RE relocation|CO-RE relocat\w* .*(fail|error)|invalid func unknown#195896080|poisoned/i, quote: true },
  { reason: 'memlock limit', test: /MEMLOCK may be too low|RLIMIT_MEMLOCK/i, quote: true },
  { reason: 'kprobe symbol not found', test: /(kprobe|symbol).*(not found|no such file or directory)|could not find .*symbol|ENOENT.*kprobe/i, quote: true },
  { reason: 'tracefs/debugfs not mounted', test: /neither debugfs nor tracefs are mounted/i, quote: true },
  { reason: 'unknown helper, program or map type', test: /unknown func|invalid func|program type .* not supported|map type .* not supported|not supported by the kernel|requires at least Linux|operation not supported/i, quote: true },
  { reason: 'verifier rejection', test: /verifier|load program: permission denied: .*\d+: \(|invalid (mem|argument|access)|R\d+ (invalid|!read_ok|type=)/i, quote: true },
  { reason: 'permission denied (lockdown)', test: /Lockdown: .* is restricted/, quote: true },
  { reason: 'permission denied', test: /operation not permitted|permission denied|EPERM|EACCES/i, quote: true },
  { reason: 'wrong event content', test: /wrong (content|filename|event|place)|unexpected filename|empty filename/i, quote: true },
  { reason: 'no event received', test: /no event|timed out waiting for (the )?event/i, quote: true },
];

const MAX_QUOTE = 240;

/**
 * Under kernel lockdown (confidentiality) the kernel hides the probe-read helpers from
 * BPF: the verifier then says "unknown func bpf_probe_read" (≤ 6.1) or "program of this
 * type cannot use helper" (6.12). Said plainly, that is lockdown, not a missing helper.
 */
const LOCKDOWN_HELPER = /(unknown func|cannot use helper) bpf_probe_read\w*#\d+/;

/** The first recognisable cause in the loader's stderr, then its stdout, then dmesg. */
export function classifyFailure(out: { stdout: string; stderr: string; dmesg: string }, lockdown?: string): string | undefined {
  if (lockdown && lockdown !== 'none') {
    const hit = LOCKDOWN_HELPER.exec(`${out.stderr}\n${out.stdout}`);
    if (hit) return `kernel lockdown (${lockdown}) forbids reading kernel memory: ${hit[0]}`;
  }
  // The loader's own words first; dmesg only when they say nothing recognisable
  // (dmesg always mentions e.g. "lsm=lockdown,..." and must not outvote the loader).
  for (const text of [out.stderr, out.stdout, out.dmesg]) {
    for (const rule of RULES) {
      const line = text.split('\n').find((l) => rule.test.test(l));
      if (line === undefined) continue;
      if (!rule.quote) return rule.reason;
      const quoted = line.trim();
      return `${rule.reason}: ${quoted.length > MAX_QUOTE ? `${quoted.slice(0, MAX_QUOTE)}…` : quoted}`;
    }
  }
  return undefined;
}

/** For a verifier rejection: the last lines of the verifier log, which say what it refused. */
export function verifierTail(text: string, lines = 8): string | undefined {
  const all = text.split('\n');
  const start = all.findIndex((l) => /verifier|load program/i.test(l));
  if (start < 0) return undefined;
  return all.slice(start).filter((l) => l.trim() !== '').slice(-lines).join('\n');
}

/** CapEff hex (as in /proc/<pid>/status) → capability names, lower case without cap_. */
export function capabilityNames(capEff: string): string[] {
  let bits: bigint;
  try {
    bits = BigInt(`0x${capEff.trim().replace(/^0x/i, '')}`);
  } catch {
    return [];
  }
  return CAPABILITIES.filter((_, i) => (bits >> BigInt(i)) & 1n);
}

/** `uid 1000, CAP_BPF+CAP_PERFMON`, `uid 0, all capabilities`, `uid 1000, no capabilities`. */
export function describeCredentials(g: Pick<GuestFacts, 'uid' | 'capEff'>): string | undefined {
  if (g.uid === undefined && g.capEff === undefined) return undefined;
  const parts = [g.uid !== undefined ? `uid ${g.uid}` : undefined];
  if (g.capEff !== undefined) {
    const names = capabilityNames(g.capEff);
    // Capabilities 0–37 exist on every kernel we boot; perfmon, bpf, checkpoint_restore only from 5.8/5.9.
    const all = CAPABILITIES.slice(0, 38).every((c) => names.includes(c));
    parts.push(names.length === 0 ? 'no capabilities' : all ? 'all capabilities' : names.map((n) => `CAP_${n.toUpperCase()}`).join('+'));
  }
  return parts.filter(Boolean).join(', ');
}

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
