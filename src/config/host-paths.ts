// Every host path the matrix names, checked where it is written: inside the
// project (confine.ts) after symlinks, and a program is a regular file (not a
// directory, not a device whose read never ends). A glob's fixed part is checked
// here; what it matches is checked as plan/glob.ts walks.

import fs from 'node:fs';
import path from 'node:path';
import type { Arch } from '../core/arch.js';
import { parseBtfMode } from './btf.js';
import { type Confinement, confinementRule, mayRead, outsideRefused, projectRoot, realOrResolved } from './confine.js';
import { parseSource } from './kernels.js';
import { fieldName, type PathKey } from './locate.js';
import { type Fail, fillPlaceholders } from './placeholders.js';
import type { RawMatrix } from './schema.js';

export interface HostPathOptions {
  dir: string;
  arches: Arch[];
  /** --allow-outside-project, checked against the event. */
  anywhere: boolean;
  /** The command's environment: GITHUB_EVENT_NAME decides whether `allowOutsideProject:` may be used. */
  env?: NodeJS.ProcessEnv;
  /** `run` and `plan` (the programs must be built); `plan --github-matrix` runs before the build. */
  checkFiles: boolean;
  fail: Fail;
  lineOf: (at: PathKey[]) => { line: number; col: number };
}

type Checks = HostPathOptions & { confinement: Confinement };

/** A glob of the matrix, where it is written: plan/files.ts walks it. */
export interface GlobSite {
  /** Absolute, `{arch}` / `{goarch}` still in it. */
  pattern: string;
  field: string;
  line: number;
  col: number;
  /** A `btf.objects` entry (checked to match by `run`'s BTF pre-flight), else a test's `files`. */
  btf: boolean;
}

const hasGlob = (pattern: string) => /[*?[]/.test(pattern);

/** The directories a glob pattern starts from: its segments before the first glob character. */
export function globBase(pattern: string): string {
  const segments = pattern.split('/');
  const first = segments.findIndex(hasGlob);
  return first < 0 ? pattern : segments.slice(0, first).join('/') || '/';
}

function confined(abs: string, at: PathKey[], shown: string, o: Checks): void {
  const real = realOrResolved(abs);
  if (mayRead(real, o.confinement)) return;
  const via = real === path.resolve(abs) ? '' : ` (through a symlink, to ${real})`;
  o.fail(at, `${JSON.stringify(shown)} is outside the project${via}`, confinementRule(o.confinement));
}

/** A program: a regular file once built, never a directory or a device. */
function program(written: string, at: PathKey[], o: Checks): void {
  if (written.trim() === '') o.fail(at, 'is empty', 'write the program path, e.g. build/loader-{arch}');
  for (const arch of o.arches) {
    const abs = path.resolve(o.dir, fillPlaceholders(written, arch));
    confined(abs, at, fillPlaceholders(written, arch), o);
    const st = o.checkFiles ? fs.statSync(abs, { throwIfNoEntry: false }) : undefined;
    if (st && !st.isFile()) {
      o.fail(
        at,
        `${fillPlaceholders(written, arch)} is ${st.isDirectory() ? 'a directory' : 'not a regular file (a device or a pipe?)'}`,
        'name the program file itself, e.g. build/loader-{arch}',
      );
    }
  }
}

/** A file or glob: a plain path is confined per arch; a glob's fixed part here, its matches in the walk. */
function fileOrGlob(written: string, at: PathKey[], o: Checks, sites: GlobSite[]): void {
  if (written.trim() === '') o.fail(at, 'is empty', 'write a path or glob relative to the matrix file, e.g. testdata/*.elf');
  for (const arch of o.arches) {
    const filled = fillPlaceholders(written, arch);
    confined(globBase(path.resolve(o.dir, filled)), at, filled, o);
  }
  const pattern = path.resolve(o.dir, written);
  if (hasGlob(pattern)) sites.push({ pattern, field: fieldName(at), ...o.lineOf(at), btf: at[0] === 'btf' });
}

function kernelFile(source: string | undefined, at: PathKey[], o: Checks): void {
  const parsed = source === undefined ? undefined : parseSource(source);
  if (parsed?.kind === 'file' && parsed.path) confined(path.resolve(o.dir, parsed.path), at, parsed.path, o);
}

function btfFile(value: string | undefined, at: PathKey[], o: Checks): void {
  const mode = value === undefined ? undefined : parseBtfMode(value);
  if (mode?.kind === 'file') confined(path.resolve(o.dir, mode.path), at, mode.path, o);
}

/** The matrix's own opt-ins: real paths outside the project it may name (refused where the flag is). */
function allowedOutside(raw: RawMatrix, dir: string, env: NodeJS.ProcessEnv, fail: Fail): string[] {
  const list = raw.allowOutsideProject ?? [];
  const refused = list.length ? outsideRefused(env) : undefined;
  if (refused) fail(['allowOutsideProject'], `is ${refused}`, 'or remove the key and keep the files inside the project');
  return list.map((p, i) => (p.trim() ? realOrResolved(path.resolve(dir, p)) : fail(['allowOutsideProject', i], 'is empty', 'write a path, e.g. /boot')));
}

/** Checks every path; returns where they may lead, and the globs for plan/files.ts to walk. */
export function checkHostPaths(raw: RawMatrix, opts: HostPathOptions): { confinement: Confinement; globSites: GlobSite[] } {
  const confinement = {
    root: projectRoot(opts.dir),
    allowed: allowedOutside(raw, opts.dir, opts.env ?? {}, opts.fail),
    anywhere: opts.anywhere,
  };
  const o: Checks = { ...opts, confinement };
  const sites: GlobSite[] = [];
  raw.kernels.forEach((k, i) => {
    kernelFile(k.source, ['kernels', i, 'source'], o);
    btfFile(k.btf, ['kernels', i, 'btf'], o);
  });
  raw.configs.forEach((c, i) => btfFile(c.btf, ['configs', i, 'btf'], o));
  raw.bisect?.forEach((b, i) => kernelFile(b, ['bisect', i], o));
  raw.btf.objects.forEach((p, i) => fileOrGlob(p, ['btf', 'objects', i], o, sites));
  const tests: [PathKey[], { path: string; files: { src: string; dest: string }[] }][] = (raw.tests ?? []).map((t, i) => [['tests', i], t]);
  if (raw.loader) tests.push([['loader'], raw.loader]);
  for (const [at, t] of tests) {
    program(t.path, [...at, 'path'], o);
    t.files.forEach((f, j) => fileOrGlob(f.src, [...at, 'files', j], o, sites));
  }
  return { confinement, globSites: sites };
}
