// What `portmatrix init` found in a repository: the programs a matrix runs, the
// arches they can be built for, and the commands that build them. Pure data:
// detection (go-project.ts, c-project.ts, detect.ts) fills it in, build.ts runs
// its commands, templates.ts renders the matrix and the workflow from it.

import type { Arch } from '../core/arch.js';

export type ProjectKind = 'go' | 'libbpf' | 'binaries' | 'placeholder';

/** One entry of the matrix's `tests:`. */
export interface ProgramGuess {
  name: string;
  /** `./…` relative to the repository root; `{goarch}` when built per arch. */
  path: string;
  kind: 'exec' | 'gotest';
}

/** One command, run from `cwd` (relative to the root, '' = the root). */
export interface BuildStep {
  cwd: string;
  argv: string[];
  env: Record<string, string>;
  /** Set on a step that builds for one arch: its failure leaves only that arch out. */
  arch?: Arch;
}

export interface Project {
  kind: ProjectKind;
  programs: ProgramGuess[];
  /** The arches the matrix lists. */
  arches: Arch[];
  /** Why each arch not in `arches` is left out. */
  leftOut: Partial<Record<Arch, string>>;
  /** Run once, before the per-arch steps (go generate, make). */
  prepare: BuildStep[];
  perArch: BuildStep[];
  /** What the guess rests on, for the user to check. */
  evidence: string;
  /** Debian packages every test needs (`packages:`). */
  packages: string[];
  /** `libc:` of the matrix: static programs need none. */
  libc: string[];
  /** Directory of go.mod, for the workflow's setup-go. */
  goModule?: string;
  /** Debian packages the workflow installs to build. */
  buildPackages: string[];
}

/** A `./`-prefixed POSIX path under the root. */
export const dotSlash = (rel: string) => `./${rel.replace(/^\.\//, '')}`;

/** A program name as `tests:` accepts it ([a-z0-9._-]). */
export const testName = (raw: string) =>
  raw
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '-')
    .replace(/^-+|-+$/g, '') || 'loader';

const shellWord = (s: string) => (/^[A-Za-z0-9_./:=,@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The step as one shell line, for the log and the workflow. */
export function renderStep(step: BuildStep): string {
  const env = Object.entries(step.env).map(([k, v]) => `${k}=${shellWord(v)}`);
  const line = [...env, ...step.argv.map(shellWord)].join(' ');
  return step.cwd ? `(cd ${shellWord(step.cwd)} && ${line})` : line;
}
