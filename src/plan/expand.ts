// Matrix → Cell[] (pure apart from the injected file glob). Order: kernels as
// written, then arches, configs and libcs as written. Rules, GitHub-Actions-like:
//   1. the full product kernels × arches × configs × libc;
//   2. `exclude` removes every combination matching an entry;
//   3. `include` adds back every combination of the product matching an entry
//      (so it only ever re-adds what an exclude removed; values must be in the axes);
//   4. `expect` marks matching cells as expected failures (the first entry wins).
// A Debian kernel with no build for the cell's arch makes the cell `skip`.

import { distroUnavailable, parseSource } from '../config/kernels.js';
import type { Matrix, MatrixTest } from '../config/matrix.js';
import { fillPlaceholders } from '../config/semantic.js';
import type { Cell, KernelSpec, PackagesSpec, TestSpec } from '../core/cell.js';
import { distroOf } from '../core/distros.js';
import { filesOf } from './files.js';
import { hasGlob } from './glob.js';
import { type Combo, describeMatch, matches } from './match.js';

export interface ExpandOptions {
  /** Expands one absolute pattern to files; default: what plan/files.ts walked (Matrix.globbed). */
  glob?: (pattern: string) => string[];
}

function product(m: Matrix): Combo[] {
  const out: Combo[] = [];
  for (const kernel of m.kernels)
    for (const arch of m.arches) for (const config of m.configs) for (const libc of m.libc) out.push({ kernel, arch, config, libc });
  return out;
}

interface Selection {
  combos: Combo[];
  /** How many combinations each exclude removed, include added, expect marked. */
  counts: { exclude: number[]; include: number[]; expect: number[] };
}

function select(m: Matrix): Selection {
  const all = product(m);
  const kept = new Set(all);
  const exclude = m.exclude.map((e) => {
    // An entry naming a test removes that test, not the cell (testsOf below).
    if (e.test !== undefined) return all.filter((c) => kept.has(c) && matches(e, c)).length;
    const hit = all.filter((c) => kept.has(c) && matches(e, c));
    hit.forEach((c) => kept.delete(c));
    return hit.length;
  });
  const include = m.include.map((e) => {
    const hit = all.filter((c) => !kept.has(c) && matches(e, c));
    hit.forEach((c) => kept.add(c));
    return hit.length;
  });
  const combos = all.filter((c) => kept.has(c));
  const expect = m.expect.map((e) => combos.filter((c) => matches(e, c) && testsOf(m, c).some((t) => e.test === undefined || t.name === e.test)).length);
  return { combos, counts: { exclude, include, expect } };
}

export interface MatchWarning {
  field: string;
  message: string;
  line?: number;
  col?: number;
}

/** Entries that change nothing: most likely a typo in an axis combination. */
export function matchReport(m: Matrix): MatchWarning[] {
  const { counts } = select(m);
  const out: MatchWarning[] = [];
  const warn = (field: 'exclude' | 'include' | 'expect', i: number, message: string) => {
    const entry = m[field][i]!;
    out.push({
      field: `${field}[${i}]`,
      message: `${describeMatch(entry)} ${message}`,
      line: entry.line,
      col: entry.col,
    });
  };
  counts.exclude.forEach((n, i) => n === 0 && warn('exclude', i, 'matches no cell (an earlier exclude already removed them)'));
  counts.include.forEach(
    (n, i) => n === 0 && warn('include', i, 'adds no cell (every matching combination is already in the matrix; include only re-adds excluded ones)'),
  );
  counts.expect.forEach((n, i) => n === 0 && warn('expect', i, 'matches no cell (they are all excluded)'));
  return out;
}

