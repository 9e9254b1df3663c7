// `portmatrix images pull|update|ls|prune`: the kernel and package cache.
//   pull    every (kernel source, arch) the matrix's runnable cells need, busybox per
//           arch and the libcs; trusts portmatrix.lock (offline once cached)
//   update  the same, re-resolving the newest packages and rewriting the lock
//   ls      cached entries, sizes, and which lock entry refers to each; saved VM states
//   prune   removes what no given lock file references, and every saved VM state
//           (snapshots are made again by the next run that needs them)

import path from 'node:path';
import { mayGenerate, pullBtf } from '../btf/pull.js';
import type { CacheOptions, CellOptions } from '../config/options.js';
import type { Context } from '../context.js';
import type { Arch } from '../core/arch.js';
import type { Cell } from '../core/cell.js';
import { ExitCode, PortmatrixError } from '../errors.js';
import { formatFacts } from '../images/config-facts.js';
import { inventory, prune } from '../images/inventory.js';
import { readLock } from '../images/lockfile.js';
import { snapshotStore } from '../images/snapshots.js';
import { createImageStore, type ImageStoreExt } from '../images/store.js';
import { type ImageOptions, NotAvailableError } from '../images/types.js';
import { expandCells } from '../plan/expand.js';
import { filterCells } from '../plan/filter.js';
import { commandLoad, loadMatrix } from '../plan/load.js';
import { imageOptionsBeside } from './image-options.js';

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

/** Each image the cells need, once: kernels per (source, arch, flavour), busybox per arch, libcs. */
function imageJobs(cells: Cell[], store: ImageStoreExt): { what: string; fetch: () => Promise<string> }[] {
  // btf: whether a cell on the kernel may need BTF generated for it (btf: auto or min).
  const kernels = new Map<string, { source: string; arch: Arch; flavour?: string; btf: boolean }>();
  for (const c of cells) {
    const key = `${c.kernel.source} ${c.arch} ${c.config.flavour ?? ''}`;
    const btf = (kernels.get(key)?.btf ?? false) || mayGenerate([c]);
    kernels.set(key, { source: c.kernel.source, arch: c.arch, flavour: c.config.flavour, btf });
  }
  const libcs = new Set(cells.filter((c) => c.libc.startsWith('debian:')).map((c) => `${c.libc.slice(7)} ${c.arch}`));
  return [
    ...[...kernels.values()].map((k) => ({
      what: `${k.source}${k.flavour ? ` (flavour ${k.flavour})` : ''} ${k.arch}`,
      fetch: async () => {
        const r = await store.kernel(k.source, k.arch, k.flavour);
        // The modules a boot loads come from the cache too, so a run after a pull needs no network.
        const modules = await store.virtioModules(r);
        return `${r.release} ${r.package ?? ''} ${r.version ?? ''} — ${formatFacts(r.facts)}${modules?.length ? `, ${modules.length} boot modules` : ''}${k.btf ? await pullBtf(store, r) : ''}`;
      },
    })),
    ...[...new Set(cells.map((c) => c.arch))].map((arch) => ({
      what: `busybox ${arch}`,
      fetch: () => store.busybox(arch),
    })),
    ...[...libcs].map((key) => {
      const [suite, arch] = key.split(' ') as [string, Arch];
      return { what: `libc ${suite} ${arch}`, fetch: () => store.libc(suite, arch) };
    }),
  ];
}

async function pull(ctx: Context, opts: ImagesOptions, loaded: Loaded, options: ImageOptions): Promise<number> {
  let cells = expandCells(loaded.matrix).filter((c) => !c.skip);
  if (opts.only) cells = filterCells(cells, opts.only);
  const store = createImageStore(options);
  let failed = 0;
  const attempt = async (what: string, fetch: () => Promise<string>) => {
    try {
      ctx.stdout.write(`${what}: ${await fetch()}\n`);
    } catch (error) {
      if (error instanceof NotAvailableError) return void ctx.stdout.write(`${what}: not available (${error.message})\n`);
      if (!(error instanceof PortmatrixError)) throw error;
      failed++;
      ctx.stdout.write(`${what}: FAILED: ${error.message}\n`);
    }
  };
  await Promise.all(imageJobs(cells, store).map((job) => attempt(job.what, job.fetch)));
  ctx.stdout.write(`${store.requests()} HTTP requests; lock ${options.lockFile}\n`);
  return failed > 0 ? ExitCode.infra : ExitCode.ok;
}

export default async function images(ctx: Context, opts: ImagesOptions): Promise<number> {
  const matrixFile = path.resolve(ctx.cwd, opts.matrix);
  const needMatrix = opts.action === 'pull' || opts.action === 'update';
  const loaded = needMatrix ? await loadMatrix(opts.matrix, commandLoad(ctx, opts.allowOutsideProject)) : undefined;
  for (const w of loaded?.warnings ?? []) ctx.stderr.write(`warning: ${w}\n`);
  const options = imageOptionsBeside(ctx, matrixFile, loaded?.matrix, opts, {
    update: opts.action === 'update',
    log: (line) => ctx.stderr.write(`${line}\n`),
    progress: ctx.stderr,
  });
  if (!loaded) {
    const lockFiles = [options.lockFile!, ...(opts.lock ?? []).map((l) => path.resolve(ctx.cwd, l))];
    return cacheListing(ctx, opts, options.cacheDir, lockFiles);
  }
  return pull(ctx, opts, loaded, options);
}
