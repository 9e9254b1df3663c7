// `portmatrix images pull|update|ls|prune`: the kernel and package cache.
//   pull    every (kernel source, arch) the matrix's runnable cells need, busybox per
//           arch and the libcs; trusts portmatrix.lock (offline once cached)
//   update  the same, re-resolving the newest packages and rewriting the lock (lock.ts:
//           all of it or, when a source cannot be reached, none of it)
//   ls      cached entries, sizes, and which lock entry refers to each; saved VM states
//   prune   removes what no given lock file references, and every saved VM state
//           (snapshots are made again by the next run that needs them)

import path from 'node:path';
import type { CacheOptions, CellOptions } from '../config/options.js';
import type { Context } from '../context.js';
import { ExitCode } from '../errors.js';
import { inventory, prune } from '../images/inventory.js';
import { lockChangeText } from '../images/lock-changes.js';
import { readLock, writeLock } from '../images/lockfile.js';
import { snapshotStore } from '../images/snapshots.js';
import type { ImageOptions } from '../images/types.js';
import { expandCells } from '../plan/expand.js';
import { filterCells } from '../plan/filter.js';
import { commandLoad, loadMatrix } from '../plan/load.js';
import { resolveImages } from './image-jobs.js';
import { imageOptionsBeside } from './image-options.js';
import { refreshLock, refusePartial } from './lock.js';

export interface ImagesOptions extends CellOptions, CacheOptions {
  action: 'pull' | 'update' | 'ls' | 'prune';
  /** Other lock files whose entries `ls` names and `prune` keeps (the matrix's lock always counts). */
  lock?: string[];
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

type Loaded = Awaited<ReturnType<typeof loadMatrix>>;

async function cacheListing(ctx: Context, opts: ImagesOptions, cacheDir: string, lockFiles: string[]): Promise<number> {
  const locks = await Promise.all(lockFiles.map(readLock));
  const snapshots = snapshotStore(cacheDir, ctx.env);
  if (opts.action === 'prune') {
    const cleared = await snapshots.clear();
    const removed = await prune(cacheDir, locks);
    const bytes = removed.reduce((n, e) => n + e.bytes, 0);
    ctx.stdout.write(`removed ${removed.length} entries (${mib(bytes)}) and ${cleared.count} snapshots (${mib(cleared.bytes)}) from ${cacheDir}\n`);
    return ExitCode.ok;
  }
  const entries = await inventory(cacheDir, locks);
  for (const e of entries) {
    ctx.stdout.write(`${e.kind.padEnd(8)} ${e.id.slice(0, 16).padEnd(16)} ${mib(e.bytes).padStart(10)}  ${e.refs.join('; ') || '(unreferenced)'}\n`);
  }
  const saved = await snapshots.list();
  for (const sn of saved)
    ctx.stdout.write(`${'snapshot'.padEnd(8)} ${sn.key.slice(0, 16).padEnd(16)} ${mib(sn.bytes).padStart(10)}  ${sn.describe} (KASLR shared by its cells)\n`);
  const total = entries.reduce((n, e) => n + e.bytes, 0) + saved.reduce((n, e) => n + e.bytes, 0);
  ctx.stdout.write(`${entries.length + saved.length} entries, ${mib(total)} in ${cacheDir}\n`);
  return ExitCode.ok;
}

async function pull(ctx: Context, opts: ImagesOptions, loaded: Loaded, options: ImageOptions): Promise<number> {
  let cells = expandCells(loaded.matrix).filter((c) => !c.skip);
  if (opts.only) cells = filterCells(cells, opts.only);
  const { failed, requests } = await resolveImages(ctx.stdout, cells, options);
  ctx.stdout.write(`${requests} HTTP requests; lock ${options.lockFile}\n`);
  return failed.length > 0 ? ExitCode.infra : ExitCode.ok;
}

/** `images update` is `lock --update` that also lists every image it resolved. */
async function update(ctx: Context, opts: ImagesOptions): Promise<number> {
  const r = await refreshLock(ctx, opts, ctx.stdout);
  refusePartial(r, ctx.cwd);
  if (r.changes.length) await writeLock(r.lockFile, r.after);
  for (const c of r.changes) ctx.stdout.write(`${lockChangeText(c)}\n`);
  ctx.stdout.write(`lock ${r.lockFile}: ${r.changes.length ? `${r.changes.length} updated` : 'current, unchanged'}\n`);
  return ExitCode.ok;
}

export default async function images(ctx: Context, opts: ImagesOptions): Promise<number> {
  if (opts.action === 'update') return update(ctx, opts);
  const matrixFile = path.resolve(ctx.cwd, opts.matrix);
  const load = commandLoad(ctx, opts.allowOutsideProject);
  const loaded = opts.action === 'pull' ? await loadMatrix(opts.matrix, load) : undefined;
  for (const w of loaded?.warnings ?? []) ctx.stderr.write(`warning: ${w}\n`);
  const options = imageOptionsBeside(ctx, matrixFile, loaded?.matrix, opts, {
    log: (line) => ctx.stderr.write(`${line}\n`),
    progress: ctx.stderr,
  });
  if (!loaded) {
    const lockFiles = [options.lockFile!, ...(opts.lock ?? []).map((l) => path.resolve(ctx.cwd, l))];
    return cacheListing(ctx, opts, options.cacheDir, lockFiles);
  }
  return pull(ctx, opts, loaded, options);
}
