// `portmatrix repro`: which cells of a results directory (a CI artifact) to run
// again here, checked against the matrix and the lock before anything boots, and
// whether each outcome came back. Pure: the command reads the files.

import type { Cell } from '../core/cell.js';
import { UsageError } from '../errors.js';
import { kernelKey, type LockData } from '../images/lockfile.js';
import type { CellResult, RunResults, Status } from '../results/model.js';

/** The outcomes worth reproducing: a failure, a flake, an infrastructure error. */
export const TO_REPRODUCE: readonly Status[] = ['fail', 'flaky', 'infra'];

export interface ReproPlan {
  cells: Cell[];
  /** What CI saw, by id. */
  was: Map<string, CellResult>;
}

export interface ReproWhere {
  resultsDir: string;
  matrixFile: string;
  lockFile: string;
}

const list = (ids: string[]) => (ids.length > 5 ? `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more` : ids.join(', '));
const short = (sha?: string) => (sha ? sha.slice(0, 12) : 'unknown');

/** Every cell of the results must be a cell of this matrix, on the same kernel source. */
function checkSameMatrix(results: RunResults, planned: Map<string, Cell>, where: ReproWhere): void {
  const missing = results.cells.filter((r) => !planned.has(r.id)).map((r) => r.id);
  if (missing.length > 0) {
    throw new UsageError(
      `${where.resultsDir} holds results of another matrix: ${list(missing)} ` +
        `${missing.length === 1 ? 'is not a cell' : 'are not cells'} ` +
        `of ${where.matrixFile} (it has ${list([...planned.keys()])}); pass the matrix CI ran with --matrix FILE`,
    );
  }
  for (const r of results.cells) {
    const source = planned.get(r.id)!.kernel.source;
    if (r.kernel.source !== source) {
      throw new UsageError(
        `${where.resultsDir} holds results of another matrix: cell ${r.id} booted ${r.kernel.source} there, ` +
          `${where.matrixFile} boots ${source}; pass the matrix CI ran with --matrix FILE`,
      );
    }
  }
}

/** The same kernel build: the lock here must pin the image CI booted (by sha256). */
function checkSameKernel(r: CellResult, lock: LockData, where: ReproWhere): void {
  const locked = lock.kernels[kernelKey(r.kernel.source, r.arch)];
  if (!locked || !r.kernel.sha256 || locked.kernelSha256 === r.kernel.sha256) return;
  const ci = [r.kernel.package, r.kernel.version].filter(Boolean).join(' ') || r.kernel.source;
  const here = [locked.package, locked.version].filter(Boolean).join(' ') || locked.source;
  throw new UsageError(
    `${r.id}: CI booted ${ci} (sha256 ${short(r.kernel.sha256)}), ${where.lockFile} pins ${here} ` +
      `(sha256 ${short(locked.kernelSha256)}); check out the commit CI ran, whose portmatrix.lock pins the same kernel`,
  );
}

export function reproPlan(results: RunResults, cells: Cell[], lock: LockData, where: ReproWhere): ReproPlan {
  const planned = new Map(cells.map((c) => [c.id, c]));
  checkSameMatrix(results, planned, where);
  const again = results.cells.filter((r) => TO_REPRODUCE.includes(r.status));
  for (const r of again) checkSameKernel(r, lock, where);
  return { cells: again.map((r) => planned.get(r.id)!), was: new Map(again.map((r) => [r.id, r])) };
}

export interface ReproOutcome {
  id: string;
  was: Status;
  now: Status;
  reproduced: boolean;
  /** The kernel booted here is not the one CI booted (no lock entry pinned it). */
  otherKernel: boolean;
}

/** A flake reproduces when the cell fails or flakes again; anything else when the same status comes back. */
export function compareOutcome(was: CellResult, now: CellResult): ReproOutcome {
  const reproduced = was.status === 'flaky' ? now.status === 'fail' || now.status === 'flaky' : now.status === was.status;
  const otherKernel = Boolean(was.kernel.sha256 && now.kernel.sha256 && was.kernel.sha256 !== now.kernel.sha256);
  return { id: was.id, was: was.status, now: now.status, reproduced, otherKernel };
}

export function outcomeLine(o: ReproOutcome, reason?: string): string {
  const verdict = o.reproduced ? 'reproduced' : 'did not reproduce';
  const kernel = o.otherKernel ? ' (on another kernel build than CI: pin it in portmatrix.lock)' : '';
  return `${verdict}: ${o.id}: ${o.now} here, ${o.was} in CI${reason ? ` (${reason})` : ''}${kernel}`;
}
