// One kernel's facts as the results model keeps them for the reports' kernels view:
// its release, where its BTF came from, how many helpers and kfuncs it declares, and
// the CONFIG_ options it sets that matter to BPF (the same choice config-diff makes,
// so two summaries compare as two configs would).

import type { KernelSummary } from '../results/check.js';
import { configDifferences } from './config-diff.js';
import type { KernelView } from './kernel-facts.js';

const NONE = new Map<string, string>();

export function kernelSummary(kernel: string, arch: string, view: KernelView): KernelSummary {
  const { facts, config } = view;
  const summary: KernelSummary = {
    kernel,
    arch,
    release: facts.release,
    btfSource: facts.btfSource,
    helpers: facts.helpers.length,
    kfuncs: facts.kfuncs.length,
  };
  if (config) {
    summary.options = configDifferences(config, NONE).map((d) => ({ name: d.name, value: d.a!, area: d.area }));
  }
  return summary;
}

/** Each kernel once (the first cell's view of it), sorted by name then arch. */
export function kernelSummaries(seen: readonly { kernel: string; arch: string; view?: KernelView }[]): KernelSummary[] {
  const byKey = new Map<string, KernelSummary>();
  for (const s of seen) {
    const key = `${s.kernel}\0${s.arch}`;
    if (s.view && !byKey.has(key)) byKey.set(key, kernelSummary(s.kernel, s.arch, s.view));
  }
  return [...byKey.values()].sort((a, b) => (a.kernel + a.arch < b.kernel + b.arch ? -1 : 1));
}
