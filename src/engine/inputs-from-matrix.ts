// The inputs of every cell of one matrix run — image store, busybox/libc/kernel
// resolution, acceleration, BTF — built the same way for every run session.

import { createBtfResolver } from '../btf/resolve.js';
import type { Matrix } from '../config/matrix.js';
import type { AccelMode, BootOptions } from '../config/options.js';
import type { Context } from '../context.js';
import { chooseSetting } from '../core/precedence.js';
import type { RunEvents } from '../events/run-events.js';
import type { Cache } from '../images/cache.js';
import { snapshotStore } from '../images/snapshots.js';
import { createImageStore, defaultImageOptions } from '../images/store.js';
import { type CellInputs, createInputs } from './cell-inputs.js';

type InputFlags = Pick<BootOptions, 'cacheDir' | 'mirror' | 'accel' | 'snapshot'>;

/** How cells boot, from the flags and the matrix (the flag wins: core/precedence.ts). */
export function bootSettings(opts: InputFlags, vm: Pick<Matrix['vm'], 'accel' | 'snapshot'>) {
  // --no-snapshot is the only snapshot flag: without it the matrix decides.
  const snapshotFlag = opts.snapshot === false ? 'off' : undefined;
  return {
    accel: chooseSetting<AccelMode>({ flag: opts.accel, matrix: vm.accel, fallback: 'auto' }),
    snapshot: chooseSetting<'auto' | 'off'>({ flag: snapshotFlag, matrix: vm.snapshot, fallback: 'auto' }),
  };
}

export function matrixInputs(ctx: Context, opts: InputFlags, matrix: Matrix, events: RunEvents, resultsDir: string): CellInputs & { cache: Cache } {
  const imageOptions = defaultImageOptions(ctx.env, matrix.dir, {
    cacheDir: opts.cacheDir,
    cwd: ctx.cwd,
    debianMirror: opts.mirror,
    matrixMirror: matrix.images.debianMirror,
    matrixSources: matrix.images,
    signal: ctx.signal,
    log: (message) => void events.emit({ type: 'log', level: 'info', message }),
  });
  const images = createImageStore(imageOptions);
  const inputs = createInputs({ images, accelMode: bootSettings(opts, matrix.vm).accel, env: ctx.env, events });
  const btf = createBtfResolver({
    images,
    objects: matrix.btf.objects,
    globbed: matrix.globbed,
    resultsDir,
    env: ctx.env,
    log: imageOptions.log!,
    signal: ctx.signal,
  });
  return { ...inputs, btf, cache: images.cache };
}

/** Snapshot boots: QEMU only (vng boots its own way), unless --no-snapshot or vm.snapshot: off. */
export function matrixSnapshots(ctx: Context, opts: InputFlags, matrix: Matrix, inputs: { cache: Cache }) {
  if (bootSettings(opts, matrix.vm).snapshot === 'off' || matrix.vm.backend !== 'qemu') return undefined;
  const { cache } = inputs;
  const withLock = <T>(name: string, fn: () => Promise<T>) => cache.withLock(name, fn, ctx.signal);
  return { store: snapshotStore(cache.dir, ctx.env), withLock };
}
