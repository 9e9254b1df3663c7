// The ordered kernel list of a bisect and the one line of cells it walks along.
// Entries are names or sources of the matrix's kernels, or any other kernel source
// (debian:, file:, oci:); a kernel of the matrix keeps its name, so its cell id —
// and a result cached by `run` — is the same.

import path from 'node:path';
import { defaultKernelName, parseSource } from '../config/kernels.js';
import type { Matrix } from '../config/matrix.js';
import type { Cell, KernelSpec } from '../core/cell.js';
import { UsageError } from '../errors.js';
import { expandCells } from '../plan/expand.js';

export function bisectKernels(matrix: Matrix, entries: string[] | undefined, cwd: string): KernelSpec[] {
  const list = entries ?? matrix.bisect ?? matrix.kernels.map((k) => k.source);
  if (list.length < 2) throw new UsageError('bisect needs at least two kernels: pass --kernels a,b,c (oldest first) or write bisect: in matrix.yaml');
  return list.map((entry) => {
    const known = matrix.kernels.find((k) => k.name === entry || k.source === entry);
    if (known) return { source: known.source, name: known.name };
    const parsed = parseSource(entry);
    if (!parsed)
      throw new UsageError(
        `--kernels: ${JSON.stringify(entry)} is neither a kernel of the matrix (${matrix.kernels.map((k) => k.name).join(', ')}) nor a source such as debian:bookworm, file:<path> or oci:<ref>`,
      );
    const source = parsed.kind === 'file' ? `file:${path.resolve(cwd, parsed.path)}` : entry;
    const again = matrix.kernels.find((k) => k.source === source);
    return again ? { source, name: again.name } : { source, name: defaultKernelName(parsed) };
  });
}

export interface Selector {
  arch?: string;
  config?: string;
  libc?: string;
}

/** One value of an axis: the one asked for, or the only one there is. */
function pick(axis: 'arch' | 'config' | 'libc', values: string[], asked: string | undefined): string {
  if (asked !== undefined) {
    if (!values.includes(asked)) throw new UsageError(`--${axis} ${asked} is not in the matrix; use one of ${values.join(', ')}`);
    return asked;
  }
  if (values.length === 1) return values[0]!;
  throw new UsageError(`bisect follows one ${axis}: pick one with --${axis} (${values.join(', ')})`);
}

/** The cells of the selected arch × config × libc, one per kernel, in the list's order. */
export function bisectCells(matrix: Matrix, kernels: KernelSpec[], s: Selector): Cell[] {
  const arch = pick('arch', matrix.arches, s.arch);
  const config = pick(
    'config',
    matrix.configs.map((c) => c.name),
    s.config,
  );
  const libc = pick('libc', matrix.libc, s.libc);
  const names = new Set<string>();
  for (const k of kernels) {
    if (names.has(k.name)) throw new UsageError(`--kernels lists ${k.name} twice`);
    names.add(k.name);
  }
  // Expanded like `run` (same ids), with include/exclude lifted: the bisect asked for these cells.
  const all = expandCells({ ...matrix, kernels, include: [], exclude: [] });
  return kernels.map((k) => all.find((c) => c.kernel.name === k.name && c.arch === arch && c.config.name === config && c.libc === libc)!);
}
