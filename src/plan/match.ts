// Partial cell matches (include/exclude/expect, GitHub-Actions-like): every key
// given must equal the combination's value; `kernel` matches a kernel's name or source.

import type { CellMatch } from '../config/matrix.js';
import type { Arch } from '../core/arch.js';
import type { ConfigSpec, KernelSpec } from '../core/cell.js';

/** One point of kernels × arches × configs × libc, before it becomes a Cell. */
export interface Combo {
  kernel: KernelSpec;
  arch: Arch;
  config: ConfigSpec;
  libc: string;
}

export function matches(m: CellMatch, c: Combo): boolean {
  return (
    (m.arch === undefined || m.arch === c.arch) &&
    (m.kernel === undefined || m.kernel === c.kernel.name || m.kernel === c.kernel.source) &&
    (m.config === undefined || m.config === c.config.name) &&
    (m.libc === undefined || m.libc === c.libc)
  );
}

/** `{arch: s390x, kernel: debian-bullseye}` → `arch=s390x,kernel=debian-bullseye` for messages. */
export function describeMatch(m: CellMatch): string {
  return (['arch', 'kernel', 'config', 'libc'] as const)
    .filter((k) => m[k] !== undefined)
    .map((k) => `${k}=${m[k]}`)
    .join(',');
}
