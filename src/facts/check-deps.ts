// What the check of a matrix's cells reads: each cell's kernel through an image
// store (the run's own, so the check downloads nothing the run would not), the
// kernel's facts, and the BPF objects `btf.objects` lists for the cell's arch —
// or, when it lists none, those found in the cell's tests (facts/test-objects.ts).
// Shared by `portmatrix check`, `plan --explain` and the run's pre-flight.

import path from 'node:path';
import type { Matrix } from '../config/matrix.js';
import { fillPlaceholders } from '../config/placeholders.js';
import type { Context } from '../context.js';
import type { Arch } from '../core/arch.js';
import type { Cell } from '../core/cell.js';
import { ConfigError } from '../errors.js';
import type { ImageStoreExt } from '../images/store.js';
import { filesOf } from '../plan/files.js';
import type { CheckReport } from '../results/check.js';
import { NotBpfObjectError } from './bpf-elf.js';
import { type CellCheckDeps, checkCells } from './cell-check.js';
import { kernelView } from './kernel-view.js';
import { type ProgramFacts, readProgramFacts } from './program-facts.js';
import { testObjects } from './test-objects.js';

/** The facts of every object `btf.objects` lists for `arch`; a file that is no BPF object is a located error. */
async function objectsFor(ctx: Context, matrix: Matrix, arch: Arch): Promise<ProgramFacts[]> {
  const out: ProgramFacts[] = [];
  for (const [i, pattern] of matrix.btf.objects.entries()) {
    for (const file of filesOf(matrix, fillPlaceholders(pattern, arch))) {
      try {
        out.push(await readProgramFacts(file));
      } catch (error) {
        if (!(error instanceof NotBpfObjectError)) throw error;
        const at = matrix.btf.objectsAt?.[i] ?? { line: 1, col: 1 };
        const shown = path.relative(ctx.cwd, matrix.file) || matrix.file;
        throw new ConfigError(
          shown,
          at.line,
          at.col,
          `btf.objects[${i}]`,
          error.message,
          'list BPF objects (clang -target bpf, with their symbols; -g for CO-RE)',
        );
      }
    }
  }
  return out;
}

export function checkDeps(ctx: Context, matrix: Matrix, images: ImageStoreExt): CellCheckDeps {
  const base = { cache: images.cache, env: ctx.env, signal: ctx.signal };
  return {
    kernel: (cell) => images.kernel(cell.kernel.source, cell.arch, cell.config.flavour),
    view: (k, generate) => kernelView(k, generate ? { ...base, generatedBtf: images.generatedBtf } : base),
    // Objects the user lists win over what their tests carry: no scanning then.
    objects: (cell) => (matrix.btf.objects.length > 0 ? objectsFor(ctx, matrix, cell.arch) : testObjects(cell)),
  };
}

/** The check of `cells` through `images`. */
export function checkMatrixCells(ctx: Context, matrix: Matrix, images: ImageStoreExt, cells: readonly Cell[]): Promise<CheckReport> {
  return checkCells(cells, checkDeps(ctx, matrix, images));
}