/** The kernel this cell boots: a config's flavour overrides a distribution source's, where it has that flavour. */
function effectiveKernel(kernel: KernelSpec, flavour: string | undefined): { kernel: KernelSpec; parsed: ReturnType<typeof parseSource> } {
  const parsed = parseSource(kernel.source);
  if (!flavour || parsed?.kind !== 'distro' || parsed.flavour === flavour) return { kernel, parsed };
  const flavours = distroOf(parsed.scheme)?.flavours ?? [];
  if (!flavours.includes(flavour)) return { kernel, parsed };
  const source = `${parsed.scheme}:${parsed.release}${flavour === flavours[0] ? '' : `/${flavour}`}`;
  return { kernel: { ...kernel, source }, parsed: { ...parsed, flavour } };
}

/** Whether cell ids carry a libc segment: only when libc is more than the default `[static]`. */
export function idHasLibc(m: Matrix): boolean {
  return m.libc.length > 1 || m.libc[0] !== 'static';
}

export function cellId(c: Combo, withLibc: boolean): string {
  // `debian:bookworm` → `debian-bookworm`: ids end up in file and artifact names, where ':' is unsafe.
  return [c.arch, c.kernel.name, c.config.name, ...(withLibc ? [c.libc.replace(':', '-')] : [])].join('/');
}

/** The matrix's tests a combination runs: all but those an `exclude` naming the test removes. */
function testsOf(m: Matrix, c: Combo): MatrixTest[] {
  return m.tests.filter((t) => !m.exclude.some((e) => e.test === t.name && matches(e, c)));
}

/** Matrix-level packages then the test's own; the test's suite wins. */
function mergePackages(m: Matrix, t: MatrixTest): PackagesSpec | undefined {
  const names = [...new Set([...(m.packages?.names ?? []), ...(t.packages?.names ?? [])])];
  if (names.length === 0) return undefined;
  const suite = t.packages?.suite ?? m.packages?.suite;
  // A name the test lists is found where the test lists it.
  const at = { ...m.packages?.at, ...t.packages?.at };
  return { names, ...(suite ? { suite } : {}), ...(Object.keys(at).length ? { at } : {}) };
}

function testSpec(m: Matrix, t: MatrixTest, c: Combo, glob: (pattern: string) => string[]): TestSpec {
  const files = t.files.flatMap(({ src, dest }) => {
    const filled = fillPlaceholders(src, c.arch);
    return (hasGlob(filled) ? glob(filled) : [filled]).map((file) => ({ src: file, dest }));
  });
  const seen = new Set<string>();
  const spec: TestSpec = {
    name: t.name,
    kind: t.kind,
    path: fillPlaceholders(t.path, c.arch),
    args: [...t.args],
    env: { ...t.env },
    files: files.filter((f) => !seen.has(`${f.dest}\0${f.src}`) && seen.add(`${f.dest}\0${f.src}`)),
    workdir: t.workdir,
    timeoutSec: t.timeout,
  };
  const packages = mergePackages(m, t);
  if (packages) spec.packages = packages;
  const expectation = m.expect.find((e) => e.test === t.name && matches(e, c));
  if (expectation) spec.expect = { result: expectation.result, reason: expectation.reason };
  return spec;
}

export function expandCells(m: Matrix, opts: ExpandOptions = {}): Cell[] {
  const glob = opts.glob ?? ((pattern: string) => filesOf(m, pattern));
  const withLibc = idHasLibc(m);
  const { combos } = select(m);
  return combos.flatMap((c) => {
    const { kernel, parsed } = effectiveKernel(c.kernel, c.config.flavour);
    const tests = testsOf(m, c).map((t) => testSpec(m, t, c, glob));
    // Every test excluded here: nothing to boot for.
    if (tests.length === 0) return [];
    const cell: Cell = { id: cellId(c, withLibc), arch: c.arch, kernel, config: c.config, libc: c.libc, tests };
    const expectation = m.expect.find((e) => e.test === undefined && matches(e, c));
    if (expectation) cell.expect = { result: expectation.result, reason: expectation.reason };
    const unavailable = distroUnavailable(parsed, c.arch);
    if (unavailable) cell.skip = unavailable;
    return [cell];
  });
}
