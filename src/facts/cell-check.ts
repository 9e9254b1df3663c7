// The check of every cell: its kernel's facts against its BPF objects' facts, each
// resolved once and shared by the cells that have them (a kernel per source, arch
// and flavour; an object per file; a prediction per kernel, object and BTF mode).

import { cellBtfMode, formatBtfMode } from '../btf/mode.js';
import type { Cell } from '../core/cell.js';
import { memoize } from '../core/memo.js';
import { NotAvailableError, type ResolvedKernel } from '../images/types.js';
import type { CellCheck, CheckReport } from '../results/check.js';
import { type IdNames, predicted } from './finding.js';
import type { KernelView } from './kernel-facts.js';
import { kernelSummaries } from './kernel-summary.js';
import { idNames, predictObject } from './predict.js';
import type { ProgramFacts } from './program-facts.js';

export type { CellCheck, CheckReport } from '../results/check.js';

export interface CellCheckDeps {
  kernel(cell: Cell): Promise<ResolvedKernel>;
  /** The kernel's facts; `generate` when the cell's BTF mode would generate BTF for a kernel without. */
  view(kernel: ResolvedKernel, generate: boolean): Promise<KernelView>;
  /** The facts of the cell's BPF objects (btf.objects for its arch, else its tests'); [] when there are none. */
  objects(cell: Cell): Promise<ProgramFacts[]>;
}

/** Why a cell without objects is not checked. */
export const NO_OBJECTS = "no BPF objects in btf.objects or in the tests' programs and files";

type Resolved = { cell: Cell; kernel?: ResolvedKernel; view?: KernelView; objects: ProgramFacts[]; skip?: string };

async function resolveCell(cell: Cell, deps: CellCheckDeps): Promise<Resolved> {
  if (cell.skip) return { cell, objects: [], skip: cell.skip };
  const objects = await deps.objects(cell);
  if (objects.length === 0) return { cell, objects, skip: NO_OBJECTS };
  try {
    const kernel = await deps.kernel(cell);
    const mode = cellBtfMode(cell).kind;
    return { cell, kernel, objects, view: await deps.view(kernel, mode === 'auto' || mode === 'min') };
  } catch (error) {
    if (error instanceof NotAvailableError) return { cell, objects, skip: error.message };
    throw error;
  }
}

function judge(r: Resolved, names: IdNames): CellCheck {
  const base = {
    id: r.cell.id,
    arch: r.cell.arch,
    kernel: r.cell.kernel.name,
    release: r.kernel?.release,
    btf: formatBtfMode(cellBtfMode(r.cell)),
    objects: r.objects.map((o) => o.file.split('/').pop()!),
  };
  if (!r.view) return { ...base, predicted: 'skip', skip: r.skip, findings: [] };
  const view = r.view;
  const findings = r.objects.flatMap((program) =>
    predictObject({ program, kernel: view, btfMode: cellBtfMode(r.cell), names, cmdline: r.cell.config.cmdline, who: r.cell.config }),
  );
  return { ...base, predicted: predicted(findings), findings };
}

/** Every cell checked, in the cells' order. Helper and map names come from all the kernels' own enums. */
export async function checkCells(cells: readonly Cell[], deps: CellCheckDeps): Promise<CheckReport> {
  const kernel = memoize(deps.kernel, { keyOf: (c) => `${c.kernel.source}\0${c.arch}\0${c.config.flavour ?? ''}` });
  const view = memoize(deps.view, { keyOf: (k, g) => `${k.sha256} ${g}` });
  // Cells of one arch share their objects unless their tests differ.
  const testFiles = (c: Cell) => c.tests.flatMap((t) => [t.path, ...t.files.map((f) => f.src)]);
  const objects = memoize(deps.objects, { keyOf: (c) => [c.arch, ...testFiles(c)].join('\0') });
  const resolved: Resolved[] = [];
  for (const cell of cells) resolved.push(await resolveCell(cell, { kernel, view, objects }));
  const names = idNames(resolved.flatMap((r) => (r.view ? [r.view] : [])));
  const seen = resolved.map((r) => ({ kernel: r.cell.kernel.name, arch: r.cell.arch, view: r.view }));
  const kernels = kernelSummaries(seen);
  return { version: 1, cells: resolved.map((r) => judge(r, names)), kernels };
}
