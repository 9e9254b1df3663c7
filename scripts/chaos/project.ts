// The chaos suite's matrix: Debian trixie and bookworm × amd64 and arm64 × two configs,
// a shell loader that takes about two seconds (so a fault can land inside it) and
// fails, as declared, on one config of bookworm — the clean run is not all green.

import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { useTestLock } from '../../test/helpers/dev-kernels.js';

const LOADER = `#!/bin/sh
echo "loader on $(uname -r) $(uname -m)"
sleep 2
if [ "$(cat /proc/sys/kernel/unprivileged_bpf_disabled)" = 1 ] && uname -r | grep -q '^6\\.1\\.'; then
  echo "refusing: unprivileged BPF disabled on 6.1" >&2
  exit 1
fi
echo done
`;

const MATRIX = `kernels: [debian:trixie, debian:bookworm]
arches: [amd64, arm64]
configs:
  - {name: plain}
  - {name: strict, sysctl: {kernel.unprivileged_bpf_disabled: 1}}
loader:
  path: ./loader.sh
  timeout: 40
expect:
  - {kernel: debian-bookworm, config: strict, reason: "the loader refuses 6.1 with unprivileged BPF disabled"}
`;

const made: string[] = [];

/** A fresh scratch directory, removed by removeScratch(). */
export async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-chaos-'));
  made.push(dir);
  return dir;
}

/** Removes every scratch dir (projects with their results, the seeded cache's snapshots). */
export async function removeScratch(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** A fresh project directory with the matrix, the loader and the test lock. */
export async function makeProject(): Promise<string> {
  const dir = await scratchDir();
  await writeFile(path.join(dir, 'loader.sh'), LOADER);
  await chmod(path.join(dir, 'loader.sh'), 0o755);
  await writeFile(path.join(dir, 'matrix.yaml'), MATRIX);
  await useTestLock(dir);
  return dir;
}

/** results/console/<file>.log of a cell id `arch/kernel/config`. */
export const cellFile = (id: string) => id.replace(/\//g, '__');
