// The CellResult of a cell that ran a list of tests (suite-runner.ts), pure: its
// status derives from its tests (results/tests.ts), its reason names the failing
// ones, and its timings, guest facts and console come from the guests it took.

import type { Cell } from '../core/cell.js';
import type { ResolvedKernel } from '../images/types.js';
import type { GuestReport } from '../guest/frames.js';
import { withSysctlErrors } from '../outcome/explain.js';
import { stampOf } from '../outcome/kernel-log.js';
import { kernelOf } from '../outcome/not-booted.js';
import type { CellResult, TestResult } from '../results/model.js';
import { cellStatus, isUnexpected } from '../results/tests.js';
import { settleBtf } from '../btf/resolve.js';
import type { SuiteOutcome } from './suite-runner.js';
import type { Accel } from '../core/arch.js';
import type { MatrixVm } from '../config/matrix.js';
import type { CellBtf } from '../results/btf.js';

/** What every attempt's result records besides the guest's report. */
export interface AttemptFacts {
  accel: Accel;
  attempt: number;
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
  return records.sort((a, b) => a.t - b.t).flatMap((r) => r.lines).join('\n');
}

/** `hang: timed out after 3s`, or `2 of 5 tests failed: hang (…), panic (…)`. */
export function suiteReason(tests: readonly TestResult[], infra?: string): string | undefined {
  const bad = tests.filter((t) => isUnexpected(t.status) || t.status === 'infra');
  if (bad.length === 0) return infra;
  const one = (t: TestResult) => `${t.name}${t.reason ? ` (${t.reason})` : ''}`;
  if (bad.length === 1) return `${bad[0]!.name}: ${bad[0]!.reason ?? bad[0]!.status}`;
  return `${bad.length} of ${tests.length} tests failed: ${bad.map(one).join(', ')}`;
}

export function suiteResult(cell: Cell, kernel: ResolvedKernel, s: SuiteOutcome, a: AttemptFacts): CellResult {
  const first = s.boots[0]?.run;
  const last = s.boots.at(-1)?.run;
  const raw = cellStatus(s.tests, { bootFailed: s.bootFailed, expected: cell.expect !== undefined });
  // A quarantined flake that passed is a pass (decide.ts does the same for one program).
  const status = raw === 'xpass' && cell.expect?.result === 'flaky' ? 'pass' : raw;
  const testMs = s.tests.reduce((sum, t) => sum + (t.timings.ms ?? 0), 0);
  const facts = first?.report.facts ?? {};
  const sysctlErrors = [...new Set(s.boots.flatMap((b) => b.run.report.sysctlErrors))];
  const reason = suiteReason(s.tests, s.infra);
  const result: CellResult = {
    id: cell.id,
    arch: cell.arch,
    kernel: kernelOf(cell, kernel),
    config: cell.config.name,
    libc: cell.libc,
    status,
    reason: withSysctlErrors(reason, sysctlErrors, status),
    expected: cell.expect,
    accel: a.accel,
    backend: a.backend,
    boot: first?.boot,
    timings: { bootMs: first?.bootMs, loaderMs: testMs, totalMs: Date.now() - a.started },
    timedOut: s.tests.some((t) => t.timedOut),
    bootFailed: s.bootFailed,
    attempts: a.attempt,
    stdout: '',
    stderr: '',
    dmesg: s.boots.map((b) => guestLog(b.run.report)).join('\n'),
    tests: s.tests,
    consoleTail: status === 'pass' ? '' : (last?.exit.consoleTail ?? ''),
    guest: facts,
    btf: settleBtf(a.btf, facts.btfPresent),
    qemuVersion: a.qemuVersion,
    consoleLog: a.consoleLog,
    startedAt: new Date(a.started).toISOString(),
  };
  if (s.boots.length > 1) result.guestBoots = s.boots.length;
  return result;
}
