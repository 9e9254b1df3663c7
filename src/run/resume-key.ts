// The --resume key: a sha256 over everything that decides a cell's outcome. A cell
// whose inputs are unchanged since its last finished run is not run again.

import { createHash } from 'node:crypto';
import { memoize } from '../core/memo.js';
import { sha256File } from '../images/cache.js';
import type { MatrixVm } from '../config/matrix.js';
import type { Cell } from '../core/cell.js';
import type { SplatRules } from '../outcome/splats.js';

/** sha256 of a file, memoised per process (loaders are shared by many cells). */
const fileHash = memoize(sha256File);

export async function inputsHash(cell: Cell, kernelSha256: string, vm: MatrixVm, splats?: SplatRules): Promise<string> {
  const files = await Promise.all([cell.loader.path, ...cell.loader.files].map((f) => fileHash(f)));
  const key = {
    kernel: kernelSha256,
    files,
    args: cell.loader.args,
    env: cell.loader.env,
    timeout: cell.loader.timeoutSec,
    config: cell.config,
    ...(cell.kernel.btf ? { kernelBtf: cell.kernel.btf } : {}),
    libc: cell.libc,
    expect: cell.expect ?? null,
    vm: { memory: vm.memory, cpus: vm.cpus, network: vm.network, backend: vm.backend },
    // Allowing or denying a splat changes the outcome; absent rules keep older keys valid.
    ...(splats && (splats.allow.length || splats.deny.length) ? { splats: { allow: splats.allow.map((r) => r.source), deny: splats.deny.map((r) => r.source) } } : {}),
  };
  return createHash('sha256').update(JSON.stringify(key)).digest('hex');
}
