// The parts of a CellResult every path fills the same way: the cell's identity, the
// kernel it ran on, and the empty result of a cell that never booted.

import type { ResolvedKernel } from '../images/types.js';
import type { Cell } from '../core/cell.js';
import type { CellResult } from '../results/model.js';

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
    consoleTail: '',
  };
}
