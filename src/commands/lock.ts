// `portmatrix lock --check | --update`: whether the kernels and packages portmatrix.lock
// pins are still the newest their sources offer. Both resolve every image the matrix
// needs again, as `images update` does, into a scratch copy of the lock (the newer
// builds are downloaded and verified into the cache, so the run that follows has
// them), then compare it with the lock:
//   --check   lists what moved; exit 1 when anything did, 0 when nothing did
//   --update  writes the scratch lock over portmatrix.lock when every source answered
// A source that cannot be reached is an infrastructure error (exit 3); the lock is untouched.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CacheOptions, CellOptions } from '../config/options.js';
import type { Context } from '../context.js';
import { ExitCode, InfraError, UsageError } from '../errors.js';
import { type LockChange, lockChanges, lockChangeText } from '../images/lock-changes.js';
import { type LockData, readLock, writeLock } from '../images/lockfile.js';
import { expandCells } from '../plan/expand.js';
import { filterCells } from '../plan/filter.js';
import { commandLoad, loadMatrix } from '../plan/load.js';
import { resolveImages } from './image-jobs.js';
import { imageOptionsBeside } from './image-options.js';

export interface LockOptions extends CellOptions, CacheOptions {
  check?: boolean;
  update?: boolean;
}

/** `lock --check` exits 1 when a source offers a newer build than the lock. */
export const NEWER_BUILDS = ExitCode.cellsFailed;

export interface Refresh {
  lockFile: string;
  /** The lock as resolved today (written by `--update`). */
  after: LockData;
  changes: LockChange[];
  /** Images no source answered for, with why. */
  failed: string[];
}

/** Resolves every image the matrix needs anew into a scratch copy of its lock, and compares. */
type LockFlags = CellOptions & CacheOptions;

export async function refreshLock(ctx: Context, opts: LockFlags, progress: Context['stdout']): Promise<Refresh> {
  const matrixFile = path.resolve(ctx.cwd, opts.matrix);
  const { matrix, warnings } = await loadMatrix(opts.matrix, commandLoad(ctx, opts.allowOutsideProject));
  for (const w of warnings) ctx.stderr.write(`warning: ${w}\n`);
  let cells = expandCells(matrix).filter((c) => !c.skip);
  if (opts.only) cells = filterCells(cells, opts.only);
  const log = (line: string) => ctx.stderr.write(`${line}\n`);
  const options = imageOptionsBeside(ctx, matrixFile, matrix, opts, { log, progress: ctx.stderr });
  const lockFile = options.lockFile!;
  const before = await readLock(lockFile);
  const scratchDir = await mkdtemp(path.join(os.tmpdir(), 'pm-lock-'));
  try {
    const scratch = path.join(scratchDir, 'portmatrix.lock');
    await writeLock(scratch, before);
    const { failed } = await resolveImages(progress, cells, { ...options, lockFile: scratch, update: true });
    const after = await readLock(scratch);
    return { lockFile, after, changes: lockChanges(before, after), failed };
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}

/** No source may be left unanswered: a lock half moved would pin what nobody chose. */
export function refusePartial(r: Refresh, cwd: string): void {
  if (!r.failed.length) return;
  const more = r.failed.length > 1 ? ` (and ${r.failed.length - 1} more)` : '';
  throw new InfraError(
    `cannot reach the sources to compare ${path.relative(cwd, r.lockFile) || r.lockFile} with: ` +
      `${r.failed[0]}${more}; ` +
      'the lock is unchanged: check the network or the mirror settings and run again',
  );
}

export default async function lock(ctx: Context, opts: LockOptions): Promise<number> {
  if (Boolean(opts.check) === Boolean(opts.update)) {
    const what = '--check (list what a source offers newer than the lock) or --update (move the lock to it)';
    throw new UsageError(`give one of ${what}`);
  }
  // The per-image lines are progress here; what moved is the answer, on stdout.
  const r = await refreshLock(ctx, opts, ctx.stderr);
  refusePartial(r, ctx.cwd);
  const where = path.relative(ctx.cwd, r.lockFile) || r.lockFile;
  for (const c of r.changes) ctx.stdout.write(`${lockChangeText(c)}\n`);
  if (opts.check) {
    const n = r.changes.length;
    ctx.stdout.write(n ? `${n} newer than ${where}: portmatrix lock --update moves it\n` : `${where} is current\n`);
    return n ? NEWER_BUILDS : ExitCode.ok;
  }
  if (r.changes.length) await writeLock(r.lockFile, r.after);
  ctx.stdout.write(r.changes.length ? `${where}: ${r.changes.length} updated\n` : `${where} is current: unchanged\n`);
  return ExitCode.ok;
}
