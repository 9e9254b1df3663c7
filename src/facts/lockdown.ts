// Kernel lockdown (`lockdown=` on the cell's command line) and the helpers it takes
// away from tracing programs: in confidentiality mode the kernel refuses reading its
// memory (LOCKDOWN_BPF_READ_KERNEL: the probe_read helpers), in either mode writing
// user memory (LOCKDOWN_BPF_WRITE_USER). The verifier then says "program of this
// type cannot use helper". Effective only where the kernel has the lockdown LSM.

import type { Finding, IdNames } from './finding.js';
import type { KernelView } from './kernel-facts.js';
import type { ProgramFacts } from './program-facts.js';

const READ_KERNEL = ['bpf_probe_read', 'bpf_probe_read_str', 'bpf_probe_read_kernel', 'bpf_probe_read_kernel_str'];
const WRITE_USER = ['bpf_probe_write_user'];

/** The program types that trace the kernel (kprobes, tracepoints, fentry and the like, perf events). */
export const TRACING = [
  'BPF_PROG_TYPE_KPROBE',
  'BPF_PROG_TYPE_TRACEPOINT',
  'BPF_PROG_TYPE_RAW_TRACEPOINT',
  'BPF_PROG_TYPE_TRACING',
  'BPF_PROG_TYPE_PERF_EVENT',
];

/** `integrity` or `confidentiality` from a command line, when it asks for lockdown. */
export function lockdownMode(cmdline: readonly string[]): 'integrity' | 'confidentiality' | undefined {
  const arg = [...cmdline].reverse().find((a) => a.startsWith('lockdown='));
  const mode = arg?.slice('lockdown='.length);
  return mode === 'integrity' || mode === 'confidentiality' ? mode : undefined;
}

/** Whether the kernel's config builds the lockdown LSM and enables it. */
function hasLockdownLsm(config: Map<string, string> | undefined): boolean | undefined {
  if (!config) return undefined;
  if (config.get('CONFIG_SECURITY_LOCKDOWN_LSM') !== 'y') return false;
  return config.get('CONFIG_SECURITY_LOCKDOWN_LSM_EARLY') === 'y' || (config.get('CONFIG_LSM') ?? '').split(',').includes('lockdown');
}

/** The helpers `program` calls that lockdown on `cmdline` forbids its tracing programs. */
export function lockdownFindings(program: ProgramFacts, kernel: KernelView, cmdline: readonly string[], names: IdNames, object: string): Finding[] {
  const mode = lockdownMode(cmdline);
  if (!mode || hasLockdownLsm(kernel.config) === false) return [];
  if (!program.programs.some((p) => p.kind && TRACING.includes(p.kind.progType))) return [];
  const denied = mode === 'confidentiality' ? [...READ_KERNEL, ...WRITE_USER] : WRITE_USER;
  const out: Finding[] = [];
  for (const [id, sections] of program.helpers) {
    const name = names.helpers.get(id);
    if (!name || !denied.includes(name)) continue;
    const why = WRITE_USER.includes(name) ? 'writing user memory' : 'reading kernel memory';
    out.push({
      kind: 'lockdown',
      level: 'fail',
      object,
      section: sections[0],
      need: `${name} (${id})`,
      detail: `lockdown=${mode} forbids ${why} from tracing programs`,
    });
  }
  return out;
}
