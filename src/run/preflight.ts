// Host tools a run needs, checked before anything is downloaded or booted.

import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { MissingToolError } from '../errors.js';
import type { Arch } from '../core/arch.js';
import { qemuBinary, qemuPackage } from '../vm/profiles.js';

async function onPath(binary: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    try {
      await access(path.join(dir, binary), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

export async function requireQemu(arches: Arch[], env: NodeJS.ProcessEnv): Promise<void> {
  for (const arch of arches) {
    const binary = qemuBinary(arch);
    if (!(await onPath(binary, env))) throw new MissingToolError(binary, qemuPackage(arch));
  }
}
