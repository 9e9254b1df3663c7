// The CONFIG_ options two kernels set differently that matter to BPF: when a test
// passes on one kernel and fails on another, these are the configuration
// differences worth reading first. Options are chosen from the kernels' own
// config names by pattern, most relevant first (pure).

import { parseKernelConfig } from '../images/config-facts.js';
import { OPTION_AREAS, type OptionArea } from '../results/check.js';

export interface ConfigDifference {
  /** `CONFIG_BPF_LSM`. */
  name: string;
  /** The value in each kernel; undefined = not set. */
  a?: string;
  b?: string;
  /** What the option is about: `bpf`, `btf`, `probes`, … (the first matching area). */
  area: string;
}

/**
 * Each area's options; an option belongs to the first area (in OPTION_AREAS' order of
 * relevance) whose pattern matches its name. Patterns match whole words of the name,
 * so a driver that merely has `BTF` or `LSM` in its name (VIDEO_SONY_BTF_MPX,
 * IIO_ST_LSM6DSX) stays out, and HAVE_*, ARCH_* and *_SUPPORTS_* (what an arch can
 * do) are left to the options they enable.
 */
const PATTERNS: Record<OptionArea, RegExp> = {
  bpf: /^CONFIG_(\w+_)?E?BPF(_\w+)?$/,
  btf: /^CONFIG_(DEBUG_INFO_BTF\w*|DEBUG_INFO_REDUCED|PAHOLE_HAS_\w+|MODULE_ALLOW_BTF_MISMATCH|PROBE_EVENTS_BTF_ARGS)$/,
  probes: new RegExp(
    '^CONFIG_(K(RET)?PROBES?\\w*|UPROBES?\\w*|FPROBE\\w*|FTRACE\\w*|FUNCTION_TRACER|FUNCTION_GRAPH_TRACER|' +
      'DYNAMIC_FTRACE\\w*|TRACEPOINTS|EVENT_TRACING|PERF_EVENTS|HW_PERF_EVENTS)$',
  ),
  lockdown: /^CONFIG_(SECURITY_LOCKDOWN\w*|LOCK_DOWN\w*|LSM|MODULE_SIG_FORCE|SECURITY)$/,
  network: new RegExp(
    '^CONFIG_(LIRC|NET_CLS(_\\w+)?|NET_ACT(_\\w+)?|NET_SCH_INGRESS|NET_INGRESS|NET_EGRESS|NET_XGRESS|' + 'XDP_SOCKETS\\w*|NET_SOCK_MSG|STREAM_PARSER)$',
  ),
  cgroups: /^CONFIG_(CGROUPS|CGROUP_\w+|SOCK_CGROUP_DATA)$/,
  symbols: /^CONFIG_KALLSYMS\w*$/,
  timing: /^CONFIG_(HZ|HZ_\d+|PREEMPT\w*|NO_HZ\w*)$/,
};

const AREAS = OPTION_AREAS.map((area) => [area, PATTERNS[area]] as const);

const areaOf = (name: string) => AREAS.findIndex(([, re]) => re.test(name));

/** Options set differently in `a` and `b` that match a BPF area, most relevant area first, then by name. */
export function configDifferences(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): ConfigDifference[] {
  const names = new Set([...a.keys(), ...b.keys()]);
  const out: (ConfigDifference & { rank: number })[] = [];
  for (const name of names) {
    if (a.get(name) === b.get(name)) continue;
    const rank = areaOf(name);
    if (rank < 0) continue;
    out.push({ name, a: a.get(name), b: b.get(name), area: AREAS[rank]![0], rank });
  }
  out.sort((x, y) => x.rank - y.rank || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return out.map(({ rank: _, ...d }) => d);
}

/** The same, from the two config files' text. */
export function configTextDifferences(a: string, b: string): ConfigDifference[] {
  return configDifferences(parseKernelConfig(a), parseKernelConfig(b));
}

/** `CONFIG_DEBUG_INFO_BTF: y → not set`. */
export function formatDifference(d: ConfigDifference): string {
  return `${d.name}: ${d.a ?? 'not set'} → ${d.b ?? 'not set'}`;
}
