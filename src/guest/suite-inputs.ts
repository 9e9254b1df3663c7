// The inputs of a cell, which runs a list of tests: the libc tree (initramfs.ts), then per test its program at /portmatrix/bin/<i> and its
// files under its own root /portmatrix/t/<i> (a `{src, dest}` entry under dest,
// names kept) — the shared part — then the cell's BTF and cell.sh. Two files of one test landing on one path are an error.

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Arch } from '../core/arch.js';
import type { TestSpec } from '../core/cell.js';
import { UsageError } from '../errors.js';
import type { CpioEntry } from './cpio.js';
import { ownInputEntries, sharedInputEntries } from './initramfs.js';
import { guestFiles, testRoot } from './test-steps.js';

export interface SuiteInputsSpec {
  arch: Arch;
  /** The cell's tests with their indexes (a tail of the list after a guest died). */
  tests: { index: number; spec: TestSpec }[];
  script: string;
  libcDir?: string;
  /** Unpacked `packages:` trees, merged at / after the libc. */
  packageRoots?: readonly string[];
  extra?: { hostPath: string; guestPath: string; mode?: number }[];
}

async function hostFile(what: string, p: string): Promise<{ data: Buffer; mode: number }> {
  try {
    // stat, not lstat: a file reached through a symlink gets its target's mode.
    const [data, st] = await Promise.all([readFile(p), stat(p)]);
    return { data, mode: st.mode & 0o777 };
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${p}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      cause: err,
    });
  }
}

/** Every directory from `dir` up to (not including) `/`, parents first. */
function parents(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; d !== '/' && d !== '.'; d = path.posix.dirname(d)) out.unshift(d.slice(1));
  return out;
}

async function testEntries(index: number, spec: TestSpec): Promise<CpioEntry[]> {
  const entries: CpioEntry[] = [];
  // The root and the directory the test starts in exist even when no file lands there.
  const dirs = new Set<string>(parents(spec.workdir ? path.posix.join(testRoot(index), spec.workdir) : testRoot(index)));
  const seen = new Map<string, string>();
  for (const [n, f] of guestFiles(spec, index).entries()) {
    const clash = seen.get(f.guest);
    if (clash) throw new UsageError(`test ${spec.name}: files ${clash} and ${f.src} both land at ${f.guest}; rename one or give them different dest`);
    seen.set(f.guest, f.src);
    for (const d of parents(path.posix.dirname(f.guest))) dirs.add(d);
    const file = await hostFile(n === 0 ? `test ${spec.name}'s program` : `test ${spec.name}'s file`, f.src);
    // The program is always executable; files keep their mode.
    entries.push({ path: f.guest.slice(1), type: 'file', mode: n === 0 ? 0o755 : file.mode, data: file.data });
  }
  return [...[...dirs].sort().map((d): CpioEntry => ({ path: d, type: 'dir', mode: 0o755 })), ...entries];
}

/** The part every cell of a boot with these tests shares: libc, packages, the tests' programs and files. */
export async function suiteSharedEntries(spec: Omit<SuiteInputsSpec, 'script' | 'extra'>): Promise<CpioEntry[]> {
  const base = await sharedInputEntries({ arch: spec.arch, libcDir: spec.libcDir, packageRoots: spec.packageRoots });
  const tests = (await Promise.all(spec.tests.map((t) => testEntries(t.index, t.spec)))).flat();
  return [...base, ...tests];
}

export async function suiteInputEntries(spec: SuiteInputsSpec): Promise<CpioEntry[]> {
  return [...(await suiteSharedEntries(spec)), ...(await ownInputEntries(spec))];
}
