// The libc part of `run`'s pre-flight: read each loader's ELF once and say which of
// its libc cells it can run in (libc/fit.ts), before anything downloads or boots.
// Only loaders with something to say produce a line (static loaders do not).

import { compareIds, shippedLibraries, type TestSpec } from '../core/cell.js';
import { readElf } from '../guest/elf.js';
import { libcSummary } from './fit.js';

/** One program of a cell against that cell's libc. */
export interface LibcProgram {
  libc: string;
  test: Pick<TestSpec, 'path' | 'files'>;
}

export async function libcPreflight(programs: LibcProgram[]): Promise<string[]> {
  const byLoader = new Map<string, { libcs: Set<string>; shipped: string[] }>();
  for (const { libc, test } of programs) {
    const elf = await readElf(test.path).catch(() => undefined);
    const entry = byLoader.get(test.path) ?? { libcs: new Set<string>(), shipped: shippedLibraries(test, elf?.needed) };
    entry.libcs.add(libc);
    byLoader.set(test.path, entry);
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
