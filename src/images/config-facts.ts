// Kernel facts from a kernel's config file (the `config-*` Debian ships): what the
// report shows next to each kernel, and what explains many portability failures.

import type { KernelFacts } from '../results/model.js';

/** CONFIG_X values: `y`, `m`, a number or a quoted string; `# CONFIG_X is not set` → absent. */
export function parseKernelConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!.replace(/^"(.*)"$/, '$1'));
  }
  return out;
}

const PREEMPT_MODELS: [string, string][] = [
  // Checked in this order: RT implies PREEMPT, DYNAMIC implies PREEMPT_BUILD.
  ['CONFIG_PREEMPT_RT', 'rt'],
  ['CONFIG_PREEMPT_DYNAMIC', 'dynamic'],
  ['CONFIG_PREEMPT', 'full'],
  // 6.13+: the lazy model (scheduler decides at the tick); Debian 7.x arm64/s390x use it.
  ['CONFIG_PREEMPT_LAZY', 'lazy'],
  ['CONFIG_PREEMPT_VOLUNTARY', 'voluntary'],
  ['CONFIG_PREEMPT_NONE', 'none'],
];

export function kernelFacts(configText: string): KernelFacts {
  const c = parseKernelConfig(configText);
  const yes = (k: string) => c.get(k) === 'y';
  const hz = Number(c.get('CONFIG_HZ'));
  return {
    btf: yes('CONFIG_DEBUG_INFO_BTF'),
    hz: Number.isFinite(hz) && hz > 0 ? hz : undefined,
    bpfJit: yes('CONFIG_BPF_JIT'),
    kprobes: yes('CONFIG_KPROBES'),
    bpfLsm: yes('CONFIG_BPF_LSM'),
    lockdownLsm: yes('CONFIG_SECURITY_LOCKDOWN_LSM'),
    preempt: PREEMPT_MODELS.find(([k]) => yes(k))?.[1],
  };
}

/** One line for terminals: `BTF yes, HZ 250, JIT yes, preempt dynamic`. */
export function formatFacts(f: KernelFacts): string {
  const yn = (b: boolean | undefined) => (b === undefined ? '?' : b ? 'yes' : 'no');
  return `BTF ${yn(f.btf)}, HZ ${f.hz ?? '?'}, JIT ${yn(f.bpfJit)}, kprobes ${yn(f.kprobes)}, preempt ${f.preempt ?? '?'}`;
}
