// The `btf` keys of matrix.yaml after the schema: each value parsed into a BtfMode,
// file: paths made absolute and checked, `min` only with `btf.objects`. Failures
// are located; so is an object glob matching nothing, checked by `run` before boot.

import fs from 'node:fs';
import path from 'node:path';
import type { BtfMode } from '../core/cell.js';
import type { PathKey } from './locate.js';
import { checkPlaceholders } from './placeholders.js';

export const BTF_MODE_WORDS = ['kernel', 'none', 'auto', 'min', 'file:<path>'] as const;

/** Parses a written value; undefined when it is not one (the caller words the located error). */
export function parseBtfMode(value: string): BtfMode | undefined {
  if (value === 'kernel' || value === 'none' || value === 'auto' || value === 'min') return { kind: value };
  if (value.startsWith('file:') && value.length > 5) return { kind: 'file', path: value.slice(5) };
  return undefined;
}

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
  /** Where each pattern is written, for the located error when it matches nothing. */
  objectsAt: { line: number; col: number }[];
}

function mode(value: string | undefined, at: PathKey[], dir: string, hasObjects: boolean, fail: Fail): BtfMode | undefined {
  if (value === undefined) return undefined;
  const parsed = parseBtfMode(value);
  if (!parsed) fail(at, `${JSON.stringify(value)} is not a BTF mode`, `use one of ${BTF_MODE_WORDS.join(', ')}`);
  if (parsed.kind === 'min' && !hasObjects)
    fail(
      at,
      'min needs the minimal BTF of your BPF objects, but btf.objects is empty',
      'list them at the top level, e.g. btf: {objects: ["build/*-{goarch}.o"]}',
    );
  if (parsed.kind !== 'file') return parsed;
  const abs = path.resolve(dir, parsed.path);
  if (!fs.existsSync(abs))
    fail(
      at,
      `${parsed.path} does not exist (paths are relative to the matrix file)`,
      'write the path of an existing raw BTF file (e.g. from pahole --btf_encode_detached or bpftool btf dump file … format raw)',
    );
  return { kind: 'file', path: abs };
}

export function buildBtf(raw: Raw, dir: string, fail: Fail, lineOf: (at: PathKey[]) => { line: number; col: number }): BtfSettings {
  raw.btf.objects.forEach((o, i) => checkPlaceholders(o, ['btf', 'objects', i], fail));
  const objects = raw.btf.objects.map((o) => path.resolve(dir, o));
  const has = objects.length > 0;
  return {
    kernels: raw.kernels.map((k, i) => mode(k.btf, ['kernels', i, 'btf'], dir, has, fail)),
    configs: raw.configs.map((c, i) => mode(c.btf, ['configs', i, 'btf'], dir, has, fail)),
    objects,
    // Whether the objects exist is checked by `run` (btf/preflight.ts): plan runs before the build.
    objectsAt: raw.btf.objects.map((_, i) => lineOf(['btf', 'objects', i])),
  };
}
