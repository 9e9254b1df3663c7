// `prog=<i> id=<id> type=<n> insns=<n|?> name=<name>`: a BPF program test i loaded, as
// `pmcell run` saw it in the kernel's program list while the test ran
// (vm-images/pmcell/progs.c). The guest is not trusted: each field must be what the
// kernel can give (a u32, a name of at most 16 of [A-Za-z0-9_.]), a frame that is not
// is dropped whole, an id comes once, and a test keeps at most MAX_PROGRAMS programs.

/** One program a test loaded. */
export interface GuestProgram {
  id: number;
  name: string;
  /** The program type's name (`kprobe`, `tracepoint`, …), or `type <n>` for one newer than this table. */
  type: string;
  /** bpf_prog_info.verified_insns (5.16+); absent when the kernel has no such field or said 0. */
  verifiedInsns?: number;
}

/** The most programs kept for one test: a guest cannot grow the results without bound. */
export const MAX_PROGRAMS = 256;

const U32_MAX = 0xffff_ffff;
const FRAME = /^id=(\d{1,10}) type=(\d{1,10}) insns=(\d{1,10}|\?) name=([A-Za-z0-9_.]{0,16})$/;

/** enum bpf_prog_type of the kernel's uapi (its values are ABI: only ever appended), named as libbpf names them. */
const PROG_TYPES = [
  'unspec',
  'socket_filter',
  'kprobe',
  'sched_cls',
  'sched_act',
  'tracepoint',
  'xdp',
  'perf_event',
  'cgroup_skb',
  'cgroup_sock',
  'lwt_in',
  'lwt_out',
  'lwt_xmit',
  'sock_ops',
  'sk_skb',
  'cgroup_device',
  'sk_msg',
  'raw_tracepoint',
  'cgroup_sock_addr',
  'lwt_seg6local',
  'lirc_mode2',
  'sk_reuseport',
  'flow_dissector',
  'cgroup_sysctl',
  'raw_tracepoint_writable',
  'cgroup_sockopt',
  'tracing',
  'struct_ops',
  'ext',
  'lsm',
  'sk_lookup',
  'syscall',
  'netfilter',
] as const;

export const progTypeName = (n: number): string => PROG_TYPES[n] ?? `type ${n}`;

/** The test index and program of a `prog=` frame, or undefined when any field is not what the kernel gives. */
export function parseProgFrame(value: string, rest: string): { index: number; program: GuestProgram } | undefined {
  const m = FRAME.exec(rest);
  if (!m || !/^\d{1,4}$/.test(value)) return undefined;
  const [id, type, insns] = [Number(m[1]), Number(m[2]), m[3] === '?' ? 0 : Number(m[3])];
  if (id > U32_MAX || type > U32_MAX || insns > U32_MAX) return undefined;
  const program: GuestProgram = { id, name: m[4]!, type: progTypeName(type) };
  // 0: the kernel has the field but did not count (no verified program reads 0).
  if (insns > 0) program.verifiedInsns = insns;
  return { index: Number(value), program };
}

/** The list with `p` added, unless its id is there already or the list is full. */
export function withProgram(list: readonly GuestProgram[] | undefined, p: GuestProgram): GuestProgram[] {
  const have = list ?? [];
  return have.length >= MAX_PROGRAMS || have.some((q) => q.id === p.id) ? [...have] : [...have, p];
}
