// Which libc cells a loader can run in, decided from its ELF before any boot.
//
// Decisions (docs/axes.md):
// - static loader: runs in every libc cell (the libc in the guest is unused).
// - dynamic loader in a `static` cell: skipped; there is no libc or ld.so in that
//   guest, so "not found" would say nothing about the loader's portability.
// - dynamic loader in a glibc cell whose glibc is older than a GLIBC_x.y it needs,
//   or needing a library libc6 does not ship, or with a non-glibc interpreter:
//   predicted to fail, and still booted: the dynamic linker's own message becomes
//   the cell's reason, which is the evidence a user can act on.

import type { ElfInfo } from '../guest/elf.js';
import { compareRelease, formatRelease, isGlibcInterpreter, isLibc6Library, newestGlibcNeed, parseRelease, SUITE_GLIBC } from './glibc.js';

export type LibcFit = { kind: 'runs'; note?: string } | { kind: 'fails'; why: string } | { kind: 'skip'; why: string };

type LoaderElf = Pick<ElfInfo, 'static' | 'interpreter' | 'needed' | 'versionNeeds'>;

/** Short description of a dynamic loader's needs, e.g. `/lib64/ld-linux-x86-64.so.2; libc.so.6; GLIBC_2.38`. */
export function describeNeeds(elf: LoaderElf): string {
  if (elf.static) return 'statically linked';
  const newest = newestGlibcNeed(elf.versionNeeds);
  return [
    `dynamic: ${elf.interpreter ?? '?'}`,
    elf.needed.length ? elf.needed.join(', ') : undefined,
    newest ? `needs glibc ≥ ${formatRelease(newest.release)} (${newest.names.join(', ')})` : undefined,
  ]
    .filter(Boolean)
    .join('; ');
}

/**
 * `libc` is `static` or `debian:<suite>`; `glibc` overrides the suite table (the
 * version read from the unpacked tree at run time); `shipped` are the basenames of
 * loader.files (a library shipped there counts as present).
 */
export function libcFit(elf: LoaderElf, libc: string, opts: { glibc?: string; shipped?: string[] } = {}): LibcFit {
  if (elf.static) return { kind: 'runs' };
  if (libc === 'static') {
    return {
      kind: 'skip',
      why: `the loader is dynamically linked (${elf.interpreter}) and a static libc cell has no libc; link it statically or use a debian:<suite> libc cell`,
    };
  }
  const suite = libc.replace(/^debian:/, '');
  if (elf.interpreter && !isGlibcInterpreter(elf.interpreter)) {
    return {
      kind: 'fails',
      why: `its interpreter ${elf.interpreter} is not glibc's dynamic linker; ${libc} provides glibc only`,
    };
  }
  const foreign = elf.needed.filter((lib) => !isLibc6Library(lib) && !(opts.shipped ?? []).includes(lib));
  if (foreign.length) {
    return {
      kind: 'fails',
      why: `it needs ${foreign.join(', ')}, which libc6 does not provide; ship ${foreign.length > 1 ? 'them' : 'it'} in the test's files and set its env LD_LIBRARY_PATH to its root (/portmatrix/t/<i>)`,
    };
  }
  const have = opts.glibc ?? SUITE_GLIBC[suite];
  const newest = newestGlibcNeed(elf.versionNeeds);
  if (!have) return { kind: 'runs', note: `glibc version of ${libc} not known before it is downloaded` };
  if (newest && compareRelease(newest.release, parseRelease(have)) > 0) {
    return { kind: 'fails', why: `it needs ${newest.names.join(', ')} but ${libc} has glibc ${have}` };
  }
  return { kind: 'runs' };
}

/**
 * One line per loader for the pre-boot check: which libc cells it can run in.
 * Undefined when there is nothing to say (a static loader).
 */
export function libcSummary(loader: string, elf: LoaderElf, libcs: string[], shipped: string[] = []): string | undefined {
  if (elf.static) return undefined;
  const groups = { runs: [] as string[], fails: [] as string[], skip: [] as string[] };
  for (const libc of libcs) {
    const fit = libcFit(elf, libc, { shipped });
    groups[fit.kind].push(fit.kind === 'runs' ? libc : `${libc} (${fit.why})`);
  }
  const parts = [
    groups.runs.length ? `runs in ${groups.runs.join(', ')}` : 'runs in none of the libc cells',
    groups.fails.length ? `expected to fail in ${groups.fails.join('; ')}` : undefined,
    groups.skip.length ? `skipped in ${groups.skip.join('; ')}` : undefined,
  ];
  return `loader ${loader} is ${describeNeeds(elf)}: ${parts.filter(Boolean).join('; ')}`;
}
