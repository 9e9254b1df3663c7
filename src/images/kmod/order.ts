// A set of module files in the order insmod needs them: each after the modules
// its .modinfo names in depends=. Debian's packages give the modules as a set;
// RPM kernels come ordered already, and ordering them again changes nothing.

import { readFile } from 'node:fs/promises';
import { InfraError } from '../../errors.js';
import type { KernelModule } from '../types.js';
import { loadOrder } from './guest-modules.js';
import { moduleDepends, parseModinfo } from './modinfo.js';

export async function orderModules(modules: readonly KernelModule[]): Promise<KernelModule[]> {
  const depends = new Map<string, string[]>();
  for (const m of modules) {
    const info = parseModinfo(await readFile(m.path));
    if (!info) throw new InfraError(`kernel module ${m.name} (${m.path}) is not a 64-bit ELF module`);
    depends.set(m.name, moduleDepends(info));
  }
  const byName = new Map(modules.map((m) => [m.name, m]));
  // Roots in the given order: a list already in load order comes back unchanged.
  return loadOrder([...byName.keys()], (n) => depends.get(n)).map((n) => byName.get(n)!);
}
