// File confinement: every host path a matrix names (programs, files, file:
// kernels, BTF files and objects) must resolve, after symlinks, inside the
// project: the git work tree holding matrix.yaml, else its directory. In GitHub
// Actions the matrix comes from the pull request and the reports are public, so
// a matrix must not be able to read the runner's files unless the project says so:
// `--allow-outside-project`, or `allowOutsideProject:` in the matrix (per path),
// both refused in pull-request events unless the workflow sets
// PORTMATRIX_ALLOW_OUTSIDE_PROJECT=1 (docs/matrix.md, "Files outside the project").

import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';

export interface Confinement {
  /** The project directory, real (symlinks resolved). */
  root: string;
  /** Real paths outside it that may be named (a directory allows what is under it). */
  allowed: string[];
  /** Everything is allowed (--allow-outside-project). */
  anywhere: boolean;
}

const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'];

/** The git work tree holding `dir` (a `.git` directory or file), else `dir` itself; real. */
export function projectRoot(dir: string): string {
  const real = realOrResolved(dir);
  for (let at = real; ; at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, '.git'))) return at;
    if (path.dirname(at) === at) return real;
  }
}

/** The path with symlinks resolved as far as it exists; the rest as written. */
export function realOrResolved(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync(abs);
  } catch {
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(realOrResolved(parent), path.basename(abs));
  }
}

const within = (p: string, dir: string) => {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/** Whether the real path `real` may be read under `c`. */
export function mayRead(real: string, c: Confinement): boolean {
  return c.anywhere || within(real, c.root) || c.allowed.some((a) => within(real, a));
}

/** Why outside paths are refused here; undefined outside pull-request events, or when the workflow opts in. */
export function outsideRefused(env: NodeJS.ProcessEnv): string | undefined {
  const event = env.GITHUB_EVENT_NAME ?? '';
  if (!PULL_REQUEST_EVENTS.includes(event) || env.PORTMATRIX_ALLOW_OUTSIDE_PROJECT === '1') return undefined;
  return `refused in a GitHub Actions ${event} event, where the matrix comes from the pull request; set PORTMATRIX_ALLOW_OUTSIDE_PROJECT=1 in the workflow to allow it`;
}

/** `--allow-outside-project`, checked against the event it runs in. */
export function allowOutsideFlag(flag: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  if (!flag) return false;
  const refused = outsideRefused(env);
  if (refused) throw new UsageError(`--allow-outside-project is ${refused}`);
  return true;
}

/** The rule, as error messages state it. */
export function confinementRule(c: Confinement): string {
  return `matrix paths must stay inside the project (${c.root}) after symlinks; move the file into it, or allow it with allowOutsideProject: [<path>] or --allow-outside-project`;
}
