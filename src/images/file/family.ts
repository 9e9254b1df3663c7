// file:<path> as a kernel source family: copied into the cache, never locked (the
// file is the user's to change), no modules beside it.

import type { KernelSourceFactory } from '../kernel-source.js';
import { fileKernel } from './file-kernel.js';

export const fileFamily: KernelSourceFactory = (ctx) => ({
  locks: false,
  resolve: (w) => fileKernel(ctx.cache, w.source, w.release, w.arch, ctx.log),
  bootModules: async () => undefined,
});
