// Real Debian kernels for the facts tests, through the image store users get and
// the pinned test lock (test/fixtures/kernels.lock): downloaded once into the
// shared cache, then read from it.

import os from 'node:os';
import type { Arch } from '../../src/core/arch.js';
import { kernelView } from '../../src/facts/kernel-view.js';
import { createImageStore, defaultImageOptions } from '../../src/images/store.js';
import { TEST_LOCK } from '../helpers/dev-kernels.js';

export const store = createImageStore(defaultImageOptions(process.env, os.tmpdir(), { lockFile: TEST_LOCK }));

export const factsDeps = { cache: store.cache, env: process.env };

export async function viewOf(source: string, arch: Arch) {
  return kernelView(await store.kernel(source, arch), factsDeps);
}
