// What a kernel's BPF offers, read from its own BTF: the UAPI enums of helpers,
// program, map and attach types (the kernel compiles include/uapi/linux/bpf.h, so
// its BTF carries them), the kfuncs it tags, and its functions. Nothing here is a
// hand-kept table: a kernel lacking a name is a kernel lacking the feature.

import type { BtfIndex } from './btf-query.js';

/** One enumerator: `{ id: 27, name: 'BPF_MAP_TYPE_RINGBUF' }`; helpers by their C name (`bpf_loop`). */
export interface Enumerated {
  id: number;
  name: string;
}

export interface KernelBpfEnums {
  helpers: Enumerated[];
  progTypes: Enumerated[];
  mapTypes: Enumerated[];
  attachTypes: Enumerated[];
  kfuncs: string[];
}

const ENUMS = {
  helpers: ['bpf_func_id', 'BPF_FUNC_'],
  progTypes: ['bpf_prog_type', 'BPF_PROG_TYPE_'],
  mapTypes: ['bpf_map_type', 'BPF_MAP_TYPE_'],
  attachTypes: ['bpf_attach_type', ''],
} as const;

/** An enum's real values: those with the prefix, counters such as `__MAX_BPF_MAP_TYPE` left out. */
function enumerated(index: BtfIndex, name: string, prefix: string): Enumerated[] {
  const seen = new Set<number>();
  const out: Enumerated[] = [];
  for (const m of index.enumValues(name)) {
    if (m.name.startsWith('__') || (prefix && !m.name.startsWith(prefix)) || seen.has(m.value)) continue;
    seen.add(m.value);
    out.push({ id: m.value, name: m.name });
  }
  return out.sort((a, b) => a.id - b.id);
}

export function kernelBpfEnums(index: BtfIndex): KernelBpfEnums {
  const read = (k: keyof typeof ENUMS) => enumerated(index, ENUMS[k][0], ENUMS[k][1]);
  return {
    helpers: read('helpers').map((h) => ({ id: h.id, name: `bpf_${h.name.slice('BPF_FUNC_'.length)}` })),
    progTypes: read('progTypes'),
    mapTypes: read('mapTypes'),
    attachTypes: read('attachTypes'),
    kfuncs: index.kfuncNames(),
  };
}
