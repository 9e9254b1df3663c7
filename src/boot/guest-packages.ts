// The `packages:` of a cell's tests in its guest: resolved per suite (a test's
// `packages.suite`, else the suite of the cell's libc; bookworm for static), unpacked through the
// verified Debian path, and merged at the guest's `/` after the libc, so a
// dynamically linked program finds its libraries where ld.so looks on its own.
// Before anything boots, every library a dynamically linked test program needs
// must be there (libc/needed.ts), or the run stops naming the library and the
// package that has it — with or without `packages:`.

import path from 'node:path';
import type { Cell, TestSpec } from '../core/cell.js';
import { ConfigError } from '../errors.js';
import { UnknownPackageError } from '../images/apt/debian-depends.js';
import type { ImageStoreExt } from '../images/store.js';
import { libraryPreflight } from '../libc/needed.js';

/** Where a static-libc cell's packages come from unless a suite is given (docs/matrix.md). */
const STATIC_SUITE = 'bookworm';

export interface PackageSet {
  suite: string;
  names: string[];
}

/** A test's suite for its packages: its own `packages.suite`, else its cell's libc suite (bookworm for static). */
function suiteOf(cell: Cell, test: TestSpec): string {
  return test.packages?.suite ?? (cell.libc === 'static' ? STATIC_SUITE : cell.libc.replace(/^debian:/, ''));
}

/** The cell's packages, one set per suite, names sorted and unique (pure). */
export function packageSets(cell: Cell): PackageSet[] {
  const bySuite = new Map<string, Set<string>>();
  for (const test of cell.tests) {
    if (!test.packages?.names.length) continue;
    const suite = suiteOf(cell, test);
    const names = bySuite.get(suite) ?? new Set<string>();
    for (const n of test.packages.names) names.add(n);
    bySuite.set(suite, names);
  }
  return [...bySuite].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([suite, names]) => ({ suite, names: [...names].sort() }));
}

export interface CellPackages {
  /** Unpacked trees to merge at the guest's `/`, in order. */
  roots: string[];
  /** Their tree ids (what the lock records): part of the cell's inputs hash. */
  ids: string[];
}

/** The cell's package trees (downloaded, verified and unpacked once per set and run). */
export async function cellPackages(cell: Cell, images: Pick<ImageStoreExt, 'packages'>): Promise<CellPackages> {
  const pending = packageSets(cell).map((s) => images.packages(s.names, s.suite, cell.arch));
  // Every set settles first, so the failure thrown is the first set's, not the quickest one's:
  // the same matrix names the same error each time.
  await Promise.allSettled(pending);
  const got = await Promise.all(pending);
  return { roots: got.map((g) => g.root), ids: got.map((g) => g.lock.sha256 ?? '') };
}

/** A name the suite does not have, as the matrix error it is: where it is written, and the nearest real name. */
function located(error: unknown, cell: Cell, matrixFile: string): never {
  if (!(error instanceof UnknownPackageError)) throw error;
  const test = cell.tests.find((t) => t.packages?.at?.[error.pkg] && suiteOf(cell, t) === error.suite);
  const at = test?.packages?.at?.[error.pkg];
  if (!test || !at) throw error;
  const why = test.packages?.suite
    ? `the packages.suite of test ${test.name}`
    : cell.libc === 'static'
      ? 'the suite static cells use'
      : `the suite of libc ${cell.libc}`;
  const fix = error.suggestion ? `did you mean ${error.suggestion}?` : `write the name of a binary package of ${error.suite}, or give packages.suite`;
  throw new ConfigError(matrixFile, at.line, at.col, at.field, `Debian ${error.suite} (${why}) has no package ${error.pkg} for ${error.arch}`, fix);
}

/**
 * Pre-boot: every cell's packages resolve in their suite (a name the suite lacks is a
 * located matrix error), and every dynamically linked test program of a cell with a
 * Debian libc finds each library it needs (and they need) in the libc, its packages
 * or its files; a missing one refuses the run with the package that ships it. Each (arch, libc,
 * program, packages) is checked once; Contents is read only when something is missing.
 */
export async function packagesPreflight(cells: readonly Cell[], images: Pick<ImageStoreExt, 'packages' | 'providers'>, matrixFile: string): Promise<void> {
  const checked = new Set<string>();
  for (const cell of cells) {
    const sets = packageSets(cell);
    const roots = sets.length ? (await cellPackages(cell, images).catch((error: unknown) => located(error, cell, matrixFile))).roots : [];
    if (cell.libc === 'static') continue; // the libc fit skips dynamic programs there
    for (const test of cell.tests) {
      const key = JSON.stringify([cell.arch, cell.libc, test.path, sets]);
      if (checked.has(key)) continue;
      checked.add(key);
      const shipped = test.files.map((f) => path.basename(f.src));
      await libraryPreflight({
        program: test.path,
        arch: cell.arch,
        libc: true,
        roots,
        shipped,
        suite: suiteOf(cell, test),
        providers: (s, a, sonames) => images.providers(s, a, sonames),
      });
    }
  }
}
