// The BTF a cell's loader saw, as the results model records it, and how every
// report names it. Pure.

/** Where a cell's BTF came from: the report's "BTF source". */
export const BTF_SOURCES = ['kernel', 'generated', 'min', 'file', 'none'] as const;
export type BtfSource = (typeof BTF_SOURCES)[number];

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

/** `generated (3.2 MiB)`, `min (396 B)`, `kernel`. */
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
export const BTF_LEGEND =
  "BTF: gen = generated from the kernel's -dbg package, min = minimal (btf.objects), file = btf: file:, none = no BTF; unmarked = the kernel's own";
