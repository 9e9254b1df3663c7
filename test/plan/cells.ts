// Planned cells for the pure plan functions, by position: arch, kernel, config.
// A shorthand over the one builder (helpers/cells.ts), which owns their shape.

import type { Arch } from '../../src/core/arch.js';
import type { Cell } from '../../src/core/cell.js';
import { type CellOverrides, cell as plannedCell } from '../helpers/cells.js';

export function cell(arch: Arch, kernel: string, config = 'default', extra: CellOverrides = {}): Cell {
  return plannedCell({ arch, kernel, config, ...extra });
}

export const sample: Cell[] = [
  cell('amd64', 'debian:bookworm'),
  cell('arm64', 'debian:bookworm'),
  cell('s390x', 'debian:bookworm', 'default', { expect: { result: 'fail', reason: 'no BTF' } }),
  cell('amd64', 'debian:trixie'),
  cell('arm64', 'debian:trixie', 'lockdown'),
  cell('s390x', 'debian:bullseye', 'default', { skip: 'no s390x kernel' }),
];
