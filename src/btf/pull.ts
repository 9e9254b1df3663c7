// `images pull`: what `btf: auto` (and `min` on a kernel without BTF) will need at
// run time, fetched now, so a later run downloads nothing.

import { stat } from 'node:fs/promises';
import type { Cell } from '../core/cell.js';
import type { ResolvedKernel } from '../images/types.js';
import { cellBtfMode } from './mode.js';

/** Whether any of the cells may need BTF generated for its kernel. */
export function mayGenerate(cells: Cell[]): boolean {
  return cells.some((c) => ['auto', 'min'].includes(cellBtfMode(c).kind));
}

/** Generates (or finds cached) BTF for a kernel built without it; a note for the pull line. */
export async function pullBtf(store: { generatedBtf(k: ResolvedKernel): Promise<string> }, kernel: ResolvedKernel): Promise<string> {
  if (kernel.facts.btf !== false) return '';
  const file = await store.generatedBtf(kernel);
  return `; BTF generated from the -dbg package, ${((await stat(file)).size / 1048576).toFixed(1)} MiB`;
}
