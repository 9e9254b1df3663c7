// Guesses where a repository's loader binaries are, for `portmatrix init`:
//   1. bpf2go output (`*_bpfel.go` / `*_bpfeb.go`) → its Go main package, built
//      into ./bin/<name>-{goarch};
//   2. existing files named for an arch (…amd64…, …arm64…, …s390x…) → the same
//      name with {goarch};
//   3. otherwise a placeholder the user must edit.
// Reads the file tree only; never runs anything.

import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Arch } from '../core/arch.js';

export type LoaderGuess =
  | {
      kind: 'bpf2go';
      path: string;
      arches: Arch[];
      name: string;
      /** Directory of go.mod ('' = the repository root). */
      moduleDir: string;
      /** `./dir` of the main package relative to moduleDir, for `go build`. */
      pkg: string;
      evidence: string;
    }
  | { kind: 'binaries'; path: string; arches: Arch[]; evidence: string }
  | { kind: 'placeholder'; path: string; arches: Arch[] };

const SKIP = new Set(['.git', 'node_modules', 'vendor', 'dist', '.cache', 'results', 'testdata']);
const MAX_DEPTH = 4;

/** Relative POSIX paths of the files under `root`, breadth-first, sorted, bounded. */
export async function listFiles(root: string, depth = MAX_DEPTH): Promise<string[]> {
  const out: string[] = [];
  let level = [''];
  for (let d = 0; d <= depth && level.length > 0; d++) {
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

/** bpf2go names its output `<stem>_<target>_bpfel.go`; the target tells the arch. */
function archesOfBpf2go(files: string[]): Arch[] {
  const arches = new Set<Arch>();
  for (const f of files) {
    const base = path.posix.basename(f);
    if (/_(x86|amd64)_bpfel\.go$/.test(base)) arches.add('amd64');
    else if (/_arm64_bpfel\.go$/.test(base)) arches.add('arm64');
    else if (/_s390x?_bpfeb\.go$/.test(base)) arches.add('s390x');
    else if (/_bpfel\.go$/.test(base)) (arches.add('amd64'), arches.add('arm64'));
    else if (/_bpfeb\.go$/.test(base)) arches.add('s390x');
  }
  return (['amd64', 'arm64', 's390x'] as const).filter((a) => arches.has(a));
}

async function isMainPackage(root: string, dir: string, files: string[]): Promise<boolean> {
  const goFiles = files.filter((f) => path.posix.dirname(f) === (dir || '.') && f.endsWith('.go') && !f.endsWith('_test.go'));
  for (const f of goFiles) {
    const text = await readFile(path.join(root, f), 'utf8').catch(() => '');
    if (/^package main\b/m.test(text) && /^func main\(\)/m.test(text)) return true;
  }
  return false;
}

/** The `module` path of dir/go.mod, when there is one. */
async function modulePath(root: string, dir: string): Promise<string | undefined> {
  const text = await readFile(path.join(root, dir, 'go.mod'), 'utf8').catch(() => '');
  return /^module\s+"?([^\s"]+)"?/m.exec(text)?.[1];
}

const dirOf = (f: string) => (path.posix.dirname(f) === '.' ? '' : path.posix.dirname(f));

async function guessBpf2go(root: string, files: string[]): Promise<LoaderGuess | undefined> {
  const generated = files.filter((f) => /_bpf(el|eb)\.go$/.test(f));
  if (generated.length === 0) return undefined;
  const genDir = dirOf(generated[0]!);
  // The program is the generated package when it is `main`; else the nearest
  // main package (cmd/<name> in most repositories).
  const goDirs = [...new Set(files.filter((f) => f.endsWith('.go')).map(dirOf))];
  const candidates = [genDir, ...goDirs.filter((d) => d.startsWith('cmd/')), ...goDirs];
  let pkgDir = genDir;
  for (const d of candidates) {
    if (await isMainPackage(root, d, files)) {
      pkgDir = d;
      break;
    }
  }
  // The module that holds the package: the deepest go.mod above it.
  const moduleDir =
    files
      .filter((f) => path.posix.basename(f) === 'go.mod')
      .map(dirOf)
      .filter((d) => d === '' || pkgDir === d || pkgDir.startsWith(`${d}/`))
      .sort((a, b) => b.length - a.length)[0] ?? '';
  const rel = moduleDir ? path.posix.relative(moduleDir, pkgDir) : pkgDir;
  // Named like `go build` names it: the last element of the import path.
  const importPath = rel ? rel : await modulePath(root, moduleDir);
  const name = (importPath ?? path.basename(path.join(root, pkgDir)))
    .split('/')
    .filter((part) => !/^v[0-9]+$/.test(part))
    .at(-1)!
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '-');
  return {
    kind: 'bpf2go',
    path: `./bin/${name}-{goarch}`,
    arches: archesOfBpf2go(generated),
    name,
    moduleDir,
    pkg: rel ? `./${rel}` : '.',
    evidence: generated.slice(0, 3).join(', '),
  };
}

const ARCH_TOKEN = /(?<![a-z0-9])(amd64|arm64|s390x)(?![a-z0-9])/;

function guessBinaries(files: string[]): LoaderGuess | undefined {
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
  const arches = (['amd64', 'arm64', 's390x'] as const).filter((a) => best[1].arches.has(a));
  return { kind: 'binaries', path: best[0], arches, evidence: best[1].files.join(', ') };
}

export async function detectLoader(root: string): Promise<LoaderGuess> {
  const files = await listFiles(root);
  return (
    (await guessBpf2go(root, files)) ??
    guessBinaries(files) ?? { kind: 'placeholder', path: './build/loader-{goarch}', arches: ['amd64', 'arm64'] }
  );
}
