// The globs of a matrix (`files`, `btf.objects`) walked once per arch before any
// cell is expanded, so expansion stays pure and every failure is located: a walk
// past its bounds, a match outside the project, and a `files` glob that matches
// nothing (an error where the programs must exist, as for `run`; a warning for
// `plan`, which may run before the build).

import path from 'node:path';
import { type Confinement, confinementRule, mayRead } from '../config/confine.js';
import type { GlobSite } from '../config/host-paths.js';
import type { Matrix } from '../config/matrix.js';
import { fillPlaceholders } from '../config/placeholders.js';
import { ConfigError } from '../errors.js';
import { GLOB_LIMITS, GlobLimitError, glob, hasGlob } from './glob.js';

export interface FilesOptions {
  /** How messages name the matrix file. */
  shown: string;
  signal?: AbortSignal;
  /** A `files` glob matching nothing is an error (else a warning). */
  mustMatch: boolean;
}

class Outside extends Error {
  constructor(
    readonly reached: string,
    readonly real: string,
  ) {
    super(reached);
  }
}

function guard(c: Confinement | undefined): ((real: string, reached: string) => void) | undefined {
  if (!c) return undefined;
  return (real, reached) => {
    if (!mayRead(real, c)) throw new Outside(reached, real);
  };
}

async function walkSite(m: Matrix, site: GlobSite, filled: string, o: FilesOptions): Promise<string[]> {
  const fail = (problem: string, fix: string): never => {
    throw new ConfigError(o.shown, site.line, site.col, site.field, problem, fix);
  };
  const shown = path.relative(m.dir, filled) || filled;
  try {
    return await glob(filled, { signal: o.signal, check: guard(m.confinement) });
  } catch (error) {
    if (error instanceof GlobLimitError) {
      return fail(
        `${shown} ${error.message}`,
        `narrow the glob (at most ${GLOB_LIMITS.files} files and ${GLOB_LIMITS.bytes} bytes, reading at most ${GLOB_LIMITS.entries} directory entries)`,
      );
    }
    if (error instanceof Outside) {
      const via = error.real === path.resolve(error.reached) ? '' : ` (through a symlink, to ${error.real})`;
      return fail(`${shown} reaches ${error.reached}, outside the project${via}`, confinementRule(m.confinement!));
    }
    throw error;
  }
}

/** Every glob's matches per filled pattern (Matrix.globbed), and the warnings for globs that match nothing. */
export async function expandGlobs(m: Matrix, o: FilesOptions): Promise<{ globbed: Record<string, string[]>; warnings: string[] }> {
  const globbed: Record<string, string[]> = {};
  const warnings: string[] = [];
  for (const site of m.globSites ?? []) {
    for (const arch of m.arches) {
      const filled = fillPlaceholders(site.pattern, arch);
      if (globbed[filled]) continue;
      const files = await walkSite(m, site, filled, o);
      globbed[filled] = files;
      // btf.objects that match nothing are `run`'s BTF pre-flight's to report.
      if (files.length > 0 || site.btf) continue;
      const problem = `${path.relative(m.dir, filled)} matches no file for ${arch}`;
      const fix = 'build the files first, or fix the glob (relative to the matrix file)';
      if (o.mustMatch) throw new ConfigError(o.shown, site.line, site.col, site.field, problem, fix);
      warnings.push(`${o.shown}:${site.line}:${site.col}: ${site.field}: ${problem}; ${fix}`);
    }
  }
  return { globbed, warnings };
}

/** The files a filled pattern names: its matches when it is a glob (walked by expandGlobs), else itself. */
export function filesOf(m: Pick<Matrix, 'globbed'>, filled: string): string[] {
  return hasGlob(filled) ? (m.globbed?.[filled] ?? []) : [filled];
}
