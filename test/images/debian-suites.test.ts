// Debian suites beyond the four stable ones, against the REAL mirror: experimental's
// kernel comes in the 7.x split layout (linux-image-* a metapackage, the kernel in
// linux-binary-*, the config in linux-base-*), from experimental's own signed index.

import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createImageStore, DEFAULT_DEBIAN_MIRROR } from '../../src/images/store.js';

describe('debian: experimental from the real mirror', () => {
  it('resolves s390x to linux-binary + linux-base, verified, with a config and BTF', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-experimental-'));
    const store = createImageStore({
      env: process.env,
      cacheDir: path.join(dir, 'cache'),
      debianMirror: DEFAULT_DEBIAN_MIRROR,
      lockFile: path.join(dir, 'portmatrix.lock'),
    });
    const k = await store.kernel('debian:experimental', 's390x');
    expect(k.release).toMatch(/^7\.\d+(\.\d+)?(\+deb\d+)?-s390x$/);
    expect(k.version).toMatch(/~exp\d+$/);
    expect(k.facts.btf).toBe(true);
    const lock = JSON.parse(await readFile(path.join(dir, 'portmatrix.lock'), 'utf8'));
    const debs = lock.kernels['debian:experimental s390x'].debs.map((d: { package: string }) => d.package);
    expect(debs).toEqual([`linux-binary-${k.release}`, `linux-base-${k.release}`]);
  }, 300_000);
});
