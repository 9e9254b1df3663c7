// A kernel's cached facts opened for questions: its BTF parsed from the cache's
// blob, its config file read, and its symbols (System.map's, else BTF's FUNCs).

import { readFile } from 'node:fs/promises';
import { parseKernelConfig } from '../images/config-facts.js';
import type { ResolvedKernel } from '../images/types.js';
import { parseBtf } from './btf.js';
import { BtfIndex } from './btf-query.js';
import { type KernelFactsDeps, type KernelView, kernelFactsOf, parseSystemMap } from './kernel-facts.js';

export async function kernelView(k: ResolvedKernel, deps: KernelFactsDeps): Promise<KernelView> {
  const facts = await kernelFactsOf(k, deps);
  const blob = facts.btfSha256 ? await deps.cache.verifiedBlob(facts.btfSha256) : undefined;
  const btf = blob ? new BtfIndex(parseBtf(await readFile(blob))) : undefined;
  const config = k.configPath ? parseKernelConfig(await readFile(k.configPath, 'utf8')) : undefined;
  const map = facts.symbolsSource === 'system.map' ? await deps.systemMap?.(k) : undefined;
  const symbols = map ? parseSystemMap(await readFile(map, 'utf8')) : btf ? new Set(btf.funcNames()) : undefined;
  return { facts, btf, config, symbols };
}
