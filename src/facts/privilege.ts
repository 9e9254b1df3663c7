// Who the loader runs as (a config's `user:` and `capabilities:`) against what a load
// takes. Maps and programs need CAP_BPF (5.8 on; CAP_SYS_ADMIN before) unless the
// kernel allows unprivileged BPF, which loads socket filters only; tracing programs
// also need CAP_PERFMON (5.8 on; CAP_SYS_ADMIN before). A kernel built with
// CONFIG_BPF_UNPRIV_DEFAULT_OFF=y starts with kernel.unprivileged_bpf_disabled=2.
// Programs attached through a perf event (kprobes, tracepoints) open it with
// perf_event_open(2); above kernel.perf_event_paranoid=2 (Debian's default, from
// CONFIG_SECURITY_PERF_EVENTS_RESTRICT) that takes CAP_SYS_ADMIN, CAP_PERFMON is not enough.

import type { ConfigSpec } from '../core/cell.js';
import type { Finding } from './finding.js';
import type { KernelView } from './kernel-facts.js';
import { TRACING } from './lockdown.js';
import type { ProgramFacts } from './program-facts.js';

const UNPRIVILEGED_TYPES = ['BPF_PROG_TYPE_SOCKET_FILTER', 'BPF_PROG_TYPE_CGROUP_SKB'];

export type Who = Partial<Pick<ConfigSpec, 'user' | 'capabilities' | 'sysctl'>>;

/** Whether the kernel's release is at least major.minor (`5.10.0-32-amd64`, `6.12.0-55.el10`). */
function atLeast(release: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = release.split(/[.-]/).map(Number);
  return a > major || (a === major && b >= minor);
}

/** The capabilities the loader holds; undefined for all (root without a list). Anyone else holds only what the list names. */
const heldCaps = (who: Who) => who.capabilities ?? (who.user && who.user !== 'root' && who.user !== '0' ? [] : undefined);

/** Whether `cap` is held (CAP_SYS_ADMIN stands for it, and before 5.8 only it does). */
function holds(who: Who, cap: string, kernel: KernelView): boolean {
  const caps = heldCaps(who);
  if (!caps || caps.includes('sys_admin')) return true;
  return atLeast(kernel.facts.release, 5, 8) && caps.includes(cap);
}

/** Unprivileged BPF on this cell: the cell's sysctl, else the kernel's default; undefined without a config. */
function unprivilegedAllowed(who: Who, kernel: KernelView): boolean | undefined {
  const sysctl = who.sysctl?.['kernel.unprivileged_bpf_disabled'];
  if (sysctl !== undefined) return sysctl === '0';
  if (!kernel.config) return undefined;
  return kernel.config.get('CONFIG_BPF_UNPRIV_DEFAULT_OFF') !== 'y';
}

function loadFinding(program: ProgramFacts, kernel: KernelView, who: Who, object: string): Finding | undefined {
  if (holds(who, 'bpf', kernel)) return undefined;
  const as = `the loader runs as ${who.user ?? 'root'} without CAP_BPF or CAP_SYS_ADMIN`;
  const types = program.programs.flatMap((p) => (p.kind ? [p.kind.progType] : []));
  const privileged = types.find((t) => !UNPRIVILEGED_TYPES.includes(t));
  if (privileged) return { kind: 'privilege', level: 'fail', object, need: 'CAP_BPF', detail: `${as}; ${privileged} programs need it` };
  const allowed = unprivilegedAllowed(who, kernel);
  if (allowed) return undefined;
  const why = allowed === undefined ? 'whether this kernel allows unprivileged BPF needs its config' : 'this kernel disables unprivileged BPF';
  return { kind: 'privilege', level: allowed === undefined ? 'unknown' : 'fail', object, need: 'CAP_BPF', detail: `${as}; ${why}` };
}

const PERF_EVENT_TYPES = ['BPF_PROG_TYPE_KPROBE', 'BPF_PROG_TYPE_TRACEPOINT', 'BPF_PROG_TYPE_PERF_EVENT'];

/** kernel.perf_event_paranoid on this cell: its sysctl, else 3 where the config restricts perf events, else 2. */
function perfParanoia(who: Who, kernel: KernelView): number | undefined {
  const sysctl = who.sysctl?.['kernel.perf_event_paranoid'];
  if (sysctl !== undefined) return Number(sysctl);
  if (!kernel.config) return undefined;
  return kernel.config.get('CONFIG_SECURITY_PERF_EVENTS_RESTRICT') === 'y' ? 3 : 2;
}

/** A program attached through a perf event, where only CAP_SYS_ADMIN may open one. */
function perfEventFinding(program: ProgramFacts, kernel: KernelView, who: Who, object: string): Finding | undefined {
  const caps = heldCaps(who);
  if (!caps || caps.includes('sys_admin')) return undefined;
  const viaPerf = program.programs.find((p) => p.kind && PERF_EVENT_TYPES.includes(p.kind.progType) && !p.kind.attachType);
  const paranoia = perfParanoia(who, kernel);
  if (!viaPerf || paranoia === undefined || paranoia <= 2) return undefined;
  const from = who.sysctl?.['kernel.perf_event_paranoid'] !== undefined ? 'the cell sets' : 'CONFIG_SECURITY_PERF_EVENTS_RESTRICT sets';
  const detail = `${from} kernel.perf_event_paranoid=${paranoia}: only CAP_SYS_ADMIN opens the perf event this program attaches through`;
  return { kind: 'privilege', level: 'fail', object, section: viaPerf.section, need: 'CAP_SYS_ADMIN', detail };
}

/** What the cell's user and capabilities cannot do with `program`: create its maps, load it, attach a tracing program. */
export function privilegeFindings(program: ProgramFacts, kernel: KernelView, who: Who, object: string): Finding[] {
  const load = loadFinding(program, kernel, who, object);
  if (load) return [load];
  const tracing = program.programs.find((p) => p.kind && TRACING.includes(p.kind.progType));
  if (tracing && !holds(who, 'perfmon', kernel)) {
    const detail = `the loader runs as ${who.user ?? 'root'} without CAP_PERFMON or CAP_SYS_ADMIN; tracing programs need it`;
    return [{ kind: 'privilege', level: 'fail', object, section: tracing.section, need: 'CAP_PERFMON', detail }];
  }
  const perf = perfEventFinding(program, kernel, who, object);
  return perf ? [perf] : [];
}
