// Pre-flight: the user's mistakes and missing host tools, found in milliseconds,
// before anything downloads or boots. `note` receives hints worth printing (libc).

import type { Arch } from '../core/arch.js';
import type { Cell } from '../core/cell.js';
import { MissingToolError } from '../errors.js';
import { checkLoaderArch } from '../guest/elf.js';
import { requireCapHelper, requireCellHelper } from '../guest/initramfs.js';
import { which } from '../host/which.js';
import { libcPreflight } from '../libc/preflight.js';
import { qemuBinary, qemuPackage } from '../vm/profiles.js';

export function requireQemu(arches: Arch[], env: NodeJS.ProcessEnv): void {
  for (const arch of arches) {
    const binary = qemuBinary(arch);
    if (!which(binary, env)) throw new MissingToolError(binary, qemuPackage(arch));
  }
}

export async function preflight(cells: Cell[], env: NodeJS.ProcessEnv, note: (line: string) => void): Promise<void> {
  const runnable = cells.filter((c) => !c.skip);
  // Each program once per arch: one built for the wrong arch fails here, not at boot.
  const byArch = new Map(runnable.flatMap((c) => c.tests.map((t) => [`${c.arch}\0${t.path}`, { arch: c.arch, path: t.path }] as const)));
  for (const p of byArch.values()) await checkLoaderArch(p.path, p.arch);
  await requireCapHelper(runnable);
  for (const arch of new Set(runnable.map((c) => c.arch))) await requireCellHelper(arch);
  // Every test's program against the cell's libc, not only the first.
  const programs = runnable.flatMap((c) => c.tests.map((test) => ({ libc: c.libc, test })));
  for (const line of await libcPreflight(programs)) note(line);
  requireQemu([...new Set(runnable.map((c) => c.arch))], env);
}
