// The check's part of the results model: what each cell was predicted to need that
// its kernel lacks (facts/ computes it before the boots), the facts of each kernel
// checked, and how a test's outcome reads against the prediction. All optional in
// results.json: files written without a check stay readable.

export type FindingKind =
  | 'btf'
  | 'field'
  | 'type'
  | 'enumval'
  | 'helper'
  | 'kfunc'
  | 'ksym'
  | 'prog-type'
  | 'attach-type'
  | 'map-type'
  | 'target'
  | 'config'
  | 'lockdown'
  | 'privilege';

export interface Finding {
  kind: FindingKind;
  /**
   * fail: predicted to fail the load or attach. guarded: absent, but the program
   * carries an alternative (a CO-RE flavour, a field-exists check). unknown: the
   * facts cannot decide (no symbol table, a module's kfunc).
   */
  level: 'fail' | 'guarded' | 'unknown';
  /** The object's file name and the program's section, when one program needs it. */
  object: string;
  section?: string;
  /** What is needed: `task_struct.state`, `bpf_loop (181)`, `CONFIG_KPROBES`. */
  need: string;
  /** Why, in kernel terms: `absent; task_struct has __state`. */
  detail: string;
  /** Kernel names that look like what was needed, nearest first. */
  candidates?: string[];
}

/** One cell's prediction: what `check` prints and what goes into results.json. */
export interface CellCheck {
  id: string;
  arch: string;
  kernel: string;
  /** `uname -r` of the kernel checked. */
  release?: string;
  /** The BTF mode the cell's loader sees. */
  btf: string;
  predicted: 'pass' | 'fail' | 'skip';
  /** Why the cell was not checked (no kernel for its arch, no objects). */
  skip?: string;
  /** Object files checked (base names). */
  objects: string[];
  findings: Finding[];
}

/** What a CONFIG_ option that matters to BPF is about, most relevant first (facts/config-diff.ts sorts by it). */
export const OPTION_AREAS = ['bpf', 'btf', 'probes', 'lockdown', 'network', 'cgroups', 'symbols', 'timing'] as const;
export type OptionArea = (typeof OPTION_AREAS)[number];

/** A CONFIG_ option that matters to BPF, as one kernel sets it. */
export interface KernelOption {
  name: string;
  value: string;
  /** `bpf`, `btf`, `probes`, … (facts/config-diff.ts), in order of relevance. */
  area: string;
}

/** The BPF configuration behind a failing test: how its kernel differs from one the test passes on. */
export interface ConfigContrast {
  /** The passing cell compared against. */
  against: string;
  /** `CONFIG_X: y → not set` (the passing kernel's value first); the option the explanation names first. */
  lines: string[];
}

/** The facts of one kernel checked, for the reports' kernels view. */
export interface KernelSummary {
  /** The cells' kernel name and arch: the key the cells name it by. */
  kernel: string;
  arch: string;
  release: string;
  btfSource: 'kernel' | 'generated' | 'none';
  helpers: number;
  kfuncs: number;
  /** Set options that matter to BPF, most relevant first; absent when the package has no config. */
  options?: KernelOption[];
}

export interface CheckReport {
  version: 1;
  cells: CellCheck[];
  /** Each kernel checked once (by name and arch), sorted. */
  kernels?: KernelSummary[];
  /** Why the run has no check (no btf.objects). */
  skipped?: string;
}

/** What explains a failing test: the finding its loader's error points at, or none the facts hold. */
export type TestExplanation = Finding | 'unexplained';

/**
 * Prediction against outcome: a test predicted to fail that passed handled the miss
 * itself (a flavour, an exists check, a fallback); one that failed with no finding
 * failed for a reason the kernel's facts do not hold.
 */
export type PredictionAgreement = 'agree' | 'predicted-fail-passed' | 'failed-unexplained';

/**
 * Prediction against outcome: a cell predicted to fail that passed handled the
 * miss itself (a flavour, an exists check, a fallback the check cannot see); one
 * that failed with no finding failed for a reason the kernel's facts do not hold.
 */
export function agreement(predicted: CellCheck['predicted'], outcome: 'pass' | 'fail'): PredictionAgreement {
  if (predicted === 'fail' && outcome === 'pass') return 'predicted-fail-passed';
  if (predicted !== 'fail' && outcome === 'fail') return 'failed-unexplained';
  return 'agree';
}
