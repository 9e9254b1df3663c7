// A kernel's facts without booting it, computed once per kernel build and kept in
// the cache under the image's sha256 (facts/<sha256>.json, the BTF as a blob):
// its BTF (its own, read from the image, else generated for it), its configuration,
// where its symbols come from, and the BPF enums and kfuncs its BTF declares.

import { readFile } from 'node:fs/promises';
import { btfFromImage } from '../btf/from-image.js';
import type { Cache } from '../images/cache.js';
import type { ResolvedKernel } from '../images/types.js';
import { parseBtf } from './btf.js';
import { BtfIndex } from './btf-query.js';
import { type KernelBpfEnums, kernelBpfEnums } from './kernel-enums.js';

/** Bumped when the JSON's shape or what it is computed from changes. */
const FACTS_VERSION = 1;

export interface KernelFactsRecord extends KernelBpfEnums {
  version: number;
  sha256: string;
  release: string;
  arch: string;
  /** `kernel`: the image's own .BTF; `generated`: from its -dbg package; `none`: neither. */
  btfSource: 'kernel' | 'generated' | 'none';
  /** The BTF blob in the cache. */
  btfSha256?: string;
  /** `System.map` when the package has one, else the BTF's FUNC names, else none. */
  symbolsSource: 'system.map' | 'btf' | 'none';
}

export interface KernelFactsDeps {
  cache: Cache;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** BTF generated for a kernel built without it (the image store's generatedBtf); absent = none. */
  generatedBtf?: (k: ResolvedKernel) => Promise<string>;
  /** The package's System.map, when the source keeps one. */
  systemMap?: (k: ResolvedKernel) => Promise<string | undefined>;
}

/** A kernel's facts with its BTF parsed, its config and its symbols: what `check` asks. */
export interface KernelView {
  facts: KernelFactsRecord;
  btf?: BtfIndex;
  /** CONFIG_X → value; undefined when the package has no config. */
  config?: Map<string, string>;
  symbols?: Set<string>;
}

async function ownBtf(k: ResolvedKernel, deps: KernelFactsDeps): Promise<{ raw?: Buffer; source: KernelFactsRecord['btfSource'] }> {
  try {
    return { raw: await btfFromImage(k.kernelPath, deps.env, deps.signal), source: 'kernel' };
  } catch (error) {
    if (deps.signal?.aborted) throw error;
  }
  if (!deps.generatedBtf) return { source: 'none' };
  return { raw: await readFile(await deps.generatedBtf(k)), source: 'generated' };
}

async function computeFacts(k: ResolvedKernel, deps: KernelFactsDeps, mapText: string | undefined): Promise<KernelFactsRecord> {
  const { raw, source } = await ownBtf(k, deps);
  const index = raw ? new BtfIndex(parseBtf(raw)) : undefined;
  const empty: KernelBpfEnums = { helpers: [], progTypes: [], mapTypes: [], attachTypes: [], kfuncs: [] };
  return {
    version: FACTS_VERSION,
    sha256: k.sha256,
    release: k.release,
    arch: k.arch,
    btfSource: source,
    btfSha256: raw ? await deps.cache.putBytes(raw) : undefined,
    symbolsSource: mapText ? 'system.map' : index ? 'btf' : 'none',
    ...(index ? kernelBpfEnums(index) : empty),
  };
}

/** The cached facts of `k`, computed on the first call; a record without BTF is redone once a generator is offered. */
export async function kernelFactsOf(k: ResolvedKernel, deps: KernelFactsDeps): Promise<KernelFactsRecord> {
  const rel = `facts/${k.sha256}.json`;
  const held = await deps.cache.readJson<KernelFactsRecord>(rel);
  const usable = held?.version === FACTS_VERSION && !(held.btfSource === 'none' && deps.generatedBtf);
  if (held && usable && (!held.btfSha256 || (await deps.cache.verifiedBlob(held.btfSha256)))) return held;
  return deps.cache.withLock(
    `facts-${k.sha256}`,
    async () => {
      const mapText = await readSystemMap(k, deps);
      const facts = await computeFacts(k, deps, mapText);
      await deps.cache.writeJson(rel, facts);
      return facts;
    },
    deps.signal,
  );
}

async function readSystemMap(k: ResolvedKernel, deps: KernelFactsDeps): Promise<string | undefined> {
  const file = await deps.systemMap?.(k);
  return file ? readFile(file, 'utf8') : undefined;
}

/** Text symbols of a System.map (`ffffffff81000000 T _stext`): the names a kprobe can attach to. */
export function parseSystemMap(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^[0-9a-f]+ ([tTwW]) (\S+)$/.exec(line.trim());
    if (m) out.add(m[2]!);
  }
  return out;
}
