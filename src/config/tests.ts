// `tests:` (or `loader:`, which means one test named `loader`) and `packages:`:
// names, kinds, paths per arch, file destinations and working directories,
// checked with located failures; the result is what plan/expand.ts copies per cell.

import fs from 'node:fs';
import path from 'node:path';
import type { Arch } from '../core/arch.js';
import type { PackageAt, PackagesSpec } from '../core/cell.js';
import { TEST_NAME } from '../core/names.js';
import { LIBC_SUITES } from './kernels.js';
import { fieldName, type PathKey } from './locate.js';
import type { MatrixTest } from './matrix.js';
import { checkPlaceholders, type Fail, fillPlaceholders } from './placeholders.js';
import type { RawMatrix } from './schema.js';
import { oneOf } from './suggest.js';

export interface TestsOptions {
  checkLoaderFiles: boolean;
  fail: Fail;
  lineOf: (path: PathKey[]) => { line: number; col: number };
  /** Whether the path is written in the file. */
  written: (path: PathKey[]) => boolean;
}

type RawTest = NonNullable<RawMatrix['tests']>[number];
type RawPackages = NonNullable<RawMatrix['packages']>;

/** A directory under the test's root: relative, no `..`, so a test cannot write outside its root. */
const UNDER_ROOT = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/-]*$/;

function relativeDir(value: string, at: PathKey[], fail: Fail): string {
  if (!UNDER_ROOT.test(value)) fail(at, `${JSON.stringify(value)} is not a directory under the test root`, 'write a relative path without "..", e.g. testdata');
  return value.replace(/^\.\/?/, '').replace(/\/+$/, '');
}

export function buildPackages(raw: RawPackages, at: PathKey[], o: TestsOptions): PackagesSpec {
  // `packages: [a, b]` or `packages: {names: [a, b]}`: the same names, written at other paths.
  const listAt: PathKey[] = o.written([...at, 'names']) ? [...at, 'names'] : at;
  if (raw.names.length === 0) o.fail(listAt, 'is empty', 'list at least one package, e.g. [libbpf1], or remove the key');
  const where: Record<string, PackageAt> = {};
  raw.names.forEach((n, i) => {
    if (!/^[a-z0-9][a-z0-9+.-]+$/.test(n))
      o.fail([...listAt, i], `${JSON.stringify(n)} is not a Debian package name`, 'write the binary package name, e.g. libbpf1');
    where[n] ??= { ...o.lineOf([...listAt, i]), field: fieldName([...listAt, i]) };
  });
  if (raw.suite !== undefined && !(LIBC_SUITES as readonly string[]).includes(raw.suite))
    o.fail([...at, 'suite'], `${JSON.stringify(raw.suite)} is not a suite portmatrix knows`, oneOf(raw.suite, LIBC_SUITES));
  return { names: raw.names, ...(raw.suite === undefined ? {} : { suite: raw.suite }), at: where };
}

/** Arches an exclude entry `{arch, test}` (nothing else) takes the test off entirely: it needs no build there. */
function excludedArches(raw: RawMatrix, name: string): Set<string> {
  return new Set(raw.exclude.filter((e) => e.test === name && e.arch && !e.kernel && !e.config && !e.libc).map((e) => e.arch!));
}

function buildTest(t: RawTest, at: PathKey[], o: TestsOptions, dir: string, arches: Arch[]): MatrixTest {
  if (!TEST_NAME.test(t.name))
    o.fail([...at, 'name'], `${JSON.stringify(t.name)} is not a valid test name`, 'use lower-case letters, digits, ".", "_" and "-"');
  checkPlaceholders(t.path, [...at, 'path'], o.fail);
  const files = t.files.map((f, i) => {
    checkPlaceholders(f.src, [...at, 'files', i], o.fail);
    return { src: path.resolve(dir, f.src), dest: relativeDir(f.dest, [...at, 'files', i, 'dest'], o.fail) };
  });
  const abs = path.resolve(dir, t.path);
  if (o.checkLoaderFiles) {
    for (const arch of arches) {
      // Named as written (relative to the matrix file), so the message is the same on every machine.
      if (!fs.existsSync(fillPlaceholders(abs, arch))) {
        o.fail(
          [...at, 'path'],
          `the ${at[0] === 'loader' ? 'loader' : `test ${t.name}`} for ${arch} (${fillPlaceholders(t.path, arch)}) does not exist`,
          `build it for ${arch} first (the bundled example builds with scripts/build-example)${at[0] === 'loader' ? '' : `, or exclude it there: exclude: [{arch: ${arch}, test: ${t.name}}]`}`,
        );
      }
    }
  }
  const test: MatrixTest = {
    name: t.name,
    kind: t.kind,
    path: abs,
    args: t.args,
    env: t.env,
    files,
    workdir: t.workdir === undefined ? '' : relativeDir(t.workdir, [...at, 'workdir'], o.fail),
    timeout: t.timeout,
    line: o.lineOf(at).line,
  };
  if (t.packages) test.packages = buildPackages(t.packages, [...at, 'packages'], o);
  return test;
}

/** The matrix's tests: `tests:`, or `loader:` as one test named `loader`; exactly one of them. */
export function buildTests(raw: RawMatrix, o: TestsOptions, dir: string, arches: Arch[]): MatrixTest[] {
  if (raw.tests && raw.loader)
    o.fail(['loader'], 'is given together with tests', 'loader means one test named loader: move it into tests as {name: loader, path: ...}, or remove tests');
  if (raw.loader) return [buildTest({ ...raw.loader, name: 'loader', kind: 'exec' }, ['loader'], o, dir, arches)];
  if (!raw.tests) return o.fail([], 'has neither tests nor loader', 'add tests: [{name: smoke, path: build/smoke-{arch}}] (or loader: {path: ...})');
  if (raw.tests.length === 0) o.fail(['tests'], 'is empty', 'list at least one test, e.g. [{name: smoke, path: build/smoke-{arch}}]');
  const seen = new Map<string, number>();
  return raw.tests.map((t, i) => {
    const first = seen.get(t.name);
    if (first !== undefined)
      o.fail(['tests', i, 'name'], `duplicate test name ${JSON.stringify(t.name)} (also tests[${first}])`, 'give each test a distinct name');
    seen.set(t.name, i);
    return buildTest(
      t,
      ['tests', i],
      o,
      dir,
      arches.filter((a) => !excludedArches(raw, t.name).has(a)),
    );
  });
}
