// Image options for a command that may stand beside a matrix file (`images`, `kernels`):
// the matrix's mirror and sources when it was loaded, the command's flags and context.

import path from 'node:path';
import type { Matrix } from '../config/matrix.js';
import type { Context } from '../context.js';
import { defaultImageOptions } from '../images/store.js';
import type { ImageOptions } from '../images/types.js';

export function imageOptionsBeside(
  ctx: Context,
  matrixFile: string,
  matrix: Matrix | undefined,
  flags: { cacheDir?: string; mirror?: string },
  extra: Partial<ImageOptions>,
): ImageOptions {
  return defaultImageOptions(ctx.env, matrix?.dir ?? path.dirname(matrixFile), {
    cacheDir: flags.cacheDir,
    cwd: ctx.cwd,
    debianMirror: flags.mirror,
    matrixMirror: matrix?.images.debianMirror,
    matrixSources: matrix?.images,
    signal: ctx.signal,
    ...extra,
  });
}
