// Pre-flight: the user's mistakes and missing host tools, found in milliseconds,
// before anything downloads or boots. `note` receives hints worth printing (libc).

import type { Arch } from '../core/arch.js';
import type { Cell } from '../core/cell.js';
import { MissingToolError, UsageError } from '../errors.js';
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

/** What the one-program guest cannot do yet; refused before anything boots rather than half-run. */
function oneProgramGuest(cells: Cell[]): void {
  for (const c of cells) {
    const t = c.tests[0]!;
    const why = c.tests.length > 1 ? `${c.tests.length} tests` : t.kind === 'gotest' ? 'kind: gotest' : t.workdir || t.files.some((f) => f.dest) ? 'workdir or files with dest' : undefined;
    if (why) throw new UsageError(`${c.id}: ${why} needs the per-test guest, which this build does not have yet; run one exec test per cell (--only test=NAME)`);
  }
}

export async function preflight(cells: Cell[], env: NodeJS.ProcessEnv, note: (line: string) => void): Promise<void> {
  const runnable = cells.filter((c) => !c.skip);
  oneProgramGuest(runnable);
  // Each loader once per arch: a loader built for the wrong arch fails here, not at boot.
  const loaders = new Map(runnable.map((c) => [`${c.arch}\0${c.loader.path}`, c] as const));
  for (const c of loaders.values()) await checkLoaderArch(c.loader.path, c.arch);
  await requireCapHelper(runnable);
  for (const line of await libcPreflight(runnable)) note(line);
  requireQemu([...new Set(runnable.map((c) => c.arch))], env);
}
