// The --resume key: a sha256 over everything that decides a cell's outcome. A cell
// whose inputs are unchanged since its last finished run is not run again.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { MatrixVm } from '../config/matrix.js';
import type { Cell } from '../plan/cell.js';

const fileHashes = new Map<string, Promise<string>>();

/** sha256 of a file, memoised per process (loaders are shared by many cells). */
export function sha256File(file: string): Promise<string> {
  let hash = fileHashes.get(file);
  if (!hash) {
    hash = new Promise<string>((resolve, reject) => {
      const h = createHash('sha256');
      createReadStream(file)
        .on('data', (chunk) => h.update(chunk))
        .on('error', reject)
        .on('end', () => resolve(h.digest('hex')));
    });
    fileHashes.set(file, hash);
  }
  return hash;
}

export async function inputsHash(cell: Cell, kernelSha256: string, vm: MatrixVm): Promise<string> {
  const files = await Promise.all([cell.loader.path, ...cell.loader.files].map(sha256File));
  const key = {
    kernel: kernelSha256,
    files,
    args: cell.loader.args,
    env: cell.loader.env,
    timeout: cell.loader.timeoutSec,
    config: cell.config,
    libc: cell.libc,
    expect: cell.expect ?? null,
    vm: { memory: vm.memory, cpus: vm.cpus, network: vm.network, backend: vm.backend },
  };
  return createHash('sha256').update(JSON.stringify(key)).digest('hex');
}
