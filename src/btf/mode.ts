// The `btf:` setting of a config or kernel entry, and where a cell's BTF came from.
// Pure: parsing, precedence and labels; the resolver (resolve.ts) does the work.
//
//   kernel   what the kernel has (default): /sys/kernel/btf/vmlinux or nothing
//   none     the loader sees no /sys/kernel/btf/vmlinux (tests a no-BTF path)
//   auto     the kernel's own BTF, or BTF generated for that exact kernel
//   min      only the minimal BTF of `btf.objects` (bpftool gen min_core_btf)
//   file:P   the BTF file P (relative to the matrix file)

import type { BtfMode } from '../core/cell.js';

export type { BtfMode };

/** What a cell's loader actually saw: the report's "BTF source". */
export const BTF_SOURCES = ['kernel', 'generated', 'min', 'file', 'none'] as const;
export type BtfSource = (typeof BTF_SOURCES)[number];

/** What the results model records per cell. */
export interface CellBtf {
  /** The mode as written (`auto`, `file:/abs/path`, ...). */
  mode: string;
  source: BtfSource;
  /** Size and hash of the file installed in the guest (generated, min, file). */
  bytes?: number;
  sha256?: string;
  /** The file: relative to the results dir for min, else absolute (the cache's blob for generated). */
  file?: string;
}

export const BTF_MODE_WORDS = ['kernel', 'none', 'auto', 'min', 'file:<path>'] as const;

/** Parses a written value; undefined when it is not one (the caller words the located error). */
export function parseBtfMode(value: string): BtfMode | undefined {
  if (value === 'kernel' || value === 'none' || value === 'auto' || value === 'min') return { kind: value };
  if (value.startsWith('file:') && value.length > 5) return { kind: 'file', path: value.slice(5) };
  return undefined;
}

export function formatBtfMode(mode: BtfMode): string {
  return mode.kind === 'file' ? `file:${mode.path}` : mode.kind;
}

/** A kernel entry's `btf` overrides its config's; neither means `kernel`. */
export function cellBtfMode(cell: { kernel: { btf?: BtfMode }; config: { btf?: BtfMode } }): BtfMode {
  return cell.kernel.btf ?? cell.config.btf ?? { kind: 'kernel' };
}

/** How reports name a cell's BTF, e.g. `generated (3.2 MiB)`, `min (396 B)`, `kernel`. */
export function describeBtf(btf: CellBtf): string {
  if (btf.bytes === undefined) return btf.source;
  const size = btf.bytes < 10240 ? `${btf.bytes} B` : `${(btf.bytes / 1048576).toFixed(1)} MiB`;
  return `${btf.source} (${size})`;
}

/** A short mark for report grids; none for the kernel's own BTF (the usual case). */
export function btfTag(btf: CellBtf | undefined): string | undefined {
  if (!btf || btf.source === 'kernel') return undefined;
  return btf.source === 'generated' ? 'gen' : btf.source;
}

/** The legend under a grid that shows tags. */
export const BTF_LEGEND = "BTF: gen = generated from the kernel's -dbg package, min = minimal (btf.objects), file = btf: file:, none = no BTF; unmarked = the kernel's own";
