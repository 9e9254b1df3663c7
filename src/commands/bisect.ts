// `portmatrix bisect`: over an ordered list of kernels, boot the selected cell on
// as few of them as needed to find where its outcome changes ("passes from X on",
// "broke at Y"). It runs the same steps as `run` (inputs, scheduler, results
// writer); results land in a results dir like run's, so a later bisect or run with
// identical inputs reuses them instead of booting.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Context } from '../context.js';
import { ExitCode } from '../errors.js';
import { createRunEvents } from '../events/run-events.js';
import { bisectCells, bisectKernels } from '../bisect/kernels.js';
import { answerText, stepLine, verdictOf } from '../bisect/report.js';
import { maxBoots, nextStep, type Verdict } from '../bisect/search.js';
import { compileSplatRules } from '../outcome/splats.js';
import { commandLoad, loadMatrix } from '../plan/load.js';
import { readCellResults } from '../results/files.js';
import type { CellResult } from '../results/model.js';
import { matrixInputs } from '../run/matrix-inputs.js';
import { resultsWriter } from '../run/persist.js';
import { preflight } from '../run/preflight.js';
import { runCells } from '../run/scheduler.js';
import { watchRun } from '../run/views.js';
import { installReaper } from '../vm/process.js';

export interface BisectOptions {
  matrix: string;
  kernels?: string;
  arch?: string;
  config?: string;
  libc?: string;
  resultsDir: string;
  /** Results of earlier runs to reuse (their cells with identical inputs are not booted again). */
  reuse?: string[];
  accel?: 'auto' | 'kvm' | 'tcg';
  retries: number;
  cacheDir?: string;
  mirror?: string;
  allowOutsideProject?: boolean;
}

async function previousResults(ctx: Context, dirs: string[]): Promise<Map<string, CellResult>> {
  const previous = new Map<string, CellResult>();
  for (const dir of dirs) for (const [id, r] of await readCellResults(path.resolve(ctx.cwd, dir))) previous.set(id, r);
  return previous;
}

export default async function bisect(ctx: Context, opts: BisectOptions): Promise<number> {
  const matrixFile = path.resolve(ctx.cwd, opts.matrix);
  const { matrix } = await loadMatrix(matrixFile, {
    ...commandLoad(ctx, opts.allowOutsideProject),
    checkLoaderFiles: true,
    globsMustMatch: true,
  });
  const kernels = bisectKernels(matrix, opts.kernels?.split(',').map((k) => k.trim()).filter(Boolean), ctx.cwd);
  const cells = bisectCells(matrix, kernels, opts);
  await preflight(cells, ctx.env, (line) => ctx.stderr.write(`note: ${line}\n`));

  const resultsDir = path.resolve(ctx.cwd, opts.resultsDir);
  const previous = await previousResults(ctx, [...(opts.reuse ?? []), opts.resultsDir]);
  const events = createRunEvents();
  events.subscribe(resultsWriter(resultsDir));
  const resumed = new Set<string>();
  events.subscribe((e) => void (e.type === 'result' && e.resumed && resumed.add(e.cell.id)));
  const closeViews = watchRun(ctx, events, matrixFile);
  const inputs = matrixInputs(ctx, opts, matrix, events, resultsDir);
  const workDir = await mkdtemp(path.join(os.tmpdir(), `portmatrix-${process.pid}-`));
  installReaper();
  const schedule = { inputs, events, jobs: 1, retries: opts.retries, previous, splats: compileSplatRules(matrix.splats), vm: matrix.vm, resultsDir, workDir, env: ctx.env, signal: ctx.signal };

  const names = kernels.map((k) => k.name);
  ctx.stdout.write(`bisect ${cells[0]!.arch}/${cells[0]!.config.name} over ${names.join(', ')}: at most ${maxBoots(cells.length)} boots\n`);
  const known = new Map<number, Verdict>();
  const seen = new Map<number, CellResult>();
  let boots = 0;
  try {
    for (let step = nextStep(cells.length, known); step.kind === 'probe'; step = nextStep(cells.length, known)) {
      const cell = cells[step.index]!;
      const { results, unfinished } = await runCells([cell], schedule);
      if (unfinished.length) return ExitCode.interrupted;
      const result = results[0]!;
      const cached = resumed.has(cell.id);
      if (!cached) boots++;
      previous.set(cell.id, result);
      seen.set(step.index, result);
      known.set(step.index, verdictOf(result));
      ctx.stdout.write(`${stepLine(result, cached, seen.size, cells.length)}\n`);
    }
  } finally {
    closeViews();
    await rm(workDir, { recursive: true, force: true });
  }
  const answer = nextStep(cells.length, known);
  ctx.stdout.write(`${answerText(answer, names, (i) => seen.get(i))}\n`);
  ctx.stdout.write(`${boots} boot(s), ${seen.size - boots} cached; results in ${path.relative(ctx.cwd, resultsDir) || '.'}\n`);
  return answer.kind === 'undecidable' ? ExitCode.infra : ExitCode.ok;
}
