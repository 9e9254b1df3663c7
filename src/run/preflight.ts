// Pre-flight: the user's mistakes and missing host tools, found in milliseconds,
// before anything downloads or boots. `note` receives hints worth printing (libc).

import type { Arch } from '../core/arch.js';
import type { Cell } from '../core/cell.js';
import { MissingToolError } from '../errors.js';
import { checkLoaderArch } from '../guest/elf.js';
import { requireCapHelper } from '../guest/initramfs.js';
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
  // Each loader once per arch: a loader built for the wrong arch fails here, not at boot.
  const loaders = new Map(runnable.map((c) => [`${c.arch}\0${c.loader.path}`, c] as const));
  for (const c of loaders.values()) await checkLoaderArch(c.loader.path, c.arch);
  await requireCapHelper(runnable);
  for (const line of await libcPreflight(runnable)) note(line);
  requireQemu([...new Set(runnable.map((c) => c.arch))], env);
}
