// Hand-built cells for the pure plan functions (no matrix file needed).

import type { Arch } from '../../src/core/arch.js';
import type { Cell } from '../../src/core/cell.js';

export function cell(arch: Arch, kernel: string, config = 'default', extra: Partial<Cell> = {}): Cell {
  const [name, source] = kernel.includes(':') ? [kernel.replace(':', '-').replace('/', '-'), kernel] : [kernel, `debian:${kernel}`];
  return {
    id: `${arch}/${name}/${config}`,
    arch,
    kernel: { name, source },
    config: { name: config, cmdline: [], sysctl: {} },
    libc: 'static',
    tests: [{ name: 'loader', kind: 'exec', path: `/l/${arch}`, args: [], env: {}, files: [], workdir: '', timeoutSec: 60 }],
    ...extra,
  };
}

export const sample: Cell[] = [
  cell('amd64', 'debian:bookworm'),
  cell('arm64', 'debian:bookworm'),
  cell('s390x', 'debian:bookworm', 'default', { expect: { result: 'fail', reason: 'no BTF' } }),
  cell('amd64', 'debian:trixie'),
  cell('arm64', 'debian:trixie', 'lockdown'),
  cell('s390x', 'debian:bullseye', 'default', { skip: 'no s390x kernel' }),
];
