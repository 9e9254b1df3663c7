// Kernel splats: the kernel's own reports that something went wrong inside it while a
// test ran — WARN_ON, BUG, Oops, lockups, stalls, sanitizer reports. A loader can exit
// 0 while the kernel warns (libbpf's CI added its splat check for exactly that), so a
// splat in a test's kernel-log segment fails the test unless the matrix allows it.
// Pure: text in, findings out. The first line of each pattern is as real kernels print
// it (samples in test/outcome/samples/).

import { withoutStamp } from './kernel-log.js';

export type SplatKind =
  | 'warning'
  | 'bug'
  | 'oops'
  | 'general protection fault'
  | 'kasan'
  | 'ubsan'
  | 'soft lockup'
  | 'hard lockup'
  | 'rcu stall'
  | 'hung task'
  | 'panic'
  | 'bpf'
  | 'denied';

interface Pattern {
  kind: SplatKind;
  test: RegExp;
}

// Most specific first: "BUG: KASAN: …" is a KASAN report, "watchdog: BUG: soft lockup" a lockup.
const PATTERNS: Pattern[] = [
  { kind: 'kasan', test: /^BUG: KASAN: / },
  { kind: 'ubsan', test: /^UBSAN: / },
  { kind: 'soft lockup', test: /(^|: )BUG: soft lockup - CPU#\d+ stuck/ },
  { kind: 'hard lockup', test: /Watchdog detected hard LOCKUP on cpu/ },
  { kind: 'rcu stall', test: /^(rcu: )?INFO: rcu_\w+ (self-)?detected( expedited)? stalls?\b/ },
  { kind: 'hung task', test: /^INFO: task .+:\d+ blocked for more than \d+ seconds/ },
  { kind: 'general protection fault', test: /^(Oops: )?general protection fault\b/ },
  { kind: 'panic', test: /^Kernel panic - not syncing: / },
  {
    kind: 'oops',
    test: /^(Internal error: )?Oops(: | - )|^Unable to handle kernel (NULL pointer|paging request|pointer dereference)/,
  },
  { kind: 'bug', test: /^(kernel BUG at |BUG: )/ },
  { kind: 'warning', test: /^WARNING: (CPU: \d+ PID: \d+|.* at \S+:\d+)/ },
  // The kernel's BPF subsystem warning about a program or about itself.
  {
    kind: 'bpf',
    test: /is installing a program with bpf_probe_write_user helper|^verifier (backtracking )?bug\b|^BPF: .*(invalid|error)|failed to validate module \[\S+\] BTF/i,
  },
];

export interface SplatRules {
  /** A splat whose first line matches one of these is tolerated. */
  allow: RegExp[];
  /** Lines that count as splats besides the built-in ones; also override `allow`. */
  deny: RegExp[];
}

export const NO_RULES: SplatRules = { allow: [], deny: [] };

export interface Splat {
  kind: SplatKind;
  /** The splat's first line, without its timestamp. */
  line: string;
  /** Whether `allow` tolerated it. */
  allowed: boolean;
}

/** What a single kernel-log line reports, if it starts a splat. */
export function splatKind(text: string, rules: SplatRules = NO_RULES): SplatKind | undefined {
  const builtin = PATTERNS.find((p) => p.test.test(text))?.kind;
  if (builtin) return builtin;
  return rules.deny.some((d) => d.test(text)) ? 'denied' : undefined;
}

/** Every splat in a kernel-log segment, in order, each with whether it is allowed. */
export function scanSplats(segment: string, rules: SplatRules = NO_RULES): Splat[] {
  const found: Splat[] = [];
  for (const raw of segment.split('\n')) {
    const line = withoutStamp(raw);
    const kind = splatKind(line, rules);
    if (!kind) continue;
    const denied = rules.deny.some((d) => d.test(line));
    found.push({ kind, line, allowed: !denied && rules.allow.some((a) => a.test(line)) });
  }
  return found;
}

/** The first splat that is not allowed: the one that fails the test. */
export function failingSplat(segment: string, rules: SplatRules = NO_RULES): Splat | undefined {
  return scanSplats(segment, rules).find((s) => !s.allowed);
}

const MAX_LINE = 240;

/** `kernel splat: WARNING: CPU: 0 PID: 57 at …` */
export function splatReason(s: Splat): string {
  return `kernel splat: ${s.line.length > MAX_LINE ? `${s.line.slice(0, MAX_LINE)}…` : s.line}`;
}

/** The matrix's `splats:` sources (already checked to compile by config/semantic.ts). */
export function compileSplatRules(sources: { allow: string[]; deny: string[] }): SplatRules {
  return { allow: sources.allow.map((s) => new RegExp(s)), deny: sources.deny.map((s) => new RegExp(s)) };
}
