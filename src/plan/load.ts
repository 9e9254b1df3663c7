// matrix.yaml as every command loads it: read and validated by config/, then
// checked against the cells it expands to. An include, exclude or expect entry
// that matches no cell is a located warning, not an error.

import { allowOutsideFlag } from '../config/confine.js';
import { type LoadOptions, readMatrix } from '../config/load.js';
import type { Matrix } from '../config/matrix.js';
import type { Context } from '../context.js';
import { safeMessage } from '../core/sanitize.js';
import { type MatchWarning, matchReport } from './expand.js';
import { expandGlobs } from './files.js';

export interface MatrixLoadOptions extends LoadOptions {
  /** Stops a long glob walk (Ctrl-C). */
  signal?: AbortSignal;
  /** A `files` glob matching nothing is an error (`run`), else a warning; default false. */
  globsMustMatch?: boolean;
}

/** What every command loads its matrix with: its cwd, environment and signal, and --allow-outside-project. */
export function commandLoad(ctx: Context, allowOutsideProject: boolean | undefined): MatrixLoadOptions {
  const allowed = allowOutsideFlag(allowOutsideProject, ctx.env);
  return { cwd: ctx.cwd, env: ctx.env, signal: ctx.signal, allowOutsideProject: allowed };
}

export async function loadMatrix(file: string, opts: MatrixLoadOptions = {}): Promise<{ matrix: Matrix; warnings: string[] }> {
  const { matrix, shown } = await readMatrix(file, opts);
  const globs = await expandGlobs(matrix, { shown, signal: opts.signal, mustMatch: opts.globsMustMatch ?? false });
  matrix.globbed = globs.globbed;
  const located = (w: MatchWarning) => `${shown}:${w.line ?? 1}:${w.col ?? 1}: ${w.field}: ${w.message}`;
  const warnings = matchReport(matrix).map((w) => safeMessage(located(w)));
  return { matrix, warnings: [...globs.warnings.map((w) => safeMessage(w)), ...warnings] };
}
