// The versioned results model: the product. Every report is a view of it.
// Bump SCHEMA_VERSION on any incompatible change; readers refuse other versions.

import type { Arch } from '../core/arch.js';
import type { CellBtf } from './btf.js';
import type { CheckReport, ConfigContrast, PredictionAgreement, TestExplanation } from './check.js';

export const SCHEMA_VERSION = 2;
/** Versions `report` still reads (results/upgrade.ts brings version 1 to 2). */
export const READABLE_VERSIONS = [1, 2] as const;

export const STATUSES = ['pass', 'fail', 'xfail', 'xpass', 'infra', 'skip', 'flaky'] as const;
export type Status = (typeof STATUSES)[number];

/** Facts about a kernel read from its config file on the host (images/). */
export interface KernelFacts {
  btf?: boolean; // CONFIG_DEBUG_INFO_BTF=y
  hz?: number; // CONFIG_HZ
  bpfJit?: boolean; // CONFIG_BPF_JIT=y
  kprobes?: boolean; // CONFIG_KPROBES=y
  bpfLsm?: boolean; // CONFIG_BPF_LSM=y
  lockdownLsm?: boolean; // CONFIG_SECURITY_LOCKDOWN_LSM=y
  preempt?: string; // none | voluntary | full | rt | dynamic
}

/** Facts seen from inside the running guest. */
export interface GuestFacts {
  btfPresent?: boolean; // /sys/kernel/btf/vmlinux exists
  lockdown?: string; // the [selected] mode in /sys/kernel/security/lockdown
  jitEnabled?: string; // /proc/sys/net/core/bpf_jit_enable
  uid?: number; // effective uid the loader ran as
  capEff?: string; // CapEff of the loader's process, hex
  unameR?: string;
}

/** One Go test or subtest of a `kind: gotest` test. */
export interface CaseResult {
  /** As `-test.run` matches it: TestNested/skip_me. */
  name: string;
  status: 'pass' | 'fail' | 'skip';
  elapsedMs?: number;
  output: string;
  /** The t.Skip message of a skipped case. */
  skipMessage?: string;
  /** Why a case that never reported counts as failed (panic, timeout). */
  unfinished?: string;
}

/**
 * A stream of a test whose output was cut: the guest keeps and sends the last
 * PM_OUTMAX bytes (1 MiB) of each, and a guest that died sent only what streamed live.
 */
export interface OutputCut {
  stream: 'stdout' | 'stderr' | 'dmesg';
  /** Bytes the results hold. */
  keptBytes: number;
  /** Bytes the program wrote, when the guest counted them (absent: the guest died before it could). */
  totalBytes?: number;
}

/**
 * A BPF program a test loaded, seen in the kernel's program list while the test ran
 * (programs loaded and unloaded between two of the guest's polls, 5 ms apart, are not).
 */
export interface ProgramResult {
  /** As the kernel keeps it: at most 15 characters of the program's name. */
  name: string;
  /** The program type (`kprobe`, `tracepoint`, `tracing`, …). */
  type: string;
  /**
   * Instructions the verifier processed: bpf_prog_info.verified_insns (5.16+), else the
   * loader's own verifier log (`processed N insns`, then `insnsFrom: 'log'`); absent: unknown.
   */
  verifiedInsns?: number;
  insnsFrom?: 'log';
}

/** One entry of the cell's `tests:`, as it ran in the cell's guest. */
export interface TestResult {
  name: string;
  kind: 'exec' | 'gotest';
  status: Status;
  reason?: string;
  /** An `expect` entry naming this test. */
  expected?: { result: 'fail' | 'flaky'; reason: string };
  exitCode?: number;
  timedOut: boolean;
  /** Wall-clock ms the test ran. */
  timings: { ms?: number };
  stdout: string;
  stderr: string;
  /** The kernel-log lines that appeared while this test ran (its segment). */
  kernelLog: string;
  /** Console tail when the test took the guest down (panic, wedge). */
  consoleTail?: string;
  cases?: CaseResult[];
  /** Streams cut short, in stream order; absent when nothing was cut. */
  outputCut?: OutputCut[];
  /** A failing test: the kernel-level finding that explains it, or `unexplained` (needs the run's check). */
  explanation?: TestExplanation;
  /** How the outcome reads against the check's prediction for the cell. */
  prediction?: PredictionAgreement;
  /** A failing test: the BPF configuration its kernel differs in from one it passes on. */
  configContrast?: ConfigContrast;
  /** The verifier log's last lines in a failing test's output. */
  verifierLog?: string[];
  /** Verified instructions per program, where the loader printed the verifier's `processed N insns`. */
  processedInsns?: { program?: string; insns: number }[];
  /** The BPF programs it loaded, sorted (name, type, count), each distinct one once; absent when none was seen. */
  programs?: ProgramResult[];
}

