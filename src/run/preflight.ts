// Host tools a run needs, checked before anything is downloaded or booted.

import { MissingToolError } from '../errors.js';
import { which } from '../host/which.js';
import type { Arch } from '../core/arch.js';
import { qemuBinary, qemuPackage } from '../vm/profiles.js';

export async function requireQemu(arches: Arch[], env: NodeJS.ProcessEnv): Promise<void> {
  for (const arch of arches) {
    const binary = qemuBinary(arch);
    if (!which(binary, env)) throw new MissingToolError(binary, qemuPackage(arch));
  }
}
