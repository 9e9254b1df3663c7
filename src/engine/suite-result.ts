// The CellResult of an attempt of a cell (suite-runner.ts), pure: its status,
// reason and tests as outcome/cell-outcome.ts decided them, its timings, guest
// facts and console from the guests it took.

import { settleBtf } from '../btf/resolve.js';
import type { MatrixVm } from '../config/matrix.js';
import type { Accel } from '../core/arch.js';
import type { Cell } from '../core/cell.js';
import type { GuestReport } from '../guest/frames.js';
import type { ResolvedKernel } from '../images/types.js';
import { decideCell } from '../outcome/cell-outcome.js';
import { stampOf } from '../outcome/kernel-log.js';
import { type AttemptMarks, kernelOf, withAttempt } from '../outcome/not-booted.js';
import type { CellBtf } from '../results/btf.js';
import type { CellResult, TestResult } from '../results/model.js';
import type { SuiteOutcome } from './suite-runner.js';

/** What every attempt's result records besides the guest's report. */
export interface AttemptFacts extends AttemptMarks {
  accel: Accel;
  started: number;
  backend: MatrixVm['backend'];
  qemuVersion?: string;
  /** Relative to the results directory. */
  consoleLog: string;
  btf?: CellBtf;
}

/**
 * One guest's whole kernel log from its parts (outside the tests, and each test's
 * own read), in the order of the kernel's stamps; an unstamped line stays with the
 * stamped line above it.
 */
export function guestLog(report: GuestReport): string {
  const parts = [report.dmesg, ...report.tests.map((t) => t.dmesg ?? '')];
  const records: { t: number; lines: string[] }[] = [];
  for (const line of parts.join('\n').split('\n')) {
    if (line.trim() === '') continue;
    const t = stampOf(line);
    if (t !== undefined || records.length === 0) records.push({ t: t ?? 0, lines: [line] });
    else records.at(-1)!.lines.push(line);
  }
  return records
    .sort((a, b) => a.t - b.t)
    .flatMap((r) => r.lines)
    .join('\n');
}

/**
 * Each refused sysctl once: the guest applies the sysctls at its start and again after
 * every test, and each refusal comes as `key: message` (the message names its script line).
 */
function firstPerKey(errors: readonly string[]): string[] {
  const byKey = new Map<string, string>();
  for (const e of errors) if (!byKey.has(e.split(':')[0]!)) byKey.set(e.split(':')[0]!, e);
  return [...byKey.values()];
}

/** What a cell of one test shows at the cell (a `loader:` matrix's): that test's exit, output and kernel log. */
function oneTest(tests: readonly TestResult[]): Pick<CellResult, 'exitCode' | 'stdout' | 'stderr' | 'kernelLog'> {
  const t = tests.length === 1 ? tests[0]! : undefined;
  if (!t) return { stdout: '', stderr: '' };
  return { exitCode: t.exitCode, stdout: t.stdout, stderr: t.stderr, kernelLog: t.kernelLog };
}

/** The first guest's boot, the tests' own run times together, and the attempt's whole time. */
function attemptTimings(s: SuiteOutcome, bootMs: number | undefined, started: number): CellResult['timings'] {
  return { bootMs, loaderMs: s.tests.reduce((sum, t) => sum + (t.timings.ms ?? 0), 0), totalMs: Date.now() - started };
}

/** The CellResult of one attempt: outcome/ decides its status, reason and tests; the rest is what the guests said. */
export function suiteResult(cell: Cell, kernel: ResolvedKernel, s: SuiteOutcome, a: AttemptFacts): CellResult {
  const first = s.boots[0]?.run;
  const last = s.boots.at(-1)?.run;
  const sysctlErrors = firstPerKey(s.boots.flatMap((b) => b.run.report.sysctlErrors));
  const observed = { bootFailed: s.bootFailed, infra: s.infra, sysctlErrors };
  const { status, reason, tests } = decideCell(cell, s.tests, observed);
  const facts = first?.report.facts ?? {};
  const result: CellResult = {
    id: cell.id,
    arch: cell.arch,
    kernel: kernelOf(cell, kernel),
    config: cell.config.name,
    libc: cell.libc,
    status,
    reason,
    expected: cell.expect,
    accel: a.accel,
    backend: a.backend,
    boot: first?.boot,
    timings: attemptTimings(s, first?.bootMs, a.started),
    timedOut: s.tests.some((t) => t.timedOut),
    bootFailed: s.bootFailed,
    attempts: a.attempt,
    ...oneTest(tests),
    dmesg: s.boots.map((b) => guestLog(b.run.report)).join('\n'),
    tests,
    consoleTail: status === 'pass' ? '' : (last?.exit.consoleTail ?? ''),
    guest: facts,
    btf: settleBtf(a.btf, facts.btfPresent),
    qemuVersion: a.qemuVersion,
    consoleLog: a.consoleLog,
    startedAt: new Date(a.started).toISOString(),
  };
  if (s.boots.length > 1) result.guestBoots = s.boots.length;
  return withAttempt(result, a);
}
