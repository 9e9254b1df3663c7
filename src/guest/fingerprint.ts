// What a guest runs besides the user's files and the cached userspace: the scripts
// this directory writes (base /init, the cell and suite scripts, the BTF and test
// steps) and the helpers built into the base (pmcell, pmcap). Their fingerprint is
// part of the --reuse key (engine/resume-key.ts): a result judged by an older guest
// side is not taken for one the current guest side would give. A release changes
// the version in the key too; this is what also holds between two builds of one version.

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Arch } from '../core/arch.js';
import { memoize } from '../core/memo.js';
import { capHelperPath, cellHelperPath } from './initramfs.js';

// src/guest under tsx, dist/guest when built: the modules next to this one.
const GUEST_DIR = fileURLToPath(new URL('.', import.meta.url));
const isModule = (name: string) => /\.(ts|js)$/.test(name) && !name.endsWith('.d.ts');

async function compute(arch: Arch, packageRoot: string | undefined, guestDir: string): Promise<string> {
  const hash = createHash('sha256');
  const modules = (await readdir(guestDir)).filter(isModule).sort();
  for (const name of modules)
    hash
      .update(`${name}\0`)
      .update(await readFile(path.join(guestDir, name)))
      .update('\0');
  // A helper not built is a fact of its own (the base goes without it).
  for (const helper of [cellHelperPath(arch, packageRoot), capHelperPath(arch, packageRoot)]) {
    const bytes = await readFile(helper).catch(() => undefined);
    hash
      .update(`${path.basename(helper)}\0`)
      .update(bytes ?? 'absent')
      .update('\0');
  }
  return hash.digest('hex');
}

const once = memoize(compute, {
  keyOf: (arch, packageRoot, guestDir) => JSON.stringify([arch, packageRoot ?? null, guestDir]),
});

/** sha256 over the guest-side scripts and `arch`'s helpers; read once per process and arch. */
export function guestCode(arch: Arch, packageRoot?: string, guestDir = GUEST_DIR): Promise<string> {
  return once(arch, packageRoot, guestDir);
}
/** Forget what was read (tests). */
guestCode.clear = () => once.clear();
