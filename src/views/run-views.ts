// The last step of `portmatrix run`, and what watches it while it runs: the
// terminal progress and the GitHub log subscribe to the event stream; at the end
// the run's verdict is recorded (outcome/run-verdict.ts decides it), the reports
// are written and the table printed.

import path from 'node:path';
import type { Context } from '../context.js';
import type { Cell } from '../core/cell.js';
import { ExitCode, InfraError } from '../errors.js';
import type { RunEvents } from '../events/run-events.js';
import { githubLog } from '../github/ci-log.js';
import { withVerdict } from '../outcome/run-verdict.js';
import { REPORT_FILES, type Reporter, writeReports } from '../report/index.js';
import { appendStepSummary, renderMarkdown } from '../report/markdown.js';
import { renderTable } from '../report/terminal.js';
import type { RunResults } from '../results/model.js';
import { createProgress } from './progress.js';

/** Subscribes the live views; the returned function closes them (before the table prints). */
export function watchRun(ctx: Context, events: RunEvents, matrixFile: string, o: { verbose?: boolean } = {}): () => void {
  const progress = createProgress(ctx.stderr, Boolean(ctx.stderr.isTTY) && !ctx.env.CI, {
    verbose: o.verbose,
    github: ctx.env.GITHUB_ACTIONS === 'true',
  });
  events.subscribe(progress.listener);
  // In GitHub Actions, bad cells also get a fenced log group and an annotation.
  const github =
    ctx.env.GITHUB_ACTIONS === 'true'
      ? githubLog({
          write: (t) => ctx.stdout.write(t),
          matrixFile: path.relative(ctx.env.GITHUB_WORKSPACE ?? ctx.cwd, matrixFile),
        })
      : undefined;
  if (github) events.subscribe(github);
  return () => {
    progress.close();
    github?.finish();
  };
}

export interface RunEnd {
  model: RunResults;
  reporters: Reporter[];
  resultsDir: string;
  /** As the user wrote it, for the --resume hint. */
  resultsDirOption: string;
  unfinished: Cell[];
  /** --strict: flaky cells fail the run. */
  strict?: boolean;
}

/** Records the run's verdict in the model (results.json), writes the reports, prints the table; the exit code. */
export async function reportRun(ctx: Context, end: RunEnd): Promise<number> {
  const { reporters, resultsDir } = end;
  const model = withVerdict(end.model, { strict: end.strict });
  await writeReports(resultsDir, model, reporters).catch((error: NodeJS.ErrnoException) => {
    // Every cell's result is already on disk: say so, and how to go on.
    const why = error.code === 'ENOSPC' ? 'no space left on the device' : (error.message ?? String(error));
    throw new InfraError(
      `cannot write the reports to ${resultsDir}: ${why}; every finished cell is kept in ${path.join(resultsDir, 'cells')}: make room and run again with --resume`,
      { cause: error },
    );
  });
  const color = Boolean(ctx.stdout.isTTY) && !ctx.env.NO_COLOR;
  ctx.stdout.write(`\n${renderTable(model, { color, width: ctx.stdout.columns })}\n`);
  const shown = path.relative(ctx.cwd, resultsDir);
  ctx.stdout.write(`reports: ${reporters.map((r) => path.join(shown, REPORT_FILES[r])).join(', ')}\n`);
  if (ctx.env.GITHUB_STEP_SUMMARY) await appendStepSummary(ctx.env, renderMarkdown(model, {}));
  if (end.unfinished.length === 0) return model.verdict!.exitCode;
  const dirFlag = end.resultsDirOption !== 'results' ? ` --results-dir ${end.resultsDirOption}` : '';
  ctx.stderr.write(
    `interrupted: ${model.cells.length} cell(s) finished and kept, ${end.unfinished.length} not run; ` + `finish with: portmatrix run --resume${dirFlag}\n`,
  );
  return ExitCode.interrupted;
}