export interface CellResult {
  id: string;
  arch: Arch;
  kernel: {
    source: string;
    name: string;
    release?: string;
    package?: string;
    version?: string;
    sha256?: string;
    facts?: KernelFacts;
  };
  config: string;
  libc: string;
  status: Status;
  /** Why the cell failed / was skipped / errored, when recognisable. */
  reason?: string;
  expected?: { result: 'fail' | 'flaky'; reason: string };
  accel?: 'kvm' | 'tcg';
  backend?: 'qemu' | 'vng';
  /**
   * How the guest started: `snapshot` restored the saved state of its boot (so it
   * shares KASLR offsets with every cell of that boot), `cold` booted the kernel.
   */
  boot?: 'snapshot' | 'cold';
  /** Wall-clock milliseconds: boot (QEMU start → loader start), loader, total. */
  timings: { bootMs?: number; loaderMs?: number; totalMs: number };
  exitCode?: number;
  timedOut: boolean;
  bootFailed: boolean;
  attempts: number;
  stdout: string;
  stderr: string;
  dmesg: string;
  /** The cell's own streams cut short (a test's are on the test); absent when nothing was cut. */
  outputCut?: OutputCut[];
  /** The tests the cell ran, in order; the cell's status derives from them (schema 2). */
  tests: TestResult[];
  /** The kernel-log lines logged while the loader ran (after it started): splats and reasons come from here. */
  kernelLog?: string;
  /** Guests a cell of tests took when one died (panic, no response) and the next tests ran on a new boot; absent when 1. */
  guestBoots?: number;
  /** Runs on fresh boots (`--reruns`, `--repeat`): how many passed, and each run's status. */
  runs?: { passed: number; total: number; statuses: Status[] };
  /** Reasons of earlier attempts that failed through the infrastructure and were retried. */
  retriedAfter?: string[];
  /** Last console lines, kept for every non-pass. */
  consoleTail: string;
  guest?: GuestFacts;
  /** The BTF the loader saw and where it came from (kernel, generated, min, file, none). */
  btf?: CellBtf;
  qemuVersion?: string;
  /** sha256 over everything that determines the outcome (kernel, loader, files, config, libc, busybox, portmatrix version): `--resume` and `--reuse` key. */
  inputsHash?: string;
  /** Not run: an earlier run with the same inputs hash ended as expected (`run --reuse`); when that run finished. */
  reused?: { finishedAt?: string };
  /** Relative path (from the results dir) of the full console log. */
  consoleLog?: string;
  startedAt?: string;
  /** Planned but in no shard's results: the shard (`2/4`) that should have run it uploaded none. */
  missing?: { shard: string };
}

export interface RunResults {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'portmatrix'; version: string };
  /** Path of the matrix file, relative to the results dir's parent when possible. */
  matrix: string;
  startedAt: string;
  finishedAt?: string;
  host: { arch: string; cpus: number; node: string };
  /** Config names in matrix order, so reports list rows as the user wrote them. */
  configs?: string[];
  /** Sorted by id. */
  cells: CellResult[];
  /** How the run ended as a whole, decided once (outcome/run-verdict.ts); every view reads it. */
  verdict?: RunVerdict;
  /** The check of the cells run, computed before the boots (facts/); absent without btf.objects. */
  check?: CheckReport;
  /** A sharded run's whole plan, so a merge names the cells no shard reported; absent unsharded. */
  plan?: ShardPlan;
}

/** The run's verdict: what the exit code says and which cells made it so. */
export interface RunVerdict {
  /** The process exit code: 0 all as expected, 1 a cell failed unexpectedly, 3 infrastructure. */
  exitCode: number;
  /** --strict was on: flaky cells that are not quarantined fail the run. */
  strict: boolean;
  /** Every cell ended as expected (exitCode 0). */
  ok: boolean;
  /** Ids of the cells that failed the run (fail, xpass; flaky under --strict), sorted. */
  failed: string[];
  /** Ids of the cells that ended infra, sorted. */
  infra: string[];
  /** Shards (`2/4`) that uploaded no results, their cells among `infra`; absent when none. */
  missingShards?: string[];
}

/** A cell of the plan: what a report shows of it before it ran. */
export interface PlannedCell {
  id: string;
  arch: Arch;
  kernel: { source: string; name: string };
  config: string;
  libc: string;
  /** 1-based: the shard that runs it. */
  shard: number;
  tests: { name: string; kind: 'exec' | 'gotest'; expected?: CellResult['expected'] }[];
  expected?: CellResult['expected'];
  /** Why the cell cannot run (no kernel for its arch): it is reported `skip`, not missing. */
  skip?: string;
}

export interface ShardPlan {
  /** How many shards the cells were dealt to. */
  shards: number;
  /** Which of them this results dir is (1-based); absent in a merge. */
  shard?: number;
  /** Every cell of the plan, each once, sorted by id. */
  cells: PlannedCell[];
}
