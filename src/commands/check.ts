// `portmatrix check`: before any boot, what each cell's BPF objects (btf.objects)
// need that its kernel lacks — fields, helpers, kfuncs, program/map/attach types,
// attach points, CONFIG_ options — from the kernels' own BTF and config, fetched
// through the same image store `run` uses. Exit 1 when any cell is predicted to fail.

import path from 'node:path';
import type { Matrix } from '../config/matrix.js';
import type { CacheOptions, CellOptions } from '../config/options.js';
import { fillPlaceholders } from '../config/placeholders.js';
import type { Context } from '../context.js';
import type { Arch } from '../core/arch.js';
import type { Cell } from '../core/cell.js';
import { ConfigError, ExitCode } from '../errors.js';
import { NotBpfObjectError } from '../facts/bpf-elf.js';
import { type CellCheckDeps, type CheckReport, checkCells } from '../facts/cell-check.js';
import { checkTable } from '../facts/check-table.js';
import { kernelView } from '../facts/kernel-view.js';
import { type ProgramFacts, readProgramFacts } from '../facts/program-facts.js';
import { createImageStore, defaultImageOptions } from '../images/store.js';
import { expandCells } from '../plan/expand.js';
import { filterCells } from '../plan/filter.js';
import { filesOf } from '../plan/files.js';
import { commandLoad, loadMatrix } from '../plan/load.js';

export interface CheckOptions extends CellOptions, CacheOptions {
  json?: boolean;
}

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

function checkDeps(ctx: Context, opts: CheckOptions, matrix: Matrix): CellCheckDeps {
  const imageOptions = defaultImageOptions(ctx.env, matrix.dir, {
    cacheDir: opts.cacheDir,
    cwd: ctx.cwd,
    debianMirror: opts.mirror,
    matrixMirror: matrix.images.debianMirror,
    signal: ctx.signal,
    log: (line) => void ctx.stderr.write(`${line}\n`),
  });
  const images = createImageStore(imageOptions);
  const base = { cache: images.cache, env: ctx.env, signal: ctx.signal };
  return {
    kernel: (cell) => images.kernel(cell.kernel.source, cell.arch, cell.config.flavour),
    view: (k, generate) => kernelView(k, generate ? { ...base, generatedBtf: images.generatedBtf } : base),
    objects: (cell) => objectsFor(ctx, matrix, cell.arch),
  };
}

/** The check of `cells` (also `plan --explain`'s). */
export function checkReport(ctx: Context, opts: CheckOptions, matrix: Matrix, cells: Cell[]): Promise<CheckReport> {
  return checkCells(cells, checkDeps(ctx, opts, matrix));
}

export default async function check(ctx: Context, opts: CheckOptions): Promise<number> {
  const { matrix, warnings } = await loadMatrix(opts.matrix, { ...commandLoad(ctx, opts.allowOutsideProject), checkLoaderFiles: false });
  for (const w of warnings) ctx.stderr.write(`warning: ${w}\n`);
  let cells = expandCells(matrix);
  if (opts.only) cells = filterCells(cells, opts.only);
  const report = await checkReport(ctx, opts, matrix, cells);
  ctx.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : checkTable(report));
  return report.cells.some((c) => c.predicted === 'fail') ? ExitCode.cellsFailed : ExitCode.ok;
}
