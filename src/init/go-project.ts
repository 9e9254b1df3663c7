// A Go module that uses cilium/ebpf, for `portmatrix init`:
//   - bpf2go programs: `//go:generate … bpf2go …` (`go tool bpf2go` or `go run
//     …/cmd/bpf2go`), or its committed output (`*_bpfel.go` / `*_bpfeb.go`) → the
//     nearest main package, built per arch into ./bin/<name>-<goarch>;
//   - packages whose tests import cilium/ebpf → `go test -c` per arch into
//     ./bin/<pkg>-tests-<goarch>, a `kind: gotest` test each.
// Generated files are often git-ignored, so the directives count, not the output.
// Reads the file tree only; build.ts runs the steps.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ARCHES, type Arch } from '../core/arch.js';
import { type BuildStep, type ProgramGuess, type Project, testName } from './project.js';

const dirOf = (f: string) => (path.posix.dirname(f) === '.' ? '' : path.posix.dirname(f));
const read = (root: string, rel: string) => readFile(path.join(root, rel), 'utf8').catch(() => '');

/** bpf2go's `-target` values → our arches; its default is `bpfel,bpfeb`. */
const TARGETS: Record<string, Arch[]> = {
  amd64: ['amd64'],
  x86: ['amd64'],
  arm64: ['arm64'],
  s390x: ['s390x'],
  s390: ['s390x'],
  bpfel: ['amd64', 'arm64'],
  bpfeb: ['s390x'],
  bpf: [...ARCHES],
};

interface Bpf2go {
  dir: string;
  arches: Arch[];
  evidence: string;
  /** A //go:generate line (else committed output, nothing to generate). */
  directive: boolean;
}

function targetArches(directive: string): Arch[] {
  const value = /\s-target[= ]\s*(\S+)/.exec(directive)?.[1] ?? 'bpfel,bpfeb';
  const found = new Set(value.split(',').flatMap((t) => TARGETS[t] ?? []));
  return ARCHES.filter((a) => found.has(a));
}

/** Where bpf2go runs: its directives, else its committed output. */
async function bpf2goUses(root: string, goFiles: string[]): Promise<Bpf2go[]> {
  const uses: Bpf2go[] = [];
  for (const f of goFiles.filter((g) => !g.endsWith('_test.go'))) {
    for (const m of (await read(root, f)).matchAll(/^\/\/go:generate\s+(.*\bbpf2go\b.*)$/gm)) {
      uses.push({
        dir: dirOf(f),
        arches: targetArches(m[1]!),
        evidence: `${f}: //go:generate ${m[1]!.trim()}`,
        directive: true,
      });
    }
  }
  if (uses.length > 0) return uses;
  const generated = goFiles.filter((f) => /_bpf(el|eb)\.go$/.test(f));
  if (generated.length === 0) return [];
  const found = new Set<Arch>();
  for (const f of generated) {
    const target = /_([a-z0-9]+)_bpfe[lb]\.go$/.exec(f)?.[1] ?? (f.endsWith('_bpfeb.go') ? 'bpfeb' : 'bpfel');
    for (const a of TARGETS[target] ?? []) found.add(a);
  }
  const arches = ARCHES.filter((a) => found.has(a));
  return [{ dir: dirOf(generated[0]!), arches, evidence: generated.slice(0, 3).join(', '), directive: false }];
}

async function isMainPackage(root: string, dir: string, goFiles: string[]): Promise<boolean> {
  for (const f of goFiles.filter((g) => dirOf(g) === dir && !g.endsWith('_test.go'))) {
    const text = await read(root, f);
    if (/^package main\b/m.test(text) && /^func main\(\)/m.test(text)) return true;
  }
  return false;
}

/** The program is the bpf2go package when it is `main`; else the nearest main package (cmd/<name> mostly). */
async function mainPackage(root: string, genDir: string, goFiles: string[]): Promise<string> {
  const goDirs = [...new Set(goFiles.map(dirOf))];
  for (const d of [genDir, ...goDirs.filter((g) => g.startsWith('cmd/') || g.includes('/cmd/')), ...goDirs]) {
    if (await isMainPackage(root, d, goFiles)) return d;
  }
  return genDir;
}

/** The deepest go.mod directory above `dir`. */
function moduleOf(dir: string, files: string[]): string {
  const modules = files.filter((f) => path.posix.basename(f) === 'go.mod').map(dirOf);
  return modules.filter((m) => m === '' || dir === m || dir.startsWith(`${m}/`)).sort((a, b) => b.length - a.length)[0] ?? '';
}

