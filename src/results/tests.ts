// The tests of a cell result (schema 2), counted (outcome/cell-outcome.ts decides
// the cell from them): a version-1 cell reads as one test named `loader`, and a
// cell decided without a guest gives each of its tests that outcome. Pure.

import type { TestSpec } from '../core/cell.js';
import type { CellResult, OutputCut, Status, TestResult } from './model.js';

/** Whether a status is a finding against the application (what fails the run). */
export const isUnexpected = (s: Status) => s === 'fail' || s === 'xpass';

/** Tests counted as passed in `passed/total`: pass, xfail (failed as expected) and skip are not failures. */
export function passedCount(tests: readonly TestResult[]): { passed: number; total: number } {
  return { passed: tests.filter((t) => !isUnexpected(t.status) && t.status !== 'infra').length, total: tests.length };
}

/** The failing tests' names, for tables: `smoke, suite`. */
export const failingTests = (tests: readonly TestResult[]) => tests.filter((t) => isUnexpected(t.status) || t.status === 'infra').map((t) => t.name);

/** What a test looks like when the cell decided it without running anything (skip, infra). */
export function undecidedTest(spec: Pick<TestSpec, 'name' | 'kind' | 'expect'>, status: Status, reason?: string): TestResult {
  const t: TestResult = {
    name: spec.name,
    kind: spec.kind,
    status,
    timedOut: false,
    timings: {},
    stdout: '',
    stderr: '',
    kernelLog: '',
  };
  if (reason !== undefined) t.reason = reason;
  if (spec.expect) t.expected = spec.expect;
  return t;
}

/** The cuts of one test's streams (`stdout.3`, …) or, without an index, of the cell's own, in stream order. */
export function outputCutOf(cuts: Record<string, Omit<OutputCut, 'stream'>> | undefined, index?: number): OutputCut[] | undefined {
  const out = (['stdout', 'stderr', 'dmesg'] as const).flatMap((stream) => {
    const cut = cuts?.[index === undefined ? stream : `${stream}.${index}`];
    return cut ? [{ stream, ...cut }] : [];
  });
  return out.length ? out : undefined;
}

/** The one test of a version-1 cell: the cell's own outcome, output and timings. */
export function loaderTest(c: Omit<CellResult, 'tests'>, spec: Pick<TestSpec, 'name' | 'kind'> = { name: 'loader', kind: 'exec' }): TestResult {
  const t: TestResult = {
    name: spec.name,
    kind: spec.kind,
    status: c.status,
    timedOut: c.timedOut,
    timings: c.timings.loaderMs === undefined ? {} : { ms: c.timings.loaderMs },
    stdout: c.stdout,
    stderr: c.stderr,
    kernelLog: c.kernelLog ?? '',
  };
  if (c.reason !== undefined) t.reason = c.reason;
  if (c.exitCode !== undefined) t.exitCode = c.exitCode;
  if (c.expected) t.expected = c.expected;
  if (c.consoleTail) t.consoleTail = c.consoleTail;
  if (c.outputCut) t.outputCut = c.outputCut.filter((cut) => cut.stream !== 'dmesg');
  if (t.outputCut?.length === 0) delete t.outputCut;
  return t;
}

/** A version-1 cell as version 2: one test named `loader` (what `loader:` means). */
export function upgradeCell(c: CellResult | Omit<CellResult, 'tests'>): CellResult {
  return 'tests' in c && Array.isArray(c.tests) ? c : { ...c, tests: [loaderTest(c)] };
}
