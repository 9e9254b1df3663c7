// A libbpf C project with a skeleton, for `portmatrix init`: a Makefile that runs
// `bpftool gen skeleton`. `make` builds it for the host's arch only (a Makefile
// has no portable way to ask for another arch), so the matrix lists that arch
// and says how to add the others. The programs are the ELF executables `make`
// leaves in the Makefile's directory; one that needs libbpf.so.1 gets Debian's
// libbpf1 in the guest, and a dynamically linked one a Debian libc.

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ARCHES, type Arch, hostArch } from '../core/arch.js';
import { readElf } from '../guest/elf.js';
import { dotSlash, type ProgramGuess, type Project, testName } from './project.js';

const MAKEFILES = new Set(['Makefile', 'makefile', 'GNUmakefile']);
/** The suite a dynamically linked program gets: the newest stable glibc and libbpf, which run older builds. */
export const LIBBPF_SUITE = 'debian:trixie';

const dirOf = (f: string) => (path.posix.dirname(f) === '.' ? '' : path.posix.dirname(f));

export async function guessCProject(root: string, files: string[]): Promise<Project | undefined> {
  for (const f of files.filter((m) => MAKEFILES.has(path.posix.basename(m)))) {
    const text = await readFile(path.join(root, f), 'utf8').catch(() => '');
    if (!/\bgen\s+skel(eton)?\b/.test(text)) continue;
    const dir = dirOf(f);
    const host = hostArch();
    const arches: Arch[] = host ? [host] : [];
    const crossHint = 'make builds for the host only; cross-compile for it (CC, a sysroot with its libbpf) and add it';
    return {
      kind: 'libbpf',
      // Filled in from what `make` built (programsBuilt); a TODO until then.
      programs: [{ name: 'loader', path: dotSlash(path.posix.join(dir, 'TODO-your-program')), kind: 'exec' }],
      arches,
      leftOut: Object.fromEntries(ARCHES.filter((a) => !arches.includes(a)).map((a) => [a, crossHint])),
      prepare: [{ cwd: dir, argv: ['make'], env: {} }],
      perArch: [],
      evidence: `${f}: bpftool gen skeleton`,
      packages: [],
      libc: [LIBBPF_SUITE],
      buildPackages: ['make', 'clang', 'llvm', 'gcc', 'libbpf-dev', 'bpftool'],
    };
  }
  return undefined;
}

const isExecutable = (file: string) =>
  stat(file).then(
    (s) => s.isFile() && (s.mode & 0o111) !== 0,
    () => false,
  );

/** The project with the executables `make` built under the Makefile's directory, their arch and libraries. */
export async function programsBuilt(root: string, project: Project, files: string[]): Promise<Project> {
  const dir = project.prepare[0]?.cwd ?? '';
  const found: { rel: string; arch: Arch; needed: string[]; static: boolean }[] = [];
  for (const rel of files.filter((f) => dir === '' || f.startsWith(`${dir}/`))) {
    if (/\.(o|so(\.\d+)*|a)$/.test(rel) || !(await isExecutable(path.join(root, rel)))) continue;
    const elf = await readElf(path.join(root, rel));
    if (elf?.arch) found.push({ rel, arch: elf.arch, needed: elf.needed, static: elf.static });
  }
  if (found.length === 0) return project;
  const programs: ProgramGuess[] = found.map((p) => ({
    name: testName(path.posix.basename(p.rel)),
    path: dotSlash(p.rel),
    kind: 'exec',
  }));
  const arches = ARCHES.filter((a) => found.some((p) => p.arch === a));
  return {
    ...project,
    programs,
    arches,
    leftOut: Object.fromEntries(ARCHES.filter((a) => !arches.includes(a)).map((a) => [a, project.leftOut[a] ?? 'not built'])),
    packages: found.some((p) => p.needed.includes('libbpf.so.1')) ? ['libbpf1'] : [],
    libc: found.every((p) => p.static) ? ['static'] : [LIBBPF_SUITE],
    evidence: `${project.evidence}; built ${found.map((p) => p.rel).join(', ')}`,
  };
}
