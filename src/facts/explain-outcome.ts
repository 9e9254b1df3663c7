// After a run: which of a cell's predicted findings explains a failed test, read
// against what its loader printed, and where the prediction and the outcome
// disagree. Pure, for the reports: the check's findings and a test's output in,
// one explanation out.

import type { TestSpec } from '../core/cell.js';
import { agreement, type PredictionAgreement } from '../results/check.js';
import type { TestResult } from '../results/model.js';
import type { CellCheck } from './cell-check.js';
import { type Finding, predicted } from './finding.js';
import { processedInsns, verifierLogs } from './verifier-log.js';

/** A loader error and the findings that explain it, in order: the first kind with a finding wins. */
interface Matcher {
  error: RegExp;
  kinds: Finding['kind'][];
  /** Part of the finding's `need` the error names (a helper's id, a symbol). */
  needOf?: (m: RegExpExecArray) => string;
}

/** Loader errors and the findings that explain them, most specific first. */
const MATCHERS: Matcher[] = [
  // The instruction CO-RE poisoned, as libbpf and cilium/ebpf leave it: call 0xbad2310 (195896080).
  {
    error: /bad CO-RE relocation|unknown#195896080|failed to resolve CO-RE|no BTF found for kernel/i,
    kinds: ['btf', 'field', 'type', 'enumval'],
  },
  // The verifier's words when lockdown took the helper away; the loader may have swapped the id (113 → 4).
  // Kernels before 6.2 (bullseye's 5.10, bookworm's 6.1) call the same refusal an unknown func.
  { error: /cannot use helper \w+#\d+|(?:unknown|invalid) func bpf_probe_(?:read|write_user)\w*#\d+/, kinds: ['lockdown'] },
  // EPERM from bpf(2) or perf_event_open(2): the user or its capabilities.
  { error: /operation not permitted|permission denied/i, kinds: ['privilege'] },
  // A kernel without a JIT (CONFIG_BPF_JIT unset) interprets, and the interpreter takes no callback or kfunc.
  {
    error: /(?:callbacks|calling kernel functions) are not allowed in non-JITed programs/,
    kinds: ['config'],
    needOf: () => 'CONFIG_BPF_JIT',
  },
  // Before 5.13 the verifier does not count a callback (bpf_loop's argument) as a function: the helper is newer.
  { error: /number of funcs in func_info doesn't match number of subprogs/, kinds: ['helper'] },
  { error: /(?:unknown|invalid) func (?:\w+)?#(\d+)/, kinds: ['helper'], needOf: (m) => `(${m[1]})` },
  // libbpf's legacy and perf-event kprobes: the kernel has no such symbol to probe.
  {
    error: /failed to create kprobe '([\w.]+)\+0x[0-9a-f]+' perf event: No such file or directory/,
    kinds: ['target'],
    needOf: (m) => m[1]!,
  },
  // BPF_LINK_CREATE refused: EOPNOTSUPP where the attach type exists but what implements it is
  // configured out (kprobe.multi without CONFIG_FPROBE); EINVAL where the kernel lacks the attach type.
  { error: /failed to attach: Operation not supported/i, kinds: ['config'] },
  { error: /failed to attach: Invalid argument/i, kinds: ['attach-type', 'prog-type', 'config'] },
  { error: /kfunc|ksym|extern/i, kinds: ['kfunc', 'ksym'] },
  { error: /kprobe|fentry|attach|symbol|tracepoint/i, kinds: ['target', 'attach-type', 'config'] },
  { error: /map type|create map|map create/i, kinds: ['map-type'] },
  { error: /program type|load program|prog_load|invalid argument/i, kinds: ['prog-type', 'attach-type', 'config'] },
];

/** The finding that explains `output` (a failed test's stdout and stderr), or undefined: unexplained by the facts. */
export function explainingFinding(output: string, check: Pick<CellCheck, 'findings'>): Finding | undefined {
  const fails = check.findings.filter((f) => f.level === 'fail');
  for (const { error, kinds, needOf } of MATCHERS) {
    const m = error.exec(output);
    if (!m) continue;
    const need = needOf?.(m);
    for (const kind of kinds) {
      const found = fails.find((f) => f.kind === kind && (!need || f.need.includes(need)));
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The part of a cell's check about one test: the findings of the objects the test
 * ships, names (its files, its arguments, by file name) or carries inside its own
 * program (found there when the matrix lists no btf.objects), so that one test is not
 * explained by another's object; the whole cell's when it names none of them (a
 * loader with its objects built in).
 */
export function checkForTest(check: CellCheck, test: Pick<TestSpec, 'files' | 'args'> & { path?: string }): CellCheck {
  const base = (p: string) => p.split('/').pop()!;
  const named = new Set([...test.files.map((f) => base(f.src)), ...test.args.map(base)]);
  // Objects found inside the test's own program are named `<program>#<n>`.
  const own = test.path === undefined ? undefined : `${base(test.path)}#`;
  const objects = check.objects.filter((o) => named.has(o) || (own !== undefined && o.startsWith(own)));
  if (objects.length === 0 || check.predicted === 'skip') return check;
  const findings = check.findings.filter((f) => objects.includes(f.object));
  return { ...check, objects, findings, predicted: predicted(findings) };
}

export { agreement };
export type Agreement = PredictionAgreement;

/** What a test's outcome adds to its result from the cell's check and its output (outcome/ records it). */
export type TestFacts = Pick<TestResult, 'explanation' | 'prediction' | 'verifierLog' | 'processedInsns'>;

/**
 * The kernel-level facts of one decided test: for a failure, the finding that
 * explains it (or `unexplained`) and the verifier log's last lines; for any test,
 * the verified instruction counts its loader printed and, when the cell was
 * checked, how the outcome reads against the prediction.
 */
export function testFacts(status: 'pass' | 'fail' | 'other', output: string, check?: CellCheck): TestFacts {
  const out: TestFacts = {};
  const insns = processedInsns(output);
  if (insns.length) out.processedInsns = insns;
  if (status === 'fail') {
    const log = verifierLogs(output).at(-1);
    if (log?.lastLines.length) out.verifierLog = log.lastLines;
  }
  if (!check || check.predicted === 'skip' || status === 'other') return out;
  if (status === 'fail') out.explanation = explainingFinding(output, check) ?? 'unexplained';
  const said = agreement(check.predicted, status);
  out.prediction = said === 'agree' && out.explanation === 'unexplained' ? 'failed-unexplained' : said;
  return out;
}
