// A failing test's configuration contrast: the CONFIG_ options that matter to BPF
// and differ between its kernel and one it passes on (same arch and config on
// another kernel, else the same kernel on another arch). Decided once, when the
// run's results are assembled, from the check's kernel summaries; every report
// reads it from the test. The option the test's explanation names comes first.

import { type ConfigContrast, type KernelOption, type KernelSummary, OPTION_AREAS } from './check.js';
import type { CellResult, TestResult } from './model.js';

const rankOf = (area: string | undefined) => {
  const i = (OPTION_AREAS as readonly string[]).indexOf(area ?? '');
  return i < 0 ? OPTION_AREAS.length : i;
};

/** `CONFIG_X: y → not set` for each option set differently, the passing kernel's value first, `first` leading. */
export function optionLines(pass: readonly KernelOption[], fail: readonly KernelOption[], first?: string): string[] {
  const inPass = new Map(pass.map((o) => [o.name, o]));
  const inFail = new Map(fail.map((o) => [o.name, o]));
  const differ = (n: string) => inPass.get(n)?.value !== inFail.get(n)?.value;
  const names = [...new Set([...inPass.keys(), ...inFail.keys()])].filter(differ);
  const key = (n: string) => (n === first ? -1 : rankOf((inPass.get(n) ?? inFail.get(n))?.area));
  names.sort((a, b) => key(a) - key(b) || (a < b ? -1 : a > b ? 1 : 0));
  return names.map((n) => `${n}: ${inPass.get(n)?.value ?? 'not set'} → ${inFail.get(n)?.value ?? 'not set'}`);
}

/** A passing cell of the same test: same arch, config and libc on another kernel, else same kernel, other arch. */
function passingPeer(cells: readonly CellResult[], cell: CellResult, test: TestResult): CellResult | undefined {
  const passes = (c: CellResult) => c.tests.some((t) => t.name === test.name && t.status === 'pass');
  const peers = cells.filter((c) => c !== cell && c.config === cell.config && c.libc === cell.libc && passes(c));
  return (
    peers.find((c) => c.arch === cell.arch && c.kernel.name !== cell.kernel.name) ??
    peers.find((c) => c.kernel.name === cell.kernel.name && c.arch !== cell.arch)
  );
}

/** The contrast of one failing test, when a passing peer and both kernels' options are known. */
export function configContrast(
  cells: readonly CellResult[],
  kernels: readonly KernelSummary[],
  cell: CellResult,
  test: TestResult,
): ConfigContrast | undefined {
  const summaryOf = (c: CellResult) => kernels.find((k) => k.kernel === c.kernel.name && k.arch === c.arch)?.options;
  const peer = passingPeer(cells, cell, test);
  const a = peer && summaryOf(peer);
  const b = summaryOf(cell);
  if (!peer || !a || !b) return undefined;
  const e = test.explanation;
  const lines = optionLines(a, b, typeof e === 'object' && e.kind === 'config' ? e.need : undefined);
  return lines.length ? { against: peer.id, lines } : undefined;
}

/** The cells with each failing test's contrast recorded (`configContrast`); unchanged without kernel summaries. */
export function withConfigContrasts(cells: CellResult[], kernels: readonly KernelSummary[] | undefined): CellResult[] {
  if (!kernels?.length) return cells;
  return cells.map((cell) => {
    if (!cell.tests.some((t) => t.status === 'fail')) return cell;
    const tests = cell.tests.map((t) => {
      const contrast = t.status === 'fail' ? configContrast(cells, kernels, cell, t) : undefined;
      return contrast ? { ...t, configContrast: contrast } : t;
    });
    return { ...cell, tests };
  });
}
