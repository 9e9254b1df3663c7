// The inputs of every cell of one matrix run — image store, busybox/libc/kernel
// resolution, acceleration, BTF — built the same way for `run` and `bisect`.

import type { Context } from '../context.js';
import type { Matrix } from '../config/matrix.js';
import { createBtfResolver } from '../btf/resolve.js';
import type { RunEvents } from '../events/run-events.js';
import type { Cache } from '../images/cache.js';
import { snapshotStore } from '../images/snapshots.js';
import { createImageStore, defaultImageOptions } from '../images/store.js';
import { createInputs, type CellInputs } from './inputs.js';

export interface MatrixInputOptions {
  cacheDir?: string;
  mirror?: string;
  accel?: 'auto' | 'kvm' | 'tcg';
  /** false with --no-snapshot. */
  snapshot?: boolean;
}

export function matrixInputs(ctx: Context, opts: MatrixInputOptions, matrix: Matrix, events: RunEvents, resultsDir: string): CellInputs & { cache: Cache } {
  const imageOptions = defaultImageOptions(ctx.env, matrix.dir, {
    cacheDir: opts.cacheDir,
    cwd: ctx.cwd,
    debianMirror: opts.mirror,
    matrixMirror: matrix.images.debianMirror,
    signal: ctx.signal,
    log: (message) => void events.emit({ type: 'log', level: 'info', message }),
  });
  const images = createImageStore(imageOptions);
  const inputs = createInputs({ images, accelMode: opts.accel ?? matrix.vm.accel, env: ctx.env, events });
  const { objects } = matrix.btf;
  const btf = createBtfResolver({ images, objects, globbed: matrix.globbed, resultsDir, env: ctx.env, log: imageOptions.log!, signal: ctx.signal });
  return { ...inputs, btf, cache: images.cache };
}

/** Snapshot boots: QEMU only (vng boots its own way), on unless the matrix or --no-snapshot says off. */
export function matrixSnapshots(ctx: Context, opts: MatrixInputOptions, matrix: Matrix, inputs: { cache: Cache }) {
  if (matrix.vm.snapshot === 'off' || opts.snapshot === false || matrix.vm.backend !== 'qemu') return undefined;
  const { cache } = inputs;
  return { store: snapshotStore(cache.dir, ctx.env), withLock: <T>(name: string, fn: () => Promise<T>) => cache.withLock(name, fn, ctx.signal) };
}
