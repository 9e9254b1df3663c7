// Whether a program's attach point exists in a kernel: a kprobe's function among
// its symbols, an fentry/LSM/iterator target among its BTF functions, a
// tracepoint by the `btf_trace_<event>` typedef every tracepoint gets. A missing
// one comes with the kernel's look-alikes (`__x64_sys_execve` on arm64 →
// `__arm64_sys_execve`).

import { type Finding, nearNames } from './finding.js';
import type { KernelView } from './kernel-facts.js';
import type { ProgramEntry } from './program-facts.js';

/** `__x64_sys_execve` → `sys_execve`: the arch's syscall wrapper prefix taken off. */
const syscallCore = (name: string) => name.replace(/^__[a-z0-9]+_(?=sys_)/, '');

/** Whether syscall `sys_X` exists under a wrapper prefix of this kernel (cilium/ebpf and libbpf's ksyscall add it). */
function hasSyscall(core: string, symbols: Set<string>): string | undefined {
  if (symbols.has(core)) return core;
  for (const s of symbols) if (s.endsWith(`_${core}`) && /^__[a-z0-9]+_sys_/.test(s) && syscallCore(s) === core) return s;
  return undefined;
}

/**
 * How many syscalls each wrapper prefix has: the arch's native one has them all,
 * a compat one (s390x's `__s390_`, x86's `__ia32_`) only some.
 */
function prefixCounts(names: Set<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of names) {
    const m = /^(__[a-z0-9]+_)sys_/.exec(s);
    if (m) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  }
  return counts;
}

/**
 * Look-alikes of a missing symbol: the same syscall under this kernel's prefixes
 * first — the one named after the arch (`__s390x_` beside compat `__s390_`), then
 * the one with the most syscalls — then near names.
 */
function lookAlikes(want: string, names: Set<string>, arch: string): string[] {
  const core = syscallCore(want);
  const same = core.startsWith('sys_') ? [...names].filter((s) => s !== want && syscallCore(s) === core) : [];
  const counts = prefixCounts(names);
  const weight = (s: string) => {
    const prefix = s.slice(0, s.length - core.length);
    return (prefix === `__${arch}_` ? 1e9 : 0) + (counts.get(prefix) ?? 0);
  };
  same.sort((a, b) => weight(b) - weight(a) || a.length - b.length);
  return [...new Set([...same, ...nearNames(want, names)])].slice(0, 3);
}

type Lookup = { need: string; names?: Set<string>; found: boolean; what: string };

function lookup(p: ProgramEntry, k: KernelView): Lookup | undefined {
  const target = p.target?.replace(/\+.*$/, '');
  if (!target || !p.kind) return undefined;
  const funcs = () => (k.btf ? new Set(k.btf.funcNames()) : undefined);
  const traces = () => (k.btf ? new Set(k.btf.btf.types.filter((t) => t.name.startsWith('btf_trace_')).map((t) => t.name)) : undefined);
  switch (p.kind.target) {
    case 'kprobe': {
      const sym = k.symbols && (target.startsWith('sys_') ? hasSyscall(target, k.symbols) : k.symbols.has(target) && target);
      return { need: target, names: k.symbols, found: !!sym, what: "this kernel's functions" };
    }
    case 'ksyscall':
      return {
        need: `sys_${target}`,
        names: k.symbols,
        found: !!(k.symbols && hasSyscall(`sys_${target}`, k.symbols)),
        what: "this kernel's syscalls",
      };
    case 'fentry':
      return byName(target, funcs(), "this kernel's BTF functions");
    case 'lsm':
      return byName(`bpf_lsm_${target}`, funcs(), "this kernel's LSM hooks");
    case 'iter':
      return byName(`bpf_iter_${target}`, funcs(), "this kernel's BPF iterators");
    case 'tracepoint': {
      // syscalls/sys_enter_*: ftrace's syscall events, not tracepoints (no btf_trace_ typedef).
      if (target.startsWith('syscalls/')) return undefined;
      return byName(`btf_trace_${target.split('/').pop()}`, traces(), "this kernel's tracepoints");
    }
    case 'raw_tracepoint':
    case 'tp_btf':
      return byName(`btf_trace_${target}`, traces(), "this kernel's tracepoints");
    default:
      return undefined;
  }
}

function byName(need: string, names: Set<string> | undefined, what: string): Lookup {
  return { need, names, found: !!names?.has(need), what };
}

/** The finding for a program whose attach point this kernel lacks; none when it has it. */
export function targetFinding(object: string, p: ProgramEntry, k: KernelView): Finding | undefined {
  const l = lookup(p, k);
  if (!l || l.found) return undefined;
  if (!l.names)
    return {
      kind: 'target',
      level: 'unknown',
      object,
      section: p.section,
      need: l.need,
      detail: 'this kernel has no BTF and no System.map to look it up in',
    };
  const candidates = lookAlikes(l.need, l.names, k.facts.arch);
  const like = candidates.length ? `; it has ${candidates.join(', ')}` : '';
  // BTF lists functions with debug info only; without System.map an absent kprobe symbol may still be in kallsyms.
  const sure = p.kind?.target !== 'kprobe' || k.facts.symbolsSource === 'system.map';
  const detail = `not among ${l.what}${sure ? '' : ' (read from its BTF: the package has no System.map)'}${like}`;
  return { kind: 'target', level: 'fail', object, section: p.section, need: l.need, detail, candidates };
}
