// A project directory for a VM test: shell scripts (a `#!/bin/sh` line is added,
// mode 0755), the test kernel lock, and a matrix of one amd64 trixie cell whose
// remaining keys (tests:, loader: …) are `matrixTail`.

import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { useTestLock } from './dev-kernels.js';

export async function scriptProject(prefix: string, scripts: Record<string, string>, matrixTail: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  for (const [name, text] of Object.entries(scripts)) {
    await writeFile(path.join(dir, name), `#!/bin/sh\n${text}\n`);
    await chmod(path.join(dir, name), 0o755);
  }
  await useTestLock(dir);
  await writeFile(path.join(dir, 'matrix.yaml'), `kernels: [debian:trixie]\narches: [amd64]\n${matrixTail}`);
  return dir;
}
