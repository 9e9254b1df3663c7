// Which BTF mode a cell runs with: a kernel entry's `btf` overrides its config's.
//
//   kernel   what the kernel has (default): /sys/kernel/btf/vmlinux or nothing
//   none     the loader sees no /sys/kernel/btf/vmlinux (tests a no-BTF path)
//   auto     the kernel's own BTF, or BTF generated for that exact kernel
//   min      only the minimal BTF of `btf.objects` (bpftool gen min_core_btf)
//   file:P   the BTF file P (relative to the matrix file)
// Parsing lives with the other matrix checks (config/btf.ts); labels with the
// results model (results/btf.ts).

import type { BtfMode } from '../core/cell.js';

export function formatBtfMode(mode: BtfMode): string {
  return mode.kind === 'file' ? `file:${mode.path}` : mode.kind;
}

/** A kernel entry's `btf` overrides its config's; neither means `kernel`. */
export function cellBtfMode(cell: { kernel: { btf?: BtfMode }; config: { btf?: BtfMode } }): BtfMode {
  return cell.kernel.btf ?? cell.config.btf ?? { kind: 'kernel' };
}
