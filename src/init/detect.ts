// Guesses what a repository's tests are and how they are built, for `portmatrix init`:
//   1. a Go module with cilium/ebpf: bpf2go programs, Go tests that load BPF (go-project.ts);
//   2. libbpf C with a skeleton Makefile (c-project.ts);
//   3. existing files named for an arch (…amd64…, …arm64…, …s390x…) → the same
//      name with {goarch};
//   4. otherwise a placeholder the user must edit.
// Reads the file tree only; never runs anything (build.ts does).

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ARCHES, type Arch } from '../core/arch.js';
import { guessCProject } from './c-project.js';
import { guessGoProject } from './go-project.js';
import type { Project } from './project.js';

const SKIP = new Set(['.git', 'node_modules', 'vendor', 'dist', '.cache', 'results', 'testdata']);
const MAX_DEPTH = 4;
// A monorepo's tree is read only this far: the guess needs its top, not all of it.
const MAX_FILES = 20_000;

/** Relative POSIX paths of the files under `root`, breadth-first, sorted, bounded. */
export async function listFiles(root: string, depth = MAX_DEPTH): Promise<string[]> {
  const out: string[] = [];
  let level = [''];
  for (let d = 0; d <= depth && level.length > 0 && out.length < MAX_FILES; d++) {
    const next: string[] = [];
    for (const dir of level) {
      const entries = await readdir(path.join(root, dir), { withFileTypes: true }).catch(() => []);
      for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith('.')) next.push(rel);
        else if (e.isFile()) out.push(rel);
      }
    }
    level = next;
  }
  return out;
}

const dirOf = (f: string) => (path.posix.dirname(f) === '.' ? '' : path.posix.dirname(f));

const ARCH_TOKEN = /(?<![a-z0-9])(amd64|arm64|s390x)(?![a-z0-9])/;

function guessBinaries(files: string[]): Project | undefined {
  // Sources, objects and data named for an arch are not loaders.
  const named = files.filter((f) => ARCH_TOKEN.test(path.posix.basename(f)) && !/\.(go|c|h|o|ts|js|json|ya?ml|md|txt|sh)$/.test(f));
  const byTemplate = new Map<string, { arches: Set<Arch>; files: string[] }>();
  for (const f of named) {
    const arch = ARCH_TOKEN.exec(path.posix.basename(f))![1] as Arch;
    const dir = dirOf(f);
    const template = `./${dir ? `${dir}/` : ''}${path.posix.basename(f).replace(ARCH_TOKEN, '{goarch}')}`;
    const entry = byTemplate.get(template) ?? { arches: new Set<Arch>(), files: [] };
    entry.arches.add(arch);
    entry.files.push(f);
    byTemplate.set(template, entry);
  }
  // The template that covers the most arches wins; ties go to the first in file order.
  const best = [...byTemplate].sort((a, b) => b[1].arches.size - a[1].arches.size)[0];
  if (!best) return undefined;
  const arches = ARCHES.filter((a) => best[1].arches.has(a));
  const leftOut = Object.fromEntries(ARCHES.filter((a) => !arches.includes(a)).map((a) => [a, `no binary for it next to ${best[1].files[0]}`]));
  return { ...nothingToBuild('binaries', best[0], best[1].files.join(', ')), arches, leftOut };
}

function nothingToBuild(kind: 'binaries' | 'placeholder', loader: string, evidence: string): Project {
  return {
    kind,
    programs: [{ name: 'loader', path: loader, kind: 'exec' }],
    arches: ['amd64', 'arm64'],
    leftOut: {},
    prepare: [],
    perArch: [],
    evidence,
    packages: [],
    libc: ['static'],
    buildPackages: [],
  };
}

export async function detectProject(root: string): Promise<Project> {
  const files = await listFiles(root);
  return (
    (await guessGoProject(root, files)) ??
    (await guessCProject(root, files)) ??
    guessBinaries(files) ??
    nothingToBuild('placeholder', './build/loader-{goarch}', 'nothing recognised')
  );
}
