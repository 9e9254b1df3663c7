// `portmatrix bisect`: over an ordered list of kernels, boot the selected cell on
// as few of them as needed to find where its outcome changes ("passes from X on",
// "broke at Y"). It boots through the run session, as `run` does (pre-flights,
// snapshots, results writer, views); results land in a results dir like run's, so a
// later bisect or run with identical inputs reuses them instead of booting.

import path from 'node:path';
import { bisectCells, bisectKernels } from '../bisect/kernels.js';
import { answerText, stepLine, verdictOf } from '../bisect/report.js';
import { maxBoots, nextStep, type Verdict } from '../bisect/search.js';
import type { BisectOptions } from '../config/options.js';
import type { Context } from '../context.js';
import type { Cell } from '../core/cell.js';
import { openSession, type RunSession } from '../engine/session.js';
import { ExitCode } from '../errors.js';
import { commandLoad, loadMatrix } from '../plan/load.js';
import { readCellResults } from '../results/files.js';
import type { CellResult } from '../results/model.js';

async function previousResults(ctx: Context, dirs: string[]): Promise<Map<string, CellResult>> {
  const previous = new Map<string, CellResult>();
  for (const dir of dirs) for (const [id, r] of await readCellResults(path.resolve(ctx.cwd, dir))) previous.set(id, r);
  return previous;
}

/** The kernels looked at so far (by index in the list), and how many of them booted. */
interface Search {
  seen: Map<number, CellResult>;
  known: Map<number, Verdict>;
  boots: number;
}

/** Probes kernels until the search has its answer; undefined when the run was interrupted. */
async function search(ctx: Context, session: RunSession, cells: Cell[], previous: Map<string, CellResult>): Promise<Search | undefined> {
  const resumed = new Set<string>();
  session.events.subscribe((e) => void (e.type === 'result' && e.resumed && resumed.add(e.cell.id)));
  const s: Search = { seen: new Map(), known: new Map(), boots: 0 };
  for (let step = nextStep(cells.length, s.known); step.kind === 'probe'; step = nextStep(cells.length, s.known)) {
    const cell = cells[step.index]!;
    const { results, unfinished } = await session.run([cell], { previous });
    if (unfinished.length) return undefined;
    const result = results[0]!;
    const cached = resumed.has(cell.id);
    if (!cached) s.boots++;
    previous.set(cell.id, result);
    s.seen.set(step.index, result);
    s.known.set(step.index, verdictOf(result));
    ctx.stdout.write(`${stepLine(result, cached, s.seen.size, cells.length)}\n`);
  }
  return s;
}

export default async function bisect(ctx: Context, opts: BisectOptions): Promise<number> {
  const matrixFile = path.resolve(ctx.cwd, opts.matrix);
  const { matrix } = await loadMatrix(matrixFile, {
    ...commandLoad(ctx, opts.allowOutsideProject),
    checkLoaderFiles: true,
    globsMustMatch: true,
  });
  const kernels = bisectKernels(
    matrix,
    opts.kernels
      ?.split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    ctx.cwd,
  );
  const cells = bisectCells(matrix, kernels, opts);
  const resultsDir = path.resolve(ctx.cwd, opts.resultsDir);
  const previous = await previousResults(ctx, [...(opts.from ?? []), opts.resultsDir]);
  // One cell at a time: the next kernel depends on this one's outcome.
  const session = await openSession(ctx, { matrixFile, matrix, cells, resultsDir, options: opts, jobs: 1 });
  const names = kernels.map((k) => k.name);
  const [first] = cells;
  const most = maxBoots(cells.length);
  ctx.stdout.write(`bisect ${first!.arch}/${first!.config.name} over ${names.join(', ')}: at most ${most} boots\n`);
  const done = await search(ctx, session, cells, previous).finally(() => session.close());
  if (!done) return ExitCode.interrupted;
  const answer = nextStep(cells.length, done.known);
  ctx.stdout.write(`${answerText(answer, names, (i) => done.seen.get(i))}\n`);
  const where = path.relative(ctx.cwd, resultsDir) || '.';
  ctx.stdout.write(`${done.boots} boot(s), ${done.seen.size - done.boots} cached; results in ${where}\n`);
  return answer.kind === 'undecidable' ? ExitCode.infra : ExitCode.ok;
}
