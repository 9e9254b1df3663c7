// oci:<ref> as a kernel source family: the manifest digest is what the lock pins;
// an OCI kernel ships no module files portmatrix can read.

import type { KernelSourceFactory } from '../kernel-source.js';
import { ociKernel } from './oci.js';

export const ociFamily: KernelSourceFactory = (ctx) => ({
  locks: true,
  resolve: (w) => ociKernel({ ...ctx, fetcher: w.fetcher }, w.source, w.release, w.arch, w.locked),
  bootModules: async () => undefined,
});
