// The `btf` keys of matrix.yaml after the schema: each value parsed into a BtfMode,
// file: paths made absolute and checked, `min` only with `btf.objects`, and the
// objects' globs matching something for every arch. Failures are located.

import fs from 'node:fs';
import path from 'node:path';
import type { PathKey } from '../config/locate.js';
import type { Arch } from '../core/arch.js';
import { globSync } from '../plan/glob.js';
import { BTF_MODE_WORDS, parseBtfMode, type BtfMode } from './mode.js';

type Fail = (path: PathKey[], problem: string, fix: string) => never;

interface Raw {
  kernels: { btf?: string }[];
  configs: { btf?: string }[];
  btf: { objects: string[] };
}

export interface BtfSettings {
  kernels: (BtfMode | undefined)[];
  configs: (BtfMode | undefined)[];
  /** Absolute patterns with `{arch}` / `{goarch}` still in them. */
  objects: string[];
}

function mode(value: string | undefined, at: PathKey[], dir: string, hasObjects: boolean, fail: Fail): BtfMode | undefined {
  if (value === undefined) return undefined;
  const parsed = parseBtfMode(value);
  if (!parsed) fail(at, `${JSON.stringify(value)} is not a BTF mode`, `use one of ${BTF_MODE_WORDS.join(', ')}`);
  if (parsed.kind === 'min' && !hasObjects) fail(at, 'min needs the minimal BTF of your BPF objects, but btf.objects is empty', 'list them at the top level, e.g. btf: {objects: ["build/*-{goarch}.o"]}');
  if (parsed.kind !== 'file') return parsed;
  const abs = path.resolve(dir, parsed.path);
  if (!fs.existsSync(abs)) fail(at, `${parsed.path} does not exist (paths are relative to the matrix file)`, 'write the path of an existing raw BTF file (e.g. from pahole --btf_encode_detached or bpftool btf dump file … format raw)');
  return { kind: 'file', path: abs };
}

export function buildBtf(raw: Raw, dir: string, arches: Arch[], checkObjects: boolean, fill: (p: string, arch: Arch) => string, fail: Fail): BtfSettings {
  const objects = raw.btf.objects.map((o) => path.resolve(dir, o));
  const has = objects.length > 0;
  if (checkObjects) {
    objects.forEach((pattern, i) => {
      for (const arch of arches) {
        if (globSync(fill(pattern, arch)).some((f) => fs.existsSync(f))) continue;
        fail(['btf', 'objects', i], `${fill(raw.btf.objects[i]!, arch)} matches no file for ${arch}`, 'build the BPF objects first, or fix the path or glob (relative to the matrix file)');
      }
    });
  }
  return {
    kernels: raw.kernels.map((k, i) => mode(k.btf, ['kernels', i, 'btf'], dir, has, fail)),
    configs: raw.configs.map((c, i) => mode(c.btf, ['configs', i, 'btf'], dir, has, fail)),
    objects,
  };
}