/** Named like `go build` names it: the last element of the import path, without a /vN suffix. */
async function goName(root: string, moduleDir: string, pkgDir: string): Promise<string> {
  const rel = path.posix.relative(moduleDir, pkgDir);
  const modulePath = /^module\s+"?([^\s"]+)"?/m.exec(await read(root, path.posix.join(moduleDir, 'go.mod')))?.[1];
  const importPath = rel || modulePath || path.basename(path.join(root, pkgDir));
  return testName(
    importPath
      .split('/')
      .filter((part) => !/^v[0-9]+$/.test(part))
      .at(-1)!,
  );
}

const pkgArg = (moduleDir: string, pkgDir: string) => {
  const rel = path.posix.relative(moduleDir, pkgDir);
  return rel ? `./${rel}` : '.';
};

/** Per-arch steps: `go build` for a program, `go test -c` for a test package. */
function goSteps(moduleDir: string, pkgDir: string, program: ProgramGuess, arches: Arch[]): BuildStep[] {
  return arches.map((arch) => {
    const out = path.posix.relative(moduleDir || '.', program.path.replace('{goarch}', arch)) || program.path;
    const verb = program.kind === 'gotest' ? ['test', '-c'] : ['build'];
    // Static: the guest's userspace is busybox unless the matrix adds a libc.
    return {
      cwd: moduleDir,
      argv: ['go', ...verb, '-o', out, pkgArg(moduleDir, pkgDir)],
      env: { CGO_ENABLED: '0', GOARCH: arch },
      arch,
    };
  });
}

async function testPackages(root: string, goFiles: string[]): Promise<string[]> {
  const dirs = new Set<string>();
  for (const f of goFiles.filter((g) => g.endsWith('_test.go'))) {
    if (/"github\.com\/cilium\/ebpf(\/[^"]*)?"/.test(await read(root, f))) dirs.add(dirOf(f));
  }
  return [...dirs].sort();
}

/** `go generate` of the packages with bpf2go directives, once per module. */
function generateSteps(uses: Bpf2go[], files: string[]): BuildStep[] {
  const byModule = new Map<string, Set<string>>();
  for (const u of uses.filter((use) => use.directive)) {
    const moduleDir = moduleOf(u.dir, files);
    byModule.set(moduleDir, (byModule.get(moduleDir) ?? new Set()).add(pkgArg(moduleDir, u.dir)));
  }
  return [...byModule].map(([cwd, dirs]) => ({ cwd, argv: ['go', 'generate', ...dirs], env: {} }));
}

/** The bpf2go program (its nearest main package) and a test binary per tested package. */
async function goTargets(root: string, files: string[], uses: Bpf2go[], tested: string[]) {
  const goFiles = files.filter((f) => f.endsWith('.go'));
  const targets: { dir: string; program: ProgramGuess }[] = [];
  if (uses.length > 0) {
    const dir = await mainPackage(root, uses[0]!.dir, goFiles);
    const name = await goName(root, moduleOf(dir, files), dir);
    targets.push({ dir, program: { name, path: `./bin/${name}-{goarch}`, kind: 'exec' } });
  }
  for (const dir of tested) {
    const name = `${await goName(root, moduleOf(dir, files), dir)}-tests`;
    targets.push({ dir, program: { name, path: `./bin/${name}-{goarch}`, kind: 'gotest' } });
  }
  return targets;
}

export async function guessGoProject(root: string, files: string[]): Promise<Project | undefined> {
  const goFiles = files.filter((f) => f.endsWith('.go'));
  const uses = await bpf2goUses(root, goFiles);
  const tested = await testPackages(root, goFiles);
  if (uses.length === 0 && tested.length === 0) return undefined;
  const arches = ARCHES.filter((a) => uses.every((u) => u.arches.includes(a)));
  const noObject = (a: Arch) => `bpf2go builds no object for it (${uses.find((u) => !u.arches.includes(a))!.evidence})`;
  const targets = await goTargets(root, files, uses, tested);
  const evidence = [...uses.map((u) => u.evidence), ...tested.map((d) => `tests importing cilium/ebpf in ${d || '.'}`)];
  return {
    kind: 'go',
    programs: targets.map((t) => t.program),
    arches,
    leftOut: Object.fromEntries(ARCHES.filter((a) => !arches.includes(a)).map((a) => [a, noObject(a)])),
    prepare: generateSteps(uses, files),
    perArch: targets.flatMap((t) => goSteps(moduleOf(t.dir, files), t.dir, t.program, arches)),
    evidence: evidence.join('; '),
    packages: [],
    libc: ['static'],
    goModule: moduleOf(targets[0]!.dir, files),
    buildPackages: uses.length > 0 ? ['clang', 'llvm', 'libbpf-dev'] : [],
  };
}
