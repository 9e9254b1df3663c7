// Pre-flight for dynamically linked programs: every DT_NEEDED library, and the
// ones those libraries need in turn, must be in the guest where ld.so looks on
// its own (the cell's libc6, or a directory of the unpacked `packages:`), or the
// program dies in the guest with "error while loading shared libraries" after a
// boot. Checked on the host before anything boots.

import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { type Arch, librarySearchDirs } from '../core/arch.js';
import { UsageError } from '../errors.js';
import { readElf } from '../guest/elf.js';
import { isLibc6Library } from './glibc.js';

export interface MissingLibrary {
  soname: string;
  /** The program, or the library from the packages that needs it. */
  neededBy: string;
}

export interface NeededSpec {
  program: string;
  arch: Arch;
  /** The cell has a glibc (libc axis) that provides libc.so.6, libm.so.6, ld.so... */
  libc: boolean;
  /** Unpacked package trees merged at the guest's `/`. */
  roots: readonly string[];
  /** Library basenames shipped in the test's files (found through LD_LIBRARY_PATH). */
  shipped?: readonly string[];
}

/** The first file (or link) named `soname` in a search dir of any root. */
async function locate(soname: string, roots: readonly string[], arch: Arch): Promise<string | undefined> {
  for (const root of roots) {
    for (const dir of librarySearchDirs(arch)) {
      const p = path.join(root, dir, soname);
      if (
        await lstat(p).then(
          () => true,
          () => false,
        )
      )
        return p;
    }
  }
  return undefined;
}

/** Libraries nothing in the guest provides, following the needs of the ones found. */
export async function missingLibraries(spec: NeededSpec): Promise<MissingLibrary[]> {
  const elf = await readElf(spec.program);
  if (!elf || elf.static) return [];
  const missing: MissingLibrary[] = [];
  const seen = new Set<string>();
  const queue = elf.needed.map((soname) => ({ soname, neededBy: spec.program }));
  while (queue.length) {
    const { soname, neededBy } = queue.shift()!;
    if (seen.has(soname)) continue;
    seen.add(soname);
    if ((spec.libc && isLibc6Library(soname)) || spec.shipped?.includes(soname)) continue;
    const found = await locate(soname, spec.roots, spec.arch);
    if (!found) {
      missing.push({ soname, neededBy });
      continue;
    }
    // readElf follows the link (libz.so.1 → libz.so.1.2.13); a dangling one reads as missing.
    const lib = await readElf(found).catch(() => undefined);
    if (!lib) missing.push({ soname, neededBy });
    else queue.push(...lib.needed.map((n) => ({ soname: n, neededBy: path.basename(found) })));
  }
  return missing;
}

/** The pre-boot refusal: each missing library, who needs it (when not `program`, the path given to missingLibraries), and the package that has it. */
export function missingLibrariesError(program: string, suite: string, missing: readonly MissingLibrary[], providers: Map<string, string[]>): UsageError {
  const lines = missing.map((m) => {
    const pkgs = providers.get(m.soname);
    const by = m.neededBy === program ? '' : ` (needed by ${m.neededBy})`;
    return `  ${m.soname}${by}: ${pkgs?.length ? `in Debian package ${pkgs.join(' or ')}` : `no ${suite} package ships it where ld.so looks; link it statically`}`;
  });
  const add = [...new Set(missing.flatMap((m) => providers.get(m.soname)?.slice(0, 1) ?? []))];
  const fix = add.length ? `\nadd to the test's packages: [${add.join(', ')}] (or ship the libraries in its files and set env LD_LIBRARY_PATH)` : '';
  return new UsageError(`${program} needs libraries the guest does not have (Debian ${suite}):\n${lines.join('\n')}${fix}`);
}

export interface PreflightSpec extends NeededSpec {
  /** The suite the packages (and the suggestions) come from. */
  suite: string;
  /** soname → packages shipping it (the image store's `providers`, from Contents). */
  providers: (suite: string, arch: Arch, sonames: readonly string[]) => Promise<Map<string, string[]>>;
}

/** Throws the refusal when a library is missing; asks Contents only in that case. */
export async function libraryPreflight(spec: PreflightSpec): Promise<void> {
  const missing = await missingLibraries(spec);
  if (missing.length === 0) return;
  const providers = await spec.providers(
    spec.suite,
    spec.arch,
    missing.map((m) => m.soname),
  );
  throw missingLibrariesError(spec.program, spec.suite, missing, providers);
}
