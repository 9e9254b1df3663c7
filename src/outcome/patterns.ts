// Recognise why a loader failed from its own output and the guest's dmesg.
// The patterns are texts seen on real kernels (docs/facts.md); the first match
// wins, so the most specific causes come first.

interface Rule {
  reason: string;
  test: RegExp;
  /** Append the matching line (trimmed) so the report shows the loader's own words. */
  quote?: boolean;
}

const RULES: Rule[] = [
  // glibc < 2.37 quotes `GLIBC_2.38', newer ones 'GLIBC_2.38'.
  {
    reason: 'libc mismatch',
    test: /version [`']GLIBC_[0-9A-Z_.]+' not found|error while loading shared libraries|cannot open shared object file|No such file or directory.*ld-(linux|64)/,
    quote: true,
  },
  {
    reason: 'missing kernel BTF',
    test: /no BTF found for kernel|\/sys\/kernel\/btf\/vmlinux.*(no such file|not found)|kernel BTF.*not (found|supported)/i,
    quote: true,
  },
  {
    reason: 'CO-RE relocation failure',
    test: /bad CO-RE relocation|CO-RE relocat\w* .*(fail|error)|invalid func unknown#195896080|poisoned/i,
    quote: true,
  },
  { reason: 'memlock limit', test: /MEMLOCK may be too low|RLIMIT_MEMLOCK/i, quote: true },
  {
    reason: 'kprobe symbol not found',
    test: /(kprobe|symbol).*(not found|no such file or directory)|could not find .*symbol|ENOENT.*kprobe/i,
    quote: true,
  },
  // libbpf's words when the kernel refused a link (BPF_LINK_CREATE): the program loaded, its attachment did not.
  { reason: 'attach refused', test: /failed to attach: /, quote: true },
  { reason: 'tracefs/debugfs not mounted', test: /neither debugfs nor tracefs are mounted/i, quote: true },
  {
    reason: 'unknown helper, program or map type',
    test: /unknown func|invalid func|program type .* not supported|map type .* not supported|not supported by the kernel|requires at least Linux|operation not supported/i,
    quote: true,
  },
  // A Go loader's own crash ("panic: runtime error: invalid memory address …") is no verifier's doing.
  {
    reason: 'loader crashed',
    test: /^panic: runtime error: |^fatal error: |^Segmentation fault|^SIGSEGV: /,
    quote: true,
  },
  {
    reason: 'verifier rejection',
    test: /verifier|load program: permission denied: .*\d+: \(|invalid (mem access|argument|access)|R\d+ (invalid|!read_ok|type=)/i,
    quote: true,
  },
  { reason: 'permission denied (lockdown)', test: /Lockdown: .* is restricted/, quote: true },
  { reason: 'permission denied', test: /operation not permitted|permission denied|EPERM|EACCES/i, quote: true },
  {
    reason: 'wrong event content',
    test: /wrong (content|filename|event|place)|unexpected filename|empty filename/i,
    quote: true,
  },
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
