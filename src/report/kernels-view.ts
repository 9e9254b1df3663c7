// The kernels view: per kernel checked, its facts; per test, the cells it passes
// on and why it fails on the others; and, for a test that passes on one kernel and
// fails on another (same arch, other kernel; or same kernel, other arch), the
// CONFIG_ options that matter to BPF and differ between them. Pure: read from the
// results model (the run's check holds the kernels' options).

import type { KernelOption, KernelSummary } from '../results/check.js';
import type { CellResult, RunResults, Status, TestResult } from '../results/model.js';
import { testView } from './cell-view.js';
import { predictionText } from './wording.js';

export interface TestAcrossKernels {
  name: string;
  passesOn: string[];
  /** Every status but pass and skip, as the cell shows it. */
  failsOn: { id: string; status: Status; why: string }[];
  /** Cells where the check's prediction and the outcome differ, with what differs. */
  mismatches: { id: string; text: string }[];
}

export interface ConfigContrast {
  /** The passing cell compared against. */
  against: string;
  /** `CONFIG_X: y → not set` (the passing kernel's value first). */
  lines: string[];
}

const summaryOf = (results: RunResults, c: CellResult) => results.check?.kernels?.find((k) => k.kernel === c.kernel.name && k.arch === c.arch);

/**
 * A cell's prediction covers all its tests' objects: when another test of the cell
 * failed, a passing test may simply not load what the kernel lacks, so its pass is
 * no prediction missed.
 */
const cellFailed = (cell: CellResult) => cell.tests.some((t) => t.status === 'fail' || t.status === 'xfail');

/** Each test's cells by outcome, in the cells' order. */
export function testsAcrossKernels(results: RunResults): TestAcrossKernels[] {
  const byName = new Map<string, TestAcrossKernels>();
  for (const cell of results.cells) {
    for (const t of cell.tests) {
      const entry = byName.get(t.name) ?? { name: t.name, passesOn: [], failsOn: [], mismatches: [] };
      byName.set(t.name, entry);
      const view = testView(cell, t);
      if (view.status === 'pass') entry.passesOn.push(cell.id);
      else if (view.status !== 'skip') entry.failsOn.push({ id: cell.id, status: view.status, why: view.why });
      const text = predictionText(t.prediction);
      if (text && !(t.prediction === 'predicted-fail-passed' && cellFailed(cell))) entry.mismatches.push({ id: cell.id, text });
    }
  }
  return [...byName.values()];
}

/** The kernels the run checked, or none (no check). */
export const checkedKernels = (results: RunResults): KernelSummary[] => results.check?.kernels ?? [];

function optionLines(pass: readonly KernelOption[], fail: readonly KernelOption[]): string[] {
  const inFail = new Map(fail.map((o) => [o.name, o.value]));
  const inPass = new Map(pass.map((o) => [o.name, o.value]));
  const names = [...new Set([...pass.map((o) => o.name), ...fail.map((o) => o.name)])];
  return names.filter((n) => inPass.get(n) !== inFail.get(n)).map((n) => `${n}: ${inPass.get(n) ?? 'not set'} → ${inFail.get(n) ?? 'not set'}`);
}

/** A passing cell of the same test: same arch and config on another kernel, else same kernel on another arch. */
function passingPeer(results: RunResults, cell: CellResult, test: TestResult): CellResult | undefined {
  const passes = (c: CellResult) => c.tests.some((t) => t.name === test.name && testView(c, t).status === 'pass');
  const alike = (c: CellResult) => c !== cell && c.config === cell.config && c.libc === cell.libc;
  const peers = results.cells.filter((c) => alike(c) && passes(c));
  return (
    peers.find((c) => c.arch === cell.arch && c.kernel.name !== cell.kernel.name) ??
    peers.find((c) => c.kernel.name === cell.kernel.name && c.arch !== cell.arch)
  );
}

/** The BPF configuration behind a failing test, when a passing peer and both kernels' options are known. */
export function configContrast(results: RunResults, cell: CellResult, test: TestResult): ConfigContrast | undefined {
  const peer = passingPeer(results, cell, test);
  const a = peer && summaryOf(results, peer)?.options;
  const b = summaryOf(results, cell)?.options;
  if (!peer || !a || !b) return undefined;
  const lines = optionLines(a, b);
  return lines.length ? { against: peer.id, lines } : undefined;
}
