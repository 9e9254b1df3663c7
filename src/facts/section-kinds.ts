// What a program's ELF section name says about it, by the convention libbpf and
// cilium/ebpf share (`SEC("kprobe/do_unlinkat")`): its program type, the attach
// type it needs, what it attaches to, and the kernel options that type needs.

/** How the part after the prefix names the attach point. */
export type TargetKind = 'kprobe' | 'ksyscall' | 'fentry' | 'tracepoint' | 'raw_tracepoint' | 'tp_btf' | 'lsm' | 'iter' | 'none';

export interface SectionKind {
  /** enum bpf_prog_type's name. */
  progType: string;
  /** enum bpf_attach_type's name, for types that need one at load. */
  attachType?: string;
  target: TargetKind;
  /** CONFIG_ options (without the prefix) this kind of program needs set. */
  configs: string[];
}

const EVENTS = ['BPF_EVENTS'];
const KPROBE = { progType: 'BPF_PROG_TYPE_KPROBE', configs: ['KPROBES', 'KPROBE_EVENTS', ...EVENTS] };
const UPROBE = {
  progType: 'BPF_PROG_TYPE_KPROBE',
  target: 'none' as const,
  configs: ['UPROBES', 'UPROBE_EVENTS', ...EVENTS],
};
const TRACING = (attachType: string, target: TargetKind = 'fentry') => ({
  progType: 'BPF_PROG_TYPE_TRACING',
  attachType,
  target,
  configs: ['DEBUG_INFO_BTF'],
});
const CGROUP = (progType: string, attachType?: string) => ({
  progType: `BPF_PROG_TYPE_${progType}`,
  attachType,
  target: 'none' as const,
  configs: ['CGROUP_BPF'],
});
const NET = (progType: string, configs: string[] = []) => ({
  progType: `BPF_PROG_TYPE_${progType}`,
  target: 'none' as const,
  configs,
});

const TRACEPOINT: SectionKind = {
  progType: 'BPF_PROG_TYPE_TRACEPOINT',
  target: 'tracepoint',
  configs: ['TRACEPOINTS', ...EVENTS],
};
const RAW_TRACEPOINT: SectionKind = {
  progType: 'BPF_PROG_TYPE_RAW_TRACEPOINT',
  target: 'raw_tracepoint',
  configs: ['TRACEPOINTS'],
};
const LSM: SectionKind = {
  progType: 'BPF_PROG_TYPE_LSM',
  attachType: 'BPF_LSM_MAC',
  target: 'lsm',
  configs: ['BPF_LSM', 'DEBUG_INFO_BTF'],
};

/** Section names up to their first `/`, aliases together, with the kind they name. */
const GROUPED: [string[], SectionKind][] = [
  [['kprobe', 'kretprobe'], { ...KPROBE, target: 'kprobe' }],
  [['kprobe.multi', 'kretprobe.multi'], { ...KPROBE, attachType: 'BPF_TRACE_KPROBE_MULTI', target: 'none', configs: [...KPROBE.configs, 'FPROBE'] }],
  [['ksyscall', 'kretsyscall'], { ...KPROBE, target: 'ksyscall' }],
  [['uprobe', 'uretprobe', 'uprobe.s', 'uretprobe.s', 'usdt'], UPROBE],
  [['tracepoint', 'tp'], TRACEPOINT],
  [['raw_tracepoint', 'raw_tp'], RAW_TRACEPOINT],
  [['tp_btf'], TRACING('BPF_TRACE_RAW_TP', 'tp_btf')],
  [['fentry', 'fentry.s'], TRACING('BPF_TRACE_FENTRY')],
  [['fexit', 'fexit.s'], TRACING('BPF_TRACE_FEXIT')],
  [['fmod_ret', 'fmod_ret.s'], TRACING('BPF_MODIFY_RETURN')],
  [['iter', 'iter.s'], TRACING('BPF_TRACE_ITER', 'iter')],
  [['lsm', 'lsm.s'], LSM],
  [['xdp', 'xdp.frags'], NET('XDP')],
  [['tc', 'classifier'], NET('SCHED_CLS', ['NET_CLS_BPF'])],
  [['tcx'], { ...NET('SCHED_CLS'), attachType: 'BPF_TCX_INGRESS' }],
  [['netkit'], { ...NET('SCHED_CLS'), attachType: 'BPF_NETKIT_PRIMARY' }],
  [['action'], NET('SCHED_ACT', ['NET_ACT_BPF'])],
  [['socket'], NET('SOCKET_FILTER')],
  [['sk_skb'], NET('SK_SKB', ['BPF_STREAM_PARSER'])],
  [['sk_msg'], NET('SK_MSG', ['BPF_STREAM_PARSER'])],
  [['sk_lookup'], NET('SK_LOOKUP')],
  [['sockops'], CGROUP('SOCK_OPS')],
  [['flow_dissector'], NET('FLOW_DISSECTOR')],
  [['lwt_in'], NET('LWT_IN', ['LWTUNNEL_BPF'])],
  [['lwt_out'], NET('LWT_OUT', ['LWTUNNEL_BPF'])],
  [['lwt_xmit'], NET('LWT_XMIT', ['LWTUNNEL_BPF'])],
  [['lirc_mode2'], NET('LIRC_MODE2', ['BPF_LIRC_MODE2'])],
  [['perf_event'], NET('PERF_EVENT', ['PERF_EVENTS'])],
  [['cgroup_skb', 'cgroup/skb'], CGROUP('CGROUP_SKB')],
  [['cgroup/sock'], CGROUP('CGROUP_SOCK')],
  [['cgroup/dev'], CGROUP('CGROUP_DEVICE')],
  [['cgroup/sysctl'], CGROUP('CGROUP_SYSCTL')],
  [['cgroup/sock_addr'], CGROUP('CGROUP_SOCK_ADDR')],
  [['cgroup/getsockopt', 'cgroup/setsockopt'], CGROUP('CGROUP_SOCKOPT')],
  [['struct_ops', 'struct_ops.s'], NET('STRUCT_OPS', ['DEBUG_INFO_BTF'])],
  [['syscall'], NET('SYSCALL')],
];

/** Matched against the section name up to its first `/`. */
const KINDS: [string, SectionKind][] = GROUPED.flatMap(([names, kind]) => names.map((n): [string, SectionKind] => [n, kind]));

/** The kind of program in section `name` and its target (after the first `/`); undefined for an unknown section. */
export function sectionKind(name: string): { kind: SectionKind; target?: string } | undefined {
  const slash = name.indexOf('/');
  const head = slash < 0 ? name : name.slice(0, slash);
  const rest = slash < 0 ? undefined : name.slice(slash + 1);
  // `cgroup/connect4` and friends: the kind is in the second word.
  const found = KINDS.find(([p]) => p === head) ?? (head === 'cgroup' ? cgroupKind(rest ?? '') : undefined);
  if (!found) return undefined;
  const kind = found[1];
  return { kind, target: kind.target === 'none' || !rest ? undefined : rest };
}

function cgroupKind(rest: string): [string, SectionKind] | undefined {
  const sub = rest.replace(/[0-9]+$/, '').replace(/_(post_bind|create|release)$/, '');
  if (/^(connect|bind|sendmsg|recvmsg|getpeername|getsockname)/.test(sub)) return ['cgroup', CGROUP('CGROUP_SOCK_ADDR')];
  return KINDS.find(([p]) => p === `cgroup/${rest}` || p === `cgroup/${sub}`);
}
