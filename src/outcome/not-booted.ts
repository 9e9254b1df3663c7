// Outcomes decided without an outcome from the guest: the cell was skipped (no
// kernel for the arch, backend, libc), the kernel could not be had, or the attempt
// threw. Also the parts of a CellResult every path fills the same way.

import type { Cell } from '../core/cell.js';
import { NotAvailableError, type ResolvedKernel } from '../images/types.js';
import type { CellResult } from '../results/model.js';
import { undecidedTest } from '../results/tests.js';

/** The kernel as reported: the cell's source and name, plus what resolution found. */
export function kernelOf(cell: Cell, kernel?: ResolvedKernel): CellResult['kernel'] {
  const base = { source: cell.kernel.source, name: cell.kernel.name };
  if (!kernel) return base;
  const { release, package: pkg, version, sha256, facts } = kernel;
  return { ...base, release, package: pkg, version, sha256, facts };
}

/** A cell decided without booting: skipped (no kernel, libc mismatch) or infra before boot. */
export function notBooted(cell: Cell, status: 'skip' | 'infra', reason: string, opts: { kernel?: ResolvedKernel; totalMs?: number } = {}): CellResult {
  return {
    id: cell.id,
    arch: cell.arch,
    kernel: kernelOf(cell, opts.kernel),
    config: cell.config.name,
    libc: cell.libc,
    status,
    reason,
    expected: cell.expect,
    timings: { totalMs: opts.totalMs ?? 0 },
    timedOut: false,
    bootFailed: status === 'infra',
    attempts: status === 'infra' ? 1 : 0,
    stdout: '',
    stderr: '',
    dmesg: '',
    tests: cell.tests.map((t) => undecidedTest(t, status, reason)),
    consoleTail: '',
  };
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A kernel that could not be had: skipped when the source has none for the arch, else infra. */
export function kernelFailure(cell: Cell, error: unknown): CellResult {
  if (error instanceof NotAvailableError) return notBooted(cell, 'skip', error.message);
  return notBooted(cell, 'infra', `kernel image: ${message(error)}`);
}

/** What the scheduler knows of an attempt: which one, the cell's inputs hash, why earlier attempts ended infra. */
export interface AttemptMarks {
  attempt: number;
  inputsHash?: string;
  retriedAfter?: readonly string[];
}

/** The result with its attempt's bookkeeping, as it is built (nothing changes a result later). */
export function withAttempt(result: CellResult, at: AttemptMarks): CellResult {
  if (at.retriedAfter?.length) result.retriedAfter = [...at.retriedAfter];
  if (at.inputsHash) result.inputsHash = at.inputsHash;
  return result;
}

/** An attempt that threw before the guest could report (initramfs, spawn, vng lookup): infra. */
export function attemptFailure(cell: Cell, error: unknown, at: AttemptMarks): CellResult {
  return withAttempt({ ...notBooted(cell, 'infra', message(error)), attempts: at.attempt }, at);
}
