// The libc part of `run`'s pre-flight: read each loader's ELF once and say which of
// its libc cells it can run in (libc/fit.ts), before anything downloads or boots.
// Only loaders with something to say produce a line (static loaders do not).

import path from 'node:path';
import { readElf } from '../guest/elf.js';
import { compareIds, shippedLibraries, type Cell } from '../core/cell.js';
import { libcSummary } from './fit.js';

export async function libcPreflight(cells: Pick<Cell, 'libc' | 'loader'>[]): Promise<string[]> {
  const byLoader = new Map<string, { libcs: Set<string>; shipped: string[] }>();
  for (const c of cells) {
    const elf = await readElf(c.loader.path).catch(() => undefined);
    const entry = byLoader.get(c.loader.path) ?? { libcs: new Set<string>(), shipped: shippedLibraries(c, elf?.needed) };
    entry.libcs.add(c.libc);
    byLoader.set(c.loader.path, entry);
  }
  const lines: string[] = [];
  for (const [loader, { libcs, shipped }] of [...byLoader].sort(([a], [b]) => compareIds(a, b))) {
    // Scripts and unreadable files: checkLoaderArch already said what is wrong.
    const elf = await readElf(loader).catch(() => undefined);
    const line = elf && libcSummary(loader, elf, [...libcs].sort(), shipped);
    if (line) lines.push(line);
  }
  return lines;
}
