// The --resume and --reuse key: a sha256 over everything that decides a cell's
// outcome. A cell whose inputs are unchanged since its last finished run is not run again.

import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { MatrixVm } from '../config/matrix.js';
import type { Cell } from '../core/cell.js';
import { memoize } from '../core/memo.js';
import { sha256File } from '../images/cache.js';
import type { SplatRules } from '../outcome/splats.js';
import { VERSION } from '../version.js';

/**
 * sha256 of a file, memoised per process (loaders are shared by many cells) by path,
 * size and mtime: a file edited between two runs of one process is hashed again.
 */
const hashOf = memoize((file: string, _stamp: string) => sha256File(file), {
  keyOf: (file, stamp) => `${file}\0${stamp}`,
});
const fileHash = async (file: string) => {
  const st = await stat(file);
  return hashOf(file, `${st.size}:${st.mtimeMs}`);
};

/** The guest userspace a cell runs on: busybox and the libc tree, named by their cache paths (which name their hashes). */
export interface GuestParts {
  busybox: string;
  libc?: string;
  /** Tree ids of the cell's `packages:` (boot/guest-packages.ts). */
  packages?: string[];
  /** The guest-side scripts and helpers (guest/fingerprint.ts). */
  code?: string;
}

/** Every test's program, files and settings. */
async function testsKey(cell: Cell) {
  const tests = await Promise.all(
    cell.tests.map(async (t) => ({
      name: t.name,
      kind: t.kind,
      program: await fileHash(t.path),
      files: await Promise.all(t.files.map(async (f) => [await fileHash(f.src), f.dest, path.basename(f.src)])),
      args: t.args,
      env: t.env,
      workdir: t.workdir,
      timeout: t.timeoutSec,
      expect: t.expect ?? null,
    })),
  );
  return tests;
}

export async function inputsHash(cell: Cell, kernelSha256: string, vm: MatrixVm, splats?: SplatRules, guest?: GuestParts): Promise<string> {
  const key = {
    tests: await testsKey(cell),
    kernel: kernelSha256,
    config: cell.config,
    ...(cell.kernel.btf ? { kernelBtf: cell.kernel.btf } : {}),
    libc: cell.libc,
    expect: cell.expect ?? null,
    vm: { memory: vm.memory, cpus: vm.cpus, network: vm.network, backend: vm.backend },
    // Allowing or denying a splat changes the outcome; absent rules keep older keys valid.
    ...(splats && (splats.allow.length || splats.deny.length)
      ? { splats: { allow: splats.allow.map((r) => r.source), deny: splats.deny.map((r) => r.source) } }
      : {}),
    // Results outlive a results directory (--reuse): the guest's own userspace and the
    // version of portmatrix that judged them count too.
    ...(guest
      ? {
          busybox: path.basename(guest.busybox),
          libcTree: guest.libc ? path.basename(guest.libc) : null,
          portmatrix: VERSION,
        }
      : {}),
    ...(guest?.packages?.length ? { packages: guest.packages } : {}),
    // And the guest side that ran them, which a development build changes within a version.
    ...(guest?.code ? { guestCode: guest.code } : {}),
  };
  return createHash('sha256').update(JSON.stringify(key)).digest('hex');
}
